"""Hostile and oversized programs: each refused with ProgramError, fast, with no side effect."""

import os
import time

import pytest

import explorer
from explorer import ProgramError, limits

HOSTILE = [
    "import os",
    "from os import system",
    "__import__('os').system('touch canary.txt')",
    "x = tf.constant(1.)\ny = x.__class__",
    "y = tf.__dict__",
    "open('canary.txt', 'w')",
    "tf.io.write_file('canary.txt', 'pwned')",
    "tf.io.read_file('/etc/passwd')",
    "tf.py_function(print, [], [])",
    "tf.numpy_function(print, [], [])",
    "eval('1 + 1')",
    "exec('x = 1')",
    "compile('1', 'f', 'eval')",
    "getattr(tf, 'io')",
    "f = lambda: 1",
    "def f():\n    pass",
    "class A:\n    pass",
    "while True:\n    pass",
    "for i in range(10 ** 9):\n    pass",
    "x = [i for i in range(10)]",
    "x = tf.constant([1.]).numpy().tofile('canary.txt')",
    "v = tf.Variable(1.)\nf = v.assign.__globals__",
    "print.__self__",
    "tf.keras.models.load_model('model.keras')",
    "tf.saved_model.save(tf.Variable(1.), 'canary')",
    "tf.compat.v1.Session()",
    "x = 10 ** 10 ** 10",
    "x = tf.Variable(2.)\ny = x ** 100000",
    "x = tf.zeros((100000, 100000))",
    "x = tf.fill((100000, 100000), 1.)",
    "x = tf.random.normal((20000, 20000))",
    "x = tf.linspace(0., 1., 100000000)",
    "a = tf.ones((3000, 1))\nb = tf.ones((1, 3000))\nc = a + b",
    "a = tf.ones((1500, 1500))\nb = a @ a",
    "x = tf.reshape(tf.ones((4,)), (100000, 100000))",
    "x = tf.Variable(tf.ones((3000,)))\nwith tf.GradientTape() as t:\n    y = x * 2.\nj = t.jacobian(y, x)",
    "x = tf.Variable(1.)\ny = x" + " + 1." * 5000,
    "x = tf.Variable(1.)\n" + "y = x+1+1+1+1+1+1+1+1+1+1\n" * 300,   # more values than MAX_GRAPH_NODES
    "x = " + "(" * 300 + "1" + ")" * 300,
    "x = " + "-" * 500 + "1",
    "x = 1\n" * 200_000,
    "x = 'a' * 10 ** 8",
    "x = tf.constant(1e300 ** 1e300)",
    "x = 123456789012345678901234567890",
    "with open('canary.txt') as f:\n    pass",
    "with tf.GradientTape() as t:\n" + "".join("    " * (i + 1) + f"with tf.GradientTape() as t{i}:\n"
                                             for i in range(12)) + "    " * 13 + "pass",
]


@pytest.fixture(autouse=True)
def _warm():
    explorer.run("x = tf.constant(1.)")  # TensorFlow's first-op start-up is not the program's time


def test_there_are_at_least_25_hostile_programs():
    assert len(HOSTILE) >= 25


@pytest.mark.parametrize("source", HOSTILE, ids=[s[:40] for s in HOSTILE])
def test_refused_fast_without_side_effects(source, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    canary = tmp_path / "canary.txt"
    canary.write_text("untouched")
    start = time.monotonic()
    with pytest.raises(ProgramError) as e:
        explorer.run(source)
    elapsed = time.monotonic() - start
    assert elapsed < 1.0, f"took {elapsed:.2f} s"
    assert str(e.value)  # a message a person can read
    assert canary.read_text() == "untouched"
    assert sorted(os.listdir(tmp_path)) == ["canary.txt"]


def test_limits_are_one_place_and_sane():
    assert limits.MAX_TENSOR_ELEMENTS >= 10 * 256 * 256 * 3   # the book's rank-4 example fits
    assert limits.MAX_GRAPH_NODES >= 2000                     # the 1000-op benchmark fits
