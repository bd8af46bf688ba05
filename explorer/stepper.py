"""The step-through as data for the browser: one graph layout and, per step, what changes in it.

The graph is laid out once (Graphviz, every label at its widest), and each step is a set of changes to
that one picture — label lines, fill, outline, line width and dash of nodes and edges — so the page
steps by swapping attributes in the browser, with no rerun and no new layout. Every look comes from
explorer.render's `node_look` and `edge_look`, the functions that draw the Graph page: one renderer.

`frames(graph, steps)` is all a page needs; `look_at(frames, k)` rebuilds step k's full picture, as
the browser does, for tests.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import numpy as np

from .graph import Graph
from .palette import INK
from .render import (_attrs, _legend, _shown_nodes, dot_header, edge_id, edge_look, fmt, gradient_scale,
                     node_lines, node_look)
from .walkthrough import Step

QUIZ_RTOL = 1e-2        # a student's typed contribution counts as right within 1 % (a person rounds; the
                        # model's own checks use explorer.checks' dtype tolerances)
PAD = "\u00a0"          # a line that says nothing yet: Graphviz keeps a text element for it

_DASH = {"dashed": "5,2", "dotted": "1,5"}


def _look(attrs: dict[str, str], edge: bool) -> dict:
    """DOT attributes as the SVG attributes the browser sets."""
    style = attrs.get("style", "" if edge else "rounded,filled").split(",")
    dash = next((_DASH[s] for s in style if s in _DASH), "")
    width = float(attrs.get("penwidth", 1)) * (2 if "bold" in style else 1)
    return {"lines": attrs.get("label", "").split("\n") if attrs.get("label") else [],
            "back": attrs.get("dir") == "back",
            "fill": attrs.get("fillcolor", "none" if edge else "white"),
            "stroke": attrs.get("color", INK if edge else "black"),
            "width": width, "dash": dash, "font": attrs.get("fontcolor", "black")}


@dataclass
class Frames:
    dot: str                                   # the one layout
    deltas: list[dict[str, dict]]              # per step: element id -> its look where it changed
    panels: list[dict]                         # per step: what the panel beside the graph says
    quiz: dict[int, dict] = field(default_factory=dict)   # step -> the looks while its answer is hidden


def _state(graph: Graph, steps: list[Step], k: int, hidden: bool,
           memo: dict | None = None) -> tuple[dict[str, dict], dict[str, dict]]:
    """Every node's and edge's DOT attributes after step k (with `hidden`, before k's contribution).
    `memo` keeps each element's look per state it can be in: most elements do not change from one step
    to the next, and drawing them again made a 386-step walkthrough take seconds."""
    memo = {} if memo is None else memo
    step = steps[k]
    shown = _shown_nodes(graph)
    backward = step.phase != "forward"
    computed = {n.index for n in graph.nodes if n.is_leaf}
    partial: dict[int, list] = {}
    done: set[tuple[int, int, int]] = set()
    final: set[int] = set()
    for s in steps[:k + 1]:
        if s.phase == "forward":
            computed.add(s.node)
    for s in steps[:k if hidden else k + 1]:
        if s.phase == "seed":
            partial[s.node] = [s.upstream]
            final.add(s.node)
        elif s.phase == "backward" and s.edge is not None:
            done.add((s.edge.src, s.edge.dst, s.edge.position))
            if s.receiver is not None and s.contribution is not None:
                partial[s.receiver] = s.terms
                if s.complete:
                    final.add(s.receiver)
    scale = gradient_scale(graph, shown)
    view = "backward" if backward else "forward"
    out_of: dict[int, list] = {}
    for e in graph.edges:
        out_of.setdefault(e.src, []).append(e)
    nodes, edges = {}, {}
    for n in graph.nodes:
        if n.index not in shown:
            continue
        focus = "node" if n.index == step.node else \
            "receiver" if backward and step.phase == "backward" and n.index == step.receiver else ""
        settled = backward and (graph.gradients.get(n.index) is None and n.index != graph.target and
                                all((e.src, e.dst, e.position) in done for e in out_of.get(n.index, []))
                                or k == len(steps) - 1 and n.index not in partial)
        terms = partial.get(n.index, []) if backward else []
        key = ("n", n.index, backward, settled, n.index in computed, len(terms), n.index in final, focus)
        attrs = memo.get(key)
        if attrs is None:
            if settled:
                # nothing can reach it any more: drawn as the Graph page draws it (None and why)
                attrs = node_look(n, graph, view, scale, focus=focus)
            elif backward:
                total = np.reshape(sum(terms), np.shape(terms[-1])) if terms else None
                lines = node_lines(n, graph, view, terms=terms, final=n.index in final)
                attrs = node_look(n, graph, view, scale, lines, gradient=total,
                                  pending=bool(terms) and n.index not in final, focus=focus)
            else:
                known = n.index in computed
                lines = node_lines(n, graph, view, known=known, shape=n.shape != ())   # scalars: the tooltip says it
                attrs = node_look(n, graph, view, scale, lines, known=known, focus=focus)
            memo[key] = attrs
        nodes[attrs["id"]] = attrs
    for e in graph.edges:
        if e.src not in shown or e.dst not in shown:
            continue
        key = (e.src, e.dst, e.position)
        current = step.edge is not None and key == (step.edge.src, step.edge.dst, step.edge.position)
        state = ("e", key, backward, key in done or (current and hidden), not backward and e.dst not in computed,
                 current, current and hidden)
        attrs = memo.get(state)
        if attrs is None:
            attrs = memo[state] = edge_look(e, graph, view, scale, done=state[3], dimmed=state[4], focus=current,
                                            quiz=current and hidden)
        edges[attrs["id"]] = attrs
    return nodes, edges


def _widest(lines_per_frame: list[list[str]]) -> list[str]:
    count = max((len(ls) for ls in lines_per_frame), default=0)
    return [max((ls[i] if i < len(ls) else "" for ls in lines_per_frame), key=len) or PAD for i in range(count)]


def frames(graph: Graph, steps: list[Step], rankdir: str = "TB", progress=None) -> Frames:
    """The layout and the per-step changes of a walkthrough (explorer.walkthrough.walkthrough).
    `progress(fraction, text)`, if given, is told how far the steps are drawn (a long walkthrough takes
    a while: the page shows a bar, not a frozen screen)."""
    memo: dict = {}
    total = len(steps)
    states = []
    for k in range(total):
        if progress is not None and k % 8 == 0:
            progress(0.9 * k / total, f"Drawing the steps: {k} of {total} …")
        states.append(_state(graph, steps, k, hidden=False, memo=memo))
    quizzable = {k for k, s in enumerate(steps) if _quizzable(s)}
    hidden = {k: _state(graph, steps, k, hidden=True, memo=memo) for k in quizzable}
    every = list(states) + list(hidden.values())
    widest: dict[str, list[str]] = {}
    for ident in states[0][0] | states[0][1]:
        group = 0 if ident in states[0][0] else 1
        widest[ident] = _widest([st[group][ident].get("label", "").split("\n") if st[group][ident].get("label")
                                 else [] for st in every])
    counts = {ident: len(ls) for ident, ls in widest.items()}

    converted: dict[tuple[str, int], dict] = {}       # the looks are memoized objects: convert each once

    def look(ident: str, attrs: dict, edge: bool) -> dict:
        out = converted.get((ident, id(attrs)))
        if out is None:
            out = _look(attrs, edge)
            out["lines"] = out["lines"] + [PAD] * (counts[ident] - len(out["lines"]))
            converted[(ident, id(attrs))] = out
        return out

    looks = [{i: look(i, a, group == 1) for group, d in enumerate(st) for i, a in d.items()} for st in states]
    deltas, before = [], {}
    for now in looks:
        deltas.append({i: v for i, v in now.items() if before.get(i) is not v and before.get(i) != v})
        before = now
    quiz = {}
    for k, st in hidden.items():
        masked = {i: look(i, a, group == 1) for group, d in enumerate(st) for i, a in d.items()}
        quiz[k] = {i: v for i, v in masked.items() if looks[k].get(i) != v}

    index = {n.index: n for n in graph.nodes}
    layout = dot_header(rankdir)
    for ident, attrs in states[-1][0].items():
        a = dict(attrs, label="\n".join(widest[ident]))
        n = next(i for i, node in index.items() if f"node-{node.id}" == ident)
        layout.append(f"  n{n} [{_attrs(a)}];")
    for e in graph.edges:
        ident = edge_id(e)
        if ident in states[-1][1]:
            a = dict(states[-1][1][ident], dir="both")     # the browser shows the arrowhead of the phase
            if widest[ident]:
                a["label"] = "\n".join(widest[ident])
            layout.append(f"  n{e.src} -> n{e.dst} [{_attrs(a)}];")
    layout += [_legend("backward"), "}"]
    if progress is not None:
        progress(0.9, f"Drawing the steps: {total} of {total}; writing their panels …")
    return Frames("\n".join(layout), deltas, [panel(graph, s, k, len(steps)) for k, s in enumerate(steps)], quiz)


def look_at(fr: Frames, k: int, quiz: bool = False) -> dict[str, dict]:
    """Every element's look at step k, as the browser builds it from the deltas."""
    state: dict[str, dict] = {}
    for d in fr.deltas[:k + 1]:
        state.update(d)
    if quiz and k in fr.quiz:
        state.update(fr.quiz[k])
    return state


def _quizzable(step: Step) -> bool:
    return step.phase == "backward" and step.contribution is not None and step.scalar


# ---- the panel ------------------------------------------------------------------------------------

def panel(graph: Graph, step: Step, k: int, n: int) -> dict:
    """What the step says in words, as HTML, beside the graph."""
    phase = {"forward": "Forward pass", "seed": "Backward pass", "backward": "Backward pass"}[step.phase]
    tname = graph.nodes[graph.target].label
    out = {"heading": f"{phase} · step {k + 1} of {n}: {step.title}", "phase": step.phase,
           "text": inline_markdown(step.text), "formula": formula_html(step.latex) if step.latex else "",
           "shapes": html.escape(step.shapes), "badge": ""}
    if step.receiver is not None and step.complete and step.phase == "backward":
        check = graph.checks.get(step.receiver)
        name = graph.nodes[step.receiver].label
        said = (f"∂{tname}/∂{name} = {fmt(step.running)}; TensorFlow's tape.gradient gives "
                f"{fmt(step.tensorflow)}.")
        if check is not None and check.ok is True:
            out["badge"] = f'<span class="ok">✓ sum complete</span> {html.escape(said)}'
        elif check is not None and check.ok is False:
            out["badge"] = f'<span class="bad">✗ differs</span> {html.escape(said)}'
        else:
            why = (check.note if check is not None and check.note else "not compared")
            out["badge"] = f'<span class="na">{html.escape(why)}</span> {html.escape(said)}'
    if _quizzable(step):
        e = step.edge
        src, dst = graph.nodes[e.src].label, graph.nodes[e.dst].label
        out["quiz"] = {
            "question": html.escape(f"Upstream gradient ∂{tname}/∂{dst} = {fmt(step.upstream)}; local derivative "
                                    f"∂{dst}/∂{src} = {step.rule} = {fmt(step.local)}. What does this edge send "
                                    f"back to {src}?"),
            "answer": float(np.asarray(step.contribution).item()), "rtol": QUIZ_RTOL,
            "right": html.escape(f"Right: {fmt(step.upstream)} × {fmt(step.local)} = {fmt(step.contribution)}."),
        }
    return out


def inline_markdown(text: str) -> str:
    """The little Markdown the steps use (**bold**, `code`) as HTML, everything else escaped."""
    out = html.escape(text)
    out = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", out)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", out)


def formula_html(latex: str) -> str:
    """A step's formula as MathML, cut at its top-level =, + and \\qquad so that a long sum wraps onto
    the next line instead of being cut at the edge (Chromium draws MathML Core natively)."""
    from latex2mathml.converter import convert
    latex = re.sub(r"\\texttt\{([^{}]*)\}", lambda m: r"\texttt{" + m.group(1).replace(r"\_", "_") + "}", latex)
    # latex2mathml copies text into the markup as it is: program text must not become HTML
    latex = latex.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    pieces, depth, start, i = [], 0, 0, 0
    while i < len(latex):
        c = latex[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0 and latex.startswith(r"\qquad", i):
            pieces += [latex[start:i], "\u2003"]
            i += len(r"\qquad")
            start = i
            continue
        elif depth == 0 and c in "=+" and latex[i - 1:i] == " ":
            pieces += [latex[start:i], c]
            start = i + 1
        i += 1
    pieces.append(latex[start:])
    parts = []
    for p in pieces:
        if p in ("=", "+"):
            parts.append(f'<span class="op">{"=" if p == "=" else "+"}</span>')
        elif p == "\u2003":
            parts.append('<span class="gap"></span>')
        elif p.strip():
            parts.append(f'<span class="term">{convert(p.strip())}</span>')
    return "".join(parts)


__all__ = ["Frames", "frames", "look_at", "panel", "formula_html", "inline_markdown", "QUIZ_RTOL"]


# ---- the tabs under the step-through ----------------------------------------------------------------

@dataclass
class PathsTable:
    intro: str
    rows: list[dict]
    more: str
    verdict: str


def same_gradient(a, b, dtype: str) -> bool:
    """Equal within the model's own tolerance for the dtype (the one explorer.backward checks with)."""
    from .backward import _tolerance
    rtol, atol = _tolerance(dtype)
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return bool(np.allclose(a, b, rtol=rtol, atol=atol * max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)))


def paths_table(graph: Graph, leaf: int) -> PathsTable:
    """Every path from the target to a leaf with its local derivatives and product, and the sum over
    paths beside TensorFlow's gradient (ViewError where paths are not defined: tensors)."""
    from .backward import nonfinite
    from .walkthrough import paths
    found, count, total = paths(graph, leaf)
    tname, lname = graph.nodes[graph.target].label, graph.nodes[leaf].label
    rows = [{"path": " → ".join(graph.nodes[i].label for i in p.named),
             "local derivatives": " · ".join(fmt(f) for f in p.named_factors),
             "product": fmt(p.product),
             "every op on the way": " → ".join(graph.nodes[i].label for i in p.nodes)
                                    + "  (" + " · ".join(fmt(f) for f in p.factors) + ")"} for p in found]
    tf_grad = graph.gradients[leaf]
    bad = nonfinite(total) or nonfinite(tf_grad)
    if bad:
        badge = f":gray-badge[{bad}: not compared]"
    elif total is not None and same_gradient(total, tf_grad, graph.nodes[leaf].dtype):
        badge = ":green-badge[✓ equal]"
    else:
        badge = ":red-badge[✗ differ]"
    return PathsTable(
        intro=(f"Every path from **{tname}** down to **{lname}** multiplies the local derivatives along it; the "
               f"gradient is the **sum over all paths** ({count} here)."),
        rows=rows,
        more=f"The first {len(found)} of {count} paths; the sum below covers all of them." if count > len(found) else "",
        verdict=f"Sum over paths = **{fmt(total)}**; TensorFlow's ∂{tname}/∂{lname} = **{fmt(tf_grad)}** {badge}")


def watched_note(graph: Graph, run) -> str:
    """Why the Hessian and forward-mode tables have numbers for values the backward graph calls None:
    they differentiate with respect to every input of the target, watched or not; the tape only
    follows what it watches (issue 11, defect 9)."""
    from .higher import inputs_of
    names = []
    for i in inputs_of(run.trace, graph.target):
        label = run.trace.nodes[i].label
        node = next((n for n in graph.nodes if n.label == label and n.is_leaf), None)
        if node is not None and graph.gradients.get(node.index) is None:
            names.append(label)
    if not names:
        return ""
    listed = ", ".join(f"`{n}`" for n in names)
    return (f"The Hessian and forward-mode tables have numbers for {listed}, while the backward graph says None: "
            f"these tables differentiate with respect to every input of the target (they watch them all), but "
            f"the program's GradientTape only follows what it watches — tf.Variables and what `tape.watch` names "
            f"— so TensorFlow's `tape.gradient` returns None for {listed}.")


def modes_summary(modes) -> str:
    return (f"{modes.forward_passes} input entries, {modes.reverse_passes} output entries: forward mode needs "
            f"**{modes.forward_passes}** passes, reverse mode **{modes.reverse_passes}**. That is why training (many "
            "weights, one loss) uses reverse mode. Largest difference between the two: "
            f"{float(np.max(np.abs(modes.forward - modes.reverse))):.2g}.")
