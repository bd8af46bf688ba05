"""Draws the graph model as DOT, sized for a projector: large type, numbers first, names bold.

Colors mean the same on every page:
- gradients: one diverging, color-blind-safe palette (ColorBrewer RdBu): blue positive, red negative,
  white zero, stronger for larger |gradient| relative to the largest in the picture;
- values and kinds: variables light blue, constants grey, ops white; the target has a double border.
"""

from __future__ import annotations

import html
import zlib
from typing import Any

import numpy as np

from .graph import Edge, Graph, Node
from .palette import (CLUSTER_FILL, CLUSTER_INK, CLUSTER_LINE, COLLAPSED_FILL, EDGE, EDGE_FAINT, EDGE_MUTED,
                      GRADIENT_SCALE, HIGHLIGHT, INK, KIND_FILL, NONE_FILL, PAPER, PENDING_FILL)

FONT = "Helvetica"
SMALL_TENSOR = 12   # entries shown in full up to this many elements


EDGE_KINDS = {"opaque": "tape.gradient", "init": "initial value", "assign": "assign", "copy": "copy (no gradient)",
              "numpy": "NumPy (no gradient)"}


def fmt(x: Any) -> str:
    """A number or small tensor as a person would write it; large tensors as shape and range."""
    if x is None:
        return "None"
    a = np.asarray(x)
    if a.dtype.kind in "SUO":             # string tensors: b'Tennis' as TensorFlow prints it
        return repr(a.item()) if a.ndim == 0 else (repr(a.tolist()) if a.size <= SMALL_TENSOR else
                                                    f"{a.shape} strings")
    if a.ndim == 0:
        return _num(a.item())
    if a.size <= SMALL_TENSOR:
        return _nested(a)
    return f"{a.shape} min {_num(a.min())} mean {_num(a.mean())} max {_num(a.max())}"


def _num(v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    if v == 0:
        return "0"
    text = f"{v:.4g}"
    return text.replace("e+0", "e").replace("e-0", "e-")


def _nested(a: np.ndarray) -> str:
    if a.ndim == 1:
        return "[" + ", ".join(_num(v) for v in a) + "]"
    return "[" + ", ".join(_nested(r) for r in a) + "]"


def _rows(a: np.ndarray) -> list[str]:
    """A matrix as one line per row, for node labels."""
    if a.ndim == 2 and len(a) and a.size <= SMALL_TENSOR and a.dtype.kind not in "SUO":
        return ["[" + ", ".join(_num(v) for v in row) + "]" for row in a]
    return [fmt(a)]


def shape_text(node: Node) -> str:
    return f"{node.dtype} · " + ("scalar" if node.shape == () else "×".join(map(str, node.shape)))


def gradient_color(g: Any, scale: float) -> str:
    if g is None:
        return NONE_FILL
    a = np.asarray(g)
    value = float(a) if a.ndim == 0 else float(a.mean()) if a.size else 0.0
    if scale <= 0 or value == 0:
        return GRADIENT_SCALE[5]
    step = int(round(min(1.0, abs(value) / scale) * 5))
    return GRADIENT_SCALE[5 + step] if value > 0 else GRADIENT_SCALE[5 - step]


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _kind_text(node: Node, graph: Graph) -> str:
    if node.kind == "variable":
        return "tf.Variable" + ("" if node.version == 1 else f" (after assign #{node.version - 1})")
    if node.kind in ("constant", "random"):
        return "watched constant" if node.watched_by else "constant"
    if node.kind == "gradient":
        return "tape.gradient result"
    if node.kind == "jacobian":
        return "tape.jacobian result"
    return ""


def _title(node: Node) -> str:
    if node.kind == "literal":
        return node.text
    if node.name and node.text and node.kind in ("op", "gradient", "jacobian"):
        return f"{node.name} = {node.text}"
    if node.name:
        return node.name
    if node.kind == "op" and node.text:
        return f"{node.id} = {node.text}"
    return node.text or node.op


def node_lines(node: Node, graph: Graph, view: str, known: bool = True,
               terms: list[np.ndarray] | None = None, final: bool = True, shape: bool = True) -> list[str]:
    """A node's label, one fact a line (plain labels render at full size on a projector).

    forward: its value, or "?" when not `known` yet (the step-through before the op runs), and its dtype
    and shape unless not `shape`;
    backward: its gradient — by default TensorFlow's with the chain-rule terms; with `terms`, the
    contributions summed so far, "+ …" while not `final`, "?" when none has arrived."""
    lines = [_title(node)]
    if node.kind == "literal":
        return lines                     # a number written in the program: it has no gradient to show
    kind = _kind_text(node, graph)
    if kind:
        lines.append(f"({kind})")
    if view == "forward":
        if not known:
            return lines + ["?"]
        lines += _rows(np.asarray(node.value)) if node.value is not None else ["(traced)"]
        if shape:
            lines.append(shape_text(node))
        return lines
    tname = graph.nodes[graph.target].label if graph.target is not None else "target"
    head = f"∂{tname}/∂{node.label} = "
    if terms is not None:
        if not terms:
            return lines + [head + "?"]
        total = np.reshape(sum(terms), np.shape(terms[-1]))
        rows = _rows(total)
        sums = " + ".join(fmt(t) for t in terms) + " = " if len(terms) > 1 and np.size(total) == 1 else ""
        return lines + [head + sums + rows[0] + ("" if final else " + …")] + rows[1:]
    g = graph.gradients.get(node.index)
    check = graph.checks.get(node.index)
    if g is None:
        lines.append(head + "None")
        reason = graph.reasons.get(node.index, "")
        if reason:
            lines.append(headline(reason))
        return lines
    rows = _rows(np.asarray(g))
    if check is not None and len(check.terms) > 1 and np.size(g) == 1:
        head += " + ".join(fmt(t) for t in check.terms) + " = "
    if len(rows) == 1:
        lines.append(head + rows[0])
    else:
        lines += [head] + rows
    if check is not None and len(check.terms) > 1 and np.size(g) > 1:
        lines.append(f"(sum of {len(check.terms)} contributions)")
    return lines


def _node_label(node: Node, graph: Graph, view: str) -> str:
    return "\n".join(node_lines(node, graph, view))


def gradient_scale(graph: Graph, shown: set[int]) -> float:
    """The largest |gradient| in the picture: colors are relative to it."""
    return max((float(np.max(np.abs(g))) for i, g in graph.gradients.items()
                if g is not None and i in shown and np.size(g)), default=0.0)


def node_look(node: Node, graph: Graph, view: str, scale: float, lines: list[str] | None = None,
              known: bool = True, gradient: Any = "tensorflow", pending: bool = False,
              focus: str = "") -> dict[str, str]:
    """The DOT attributes of one node. `gradient` is what colors it in the backward view (TensorFlow's
    by default; the step-through passes the running sum, `pending` while it is incomplete); `focus` is
    "" or "node" (the node a step is about) or "receiver" (the node a step's contribution goes to)."""
    attrs = {"label": "\n".join(lines if lines is not None else node_lines(node, graph, view)),
             "id": f"node-{node.id}", "tooltip": f"{node.label}: {shape_text(node)}"}
    if view == "backward" and node.index in graph.reasons:
        attrs["tooltip"] += " — gradient None: " + graph.reasons[node.index]
    if view == "forward":
        attrs["fillcolor"] = KIND_FILL.get(node.kind, PAPER) if known else PAPER
    else:
        g = graph.gradients.get(node.index) if isinstance(gradient, str) else gradient
        if pending:
            attrs["fillcolor"] = PENDING_FILL
        elif g is None and not isinstance(gradient, str):
            attrs["fillcolor"] = PAPER                  # the step-through: nothing has arrived yet
        else:
            attrs["fillcolor"] = gradient_color(g, scale)
            if g is not None and np.size(g) and abs(float(np.mean(g))) > 0.6 * scale > 0:
                attrs["fontcolor"] = PAPER
    if node.kind == "literal":
        attrs.update(shape="plaintext", style="")
    elif node.kind in ("constant", "random") and node.watched_by:
        attrs["style"] = "rounded,filled,bold,dashed"
    elif node.kind in ("gradient", "jacobian"):
        attrs["style"] = "rounded,filled,dashed"
    if view == "forward" and not known and node.kind != "literal":
        attrs["style"] = "rounded,filled,dashed"
    if node.index == graph.target:
        attrs.update(peripheries="2", penwidth="2.5")
    if focus == "node":
        attrs.update(color=HIGHLIGHT, penwidth="5")
    elif focus == "receiver":
        attrs.update(color=HIGHLIGHT, penwidth="3", style="rounded,filled,dashed")
    return attrs


def edge_id(e: Edge) -> str:
    return f"edge-{e.src}-{e.dst}-{e.position}"


def edge_look(e: Edge, graph: Graph, view: str, scale: float, done: bool = True, dimmed: bool = False,
              focus: bool = False, quiz: bool = False) -> dict[str, str]:
    """The DOT attributes of one edge. In the backward view an edge not yet `done` (the step-through)
    is faint and unlabelled; a `quiz` edge hides its contribution."""
    attrs: dict[str, str] = {"id": edge_id(e)}
    if view == "backward":
        attrs["dir"] = "back"
        if not done:
            attrs["color"] = EDGE_FAINT
        else:
            label = _edge_label(e, graph)
            if quiz and e.contribution is not None:
                label = label.rsplit("=", 1)[0] + "= ?" if "×" in label else "?"
            if label:
                attrs["label"] = label
            if e.contribution is not None:
                attrs["color"] = gradient_color(e.contribution, scale) if scale else INK
                attrs["penwidth"] = "2.5"
                if attrs["color"] == GRADIENT_SCALE[5]:
                    attrs["color"] = EDGE_MUTED
            else:
                attrs.update(style="dashed", color=EDGE_MUTED)
    elif dimmed:
        attrs.update(color=EDGE_FAINT, style="dashed")
    if e.kind != "data":
        attrs.update(style="dotted", color=EDGE)
        if view == "forward":
            attrs["label"] = EDGE_KINDS.get(e.kind, e.kind)
    if focus:
        attrs.update(color=HIGHLIGHT, penwidth="5")
    return attrs


def headline(reason: str) -> str:
    """The part of a None reason before its explanation: "constant not watched"."""
    return reason.split(":")[0].strip()


def _edge_label(e: Edge, graph: Graph) -> str:
    if e.kind != "data":
        return {"opaque": "tape.gradient", "init": "initial value", "assign": "assign"}.get(e.kind, "")
    if e.upstream is None:
        return ""
    src, dst = graph.nodes[e.src], graph.nodes[e.dst]
    if e.local is not None and np.size(e.local) == 1 and e.contribution is not None:
        rule = "" if e.rule == fmt(e.local) else f"{e.rule} = "
        return (f"∂{dst.label}/∂{src.label} = {rule}{fmt(e.local)}\n"
                f"{fmt(e.upstream)} × {fmt(e.local)} = {fmt(e.contribution)}")
    if e.local is not None and np.size(e.local) == 1:
        return f"∂{dst.label}/∂{src.label} = {fmt(e.local)}\n{headline(e.note)}: no flow"
    if e.contribution is not None:
        body = fmt(e.contribution)
        return f"{e.rule}\n= {body}" if len(body) <= 40 else f"{e.rule}\nshape {np.shape(e.contribution)}"
    return f"{e.rule}\n{headline(e.note)}: no flow" if e.rule else ""


def dot_header(rankdir: str = "TB") -> list[str]:
    """The opening of every graph the app draws: top to bottom (or LR), sizes that read on a projector."""
    if rankdir not in ("TB", "LR"):
        raise ValueError("rankdir must be 'TB' or 'LR'")
    return ["digraph G {",
            f'  graph [rankdir={rankdir}, bgcolor="white", fontname="{FONT}", nodesep=0.35, ranksep=0.6];',
            f'  node [shape=box, style="rounded,filled", fontname="{FONT}", fontsize=18, margin="0.2,0.1"];',
            f'  edge [fontname="{FONT}", fontsize=15, color="{INK}"];']


LAYER_PREFIX = "keras:"      # scope entries of Keras layer calls (explorer.keras)


def layer_clusters(graph: Graph) -> dict[int, tuple[str, ...]]:
    """Each node inside a Keras layer call: the scope entries of the layer calls around it, outermost
    first. A layer's weights join the first call of that layer (Keras names them `layer/weight`)."""
    paths: dict[int, tuple[str, ...]] = {}
    first: dict[str, tuple[str, ...]] = {}
    for node in graph.nodes:
        path = tuple(e for e in node.scope if e.startswith(LAYER_PREFIX))
        if path:
            paths[node.index] = path
            for k in range(len(path)):
                first.setdefault(layer_name(path[k]), path[:k + 1])
    for node in graph.nodes:
        if node.index not in paths and node.op == "variable" and node.name and "/" in node.name:
            path = first.get(node.name.split("/", 1)[0])
            if path:
                paths[node.index] = path
    return paths


def layer_name(entry: str) -> str:
    return entry[len(LAYER_PREFIX):].split(":", 1)[0]


def layer_title(entry: str) -> str:
    name, _, rest = entry[len(LAYER_PREFIX):].partition(":")
    return f"{name} · {rest.split('#', 1)[0]}"


def layers_in(graph: Graph) -> list[str]:
    """The names of the Keras layers drawn as clusters, in the order they were first called."""
    seen: dict[str, None] = {}
    for path in layer_clusters(graph).values():
        for e in path:
            seen.setdefault(layer_name(e), None)
    return list(seen)


def _collapsed_box(entry: str, members: list[Node], graph: Graph, view: str) -> str:
    lines = [layer_title(entry)]
    weights = [n for n in members if n.op == "variable" and n.name]
    seen = set()
    tname = graph.nodes[graph.target].label if graph.target is not None else "target"
    for n in weights:
        if n.name in seen:
            continue
        seen.add(n.name)
        short = n.name.split("/", 1)[-1]
        shape = "scalar" if n.shape == () else "×".join(map(str, n.shape))
        if view == "forward":
            lines.append(f"{short} {shape}")
        else:
            g = graph.gradients.get(n.index)
            lines.append(f"∂{tname}/∂{short}: " + ("None" if g is None else fmt(g) if np.size(g) <= 3 else
                                                     f"{shape}, mean {_num(np.mean(g))}"))
    outs = [n for n in members if n.kind == "op"]
    if outs:
        last = outs[-1]
        lines.append("out " + ("scalar" if last.shape == () else "×".join(map(str, last.shape))))
    lines.append("(collapsed: expand it on the page)")
    return "\n".join(lines)


def graph_to_dot(graph: Graph, view: str = "forward", highlight: int | None = None,
                 collapsed: frozenset[str] | set[str] = frozenset(), rankdir: str = "TB") -> str:
    """DOT for one view. Nodes computed inside a Keras layer call are drawn in a cluster labelled with
    the layer's name; a layer named in `collapsed` is drawn as one box listing its weights."""
    if view not in ("forward", "backward"):
        raise ValueError("view must be 'forward' or 'backward'")
    shown = _shown_nodes(graph)
    scale = gradient_scale(graph, shown)
    out = dot_header(rankdir)
    paths = layer_clusters(graph)
    rep: dict[int, str] = {}                     # node -> the collapsed box that stands for it
    boxes: dict[str, list[Node]] = {}
    for i, path in paths.items():
        for k, e in enumerate(path):
            if layer_name(e) in collapsed:
                rep[i] = f"c{zlib.crc32(e.encode())}"
                boxes.setdefault(e, []).append(graph.nodes[i])
                paths[i] = path[:k + 1]
                break
    body: dict[tuple[str, ...], list[str]] = {}
    for entry, members in boxes.items():
        box_id = rep[members[0].index]
        attrs = {"label": _collapsed_box(entry, members, graph, view), "id": f"layer-{layer_name(entry)}",
                 "fillcolor": COLLAPSED_FILL, "shape": "box3d", "style": "filled",
                 "tooltip": f"layer {layer_name(entry)}: {len(members)} values inside"}
        if highlight is not None and any(m.index == highlight for m in members):
            attrs.update(color=HIGHLIGHT, penwidth="5")
        body.setdefault(paths[members[0].index][:-1], []).append(f"  {box_id} [{_attrs(attrs)}];")
    for node in graph.nodes:
        if node.index not in shown or node.index in rep:
            continue
        attrs = node_look(node, graph, view, scale, focus="node" if node.index == highlight else "")
        body.setdefault(paths.get(node.index, ()), []).append(f"  n{node.index} [{_attrs(attrs)}];")
    out += _clusters(body)
    drawn: set[tuple[str, str]] = set()
    for e in graph.edges:
        if e.src not in shown or e.dst not in shown:
            continue
        src, dst = rep.get(e.src, f"n{e.src}"), rep.get(e.dst, f"n{e.dst}")
        if src == dst:
            continue
        if e.src in rep or e.dst in rep:          # an edge into or out of a collapsed layer: drawn once, plain
            if (src, dst) not in drawn:
                drawn.add((src, dst))
                out.append(f"  {src} -> {dst}" + (' [dir="back"]' if view == "backward" else "") + ";")
            continue
        attrs = edge_look(e, graph, view, scale, focus=highlight == e.dst and view == "backward")
        out.append(f"  n{e.src} -> n{e.dst} [{_attrs(attrs)}];")
    out.append(_legend(view))
    out.append("}")
    return "\n".join(out)


def _clusters(body: dict[tuple[str, ...], list[str]]) -> list[str]:
    """Statements grouped by their layer path, nested as Graphviz clusters."""
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for path in list(body):
        for k in range(len(path)):
            parent, child = path[:k], path[:k + 1]
            if child not in children.setdefault(parent, []):
                children[parent].append(child)

    def emit(path: tuple[str, ...], depth: int) -> list[str]:
        lines = list(body.get(path, []))
        for child in children.get(path, []):
            entry = child[-1]
            key = zlib.crc32("/".join(child).encode())
            lines.append(f"  subgraph cluster_{key} {{")
            lines.append(f'    graph [label="{_esc(layer_title(entry))}", labeljust="l", style="rounded,dashed", '
                         f'color="{CLUSTER_LINE}", penwidth="2", bgcolor="{CLUSTER_FILL}", fontsize=20, '
                         f'fontcolor="{CLUSTER_INK}", id="cluster-{_esc(layer_name(entry))}"];')
            lines += emit(child, depth + 1)
            lines.append("  }")
        return lines
    return emit((), 0)


def _legend(view: str) -> str:
    if view == "forward":
        cells = [(KIND_FILL["variable"], "tf.Variable"), (KIND_FILL["constant"], "constant"),
                 (KIND_FILL["op"], "op result"), (KIND_FILL["gradient"], "tape.gradient result")]
        title = "values"
    else:
        cells = [(GRADIENT_SCALE[1], "negative"), (GRADIENT_SCALE[5], "zero"), (GRADIENT_SCALE[9], "positive"),
                 (NONE_FILL, "None")]
        title = "gradient (RdBu, color-blind safe)"
    row = "".join(f'<TD BGCOLOR="{c}">{_esc(t)}</TD>' for c, t in cells)
    return (f'  legend [shape=plaintext, style="", fontsize=18, label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" '
            f'CELLPADDING="6"><TR><TD BORDER="0">{_esc(title)}</TD>{row}</TR></TABLE>>];')


def _attrs(attrs: dict) -> str:
    parts = []
    for k, v in attrs.items():
        v = str(v)
        parts.append(f'{k}="' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"')
    return ", ".join(parts)


def _shown_nodes(graph: Graph) -> set[int]:
    """Gradient results are drawn only where the program computes with them (nested tapes);
    elsewhere they are the table's business, and drawing them would double the picture. A Keras
    optimizer's update of a weight (`apply_gradients`) is the table's business too: drawn, the four
    updates of a two-layer network and their gradients made the training step twice as wide."""
    updates = {n.index for n in graph.nodes if n.op == "assign" and n.text.endswith(".apply_gradients")}
    used = {src for node in graph.nodes if node.index not in updates for src in node.inputs}
    return {n.index for n in graph.nodes if n.index not in updates and
            (n.kind not in ("gradient", "jacobian") or n.index in used or n.index == graph.target)}


def graph_table(graph: Graph) -> list[dict[str, Any]]:
    """One row per value: what the table view and the notebook user see."""
    rows = []
    for n in graph.nodes:
        if n.kind == "literal":
            continue
        g = graph.gradients.get(n.index)
        check = graph.checks.get(n.index)
        rows.append({
            "name": n.label,
            "computed as": n.text,
            "kind": n.kind if n.kind != "op" else n.op,
            "shape": "scalar" if n.shape == () else "×".join(map(str, n.shape)),
            "dtype": n.dtype,
            "value": fmt(n.value),
            "gradient": fmt(g) if g is not None else "None: " + graph.reasons.get(n.index, ""),
            "chain rule": ("✓ " + " + ".join(fmt(t) for t in check.terms) if check.ok and check.terms else
                           "✓" if check.ok else "✗ mismatch" if check.ok is False else "n/a")
            if check is not None else "",
            "line": n.line,
        })
    return rows
