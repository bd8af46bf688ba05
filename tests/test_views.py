"""Every view survives every accepted program: the nine programs that once crashed, hung or blew up a
view, each now ending in a result or a sentence (ViewError) — checked against TensorFlow or calculus."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import explorer
from explorer import limits
from explorer.checks import check_gradients
from explorer.higher import forward_and_reverse, jacobian
from explorer.views import ViewError, every_view
from explorer.walkthrough import paths


def test_paths_through_an_indexed_scalar():
    run = explorer.run("x = 1.0; y = 2.0; x * y[None] + tf.sin(x)")
    every_view(run)
    graph = run.graph
    _, count, total = paths(graph, graph.node("x").index)
    assert count == 2 and total == pytest.approx(2.0 + np.cos(1.0), rel=1e-6)    # d/dx (x y + sin x)


def test_step_graph_of_an_empty_softmax():
    run = explorer.run("v = tf.Variable([[]])\nwith tf.GradientTape() as tape:\n    p = tf.nn.softmax(v[1:])")
    views = every_view(run)
    assert "digraph" in views["steps"]["dot"] and "<svg" in views["steps"]["svg"] and views["steps"]["looks"]
    assert run.graph.node("p").shape == (0, 0)


def test_a_name_rebound_to_its_own_gradient():
    run = explorer.run("x = tf.Variable(3.0)\nwith tf.GradientTape() as tape:\n    y = 2 * x\n"
                       "y = tape.gradient(y, x)")
    assert run.targets()[0] == "y"
    graph = run.graph_for("y")                       # the recorded y, not the gradient bound to y later
    assert graph.nodes[graph.target].kind == "op"
    steps = run.walkthrough("y")
    assert steps[-1].title == "y → x" and float(steps[-1].contribution) == 2.0
    every_view(run, "y")


def test_checks_of_a_variable_with_no_entries():
    run = explorer.run("x = tf.Variable(tf.zeros([0]))\nwith tf.GradientTape() as tape:\n    y = x + 3")
    (c,) = check_gradients(run, "y")
    assert c.agree is None and "no entries" in c.note
    with pytest.raises(ViewError, match="no entries"):
        forward_and_reverse(run, "y")


@pytest.mark.parametrize("use", ["z = gx.shape", "z = gx * 1.0"])
def test_checks_when_the_nudged_program_fails(use):
    # the loss takes the x branch only at x = 1: nudged down, gx is None and the line after fails
    source = ("x = tf.Variable(1.0)\nq = tf.Variable(2.0)\nwith tf.GradientTape() as tape:\n"
              "    loss = x * x if x >= 1.0 else q * 2.0\ngx, gq = tape.gradient(loss, [x, q])\n" + use)
    run = explorer.run(source)
    by_source = {c.source: c for c in check_gradients(run, "loss")}
    assert float(by_source["x"].tensorflow) == 2.0
    assert by_source["x"].finite_difference is None
    assert "the nudged program did not run" in by_source["x"].note and "line 6" in by_source["x"].note


def test_sympy_on_a_tower_of_exponentials_answers_at_once():
    run = explorer.run("x = tf.Variable(1.0)\nwith tf.GradientTape() as tape:\n"
                       "    y = tf.exp(tf.exp(tf.exp(tf.exp(3 * x))))")
    (c,) = check_gradients(run, "y")
    assert c.symbolic is None and "overflows float64" in c.note
    assert np.isinf(c.tensorflow) and c.agree is None and "overflows" in c.note
    assert c.symbolic_latex.count("e^") >= 4


def test_a_jacobian_too_large_is_refused_before_it_starts():
    run = explorer.run("x = tf.Variable(tf.zeros([1000000]))\nwith tf.GradientTape() as tape:\n    y = x + 3")
    with pytest.raises(ViewError) as e:
        jacobian(run, "y", "x")
    assert "1,000,000,000,000 entries" in str(e.value) and f"{limits.MAX_JACOBIAN_ENTRIES:,}" in str(e.value)


def test_forward_mode_where_tensorflows_own_gradient_fails_for_one_input():
    source = ("x = tf.Variable([[1.0, 2.0], [3.0, 4.0]])\nwith tf.GradientTape() as tape:\n"
              "    y = tf.nn.softmax_cross_entropy_with_logits(labels=[[1.0, 0.0]], logits=x)")
    run = explorer.run(source)
    every_view(run)
    modes = forward_and_reverse(run, "y")
    np.testing.assert_allclose(modes.forward, modes.reverse, atol=1e-6)
    x = tf.Variable([[1.0, 2.0], [3.0, 4.0]])                  # TensorFlow's own d y / d x
    with tf.GradientTape() as tape:
        y = tf.nn.softmax_cross_entropy_with_logits(labels=[[1.0, 0.0]], logits=x)
    np.testing.assert_allclose(run.graph_for("y").gradient("x"), tape.gradient(y, x).numpy(), rtol=1e-6)
    graph = run.graph_for("y")
    labels_edge = [e for e in graph.in_edges("y") if graph.nodes[e.src].kind == "literal"][0]
    assert labels_edge.contribution is None and "TensorFlow's gradient for this input fails" in labels_edge.note
    assert graph.checks[graph.node("x").index].ok is True          # x's edge is still computed and summed


def test_nan_is_shown_with_its_cause_not_a_verdict():
    run = explorer.run("x = tf.Variable(0.0)\nwith tf.GradientTape() as tape:\n    y = x / x")
    graph = run.graph_for("y")
    check = graph.checks[graph.node("x").index]
    assert check.ok is None and "NaN" in check.note and "0/0" in check.note
    (c,) = check_gradients(run, "y")
    assert c.agree is None and "NaN" in c.note
    views = every_view(run)
    assert "nan" in views["backward"]


def test_every_view_reports_what_it_cannot_show_in_words():
    run = explorer.run("x = tf.constant([1.0, 2.0])\ny = x * 2")            # no tape at all
    views = every_view(run)
    assert "forward" in views and "backward" not in views
