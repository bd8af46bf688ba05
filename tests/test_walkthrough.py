"""The walkthrough's steps, paths and independent checks, against TensorFlow, the books and sympy."""

import numpy as np
import pytest
import sympy
import tensorflow as tf

import explorer
from explorer.checks import fd_step
from explorer.higher import HigherOrderError, forward_and_reverse, hessian, jacobian
from explorer.presets import PRESETS, by_title
from explorer.walkthrough import paths

CHAIN = by_title("Chain rule on a computation graph (Chollet 2.4.4)").source
MAZUR = by_title("2-2-2 sigmoid network, scalars (step-by-step backpropagation)").source
MAZUR_MATRIX = by_title("2-2-2 sigmoid network, matrices (step-by-step backpropagation)").source


def targets_of(run):
    return run.targets() or [None]


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.title)
def test_backward_contributions_sum_to_tape_gradient_for_every_leaf(preset):
    # float64 where the preset allows it, so the sums can be held to 1e-9
    run = explorer.run(preset.source, dtype="float64" if preset.float64 else "float32")
    rtol, atol = (1e-9, 1e-12) if preset.float64 else (1e-4, 1e-7)
    for target in targets_of(run):
        graph = run.graph_for(target)
        steps = run.walkthrough(target)
        sums: dict[int, np.ndarray] = {}
        for s in steps:
            if s.phase == "backward" and s.contribution is not None:
                sums[s.receiver] = sums.get(s.receiver, 0) + s.contribution
        for n in graph.nodes:
            tf_grad = graph.gradients.get(n.index)
            if not n.is_leaf or n.kind == "literal" or tf_grad is None or n.index == graph.target:
                continue
            if any(e.kind == "opaque" for e in graph.edges if e.src == n.index):
                continue   # reaches the target through a tape.gradient result: TensorFlow's own backward ops
            np.testing.assert_allclose(np.reshape(sums[n.index], np.shape(tf_grad)), tf_grad, rtol=rtol,
                                       atol=atol, err_msg=f"{preset.title}: d {target} / d {n.label}")


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.title)
def test_steps_come_in_reverse_topological_order_with_one_term_per_consumer(preset):
    run = explorer.run(preset.source, dtype="float64" if preset.float64 else "float32")
    for target in targets_of(run):
        graph = run.graph_for(target)
        steps = run.walkthrough(target)
        phases = [s.phase for s in steps]
        assert phases.index("seed") == len([p for p in phases if p == "forward"])   # forward, then backward
        forward_nodes = [s.node for s in steps if s.phase == "forward"][1:]
        assert forward_nodes == sorted(forward_nodes)                 # creation order is topological
        flowing = {}
        for e in graph.edges:
            if e.contribution is not None:
                flowing.setdefault(e.src, []).append(e)
        received: dict[int, int] = {}
        for s in steps:
            if s.phase != "backward":
                continue
            if s.node != graph.target:
                # a node sends its gradient on only once every consumer has sent it its contribution
                assert received.get(s.node, 0) == len(flowing.get(s.node, [])), (preset.title, s.title)
            if s.contribution is not None:
                received[s.receiver] = received.get(s.receiver, 0) + 1
                assert len(s.terms) == received[s.receiver]
                assert s.complete == (received[s.receiver] == len(flowing[s.receiver]))
        for src, edges in flowing.items():
            assert received.get(src) == len(edges)                     # one term per consumer


def test_fan_out_node_shows_its_sum_being_built():
    run = explorer.run("a = tf.Variable(2.)\nwith tf.GradientTape() as t:\n    b = a * a\n    c = tf.sin(a)\n"
                       "    y = b + c\ng = t.gradient(y, a)", dtype="float64")
    steps = [s for s in run.walkthrough() if s.phase == "backward" and s.receiver == run.graph.node("a").index]
    assert len(steps) == 3                                   # a*a uses a twice, sin once
    assert [len(s.terms) for s in steps] == [1, 2, 3] and [s.complete for s in steps] == [False, False, True]
    assert steps[-1].running == pytest.approx(2 * 2.0 + np.cos(2.0), rel=1e-12)   # d/da (a² + sin a)
    assert "3 ops" in steps[0].text or "3 contributions" in steps[0].text


def test_chain_rule_paths_are_the_books_products():
    graph = explorer.run(CHAIN).graph
    (path_w,), count_w, total_w = paths(graph, graph.node("w").index)
    assert [graph.nodes[i].label for i in path_w.named] == ["loss_val", "x2", "x1", "w"]
    assert path_w.named_factors == [1, 1, 2] and path_w.product == 2 and count_w == 1 and total_w == 2
    (path_b,), _, total_b = paths(graph, graph.node("b").index)
    assert [graph.nodes[i].label for i in path_b.named] == ["loss_val", "x2", "b"]
    assert path_b.named_factors == [1, 1] and total_b == 1


def test_paths_sum_over_a_diamond():
    graph = explorer.run("x = 3.0; tf.sin(x) * x", dtype="float64").graph
    found, count, total = paths(graph, graph.node("x").index)
    assert count == 2 and sorted(p.product for p in found) == pytest.approx(sorted([3 * np.cos(3.), np.sin(3.)]))
    assert total == pytest.approx(np.sin(3.) + 3 * np.cos(3.))


def test_paths_refuse_tensor_graphs():
    graph = explorer.run(MAZUR_MATRIX).graph
    with pytest.raises(ValueError, match="scalar"):
        paths(graph, next(n for n in graph.nodes if n.name == "W1").index)


def test_two_two_two_network_matches_the_tutorials_published_numbers():
    # Forward pass and one update with learning rate 0.5, as published in the step-by-step tutorial.
    for source in (MAZUR, MAZUR_MATRIX):
        run = explorer.run(source, dtype="float64")
        assert run.values["E_total"] == pytest.approx(0.298371109, abs=1e-9)
    run = explorer.run(MAZUR, dtype="float64")
    assert run.values["out_h1"] == pytest.approx(0.593269992, abs=1e-9)
    assert run.values["out_h2"] == pytest.approx(0.596884378, abs=1e-9)
    assert run.values["out_o1"] == pytest.approx(0.75136507, abs=1e-8)
    assert run.values["out_o2"] == pytest.approx(0.772928465, abs=1e-9)
    published = {"w1": 0.149780716, "w2": 0.19956143, "w3": 0.24975114, "w4": 0.29950229,
                 "w5": 0.35891648, "w6": 0.408666186, "w7": 0.511301270, "w8": 0.561370121}
    for name, value in published.items():
        assert run.values[name] == pytest.approx(value, abs=1e-8), name
    # the tutorial's first backward numbers: dE/dout_o1 = 0.74136507, dout_o1/dnet_o1 = 0.186815602,
    # dnet_o1/dw5 = out_h1, so dE/dw5 = 0.082167041
    steps = run.walkthrough()
    w5 = next(n for n in run.graph.nodes if n.name == "w5")          # its first state, before the update
    (to_w5,) = [s for s in steps if s.phase == "backward" and s.receiver == w5.index]
    assert to_w5.contribution == pytest.approx(0.082167041, abs=1e-9)
    assert run.graph.gradient("out_o1") == pytest.approx(0.74136507, abs=1e-8)
    assert run.gradient("E_total", "w5") == pytest.approx(0.082167041, abs=1e-9)   # the state before the update
    assert run.gradient("out_o1", "net_o1") == pytest.approx(0.186815602, abs=1e-9)
    matrix = explorer.run(MAZUR_MATRIX, dtype="float64").values
    np.testing.assert_allclose(matrix["W1"], [[published["w1"], published["w3"]], [published["w2"], published["w4"]]],
                               atol=1e-8)
    np.testing.assert_allclose(matrix["W2"], [[published["w5"], published["w7"]], [published["w6"], published["w8"]]],
                               atol=1e-8)


def test_matmul_step_states_the_vjp_with_shapes():
    run = explorer.run(MAZUR_MATRIX, dtype="float64")
    w1 = next(n for n in run.graph.nodes if n.name == "W1")          # its first state, before the update
    (step,) = [s for s in run.walkthrough() if s.phase == "backward" and s.receiver == w1.index]
    assert "dW1 = xᵀ" in step.rule and "vector-Jacobian" in step.text
    assert "2×2" in step.shapes and "1×2" in step.shapes
    # dW1 = xᵀ · d(x @ W1), by hand with NumPy
    x = np.array([[0.05, 0.10]])
    upstream = run.graph.gradient(run.graph.nodes[step.node].label)
    np.testing.assert_allclose(step.contribution, x.T @ upstream, rtol=1e-12)


# ---- three answers ------------------------------------------------------------------------------------

def test_three_answers_agree_on_the_chain_rule_example():
    checks = explorer.check_gradients(explorer.run(CHAIN, dtype="float64"))
    by = {c.source: c for c in checks}
    assert set(by) == {"w", "b", "x1", "x2"}
    assert by["w"].tensorflow == 2 and by["w"].symbolic == 2 and by["w"].finite_difference == pytest.approx(2, rel=1e-6)
    assert all(c.agree for c in checks)
    assert "sign" in by["w"].symbolic_latex
    assert by["w"].step == pytest.approx(fd_step("float64", 3.0))


def test_fd_step_follows_the_dtype():
    assert fd_step("float32", 1.0) == pytest.approx(np.finfo(np.float32).eps ** (1 / 3))
    assert fd_step("float64", 10.0) == pytest.approx(10 * np.finfo(np.float64).eps ** (1 / 3))


def test_a_kink_is_explained_not_hidden():
    (check,) = explorer.check_gradients(explorer.run("x = 0.0; tf.nn.relu(x) + x * x", dtype="float64"))
    assert check.tensorflow == 0 and check.finite_difference == pytest.approx(0.5, rel=1e-6)
    assert check.agree is False and "kink" in check.note and "relu" in check.note


def test_unwatched_constant_says_why_tensorflow_is_none():
    run = explorer.run("c = tf.constant(3.)\nv = tf.Variable(1.)\nwith tf.GradientTape() as t:\n"
                       "    y = c * c * v\ng = t.gradient(y, [c, v])", dtype="float64")
    by = {c.source: c for c in explorer.check_gradients(run)}
    assert by["c"].tensorflow is None and by["c"].finite_difference == pytest.approx(6.0, rel=1e-6)
    assert by["c"].symbolic == pytest.approx(6.0) and "not watched" in by["c"].note and by["c"].agree is True
    assert by["v"].tensorflow == pytest.approx(9.0)


def test_second_derivative_through_nested_tapes_symbolically():
    run = explorer.run(by_title("Second derivative with nested tapes (Chollet 3.11)").source, dtype="float64")
    (check,) = explorer.check_gradients(run, "speed")
    assert check.tensorflow == pytest.approx(9.8) and check.symbolic == pytest.approx(9.8)
    assert check.finite_difference == pytest.approx(9.8, rel=1e-6) and check.agree


def test_tensor_program_has_fd_but_no_symbolic():
    run = explorer.run(by_title("Dense layer sigmoid(x @ W + b)").source, dtype="float64")
    for c in explorer.check_gradients(run):
        assert c.symbolic is None and "scalar" in c.note
        np.testing.assert_allclose(c.finite_difference, c.tensorflow, rtol=1e-5, atol=1e-8)
        assert c.agree


# ---- beyond first order -------------------------------------------------------------------------------

def test_hessian_matches_sympy():
    run = explorer.run("x = 1.0; y = 2.0; x**2 * y + tf.sin(x * y)", dtype="float64")
    h = hessian(run)
    xs, ys = sympy.symbols("x y")
    f = xs ** 2 * ys + sympy.sin(xs * ys)
    expected = np.array(sympy.hessian(f, (xs, ys)).subs({xs: 1.0, ys: 2.0}), dtype=float)
    assert h.names == ["x", "y"]
    np.testing.assert_allclose(h.matrix, expected, rtol=1e-12)


def test_hessian_of_a_linear_function_is_zero_not_none():
    h = hessian(explorer.run("a = 1.0; b = 2.0; 3 * a + b", dtype="float64"))
    np.testing.assert_array_equal(h.matrix, np.zeros((2, 2)))


def test_forward_and_reverse_mode_give_tensorflows_jacobian():
    run = explorer.run(by_title("Dense layer sigmoid(x @ W + b)").source, dtype="float64")
    modes = forward_and_reverse(run, "y")
    np.testing.assert_allclose(modes.forward, modes.reverse, rtol=1e-12, atol=1e-15)
    assert modes.forward_passes == len(modes.inputs) and modes.reverse_passes == len(modes.outputs)
    # y = sigmoid(x W + b): dy_j / dW_ij = x_i y_j (1 - y_j), by hand
    x = np.asarray(run.values["x"])
    y = np.asarray(run.values["y"])
    jac = jacobian(run, "y", "W")                          # shape y.shape + W.shape
    for j in range(y.shape[1]):
        for i in range(x.shape[1]):
            assert jac[0, j, i, j] == pytest.approx(x[0, i] * y[0, j] * (1 - y[0, j]), rel=1e-12)
    with tf.GradientTape() as tape:
        w = tf.Variable(run.values["W"])
        out = tf.sigmoid(tf.constant(x) @ w + tf.constant(run.values["b"]))
    np.testing.assert_allclose(jac, tape.jacobian(out, w).numpy(), rtol=1e-12)


def test_higher_order_refuses_clearly():
    run = explorer.run(by_title("Dense layer sigmoid(x @ W + b)").source)
    with pytest.raises(HigherOrderError, match="scalar"):
        hessian(run, "y")
