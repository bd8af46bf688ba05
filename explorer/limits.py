"""Every resource limit of the program language, in one place.

Exceeding one is a ProgramError naming the limit, never a hang or a crash.
"""

MAX_SOURCE_CHARS = 50_000        # a 1000-op program fits; megabyte pastes are refused before parsing
MAX_AST_NODES = 20_000           # syntax nodes after parsing
MAX_AST_DEPTH = 60               # nesting of expressions / blocks
MAX_GRAPH_NODES = 5_000          # values in the traced graph (1000-op programs fit)
MAX_TENSOR_ELEMENTS = 4_000_000  # one tensor (tf.zeros([10, 256, 256, 3]) is 1,966,080)
MAX_TOTAL_ELEMENTS = 40_000_000  # all tensors of one run together
MAX_MATMUL_FLOPS = 500_000_000   # multiply-adds of one matmul
MAX_EXPONENT = 1_000             # |literal exponent| in x ** k
MAX_LITERAL = 1e15               # |number literal|
MAX_TAPE_DEPTH = 8               # nested GradientTape blocks
MAX_SECONDS = 10.0               # wall clock for one run
MAX_FD_RUNS = 200                # extra program runs for finite differences, per check
MAX_SYMBOLIC_NODES = 200         # values in a scalar graph turned into a sympy expression
MAX_HIGHER_ORDER = 64            # entries of the inputs (and of the output) for Hessians and forward mode
