"""The step-through as the browser gets it (explorer.stepper): one layout, per-step looks from the same
renderer as the Graph page, the quiz's hidden looks, formulas that wrap."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import explorer
from explorer.images import svg
from explorer.presets import PRESETS, by_title
from explorer.render import edge_id, edge_look, gradient_scale, node_look, _shown_nodes
from explorer.stepper import PAD, QUIZ_RTOL, formula_html, frames, look_at

CHAIN = by_title("Chain rule on a computation graph (Chollet 2.4.4)").source
SVG = "{http://www.w3.org/2000/svg}"


def chain():
    run = explorer.run(CHAIN)
    graph, steps = run.graph, run.walkthrough()
    return graph, steps, frames(graph, steps)


def test_after_the_last_step_the_picture_is_the_graph_pages_backward_graph():
    """One renderer (issue 11, defect 10): the step-through's last picture colors, outlines and labels
    every node and edge exactly as the Graph page's backward view does."""
    graph, steps, fr = chain()
    last = look_at(fr, len(steps) - 1)
    shown = _shown_nodes(graph)
    scale = gradient_scale(graph, shown)
    for n in graph.nodes:
        if n.index not in shown or n.index == steps[-1].node or n.index == steps[-1].receiver:
            continue                                 # the last step's own node and receiver are highlighted
        page = node_look(n, graph, "backward", scale)
        step = last[f"node-{n.id}"]
        assert step["fill"] == page["fillcolor"], n.label
        assert step["font"] == page.get("fontcolor", "black"), n.label
        if graph.gradients.get(n.index) is not None and n.index in graph.ancestors(graph.target):
            assert page["label"].split("\n")[-1] in step["lines"], n.label
    for e in graph.edges:
        if e.src in shown and e.dst in shown and (steps[-1].edge is None or e is not steps[-1].edge):
            page = edge_look(e, graph, "backward", scale)
            assert last[edge_id(e)]["stroke"] == page.get("color", "#374151")
            assert [line for line in last[edge_id(e)]["lines"] if line != PAD] == \
                (page["label"].split("\n") if "label" in page else [])


def test_forward_steps_fill_values_in_order_and_highlight_the_node_computed():
    graph, steps, fr = chain()
    x1 = f"node-{graph.node('x1').id}"
    assert look_at(fr, 0)[x1]["lines"][1] == "?" and look_at(fr, 0)[x1]["dash"]
    k = next(i for i, s in enumerate(steps) if s.node == graph.node("x1").index and s.phase == "forward")
    assert look_at(fr, k)[x1]["lines"][1] == "6"              # w * x = 3 * 2
    assert look_at(fr, k)[x1]["width"] == 5                    # in focus
    assert look_at(fr, k + 1)[x1]["width"] == 1


def test_backward_sum_builds_up_and_quiz_hides_the_contribution():
    graph, steps, fr = chain()
    w = graph.node("w")
    k = next(i for i, s in enumerate(steps) if s.phase == "backward" and s.receiver == w.index)
    e = steps[k].edge
    assert look_at(fr, k)[edge_id(e)]["lines"][-1] == "1 × 2 = 2"
    assert look_at(fr, k)[f"node-{w.id}"]["lines"][-1] == "∂loss_val/∂w = 2"
    hidden = look_at(fr, k, quiz=True)
    assert hidden[edge_id(e)]["lines"][-1] == "1 × 2 = ?"
    assert hidden[f"node-{w.id}"]["lines"][-1] == "∂loss_val/∂w = ?"
    assert fr.panels[k]["quiz"]["answer"] == 2.0 and fr.panels[k]["quiz"]["rtol"] == QUIZ_RTOL


def test_a_fan_out_gradient_shows_its_running_sum_until_complete():
    run = explorer.run("x = tf.Variable(3.0)\nwith tf.GradientTape() as tape:\n    y = x * x")
    graph, steps = run.graph_for("y"), run.walkthrough("y")
    fr = frames(graph, steps)
    x = f"node-{graph.node('x').id}"
    firsts = [k for k, s in enumerate(steps) if s.phase == "backward" and s.receiver == graph.node("x").index]
    assert look_at(fr, firsts[0])[x]["lines"][-1] == "∂y/∂x = 3 + …"      # 1 × x, one of two
    assert look_at(fr, firsts[1])[x]["lines"][-1] == "∂y/∂x = 3 + 3 = 6"  # d(x²)/dx = 2x at 3
    assert "✓ sum complete" in fr.panels[firsts[1]]["badge"]


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.title)
def test_one_layout_has_a_text_line_for_every_line_of_every_step(preset):
    """The browser swaps text lines in place: every element's line count must match the SVG's <text>s."""
    run = explorer.run(preset.source)
    if not run.targets():
        pytest.skip("nothing to step through")
    graph = run.graph_for(run.targets()[0])
    fr = frames(graph, run.walkthrough(run.targets()[0]))
    root = ET.fromstring(svg(fr.dot))
    groups = {html.unescape(g.get("id")): g for g in root.iter(SVG + "g") if g.get("id")}
    for k in range(0, len(fr.deltas), max(1, len(fr.deltas) // 7)):
        for ident, look in look_at(fr, k).items():
            assert len(list(groups[ident].iter(SVG + "text"))) == len(look["lines"]), (k, ident)


def test_formula_is_mathml_in_pieces_and_program_text_stays_text():
    pieces = formula_html(r"\frac{\partial y}{\partial x} = 3 + 3 = 6")
    assert pieces.count('class="term"') == 4 and pieces.count('class="op"') == 3 and "<mfrac>" in pieces
    hostile = formula_html(r"\mathrm{s} = \texttt{tf.constant(\"<img src=x onerror=alert(1)>\")} = 3")
    assert "<img" not in hostile and "&lt;img" in hostile


def test_the_2_2_2_network_is_laid_out_once_and_is_small_enough_to_send():
    run = explorer.run(by_title("2-2-2 sigmoid network, scalars (step-by-step backpropagation)").source)
    graph = run.graph_for(run.targets()[0])
    steps = run.walkthrough(run.targets()[0])
    fr = frames(graph, steps)
    assert len(fr.deltas) == len(steps) == 75
    seed = next(k for k, s in enumerate(steps) if s.phase == "seed")
    changed = [len(d) for k, d in enumerate(fr.deltas) if k not in (0, seed)]   # the seed turns every arrow
    assert max(changed) < len(fr.deltas[0]) / 4          # a step changes a few elements, not the picture
    assert np.median(changed) <= 6


def test_laying_out_the_2_2_2_network_reports_its_progress():
    """Long work shows progress: frames() tells how many of the 75 steps are drawn, in order, to the end."""
    run = explorer.run(by_title("2-2-2 sigmoid network, scalars (step-by-step backpropagation)").source)
    heard: list[tuple[float, str]] = []
    fr = frames(run.graph, run.walkthrough(), progress=lambda f, text: heard.append((f, text)))
    fractions = [f for f, _ in heard]
    assert fractions == sorted(fractions) and fractions[0] == 0 and 0.85 <= fractions[-1] < 1
    assert heard[0][1].startswith("Drawing the steps: 0 of 75") and "75 of 75" in heard[-1][1]
    assert len(heard) >= 8                                   # a bar that moves, not one jump
    assert frames(run.graph, run.walkthrough()).deltas == fr.deltas    # reporting changes nothing drawn


def test_the_page_store_lays_a_walkthrough_out_once():
    """app_pages._warm.cached_frames: the same program and target give the same frames object (shared by
    every session), and a progress callback hears the Graphviz layout too; another target is laid out anew."""
    from app_pages._warm import cached_frames
    run = explorer.run(CHAIN + "\n", seed=12345)               # a key no other test uses
    heard = []
    first = cached_frames(run, "loss_val", progress=lambda f, text: heard.append(text))
    assert cached_frames(run, "loss_val") is first
    assert heard and heard[-1] == "Laying out the graph of 13 steps (Graphviz) …"
    assert cached_frames(run, "x2") is not first and len(cached_frames(run, "x2").deltas) < len(first.deltas)
