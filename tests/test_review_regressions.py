"""Defects a review found (each program is the review's reproduction), kept as tests."""

import numpy as np
import pytest
import tensorflow as tf

import explorer
from explorer import limits


def tape(body: str, pre: str = "") -> str:
    return pre + "with tf.GradientTape() as t:\n" + "".join(f"    {line}\n" for line in body.splitlines())


@pytest.mark.parametrize("source", [
    # one-entry tensors through non-elementwise ops: must not be batched with each other
    tape("m1 = tf.reduce_mean(a)\nm2 = tf.reduce_mean(b)\nloss = m1 * m2",
         "a = tf.Variable([2.0])\nb = tf.Variable([3.0])\n") + "g = t.gradient(loss, [a, b])",
    tape("p = a * b\nq = b * a\nloss = tf.reduce_sum(p + q)",
         "a = tf.Variable(2.0)\nb = tf.Variable([3.0])\n") + "g = t.gradient(loss, [a, b])",
    tape("p = tf.transpose(v, perm=[1, 0])\nq = tf.transpose(w, perm=[1, 0])\nloss = tf.reduce_sum(p * q)",
         "v = tf.Variable([[2.0]])\nw = tf.Variable([[5.0]])\n") + "g = t.gradient(loss, [v, w])",
    tape("p = tf.reshape(v, [1])\nq = tf.reshape(w, [1])\nloss = tf.reduce_sum(p * q)",
         "v = tf.Variable([[2.0]])\nw = tf.Variable([[5.0]])\n") + "g = t.gradient(loss, [v, w])",
    tape("p = v[0]\nq = w[0]\nloss = p * q", "v = tf.Variable([2.0])\nw = tf.Variable([3.0])\n")
    + "g = t.gradient(loss, [v, w])",
    # an op that hands back its own input
    tape("b = tf.cast(a, tf.float32)\ny = a * b", "a = tf.Variable(3.0)\n") + "g = t.gradient(y, a)",
    tape("b = tf.keras.activations.linear(a)\ny = a * b", "a = tf.Variable(3.0)\n") + "g = t.gradient(y, a)",
    # float16 needs float16 tolerances
    tape("y = tf.reduce_sum(tf.sin(x) * x + x * x)", "x = tf.Variable([0.5, 1.5, -2.0], dtype=tf.float16)\n")
    + "g = t.gradient(y, x)",
])
def test_chain_rule_holds(source):
    run = explorer.run(source)
    assert run.graph.chain_rule_ok, source
    for n in run.graph.nodes:
        check = run.graph.checks.get(n.index)
        if check is not None and check.ok is not None:
            assert check.ok, (n.label, check)


def test_reduce_mean_of_one_entry_has_local_derivative_one():
    run = explorer.run(tape("m1 = tf.reduce_mean(a)\nm2 = tf.reduce_mean(b)\nloss = m1 * m2",
                            "a = tf.Variable([2.0])\nb = tf.Variable([3.0])\n") + "g = t.gradient(loss, [a, b])")
    (edge,) = run.graph.in_edges("m1")
    assert float(np.squeeze(edge.contribution)) == 3.0        # d loss / d a = m2 · d mean / d a = 3 · 1


@pytest.mark.parametrize("source", [
    "x = tf.random.normal([2], seed='a')",
    "x = tf.random.normal([2], dtype=tf.int32)",
    "x = tf.Variable(1.)\nwith tf.GradientTape() as t:\n    y = x * x\nwith t.stop_recording():\n    z = y * 2",
    "x = tf.Variable(2.)\ny = x ** (" + "+".join(["1"] * 1500) + ")",
])
def test_python_errors_become_program_errors(source):
    with pytest.raises(explorer.ProgramError) as e:
        explorer.run(source)
    assert e.value.line is not None


@pytest.mark.parametrize("source, name", [
    ("s = tf.constant(0.)\nx = tf.linspace(s, 1., 5)", "x"),
    ("n = tf.constant(2)\nx = tf.reshape(tf.ones([4]), [n, 2])", "x"),
    ("n = tf.constant(2)\nx = tf.constant(1., shape=[n])", "x"),
    ("e = tf.eye(2, batch_shape=[3])", "e"),
])
def test_what_tensorflow_accepts_runs(source, name):
    """Once refused by a narrower language; TensorFlow computes these, so the explorer does too."""
    namespace: dict = {}
    exec(compile(source, "<test>", "exec"), {"tf": tf}, namespace)   # our own test program, not user text
    np.testing.assert_array_equal(explorer.run(source).values[name], namespace[name].numpy())


def test_numpy_inside_a_tape_is_a_constant_and_tf_graph_says_so():
    run = explorer.run("x = tf.Variable(2.)\nn = x.numpy()\nwith tf.GradientTape() as t:\n    y = x * n\n"
                       "g = t.gradient(y, x)")
    assert run.values["g"] == 2.0                        # d(x * n)/dx = n: the NumPy value is a constant
    n = run.graph.node("n")
    assert n.kind == "literal" and n.edge_kinds == ["numpy"]
    graph = run.tf_graph()
    assert graph.error is None and "NumPy" in graph.note and graph.ops


@pytest.mark.parametrize("source, expected", [
    ("x = 3\nx * x", {"df_dx": 6.0}),
    ("x = [1, 2]\ntf.reduce_sum(x * x)", {"df_dx": [2.0, 4.0]}),
    ("x = +3\nx * x", {"df_dx": 6.0}),
])
def test_generated_code_runs_in_real_tensorflow(source, expected):
    code = explorer.run(source).tf_code
    namespace: dict = {}
    exec(compile(code, "<generated>", "exec"), {"tf": tf}, namespace)   # our own generated code, not user text
    for name, value in expected.items():
        np.testing.assert_allclose(namespace[name].numpy(), value)


def test_batched_matmul_counts_both_operands():
    with pytest.raises(explorer.ProgramError, match="multiply-adds"):
        explorer.run("a = tf.ones([2000, 2000])\nb = tf.ones([1000, 2000, 2])\nc = a @ b")
    assert limits.MAX_MATMUL_FLOPS < 8e9


def test_default_target_is_the_last_value_without_a_gradient_call():
    run = explorer.run(tape("p = x * 2.\nq = p + 1.\nloss = q * q", "x = tf.Variable(1.)\n"))
    assert run.targets()[0] == "loss"


def test_eye_columns():
    assert explorer.run("e = tf.eye(2, 0)").values["e"].shape == (2, 0)


def test_unicode_line_separator_in_a_comment_keeps_positions():
    source = "x = tf.Variable(1.)  # a\u2028comment\nwith tf.GradientTape() as t:\n    y = x * 3.\ng = t.gradient(y, x)"
    run = explorer.run(source)
    assert run.graph.node("y").text == "x * 3."
    with pytest.raises(explorer.ProgramError) as e:
        explorer.run("x = 1.  # \u2028\ny = np.sin(z)")
    assert e.value.line == 2 and "np.sin" in explorer.errors.excerpt("x = 1.  # \u2028\ny = np.sin(z)", e.value)


def test_bare_expression_does_not_overwrite_f_():
    run = explorer.run("f = 1.0; f_ = 2.0; f * f_")
    assert run.values["f_"] == 2.0 and run.values["f__"] == 2.0


def test_assign_returns_the_variable():
    run = explorer.run("v = tf.Variable(1.)\nw = v.assign(2.)\nwith tf.GradientTape() as t:\n    y = w * 3.\n"
                       "g = t.gradient(y, w)")
    assert run.values["y"] == 6.0 and run.values["g"] == 3.0
