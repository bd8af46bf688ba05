"""Every resource limit of the program language and of the views, in one place.

Exceeding one is a ProgramError naming the limit, never a hang or a crash. Loops, calls and recursion
count against the step, time and depth limits; values the pictures keep count against the value and
element limits; what the program holds in memory counts against the memory limit.
"""

# ---- reading the program
MAX_SOURCE_CHARS = 50_000        # a 1000-op program fits; megabyte pastes are refused before parsing
MAX_AST_NODES = 20_000           # syntax nodes after parsing
MAX_AST_DEPTH = 60               # nesting of expressions / blocks
MAX_LITERAL_CHARS = 10_000       # one string literal
MAX_EXPONENT = 1_000             # |literal exponent| in x ** k

# ---- running it
MAX_SECONDS = 10.0               # wall clock for one run
MAX_STEPS = 5_000_000            # statements, calls and loop iterations of one run
MAX_CALL_DEPTH = 40              # nested calls of the program's functions (recursion included)
MAX_RUN_MEMORY_MB = 1_500        # growth of the process while the program runs
MAX_TENSOR_ELEMENTS = 4_000_000  # one tensor or array, or the items of one list (tf.zeros([10, 256, 256, 3]) fits)
MAX_MATMUL_FLOPS = 500_000_000   # multiply-adds of one matmul (or einsum, tensordot)
MAX_INT_BITS = 100_000           # a Python integer the program computes (2 ** 31 is 32 bits)
MAX_STRING_CHARS = 1_000_000     # one string the program builds
MAX_FORMAT_WIDTH = 10_000        # a width or precision in a format spec
MAX_OUTPUT_CHARS = 200_000       # everything the program prints
MAX_TAPE_DEPTH = 8               # nested GradientTape blocks
MAX_MODEL_PARAMS = 2_000_000     # weights of one Keras layer or model in a program (MNIST's 784-512-10 network is 407,050)
MAX_FIT_STEPS = 3_000           # training steps (epochs × batches) of one model.fit
MAX_PLOT_POINTS = 1_000_000      # values in one matplotlib call

# ---- what the pictures keep
MAX_GRAPH_NODES = 5_000          # values in one recording (1000-op programs fit)
MAX_TOTAL_ELEMENTS = 40_000_000  # elements of every tensor the kept recordings hold together
MAX_SERIES_POINTS = 20_000       # iterations charted per loop
MAX_SERIES_ENTRIES = 16          # a variable is charted entry by entry up to this many entries

# ---- the views
MAX_VIEW_SECONDS = 20.0          # every view of one program together (the fuzz test holds them to it)
MAX_FD_SECONDS = 3.0             # re-runs of the program for finite differences, estimated from one run's time
MAX_FD_RUNS = 200                # extra program runs for finite differences, per check
MAX_SYMBOLIC_NODES = 200         # values in a scalar graph turned into a sympy expression
MAX_SYMBOLIC_OPS = 400           # operations in the derivative sympy returns (its LaTeX must fit a page)
MAX_JACOBIAN_ENTRIES = 250_000   # output entries × input entries of one tape.jacobian (1 MB in float32)
MAX_MODES_SECONDS = 3.0          # forward mode's n passes, estimated from the first one
MAX_HIGHER_ORDER = 64            # entries of the inputs (and of the output) for Hessians and forward mode
MAX_SEED = 2**31 - 1          # seeds in links and the seed box: what TensorFlow and NumPy accept
