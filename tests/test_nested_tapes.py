"""The graph of a gradient computation (nested tapes): stepping back from a tape.gradient result.

`speed = inner_tape.gradient(position, time)` is computed by the backward ops TensorFlow runs for the
inner tape. With `speed` as the target, the steps, the paths and the Graph page's backward graph must
walk from speed back to time with contributions that sum to TensorFlow's d speed / d time. The numbers
are checked against plain TensorFlow run in the test, closed forms and sympy, never against the code's
own output.
"""

import math

import numpy as np
import pytest
import sympy
import tensorflow as tf

import explorer
from explorer.backward import annotate
from explorer.presets import by_title
from explorer.walkthrough import paths

NESTED = by_title("Second derivative with nested tapes (Chollet 3.11)").source
TOL = {"float32": dict(rtol=1e-5, atol=1e-5), "float64": dict(rtol=1e-12, atol=1e-12)}   # numpy's names
APPROX = {"float32": dict(rel=1e-5, abs=1e-5), "float64": dict(rel=1e-12, abs=1e-12)}   # pytest.approx's


def at(time: float) -> str:
    assert "time = tf.Variable(0.)" in NESTED
    return NESTED.replace("time = tf.Variable(0.)", f"time = tf.Variable({time!r})")


def tensorflow_acceleration(time: float, dtype: str) -> tuple[float, float]:
    """(speed, d speed / d time) from the preset's code run in plain TensorFlow."""
    t = tf.Variable(time, dtype=dtype)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            position = 4.9 * t ** 2
        speed = inner.gradient(position, t)
    return float(speed), float(outer.gradient(speed, t))


def backward_sums(steps) -> dict[int, np.ndarray]:
    sums: dict[int, np.ndarray] = {}
    for s in steps:
        if s.phase == "backward" and s.contribution is not None:
            sums[s.receiver] = sums.get(s.receiver, 0) + s.contribution
    return sums


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("time, speed", [(0.0, 0.0), (3.0, 29.4)])
def test_steps_walk_from_speed_back_to_time(time, speed, dtype):
    run = explorer.run(at(time), dtype=dtype)
    graph = run.graph_for("speed")
    t = graph.node("time")
    tf_speed, tf_acceleration = tensorflow_acceleration(time, dtype)
    # the closed form: position = 4.9 t², speed = 9.8 t, acceleration = 9.8 whatever t
    assert float(graph.node("speed").value) == pytest.approx(speed, rel=1e-6, abs=1e-6)
    assert tf_speed == pytest.approx(speed, rel=1e-6, abs=1e-6)
    assert tf_acceleration == pytest.approx(9.8, rel=1e-6)
    steps = run.walkthrough("speed")
    to_time = [s for s in steps if s.phase == "backward" and s.receiver == t.index]
    assert len(to_time) == 1
    step = to_time[0]
    assert "Nothing flows" not in step.text
    assert step.node == graph.node("speed").index
    assert float(step.upstream) == 1.0
    assert float(step.local) == pytest.approx(9.8, rel=1e-6)
    assert float(step.contribution) == pytest.approx(9.8, rel=1e-6)
    assert step.complete and float(step.running) == pytest.approx(tf_acceleration, **APPROX[dtype])
    assert float(step.tensorflow) == pytest.approx(tf_acceleration, **APPROX[dtype])
    # every sum the steps build equals TensorFlow's gradient of that value, at every node
    for node, total in backward_sums(steps).items():
        np.testing.assert_allclose(total, graph.gradients[node], **TOL[dtype])
    assert graph.chain_rule_ok and graph.checks[t.index].ok is True
    # position's value is not read by the backward ops that make speed: that edge carries nothing, and says why
    no_flow = [s for s in steps if s.phase == "backward" and s.receiver == graph.node("position").index]
    assert [s.contribution for s in no_flow] == [None]
    assert "do not read the value of position" in no_flow[0].text
    assert "recorded no path" not in graph.reason("pow") and "do not use the value of pow" in graph.reason("pow")


@pytest.mark.parametrize("time", [0.0, 3.0])
def test_paths_from_speed_to_time_sum_to_the_second_derivative(time):
    run = explorer.run(at(time), dtype="float64")
    graph = run.graph_for("speed")
    found, count, total = paths(graph, graph.node("time").index)
    assert count == 1 and len(found) == 1
    assert [graph.nodes[i].label for i in found[0].nodes] == ["speed", "time"]
    assert found[0].product == pytest.approx(9.8, rel=1e-12)
    assert total == pytest.approx(tensorflow_acceleration(time, "float64")[1], rel=1e-12)


def test_backward_graph_labels_the_edge_from_speed_to_time():
    graph = explorer.run(at(3.0), dtype="float64").graph_for("speed")
    dot = graph.to_dot(view="backward")
    assert "∂speed/∂time = 9.8" in dot and "1 × 9.8 = 9.8" in dot
    edge = next(e for e in graph.edges if e.dst == graph.node("speed").index and e.src == graph.node("time").index)
    assert edge.kind == "data" and float(edge.contribution) == pytest.approx(9.8, rel=1e-12)
    assert not [e for e in graph.edges if e.kind == "opaque" and graph.gradients.get(e.dst) is not None]


SECOND_ORDER = """\
x = tf.Variable(1.0)
y = tf.Variable(2.0)
with tf.GradientTape(persistent=True) as outer:
    with tf.GradientTape() as inner:
        z = x ** 2 * y + tf.sin(x) * y ** 3
    dzdx, dzdy = inner.gradient(z, [x, y])
"""


@pytest.mark.parametrize("target, wrt", [("dzdx", "x"), ("dzdx", "y"), ("dzdy", "x"), ("dzdy", "y")])
def test_mixed_second_derivatives_against_sympy(target, wrt):
    """z = x²y + sin(x)y³: the backward ops read x, y and y³, so y gets two paths from dzdx."""
    sx, sy = sympy.symbols("x y")
    z = sx ** 2 * sy + sympy.sin(sx) * sy ** 3
    first = sympy.diff(z, sx if target == "dzdx" else sy)
    expected = float(sympy.diff(first, sx if wrt == "x" else sy).subs({sx: 1.0, sy: 2.0}))
    run = explorer.run(SECOND_ORDER, dtype="float64")
    graph = run.graph_for(target)
    leaf = graph.node(wrt)
    assert float(graph.gradients[leaf.index]) == pytest.approx(expected, rel=1e-12)
    assert float(backward_sums(run.walkthrough(target))[leaf.index]) == pytest.approx(expected, rel=1e-12)
    found, count, total = paths(graph, leaf.index)
    assert total == pytest.approx(expected, rel=1e-12) and sum(p.product for p in found) == pytest.approx(expected)
    assert graph.chain_rule_ok and all(c.ok is not None for c in graph.checks.values())
    if (target, wrt) == ("dzdx", "y"):    # d/dy (2xy + cos(x) y³): 2x directly and 3cos(x)y² through y³
        assert count == 2
        assert sorted(p.product for p in found) == pytest.approx(sorted([2.0, 3 * math.cos(1.0) * 4.0]))


def test_a_backward_op_that_reads_a_forward_output():
    """exp's backward op reads exp(x) (its output), not x: g = d/dx e^x flows back through y."""
    source = """\
x = tf.Variable(0.5)
with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        y = tf.exp(x)
    g = inner.gradient(y, x)
    h = g * x
"""
    run = explorer.run(source, dtype="float64")
    graph = run.graph_for("h")
    x = graph.node("x").index
    assert float(backward_sums(run.walkthrough("h"))[x]) == pytest.approx(math.exp(0.5) * 1.5, rel=1e-12)
    into_g = {graph.nodes[e.src].label: e for e in graph.edges if e.dst == graph.node("g").index}
    assert float(into_g["y"].local) == pytest.approx(1.0)     # d(g)/d(y) with x held: the backward op is 1 · y
    assert into_g["x"].contribution is None
    assert graph.chain_rule_ok and all(c.ok is not None for c in graph.checks.values())


def test_third_derivative_steps_through_two_gradient_results():
    source = """\
x = tf.Variable(2.0)
with tf.GradientTape() as t3:
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            y = x ** 4
        d1 = t1.gradient(y, x)
    d2 = t2.gradient(d1, x)
d3 = t3.gradient(d2, x)
"""
    run = explorer.run(source, dtype="float64")
    for target, expected in [("d1", 12 * 2.0 ** 2), ("d2", 24 * 2.0)]:   # d/dx 4x³ and d/dx 12x²
        graph = run.graph_for(target)
        total = backward_sums(run.walkthrough(target))[graph.node("x").index]
        assert float(total) == pytest.approx(expected, rel=1e-12), target
        assert paths(graph, graph.node("x").index)[2] == pytest.approx(expected, rel=1e-12)
        assert graph.chain_rule_ok and all(c.ok is not None for c in graph.checks.values())


def test_gradient_penalty_on_tensors_sums_to_tensorflow():
    source = """\
w = tf.Variable([0.5, -1.0, 2.0])
x = tf.constant([1.0, 2.0, 3.0])
with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        inner.watch(x)
        f = tf.reduce_sum(tf.sin(w * x))
    gx = inner.gradient(f, x)
    pen = tf.reduce_sum(gx ** 2)
"""
    w, x = np.array([0.5, -1.0, 2.0]), np.array([1.0, 2.0, 3.0])
    # pen = Σ w² cos²(wx): d/dw = 2w cos²(wx) − 2w² x cos(wx) sin(wx)
    expected = 2 * w * np.cos(w * x) ** 2 - 2 * w ** 2 * x * np.cos(w * x) * np.sin(w * x)
    run = explorer.run(source, dtype="float64")
    graph = run.graph_for("pen")
    np.testing.assert_allclose(graph.gradients[graph.node("w").index], expected, rtol=1e-12)
    np.testing.assert_allclose(backward_sums(run.walkthrough("pen"))[graph.node("w").index], expected, rtol=1e-12)
    assert graph.chain_rule_ok and all(c.ok is not None for c in graph.checks.values())


def test_jacobian_result_steps_through_too():
    source = """\
x = tf.Variable([1.0, 2.0])
with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        y = x * x
    J = inner.jacobian(y, x)
    s = tf.reduce_sum(J)
"""
    run = explorer.run(source, dtype="float64")
    graph = run.graph_for("s")
    # J = diag(2x), s = 2(x₀ + x₁): d s / d x = [2, 2]
    np.testing.assert_allclose(backward_sums(run.walkthrough("s"))[graph.node("x").index], [2.0, 2.0])
    assert graph.chain_rule_ok and all(c.ok is not None for c in graph.checks.values())


def test_a_gradient_the_replay_cannot_repeat_stays_opaque():
    """Where repeating the gradient computation does not give the program's value, no local derivative
    is made up: the edges stay opaque and the check says it cannot compare (not a wrong ✓)."""
    run = explorer.run(at(3.0), dtype="float64")
    trace = run.trace
    speed = run.graph_for("speed").node("speed")
    saved = speed.value
    try:
        speed.value = np.asarray(saved) + 1.0     # as if the program had computed another speed
        graph = annotate(trace, speed.index)
    finally:
        speed.value = saved
    into = [e for e in graph.edges if e.dst == speed.index]
    assert into and all(e.kind == "opaque" and e.contribution is None for e in into)
    assert graph.checks[graph.node("time").index].ok is None
    found, count, total = paths(graph, graph.node("time").index)
    assert count == 0 and total is None
