"""The worked examples of Chollet ch. 2-3 and MIT 6.S191 lab 1, with the books' own numbers."""

import numpy as np
import pytest
import sympy

import explorer
from explorer.presets import PRESETS, by_title

CHAIN = by_title("Chain rule on a computation graph (Chollet 2.4.4)").source


def test_chain_rule_example_forward_and_backward():
    run = explorer.run(CHAIN)
    # Forward: x1 = 6, x2 = 7, loss_val = 3 (the book's figure 2.22)
    assert run.values["x1"] == 6 and run.values["x2"] == 7 and run.values["loss_val"] == 3
    # Backward: grad_w = 1 * 1 * 2 = 2, grad_b = 1 * 1 = 1, grad_x1 = grad_x2 = 1
    assert run.values["grad_w"] == 2 and run.values["grad_b"] == 1
    assert run.values["grad_x1"] == 1 and run.values["grad_x2"] == 1
    assert run.gradient("loss_val", "w") == 2
    assert run.gradient("x2", "x1") == 1 and run.gradient("x2", "b") == 1 and run.gradient("x1", "w") == 2


def test_chain_rule_edges_carry_the_books_local_derivatives():
    g = explorer.run(CHAIN).graph
    (edge_w,) = [e for e in g.in_edges("x1") if g.nodes[e.src].name == "w"]
    assert edge_w.local == 2 and edge_w.upstream == 1 and edge_w.contribution == 2   # d x1 / d w = x = 2
    (edge_b,) = [e for e in g.in_edges("x2") if g.nodes[e.src].name == "b"]
    assert edge_b.local == 1 and edge_b.contribution == 1
    assert edge_w.rule == "x"                      # the local derivative written with the program's names


def test_x_squared_at_3():
    run = explorer.run(by_title("x² at 3 (Chollet 3.5)").source)
    assert run.values["grad"] == 6


def test_watched_constant_and_unwatched_constant():
    run = explorer.run(by_title("Watched constant (Chollet 3.10)").source)
    watched, unwatched = run.values["gradients"]
    assert watched == 6
    assert unwatched is None
    assert "not watched" in run.graph.reason("other") and "tape.watch(other)" in run.graph.reason("other")


def test_second_derivative_of_free_fall():
    run = explorer.run(by_title("Second derivative with nested tapes (Chollet 3.11)").source)
    assert run.values["speed"] == 0
    assert run.values["acceleration"] == pytest.approx(9.8)


def test_mit_function_and_fan_out_sum():
    run = explorer.run(by_title("MIT 6.S191: e = (a + b)(b - 1)").source)
    assert run.values["e"] == 6.0
    # b feeds c = a + b and d = b - 1: de/db = d * 1 + c * 1 = 1.5 + 4 = 5.5, one term per consumer
    assert run.values["de_db"] == 5.5
    check = run.graph.checks[run.graph.node("b").index]
    assert sorted(float(t) for t in check.terms) == [1.5, 4.0] and check.ok


def test_affine_map_on_a_matrix_gives_a_tensor_of_twos():
    run = explorer.run(by_title("Affine map y = 2x + 3 on a matrix (Chollet 3.12)").source)
    np.testing.assert_array_equal(run.values["grad_of_y_wrt_x"], np.full((2, 2), 2.0))


def test_matmul_gradients_have_the_shapes_of_w_and_b():
    run = explorer.run("""
x = tf.random.uniform((2, 2))
W = tf.Variable(tf.random.uniform((2, 2)))
b = tf.Variable(tf.zeros((2,)))
with tf.GradientTape() as tape:
    y = tf.matmul(x, W) + b
grad_of_y_wrt_W_and_b = tape.gradient(y, [W, b])
""")
    gW, gb = run.values["grad_of_y_wrt_W_and_b"]
    assert gW.shape == (2, 2) and gb.shape == (2,)
    x = run.values["x"]
    # d sum(xW + b) / dW = x^T 1, d / db = column sums of ones = 2 (two rows)
    np.testing.assert_allclose(gW, x.T @ np.ones((2, 2)), rtol=1e-6)
    np.testing.assert_allclose(gb, [2.0, 2.0])


def test_dense_layer_against_hand_derived_numpy():
    run = explorer.run(by_title("Dense layer sigmoid(x @ W + b)").source, dtype="float64")
    x, W, b = run.values["x"], run.values["W"], run.values["b"]
    z = x @ W + b
    y = 1 / (1 + np.exp(-z))
    dy = 2 * y / y.size                 # loss = mean(y^2)
    dz = dy * y * (1 - y)               # sigmoid' = y(1 - y)
    np.testing.assert_allclose(run.values["grad_W"], x.T @ dz, rtol=1e-12)   # dW = x^T dz
    np.testing.assert_allclose(run.values["grad_b"], dz.sum(axis=0, keepdims=True), rtol=1e-12)
    g = run.graph
    (w_edge,) = [e for e in g.out_edges("W") if e.kind == "data"]
    assert w_edge.rule == "dW = xᵀ · dmatmul"        # the VJP rule of x @ W, in the program's names
    np.testing.assert_allclose(w_edge.contribution, x.T @ dz, rtol=1e-12)


def test_softmax_cross_entropy_gradient_is_probs_minus_labels():
    run = explorer.run(by_title("Softmax cross-entropy").source, dtype="float64")
    logits, labels = run.values["logits"], run.values["labels"]
    p = np.exp(logits) / np.exp(logits).sum()
    np.testing.assert_allclose(run.values["grad"], p - labels, rtol=1e-12)


def test_bare_expression_against_sympy():
    run = explorer.run("x = 3.0; y = 2.0; x**2 * y + tf.sin(x)", dtype="float64")
    xs, ys = sympy.symbols("x y")
    f = xs ** 2 * ys + sympy.sin(xs)
    at = {xs: 3.0, ys: 2.0}
    assert run.values["f"] == pytest.approx(float(f.subs(at)), rel=1e-12)
    assert run.values["df_dx"] == pytest.approx(float(sympy.diff(f, xs).subs(at)), rel=1e-12)
    assert run.values["df_dy"] == pytest.approx(float(sympy.diff(f, ys).subs(at)), rel=1e-12)
    assert "tape.gradient(f, [x, y])" in run.tf_code


def test_persistent_tape_two_gradients():
    run = explorer.run(by_title("Persistent tape, two gradients").source, dtype="float64")
    assert run.values["dy_dx"] == pytest.approx(12.0)                              # 3x^2 at 2
    assert run.values["dz_dx"] == pytest.approx(np.exp(1.0) * 3 * 4 / 8)           # e^(x^3/8) 3x^2/8


def test_non_persistent_tape_refuses_a_second_gradient():
    with pytest.raises(explorer.ProgramError) as e:
        explorer.run("x = tf.Variable(2.)\nwith tf.GradientTape() as t:\n    y = x * x\n"
                     "a = t.gradient(y, x)\nb = t.gradient(y, x)\n")
    assert e.value.line == 5 and "persistent=True" in str(e.value)


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.title)
def test_every_preset_chain_rule_sums_equal_tensorflow(preset):
    for dtype in ("float32", "float64") if preset.float64 else ("float32",):
        g = explorer.run(preset.source, dtype=dtype).graph
        assert g.target is not None
        assert g.checks, "no node has a gradient"
        assert all(c.ok for c in g.checks.values()), {g.nodes[i].label: c for i, c in g.checks.items()}
