"""Backpropagation as a sequence of steps: the forward pass op by op, then the backward pass edge by
edge in reverse topological order, each step upstream gradient × local derivative = contribution and
the running sum that builds a fan-out node's gradient.

Every number comes from the annotated graph (TensorFlow's answers); this module only orders them and
says what each one is. explorer.stepper turns the steps into one picture that changes step by step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .views import ViewError
from .graph import Edge, Graph, Node
from .render import _shown_nodes, fmt, shape_text


@dataclass
class Step:
    phase: str                              # "forward", "seed" or "backward"
    node: int                               # the node in focus (forward: computed; backward: its gradient is sent on)
    edge: Edge | None = None                # backward: the edge the contribution travels along
    title: str = ""
    text: str = ""                          # what happens, in words
    latex: str = ""                         # the same as a formula
    upstream: np.ndarray | None = None      # gradient of the target w.r.t. the node in focus
    local: np.ndarray | None = None         # local derivative (elementwise ops)
    rule: str = ""                          # the local derivative or VJP rule with the program's names
    contribution: np.ndarray | None = None  # what this edge sends back
    receiver: int | None = None             # the edge's input node, whose gradient is being summed
    terms: list[np.ndarray] = field(default_factory=list)   # contributions to the receiver so far
    running: np.ndarray | None = None       # their sum
    complete: bool = False                  # every contribution to the receiver is in
    tensorflow: np.ndarray | None = None    # TensorFlow's gradient of the receiver
    shapes: str = ""                        # tensors: the shapes taking part
    scalar: bool = True                     # every value in the step is a single number


def walkthrough(graph: Graph) -> list[Step]:
    """The ordered steps for a graph annotated with one target: forward, then backward."""
    if graph.target is None:
        raise ViewError("the graph has no target: choose a value to differentiate")
    if graph.gradients.get(graph.target) is None:
        raise ViewError(f"no GradientTape recorded {graph.nodes[graph.target].label}, so there is no backward "
                        "pass to step through: compute it inside `with tf.GradientTape() as tape:`")
    shown = _shown_nodes(graph)
    ancestors = graph.ancestors(graph.target)
    steps = _forward(graph, shown, ancestors)
    steps += _backward(graph, ancestors)
    return steps


def _forward(graph: Graph, shown: set[int], ancestors: set[int]) -> list[Step]:
    leaves = [n for n in graph.nodes if n.is_leaf and n.index in shown and n.index in ancestors]
    first = leaves[0].index if leaves else graph.target
    steps = [Step("forward", first, title="The inputs",
                  text="The leaves of the graph hold their values before anything is computed: "
                       + ", ".join(f"{n.label} = {fmt(n.value)}" for n in leaves if n.kind != "literal") + ".")]
    for n in graph.nodes:
        if n.is_leaf or n.index not in ancestors:
            continue
        args = [graph.nodes[i] for i in n.inputs]
        scalar = all(a.shape == () for a in args) and n.shape == ()
        values = ", ".join(f"{a.label} = {fmt(a.value)}" for a in args)
        steps.append(Step(
            "forward", n.index, title=f"Compute {n.label}",
            text=f"{n.label} = {n.text}" + (f" with {values}" if values else "") + f" gives {fmt(n.value)}"
                 + ("" if scalar else f" ({shape_text(n)})") + ".",
            latex=f"{tex_name(n.label)} = {tex_text(n.text)} = {tex_value(n.value)}",
            scalar=scalar))
    return steps


def _backward(graph: Graph, ancestors: set[int]) -> list[Step]:
    target = graph.nodes[graph.target]
    t = target.label
    one = graph.gradients.get(graph.target)
    steps = [Step("seed", graph.target, title=f"Start at {t}",
                  text=f"The gradient of {t} with respect to itself is 1"
                       + ("" if np.size(one) == 1 else " in every entry") + ": that is the seed of backpropagation.",
                  latex=rf"\frac{{\partial {tex_name(t)}}}{{\partial {tex_name(t)}}} = {tex_value(one)}",
                  upstream=one, receiver=graph.target, running=one, terms=[one] if one is not None else [],
                  complete=True, tensorflow=one, scalar=np.size(one) == 1)]
    into: dict[int, list[Edge]] = {}
    expected: dict[int, int] = {}
    for e in graph.edges:
        into.setdefault(e.dst, []).append(e)
        if e.contribution is not None:
            expected[e.src] = expected.get(e.src, 0) + 1
    terms: dict[int, list[np.ndarray]] = {}
    for n in reversed(graph.nodes):
        g = graph.gradients.get(n.index)
        if n.index not in ancestors or g is None or n.is_leaf:
            continue
        for e in sorted(into.get(n.index, []), key=lambda e: e.position):
            if graph.nodes[e.src].kind == "literal":
                continue  # a number written in the program: nothing to learn from its (absent) gradient
            steps.append(_edge_step(graph, n, e, terms, expected, t))
    return steps


def _edge_step(graph: Graph, n: Node, e: Edge, terms: dict[int, list[np.ndarray]],
               expected: dict[int, int], t: str) -> Step:
    src = graph.nodes[e.src]
    upstream = graph.gradients[n.index]
    scalar = np.size(upstream) == 1 and src.shape == () and n.shape == ()
    step = Step("backward", n.index, e, title=f"{n.label} → {src.label}", upstream=upstream, local=e.local,
                rule=e.rule, receiver=src.index, tensorflow=graph.gradients.get(src.index), scalar=scalar)
    d_n = rf"\frac{{\partial {tex_name(t)}}}{{\partial {tex_name(n.label)}}}"
    d_src = rf"\frac{{\partial {tex_name(t)}}}{{\partial {tex_name(src.label)}}}"
    if e.contribution is None:
        why = e.note or "no gradient flows along this edge"
        step.text = f"Nothing flows from {n.label} back to {src.label}: {why}."
        step.latex = rf"{d_src} \;\text{{gets nothing from}}\; {tex_name(n.label)}"
        return step
    step.contribution = e.contribution
    received = terms.setdefault(src.index, [])
    received.append(e.contribution)
    step.terms = list(received)
    step.running = np.reshape(sum(received), np.shape(e.contribution))
    step.complete = len(received) == expected.get(src.index, 0)
    fan = expected.get(src.index, 0)
    so_far = (f"{src.label} feeds {fan} ops, so its gradient is the sum of {fan} contributions; "
              f"{len(received)} of {fan} are in" + (" and the sum is complete." if step.complete else ".")
              if fan > 1 else f"{src.label} feeds one op, so this contribution is its whole gradient.")
    if e.local is not None:
        local_tex = tex_value(e.local)
        rule = "" if e.rule == fmt(e.local) else f"{e.rule} = "
        step.text = (f"Upstream gradient ∂{t}/∂{n.label} = {fmt(upstream)} times the local derivative "
                     f"∂{n.label}/∂{src.label} = {rule}{fmt(e.local)} gives the contribution "
                     f"{fmt(e.contribution)}. {so_far}")
        step.latex = (rf"\underbrace{{{tex_value(upstream)}}}_{{{d_n}}} \times "
                      rf"\underbrace{{{local_tex}}}_{{\partial {tex_name(n.label)} / \partial {tex_name(src.label)}}}"
                      rf" = {tex_value(e.contribution)}")
        if not scalar:
            step.text = step.text.replace("times the local derivative", "times, entry by entry, the local derivative")
            step.shapes = (f"upstream {_shape(upstream)} ⊙ local {_shape(e.local)} → contribution "
                           f"{_shape(e.contribution)} (the shape of {src.label})")
    else:
        step.shapes = (f"upstream ∂{t}/∂{n.label}: {_shape(upstream)}; {src.label}: {_shape(src.value)}; "
                       f"contribution: {_shape(e.contribution)}")
        step.text = (f"{n.label} is not elementwise, so the gradient goes back by the vector-Jacobian product "
                     f"{e.rule}, with the upstream gradient ∂{t}/∂{n.label} as d{n.label}. {so_far}")
        step.latex = rf"{tex_text(e.rule)}" + (rf" = {tex_value(e.contribution)}" if np.size(e.contribution) <= 12 else "")
    if n.kind in ("gradient", "jacobian"):
        step.text += (f" {n.label} is itself a {'tape.gradient' if n.kind == 'gradient' else 'tape.jacobian'} "
                      f"result: TensorFlow computed it with backward ops, and the local derivative is how their "
                      f"output changes with {src.label}.")
    if fan > 1:
        step.latex += (rf"\qquad {d_src} = " + " + ".join(tex_value(x) for x in received)
                       + ("" if len(received) == 1 else rf" = {tex_value(step.running)}")
                       + ("" if step.complete else r" + \dots"))
    return step


def _shape(x) -> str:
    s = np.shape(x)
    return "scalar" if s == () else "×".join(map(str, s))


# ---- LaTeX --------------------------------------------------------------------------------------------

def tex_name(name: str) -> str:
    """A program name as LaTeX: `w` stays, `loss_val` becomes an upright word."""
    if len(name) == 1:
        return name
    return r"\mathrm{" + name.replace("_", r"\_") + "}"


def tex_text(text: str) -> str:
    """Program text or a rule as LaTeX text, kept literal."""
    safe = (text.replace("\\", "").replace("{", "(").replace("}", ")").replace("$", "").replace("#", "")
            .replace("%", "").replace("&", "").replace("_", r"\_").replace("^", r"\^{}").replace("~", ""))
    return r"\texttt{" + safe + "}"


def tex_value(x) -> str:
    """A number, or a small tensor as a matrix; large tensors by shape."""
    if x is None:
        return r"\text{None}"
    a = np.asarray(x)
    if a.ndim == 0:
        return _tex_num(a.item())
    if a.size > 12 or a.ndim > 2:
        return r"\text{(" + "×".join(map(str, a.shape)) + " tensor)}"
    rows = a.reshape(1, -1) if a.ndim == 1 else a
    body = r" \\ ".join(" & ".join(_tex_num(v) for v in row) for row in rows)
    return r"\begin{bmatrix}" + body + r"\end{bmatrix}"


def _tex_num(v) -> str:
    text = fmt(v)
    m = re.fullmatch(r"(-?[\d.]+)e([+-]?\d+)", text)
    if m:
        return rf"{m.group(1)} \times 10^{{{int(m.group(2))}}}"
    return text.replace("inf", r"\infty")


# ---- paths --------------------------------------------------------------------------------------------

@dataclass
class Path:
    nodes: list[int]                 # target first, the leaf last
    factors: list[float]             # local derivative of each edge along the way
    product: float
    named: list[int] = field(default_factory=list)           # the path through the program's named values
    named_factors: list[float] = field(default_factory=list)  # unnamed intermediate values merged in


def _merge_unnamed(graph: Graph, nodes: list[int], factors: list[float]) -> tuple[list[int], list[float]]:
    """The book's view of a path: `loss_val = tf.abs(y_true - x2)` is one step from loss_val to x2 even
    though TensorFlow computes the subtraction as its own op."""
    named, merged, acc = [nodes[0]], [], 1.0
    for node, f in zip(nodes[1:], factors):
        acc *= f
        n = graph.nodes[node]
        if n.name is not None or n.is_leaf or node == nodes[-1]:
            named.append(node)
            merged.append(acc)
            acc = 1.0
    return named, merged


def paths(graph: Graph, leaf: int, limit: int = 50) -> tuple[list[Path], int, float | None]:
    """Every path from the target down to `leaf` through edges gradient flows along, each with the
    product of its local derivatives; the number of paths; and the sum over all of them (which is the
    gradient). Scalar graphs only: for tensors, a local derivative is a Jacobian, not a number."""
    if graph.target is None:
        raise ViewError("the graph has no target")
    if np.size(graph.nodes[graph.target].value) != 1 or np.size(graph.nodes[leaf].value) != 1:
        raise ViewError("paths are shown from a scalar target to a scalar leaf: on tensors each local "
                        "derivative is a Jacobian")
    flowing = [e for e in graph.edges if e.contribution is not None]
    if any(np.size(e.local) != 1 for e in flowing if e.local is not None) or \
            any(e.local is None for e in flowing):
        raise ViewError("paths are shown for scalar graphs: on tensors each local derivative is a Jacobian")
    out_of: dict[int, list[Edge]] = {}
    for e in flowing:
        out_of.setdefault(e.dst, []).append(e)
    # sum over paths of the product, by dynamic programming from the leaf up (a topological order)
    total: dict[int, float] = {leaf: 1.0}
    count: dict[int, int] = {leaf: 1}
    for n in graph.nodes[leaf + 1:]:
        s, c = 0.0, 0
        for e in out_of.get(n.index, []):
            if e.src in total:
                s += np.asarray(e.local).item() * total[e.src]
                c += count[e.src]
        if c:
            total[n.index], count[n.index] = s, c
    found: list[Path] = []

    def walk(node: int, trail: list[int], factors: list[float]) -> None:
        if len(found) >= limit:
            return
        if node == leaf:
            named, merged = _merge_unnamed(graph, trail, factors)
            found.append(Path(list(trail), list(factors), float(np.prod(factors)) if factors else 1.0,
                              named, merged))
            return
        for e in out_of.get(node, []):
            if e.src in count:
                walk(e.src, trail + [e.src], factors + [np.asarray(e.local).item()])

    if graph.target in count:
        walk(graph.target, [graph.target], [])
    return found, count.get(graph.target, 0), total.get(graph.target)


__all__ = ["Step", "Path", "walkthrough", "paths", "tex_name", "tex_text", "tex_value"]
