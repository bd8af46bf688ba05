"""Hostile and oversized programs: each refused with ProgramError, with no side effect on the machine.

Two kinds: programs that reach outside the language (files, processes, Python's machinery, TensorFlow's
file and raw-op APIs) are refused before or at the line that tries; programs that are valid but would
never end or would not fit (loops, recursion, huge values) are stopped by a limit of explorer.limits,
and the message names it.
"""

import os

import pytest

import explorer
from explorer import ProgramError, limits

REFUSED = [
    # a class body may bind its own operator dunders (`__rmul__ = __mul__`) and call them by name (also through
    # super()), but nothing else of Python's machinery
    "class A:\n    __class__ = 1", "class A:\n    __dict__ = {}", "class A:\n    x = __builtins__",
    "class A:\n    def f(self):\n        return super().__class__",
    "class A:\n    def f(self):\n        return super().__dict__",
    "class A:\n    def f(self):\n        return super().__getattribute__('x')",
    "class A:\n    def f(self):\n        return self.__repr__.__globals__",
    # imports, files and processes
    "import os", "import subprocess", "import sys", "from os import system", "import pickle", "import socket",
    "import importlib", "from os import path as p", "import mitdeeplearning as mdl",
    "__import__('os').system('touch canary.txt')",
    "open('canary.txt', 'w')",
    "with open('canary.txt') as f:\n    pass",
    "eval('1 + 1')", "exec('x = 1')", "compile('1', 'f', 'eval')", "getattr(tf, 'io')", "globals()", "vars()",
    "input()", "breakpoint()",
    # Python's machinery
    "x = tf.constant(1.)\ny = x.__class__",
    "y = tf.__dict__",
    "y = ().__class__.__bases__",
    "def f():\n    pass\ng = f.__globals__",
    "print.__self__",
    "v = tf.Variable(1.)\nf = v.assign.__globals__",
    "x = type(1).__subclasses__()",
    "class A:\n    def __getattribute__(self, name):\n        return 1",
    "class A:\n    def __init_subclass__(cls):\n        pass",
    "class A(metaclass=type):\n    pass",
    "def g():\n    yield 1",
    "f = lambda: (yield)",
    "x = '{0.__class__}'.format(1)",
    "x = '{0.real}'.format(1)",
    "x = '{0[0]}'.format([1])",
    "def f():\n    pass\nx = f.body",
    "x = tf.constant(1.)\ny = x.op",
    "v = tf.Variable(1.)\nh = v.handle",
    "t = tf.GradientTape()\nx = t.tape",
    "x = np.ones(3)\nx.tofile('canary.txt')",
    "x = np.ones(3)\nb = x.base",
    "np.save('canary.npy', np.ones(3))",
    "x = np.load('canary.npy')",
    "x = np.loadtxt('canary.txt')",
    "np.set_printoptions(precision=1)",
    "f = np.vectorize(lambda x: x)",
    "plt.savefig('canary.png')",
    # TensorFlow's file, process and global-state APIs
    "tf.io.write_file('canary.txt', 'pwned')",
    "tf.io.read_file('/etc/passwd')",
    "tf.py_function(print, [], [])",
    "tf.numpy_function(print, [], [])",
    "tf.raw_ops.WriteFile(filename='canary.txt', contents='x')",
    "tf.saved_model.save(tf.Variable(1.), 'canary')",
    "tf.summary.create_file_writer('canary')",
    "tf.compat.v1.Session()",
    "tf.keras.models.load_model('model.keras')",
    "tf.keras.utils.get_file('x', 'http://example.com')",
    "tf.data.TFRecordDataset('canary.txt')",
    "tf.config.experimental.set_memory_growth(None, True)",
    "tf.random.set_global_generator(None)",
    "tf.debugging.enable_check_numerics()",
    "tf.train.Checkpoint()",
    "tf.load_op_library('canary.so')",
    "f = tf.function(lambda: 1)\ng = f.get_concrete_function()",
    # Keras: files, logs, downloads and the process-wide Keras state
    "m = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nm.save('canary.keras')",
    "m = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nm.save_weights('canary.weights.h5')",
    "m = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nm.load_weights('canary.weights.h5')",
    "m = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nm.export('canary')",
    "m = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nj = m.to_json()",
    "from tensorflow import keras\nm = keras.models.load_model('canary.keras')",
    "from tensorflow import keras\nm = keras.saving.load_model('canary.keras')",
    "cb = tf.keras.callbacks.TensorBoard(log_dir='canary')",
    "cb = tf.keras.callbacks.ModelCheckpoint('canary.keras')",
    "cb = tf.keras.callbacks.CSVLogger('canary.txt')",
    "m = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nm.compile(loss='mse')\n"
    "m.fit(np.ones((4, 2)), np.ones(4), callbacks=[print])",
    "(x, y), _ = tf.keras.datasets.mnist.load_data()",
    "from tensorflow.keras.datasets import mnist\n(x, y), _ = mnist.load_data()",
    "tf.keras.utils.plot_model(None, 'canary.png')",
    "tf.keras.backend.clear_session()",
    "from tensorflow import keras\nkeras.config.set_floatx('float64')",
    "import keras\nkeras.mixed_precision.set_global_policy('mixed_float16')",
    "from sklearn.datasets import fetch_openml\nd = fetch_openml('mnist_784')",
    "import sklearn.datasets\nd = sklearn.datasets.fetch_california_housing()",
    "class L(tf.keras.layers.Layer):\n    def call(self, x):\n        return self._trainable_variables\ny = L()(1.)",
    "d = tf.keras.layers.Dense(1)\nk = d.__dict__",
    "o = tf.keras.optimizers.SGD()\nr = o.real",
    "l = tf.keras.losses.MeanSquaredError()\nf = l.real.__call__",
    # sizes known before anything runs
    "x = 10 ** 10 ** 10",
    "x = tf.Variable(2.)\ny = x ** 100000",
    "x = " + "(" * 300 + "1" + ")" * 300,
    "x = " + "-" * 500 + "1",
    "x = 1\n" * 200_000,
    "with tf.GradientTape() as t:\n" + "".join("    " * (i + 1) + f"with tf.GradientTape() as t{i}:\n"
                                             for i in range(12)) + "    " * 13 + "pass",
]

STOPPED = [
    # loops and recursion: the step, time and depth limits
    ("while True:\n    pass", "seconds|steps"),
    ("for i in range(10 ** 9):\n    pass", "seconds|steps"),
    ("def f(n):\n    return f(n + 1)\nf(0)", "nested calls"),
    ("def f(n):\n    return [f(n + 1)]\nf(0)", "nested calls"),
    ("class A:\n    def __repr__(self):\n        return repr(self)\nprint(A())", "nested calls"),
    ("x = sum(range(10 ** 12))", "seconds|steps"),
    ("x = list(range(10 ** 9))", "items|seconds|steps"),
    ("x = sorted(range(10 ** 8))", "items|seconds|steps"),
    ("x = [i for i in range(10 ** 8)]", "values|items|seconds|steps"),
    ("x = []\nfor i in range(10 ** 7):\n    x.append(i)", "list items|seconds|steps"),
    ("d = {}\nfor i in range(10 ** 7):\n    d[i] = i", "values|seconds|steps"),
    # Python values too large to make
    ("x = 'a' * 10 ** 9", "characters"),
    ("x = [0] * 10 ** 9", "values"),
    ("n = 10 ** 7\nx = 2 ** n", "digits"),
    ("n = 10 ** 1000\nfor i in range(100):\n    n = n * n", "too large"),
    ("s = 'ab'\nfor i in range(40):\n    s = s + s", "characters"),
    ("x = '{:>99999999}'.format(1)", "widths"),
    ("x = f'{1:{10 ** 9}}'", "widths"),
    ("x = '%99999999d' % 1", "widths"),
    ("x = 'a'.ljust(10 ** 9)", "widths"),
    ("x = 'a' * 1000\ny = x.replace('a', x)\nz = y.replace('a', y)", "characters"),
    ("x = math.factorial(10 ** 6)", "factorial"),
    ("x = int('9' * 5000)", "4300"),
    # NumPy and TensorFlow values too large to make
    ("x = np.zeros(10 ** 10)", "array entries"),
    ("x = np.ones((10 ** 5, 10 ** 5))", "array entries"),
    ("x = np.arange(10 ** 10)", "array entries"),
    ("x = np.random.normal(size=10 ** 9)", "random numbers"),
    ("x = np.tile(np.ones(10), 10 ** 9)", "array entries"),
    ("x = np.ones(10 ** 6) + np.ones((10 ** 6, 1))", "array entries"),
    ("a = np.ones((1000, 4000))\nb = a @ a.T @ a @ a.T @ a", "multiply-adds"),
    ("x = [np.ones(4 * 10 ** 6) for _ in range(1000)]", "memory|seconds"),
    ("x = tf.zeros((100000, 100000))", "elements"),
    ("x = tf.fill((100000, 100000), 1.)", "elements"),
    ("x = tf.random.normal((20000, 20000))", "elements"),
    ("x = tf.linspace(0., 1., 100000000)", "elements"),
    ("x = tf.range(10 ** 10)", "elements"),
    ("x = tf.tile(tf.ones([1000]), [10 ** 6])", "elements"),
    ("x = tf.one_hot(tf.range(10 ** 4), 10 ** 4)", "elements"),
    ("x = tf.broadcast_to(1., [10 ** 5, 10 ** 5])", "elements"),
    ("a = tf.ones((3000, 1))\nb = tf.ones((1, 3000))\nc = a + b", "elements"),
    ("a = tf.ones((1500, 1500))\nb = a @ a", "multiply-adds"),
    ("a = tf.ones((2000,))\nb = tf.einsum('i,j,k->ijk', a, a, a)", "elements|multiply-adds"),
    ("x = tf.reshape(tf.ones((4,)), (100000, 100000))", "elements|Input to reshape"),
    ("x = tf.Variable(tf.ones((3000,)))\nwith tf.GradientTape() as t:\n    y = x * 2.\nj = t.jacobian(y, x)", "jacobian"),
    ("x = tf.Variable(1.)\n" + "y = x+1+1+1+1+1+1+1+1+1+1\n" * 300, "values"),
    ("x = tf.Variable(1.)\nwith tf.GradientTape() as t:\n    y = x\n    for i in range(10000):\n        y = y + x",
     "values"),
    # Keras: sizes, parameters per model, training steps per fit, time
    ("w = tf.keras.initializers.GlorotUniform()((100000, 100000))", "elements"),
    ("import keras\nv = keras.Variable(shape=(100000, 100000), initializer='zeros')", "elements"),
    ("import keras\nx = keras.ops.ones((100000, 100000))", "elements"),
    ("import keras\na = keras.ops.ones((3000, 1))\nb = keras.ops.ones((1, 3000))\nc = keras.ops.add(a, b)", "elements"),
    ("import keras\na = keras.ops.ones((1500, 1500))\nb = keras.ops.matmul(a, a)", "multiply-adds"),
    ("import keras\nh = keras.ops.one_hot(keras.ops.ones((10000,), dtype='int32'), 10000)", "elements"),
    ("import keras\na = keras.ops.ones((3000,))\nb = keras.ops.outer(a, a)", "elements"),
    ("y = tf.keras.utils.to_categorical([1, 2], 10 ** 9)", "elements"),
    ("layer = tf.keras.layers.Dense(50000)\ny = layer(tf.ones((1, 100)))", "parameters"),
    ("m = tf.keras.Sequential([tf.keras.layers.Dense(2000), tf.keras.layers.Dense(2000)])\ny = m(tf.ones((1, 10)))",
     "parameters"),
    ("m = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nm.compile(loss='mse')\n"
     "m.fit(np.zeros((10000, 2)), np.zeros(10000), epochs=1000, batch_size=1, verbose=0)", "training steps"),
    ("m = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nm.compile(loss='mse')\n"
     "for i in range(100000):\n    m.fit(np.zeros((64, 2)), np.zeros(64), epochs=2, verbose=0)", "seconds|steps"),
]


@pytest.fixture(autouse=True)
def _warm():
    explorer.run("x = tf.constant(1.)")  # TensorFlow's first-op start-up is not the program's time


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    canary = tmp_path / "canary.txt"
    canary.write_text("untouched")
    yield tmp_path
    assert canary.read_text() == "untouched"
    assert sorted(os.listdir(tmp_path)) == ["canary.txt"]


def test_the_suite_is_large():
    assert len(REFUSED) >= 60 and len(STOPPED) >= 40


@pytest.mark.parametrize("source", REFUSED, ids=[s[:40] for s in REFUSED])
def test_refused_without_side_effects(source, sandbox):
    with pytest.raises(ProgramError) as e:
        explorer.run(source)
    assert str(e.value) and e.value.line is not None     # a message a person can read, at a line


@pytest.mark.parametrize("source, limit", STOPPED, ids=[s[:40] for s, _ in STOPPED])
def test_stopped_by_a_named_limit(source, limit, sandbox):
    import re
    with pytest.raises(ProgramError) as e:
        explorer.run(source)
    assert re.search(limit, str(e.value)), str(e.value)
    assert e.value.line is not None


def test_limits_are_one_place_and_sane():
    assert limits.MAX_TENSOR_ELEMENTS >= 10 * 256 * 256 * 3   # the book's rank-4 example fits
    assert limits.MAX_GRAPH_NODES >= 2000                     # the 1000-op benchmark fits
    assert limits.MAX_CALL_DEPTH >= 20                        # fib(20) recursion fits
