"""Results that were once wrong, each checked against TensorFlow run on the same program (or against the
calculus where TensorFlow answers None by design)."""

from __future__ import annotations

import numpy as np
import pytest

import explorer
from explorer.checks import check_gradients
from explorer.codegen import tensorflow_code


def in_tensorflow(source: str, dtype: str = "float32") -> dict:
    """The program run by Python with real TensorFlow (the page's "TensorFlow code"): its names."""
    namespace: dict = {}
    exec(compile(tensorflow_code(source, dtype, 0), "<reference>", "exec"), namespace)   # our own test programs
    return namespace


def same(ours, theirs) -> None:
    if theirs is None:
        assert ours is None
        return
    if isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            same(a, b)
        return
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-6)


def check(source: str, *names: str) -> explorer.Run:
    run = explorer.run(source)
    ref = in_tensorflow(source)
    for name in names:
        same(run.values[name], ref[name])
    return run


def test_a_variable_as_its_own_gradient_target():
    run = check("v = tf.Variable([1.0, 2.0])\n"
                "with tf.GradientTape(persistent=True) as tape:\n"
                "    y = v * 3.0\n"
                "g = tape.gradient(v, v)\n"
                "j = tape.jacobian(v, v)\n", "g", "j")
    np.testing.assert_array_equal(run.values["j"], np.eye(2))
    (c,) = check_gradients(run, "v")
    np.testing.assert_array_equal(c.tensorflow, [1.0, 1.0])
    assert c.agree is True


def test_a_constant_made_of_a_variable_is_a_copy():
    run = check("v = tf.Variable(3.0)\n"
                "with tf.GradientTape(persistent=True) as tape:\n"
                "    c = tf.constant(v)\n"
                "    y = c * v\n"
                "g = tape.gradient(c, v)\n"
                "h = tape.gradient(y, v)\n", "g", "h")
    assert run.values["g"] is None and float(run.values["h"]) == 3.0     # only the v factor counts


def test_matrix_transpose_of_rank_3_swaps_the_last_two_axes():
    run = check("a = tf.reshape(tf.range(24.0), [2, 3, 4])\n"
                "t = tf.linalg.matrix_transpose(a)\n"
                "u = tf.transpose(a)\n", "t", "u")
    assert run.values["t"].shape == (2, 4, 3) and run.values["u"].shape == (4, 3, 2)


def test_python_integers_do_not_overflow_and_tensors_get_tensorflows_dtype():
    run = check("big = 2**31\n"
                "huge = 2**64 + 1\n"
                "t = tf.constant(2**31)\n"
                "s = tf.constant(3) * 2\n"
                "r = 1 / 100\n"
                "y = tf.constant(1.0)\n"
                "z = 1 - y\n", "big", "t", "s", "r", "z")
    assert int(run.values["huge"]) == 2**64 + 1
    ref = in_tensorflow("t = tf.constant(2**31)")
    assert run.trace.nodes[[n.name for n in run.trace.nodes].index("t")].dtype == ref["t"].dtype.name


def test_int32_tensor_arithmetic_wraps_as_tensorflow_does():
    check("a = tf.constant(2**30, dtype=tf.int32)\nb = a * 4\nc = a + a\n", "b", "c")


def test_finite_difference_through_an_assign_inside_the_tape():
    # the loss reads v after the assign: d(v*v)/dv = 2 * 4 = 8 with respect to that state of v
    source = ("v = tf.Variable(2.0)\n"
              "with tf.GradientTape() as tape:\n"
              "    v.assign(v * 2.0)\n"
              "    loss = v * v\n"
              "g = tape.gradient(loss, v)\n")
    run = check(source, "g")
    (c,) = check_gradients(run)
    assert float(c.tensorflow) == 8.0
    assert c.finite_difference == pytest.approx(8.0, rel=1e-3)
    assert c.symbolic == pytest.approx(8.0) and c.agree is True


def test_finite_difference_nudges_a_variable_inside_a_loop_recording():
    # SGD on (x - 4)^2: in recording k the gradient is 2 (x_k - 4); the nudged re-run must see the nudge
    source = ("x = tf.Variable(1.0)\n"
              "for i in range(5):\n"
              "    with tf.GradientTape() as tape:\n"
              "        loss = (x - 4.0) ** 2\n"
              "    g = tape.gradient(loss, x)\n"
              "    x.assign_sub(0.1 * g)\n")
    for k in (1, 3, 5):
        run = explorer.run(source, recording=k)
        xk = 4 - 3 * 0.8 ** (k - 1)                       # x_k - 4 = 0.8^(k-1) (x_1 - 4), by hand
        (c,) = check_gradients(run)
        assert float(c.tensorflow) == pytest.approx(2 * (xk - 4), rel=1e-5)
        assert c.finite_difference == pytest.approx(2 * (xk - 4), rel=1e-3)
        assert c.agree is True


def test_a_cast_to_an_integer_has_no_symbolic_derivative_of_one():
    source = ("x = tf.Variable(2.7)\n"
              "with tf.GradientTape() as tape:\n"
              "    y = tf.cast(tf.cast(x, tf.int32), tf.float32) * x\n"
              "g = tape.gradient(y, x)\n")
    run = check(source, "g")                          # TensorFlow: 2 (the cast passes nothing)
    (c,) = check_gradients(run)
    assert c.symbolic is None and "step function" in c.note
    assert c.finite_difference == pytest.approx(2.0, rel=1e-3)


def test_stop_gradient_is_not_reported_as_independence():
    source = ("x0 = tf.Variable(3.0)\n"
              "with tf.GradientTape() as tape:\n"
              "    y = tf.stop_gradient(x0 * x0)\n"
              "g = tape.gradient(y, x0)\n")
    run = check(source, "g")
    (c,) = check_gradients(run)
    assert c.tensorflow is None and c.symbolic is None and c.agree is None
    assert c.finite_difference == pytest.approx(6.0, rel=1e-3)      # d(x0^2)/dx0 at 3
    assert "does not depend" not in c.note and "tf.stop_gradient" in c.note


def test_check_gradients_with_a_none_gradient_in_the_list():
    source = ("x = tf.Variable(1.0)\nz = tf.Variable(2.0)\n"
              "with tf.GradientTape() as tape:\n"
              "    y = x * 3.0\n"
              "g = tape.gradient(y, [x, z])\n")
    run = check(source, "g")
    by_source = {c.source: c for c in check_gradients(run)}
    assert float(by_source["x"].tensorflow) == 3.0 and by_source["z"].tensorflow is None
    assert by_source["z"].finite_difference == 0.0 and "does not depend on z" in by_source["z"].note


@pytest.mark.parametrize("source, message", [
    ("w = tf.Variable(1.0)\nw -= 0.1", "assign_sub"),
    ("x = tf.constant(2.0)\ny = tf.log(x)", "tf.math.log"),
    ("a = tf.constant(1.0)\nb = tf.squared_difference(a, a)", "tf.math.squared_difference"),
    ("a = tf.constant(1.0)\nb = tf.rsqrt(a)", "tf.math.rsqrt"),
])
def test_what_tensorflow_refuses_is_refused_with_its_meaning(source, message):
    with pytest.raises(Exception):
        in_tensorflow(source)                              # TensorFlow 2 refuses it too
    with pytest.raises(explorer.ProgramError) as e:
        explorer.run(source)
    assert message in e.value.message and e.value.line == 2


def test_values_are_named_as_the_program_names_them():
    source = ("class Dense:\n"
              "    def __init__(self, n_in, n_out):\n"
              "        self.W = tf.Variable(tf.ones([n_in, n_out]) * 0.5)\n"
              "        self.b = tf.Variable(tf.zeros([n_out]))\n"
              "    def __call__(self, x):\n"
              "        return tf.matmul(x, self.W) + self.b\n"
              "layer = Dense(2, 1)\n"
              "def train_step(x, y):\n"
              "    with tf.GradientTape() as tape:\n"
              "        pred = layer(x)\n"
              "        loss = tf.reduce_mean((pred - y) ** 2)\n"
              "    grads = tape.gradient(loss, [layer.W, layer.b])\n"
              "    layer.W.assign_sub(0.1 * grads[0])\n"
              "    return loss\n"
              "for step in range(3):\n"
              "    l = train_step(tf.constant([[1.0, 2.0]]), tf.constant([[3.0]]))\n")
    run = explorer.run(source)
    names = [n.name for n in run.trace.nodes]
    for name in ("self.W", "self.b", "pred", "loss", "grads[0]", "grads[1]"):
        assert name in names
    assert run.trace.nodes[names.index("self.W")].id == "self_W"      # a valid TensorFlow name scope
    assert run.default_target == "loss"
    assert run.recordings[-1].number == 3
    ref = in_tensorflow(source)                              # the same three steps in TensorFlow
    np.testing.assert_allclose(run.values["l"], ref["l"], rtol=1e-6)


def test_tf_print_writes_what_tensorflow_writes(tmp_path):
    args = ("'x =', tf.constant([1., 2.]), tf.constant(0.1), tf.constant(1 / 3), tf.constant([[1.5, 2.25], [3., 4.]]), "
            "7, tf.range(10), tf.constant(1e10), tf.constant(True), tf.constant('s'), tf.constant([1e-7, 2.0]), "
            "tf.constant(1 / 3, tf.float64)")
    run = explorer.run(f"tf.print({args})")
    target = tmp_path / "printed.txt"
    in_tensorflow(f"tf.print({args}, output_stream='file://{target}')")
    assert "\n".join(run.output) == target.read_text().rstrip("\n")
