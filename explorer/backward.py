"""Annotates the traced graph with gradients for one target, all computed by TensorFlow.

Three things come from TensorFlow, by two independent routes:
- every node's gradient: the user's own tape, asked once for d target / d (every node);
- every edge's local derivative (scalars, elementwise ops) or vector-Jacobian product (tensors): the op
  re-run alone on copies of its inputs under a fresh tape, seeded with the upstream gradient;
- then each node's chain-rule sum of contributions is checked against the tape's answer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from .graph import Check, Edge, Graph, Node
from .ops import fill
from .trace import TapeRef, Trace

_NOTES = {
    "opaque": "flows through the backward ops TensorFlow generated for tape.gradient "
              "(see TensorFlow's graph)",
    "init": "initial value of a variable: not differentiable (the variable is a new leaf)",
    "assign": "assignment: not differentiable (the variable's new state is a new leaf)",
    "copy": "a copy of the value (tf.constant, zeros_like, a random draw's argument): no gradient flows back",
    "numpy": "NumPy computed this value outside TensorFlow: the tape cannot see through it",
}


def choose_tape(trace: Trace, target: int) -> TapeRef | None:
    """The tape the program asked about this target, else the innermost tape that recorded it."""
    for call in trace.calls:
        if call.target == target:
            return trace.tapes[call.tape]
    recorded = trace.nodes[target].tapes
    return trace.tapes[recorded[-1]] if recorded else None


def gradient_source(trace: Trace, index: int):
    """What to pass to tape.gradient for a node: the variable itself where it has one state
    (exactly what the program's own tape.gradient(.., v) sees), else the tensors read from this state."""
    node = trace.nodes[index]
    if node.kind == "variable":
        var = trace.variables[index]
        states = [i for i, v in trace.variables.items() if v is var]
        return var if len(states) == 1 else list(trace.reads.get(index, []))
    return trace.tensors[index]


def tape_gradients(trace: Trace, tape: TapeRef, target: int) -> dict[int, np.ndarray | None]:
    """d target / d node for every floating node, in one call to the program's own tape."""
    keys, flat, spans = [], [], []
    for node in trace.nodes:
        if not node.floating:
            continue
        src = gradient_source(trace, node.index)
        items = src if isinstance(src, list) else [src]
        keys.append(node.index)
        spans.append((len(flat), len(flat) + len(items)))
        flat.extend(items)
    results = tape.tape.gradient(trace.tensors[target], flat) if flat else []
    out: dict[int, np.ndarray | None] = {}
    for key, (a, b) in zip(keys, spans):
        parts = [r for r in results[a:b] if r is not None]
        out[key] = None if not parts else sum(np.asarray(tf.convert_to_tensor(p)) for p in parts)
    return out


def annotate(trace: Trace, target: int | None) -> Graph:
    """The graph with gradients, edge contributions, None reasons and chain-rule checks for `target`."""
    nodes = trace.nodes
    edges = [Edge(src, node.index, pos, node.edge_kinds[pos]) for node in nodes
             for pos, src in enumerate(node.inputs)]
    for e in edges:
        e.rule = _rule(trace, e)
    graph = Graph(nodes, edges, target)
    if target is None:
        return graph
    tape = choose_tape(trace, target)
    graph.tape_name = tape.name if tape else None
    if tape is None:
        graph.gradients = {n.index: None for n in nodes}
        graph.reasons = {n.index: f"no GradientTape recorded {nodes[target].label}: compute it inside "
                                  "`with tf.GradientTape() as tape:`" for n in nodes}
        return graph
    grads = tape_gradients(trace, tape, target)
    graph.gradients = {n.index: grads.get(n.index) for n in nodes}
    if graph.gradients[target] is None and nodes[target].floating:
        # tape.gradient(v, v) is 1 whatever recorded v (TensorFlow seeds a source that is the target)
        graph.gradients[target] = np.ones(nodes[target].shape, dtype=np.asarray(nodes[target].value).dtype)
    graph.reasons = _reasons(trace, graph, tape)
    _local_derivatives(trace, graph, [n for n in nodes if n.kind == "op" and graph.gradients[n.index] is not None])
    for e in edges:
        if e.contribution is None and not e.note:
            e.note = _NOTES.get(e.kind) or _why_no_flow(graph, e)
    graph.checks = _checks(trace, graph)
    return graph


def _rule(trace: Trace, e: Edge) -> str:
    if e.kind != "data" or e.dst not in trace.ops:
        return ""
    dst = trace.nodes[e.dst]
    op = trace.ops[e.dst]
    names = [trace.nodes[i].label for i in dst.inputs]
    subst = {"z": dst.label, "x": names[e.position] if op.spec.lists else names[0], "a": names[0],
             "b": names[1] if len(names) > 1 else ""}
    scalar = all(trace.nodes[i].shape == () for i in dst.inputs) and dst.shape == ()
    text = op.spec.text("local" if scalar else "vjp", op.params[e.position], e.position)
    return fill(text, subst)


def _local_derivatives(trace: Trace, graph: Graph, ops: list[Node]) -> None:
    """Local derivative (elementwise ops) or vector-Jacobian product (the others) on every edge into
    `ops`, all computed by TensorFlow under one fresh tape asked once.

    Each op is re-run on its own copies of its inputs, so the answers do not mix between ops.
    Elementwise ops of the same kind, dtype and shape are re-run together on their inputs stacked along
    a new axis (one `tf.sin` for every sin node) and seeded with ones: row j of the gradient is node j's
    local derivative. The others are seeded with their upstream gradient, giving the VJP."""
    groups: dict[tuple, list[Node]] = {}
    singles: list[Node] = []
    for node in ops:
        ins = [trace.tensors[i] for i in node.inputs]
        op = trace.ops[node.index]
        # only ops that are elementwise by nature, with every input the output's shape, may share a run:
        # reduce_mean of a (1,) tensor has one entry too, but stacking would reduce across the group
        if op.spec.elementwise and op.output is None and all(tuple(t.shape.as_list()) == node.shape for t in ins) \
                and all(k == "data" for k in node.edge_kinds):
            if all(t.dtype.is_floating and t.dtype == ins[0].dtype for t in ins):
                key = (id(op.spec), op.static_key, tuple(op.params), ins[0].dtype, node.shape, len(ins))
                groups.setdefault(key, []).append(node)
                continue
        singles.append(node)
    found: dict[tuple[int, int], Any] = {}
    targets, seeds, sources, slots = [], [], [], []
    with tf.GradientTape(persistent=True) as g:
        for members in groups.values():
            stacked = [tf.stack([trace.tensors[n.inputs[pos]] for n in members])
                       for pos in range(len(members[0].inputs))]
            for t in stacked:
                g.watch(t)
            out = trace.ops[members[0].index].apply(*stacked)
            targets.append(out)
            seeds.append(tf.ones_like(out))
            for pos, t in enumerate(stacked):
                slots.append((members, pos, True, len(targets) - 1))
                sources.append(t)
        for node in singles:
            copies = [tf.identity(trace.tensors[i]) for i in node.inputs]
            for c, kind in zip(copies, node.edge_kinds):
                if c.dtype.is_floating and kind == "data":
                    g.watch(c)
            try:
                out = trace.ops[node.index].apply(*copies)
            except (tf.errors.OpError, ValueError, TypeError, IndexError):
                continue           # the views say "no local derivative" rather than fail
            if not hasattr(out, "dtype") or not out.dtype.is_floating:
                continue
            elementwise = _elementwise(trace, node)
            targets.append(out)
            seeds.append(tf.ones_like(out) if elementwise
                         else tf.constant(graph.gradients[node.index], dtype=out.dtype))
            for pos, c in enumerate(copies):
                if c.dtype.is_floating and node.edge_kinds[pos] == "data":
                    slots.append(([node], pos, False, len(targets) - 1))
                    sources.append(c)
    failed: dict[tuple[int, int], str] = {}
    try:
        results = g.gradient(targets, sources, output_gradients=seeds) if sources else []
    except (tf.errors.OpError, ValueError, TypeError) as err:
        # one op's gradient function fails (softmax_cross_entropy_with_logits with broadcast labels does,
        # in TensorFlow itself): ask again edge by edge, and say which edges TensorFlow cannot do
        results = []
        for (members, pos, stacked, ti), src in zip(slots, sources):
            try:
                results.append(_one_input(trace, members, pos, stacked, seeds[ti]))
            except (tf.errors.OpError, ValueError, TypeError) as e:
                results.append(None)
                for n in members:
                    failed[(n.index, pos)] = _first_line(e)
        del err
    del g
    for (members, pos, stacked, _), r in zip(slots, results):
        if r is None:
            continue
        r = np.asarray(tf.convert_to_tensor(r).numpy())
        for j, n in enumerate(members):
            found[(n.index, pos)] = r[j] if stacked else r
    into: dict[int, list[Edge]] = {}
    for e in graph.edges:
        into.setdefault(e.dst, []).append(e)
    for node in ops:
        _set_edges(trace, graph, node, into.get(node.index, []),
                   [found.get((node.index, pos)) for pos in range(len(node.inputs))])
        for e in into.get(node.index, []):
            if (node.index, e.position) in failed:
                e.note = f"TensorFlow's gradient for this input fails: {failed[(node.index, e.position)]}"


def _one_input(trace: Trace, members: list[Node], pos: int, stacked: bool, seed) -> Any:
    """The gradient into one input of an op, re-run under a tape that watches that input alone, as the
    program's own tape.gradient does for a constant it did not watch (TensorFlow then skips the other
    inputs' gradient functions, which may fail)."""
    ins = [tf.stack([trace.tensors[n.inputs[p]] for n in members]) if stacked else
           tf.identity(trace.tensors[members[0].inputs[p]]) for p in range(len(members[0].inputs))]
    with tf.GradientTape() as tape:
        tape.watch(ins[pos])
        out = trace.ops[members[0].index].apply(*ins)
    return tape.gradient(out, ins[pos], output_gradients=seed)


def _first_line(e: Exception) -> str:
    text = getattr(e, "message", None) or str(e)
    text = text.split("\n")[0]
    if "}}" in text:                     # {{function_node __wrapped__Reshape_device_...}} Input to reshape ...
        text = text.split("}}", 1)[1]
    return text.split(" [Op:")[0].strip()[:200]


def _elementwise(trace: Trace, node: Node) -> bool:
    """Does the Jacobian of this op have one entry per output (a local derivative per element)?"""
    ins = [trace.tensors[i] for i in node.inputs]
    if trace.ops[node.index].spec.elementwise and all(tuple(t.shape.as_list()) == node.shape for t in ins):
        return True
    out_size = int(np.prod(node.shape)) if node.shape else 1
    return out_size == 1 and all(t.shape.num_elements() == 1 for t in ins)


def _set_edges(trace: Trace, graph: Graph, node: Node, edges: list[Edge], by_position) -> None:
    upstream = graph.gradients[node.index]
    elementwise = _elementwise(trace, node)
    for e in edges:
        r = by_position[e.position]
        e.upstream = upstream
        if e.kind != "data":
            e.note = _NOTES.get(e.kind, "")
            continue
        if r is None:
            floating = trace.tensors[e.src].dtype.is_floating
            e.note = ("tf.stop_gradient blocks the gradient" if node.op == "stop_gradient"
                      else "integer input: not differentiable" if not floating
                      else "TensorFlow has no gradient for this input")
            continue
        if elementwise:
            e.local = r
            contribution = np.reshape(upstream * r, trace.tensors[e.src].shape.as_list())
        else:
            contribution = r
        if graph.gradients.get(e.src) is not None:
            e.contribution = contribution
        else:
            e.note = graph.reasons.get(e.src, "")


def _why_no_flow(graph: Graph, e: Edge) -> str:
    if graph.gradients.get(e.dst) is None:
        return f"no gradient reaches {graph.nodes[e.dst].label}"
    return graph.reasons.get(e.src, "")


def _ancestors(graph: Graph, target: int, through_stop: bool) -> set[int]:
    """What gradient can flow back to: data and tape.gradient edges, optionally not through tf.stop_gradient."""
    return graph.ancestors(target, lambda e: e.kind in ("data", "opaque") and
                           (through_stop or graph.nodes[e.dst].op != "stop_gradient"))


def _reasons(trace: Trace, graph: Graph, tape: TapeRef) -> dict[int, str]:
    from .checks import non_differentiable_path
    target = graph.nodes[graph.target].label
    connected = _ancestors(graph, graph.target, through_stop=True)
    unstopped = _ancestors(graph, graph.target, through_stop=False)
    reasons = {}
    for n in graph.nodes:
        if graph.gradients.get(n.index) is not None:
            continue
        blocked = non_differentiable_path(graph, n.index) if n.index not in connected else ""
        reasons[n.index] = (f"not differentiable: {target} depends on {n.label} only through {blocked}"
                            if blocked else
                            _reason(trace, n, tape, target, n.index in connected, n.index in unstopped))
    return reasons


def _reason(trace: Trace, n: Node, tape: TapeRef, target: str, connected: bool, unstopped: bool) -> str:
    if not n.floating:
        return f"integer dtype ({n.dtype}): TensorFlow only differentiates floating-point tensors"
    if not connected:
        return f"not connected: {target} does not depend on {n.label}"
    if not unstopped:
        return "stopped: every path to the target passes through tf.stop_gradient"
    watched = tape.index in n.watched_by
    if n.kind == "input" and not watched:
        return (f"computed before this recording: to {tape.name} it is a constant (call "
                f"{tape.name}.watch({n.label}) to get its gradient)")
    if n.kind == "literal" and n.note:
        return n.note
    if n.kind == "literal":
        return "a literal number: nothing to differentiate (make it a tf.Variable to get its gradient)"
    if n.kind in ("constant", "random") and not watched:
        return (f"constant not watched: {tape.name} only tracks tf.Variables on its own; call "
                f"{tape.name}.watch({n.label}) inside the with block")
    if n.kind == "variable":
        if not n.trainable and not watched:
            return f"trainable=False: {tape.name} does not watch it on its own; call {tape.name}.watch({n.label})"
        if not tape.watch_accessed and not watched:
            return (f"{tape.name} was created with watch_accessed_variables=False and {n.label} was "
                    "not watched")
        return f"{n.label} was only used outside the `with {tape.name}` block"
    if tape.index not in n.tapes:
        return f"computed outside the `with {tape.name}` block, so {tape.name} did not record it"
    return f"{tape.name} recorded no path from {n.label} to {target} (nothing it depends on is watched)"


def _tolerance(dtype: str) -> tuple[float, float]:
    if dtype == "float64":
        return 1e-9, 1e-12
    if dtype in ("float16", "bfloat16", "half"):
        return 2e-2, 2e-3
    return 2e-4, 1e-5


def _checks(trace: Trace, graph: Graph) -> dict[int, Check]:
    out = {}
    consumers: dict[int, list[Edge]] = {}
    for e in graph.edges:
        consumers.setdefault(e.src, []).append(e)
    for n in graph.nodes:
        tf_grad = graph.gradients.get(n.index)
        if tf_grad is None:
            continue
        if n.index == graph.target:
            out[n.index] = Check([], tf_grad, tf_grad, True, "the target: d target / d target = 1")
            continue
        edges = consumers.get(n.index, [])
        opaque = [e for e in edges if e.kind == "opaque" and graph.gradients.get(e.dst) is not None]
        terms = [e.contribution for e in edges if e.contribution is not None]
        if opaque:
            out[n.index] = Check(terms, None, tf_grad, None, _NOTES["opaque"])
            continue
        total = np.reshape(sum(terms), np.shape(tf_grad)) if terms else None
        bad = nonfinite(tf_grad) or (nonfinite(total) if total is not None else None)
        if bad:
            out[n.index] = Check(terms, total, tf_grad, None, f"{bad}: not compared; {nonfinite_cause(graph)}")
            continue
        rtol, atol = _tolerance(n.dtype)
        scale = float(np.max(np.abs(tf_grad))) if np.size(tf_grad) else 0.0
        ok = total is not None and bool(np.all(np.abs(total - tf_grad) <= atol * max(1.0, scale)
                                               + rtol * np.abs(tf_grad)))
        out[n.index] = Check(terms, total, tf_grad, ok)
    return out



def nonfinite(a) -> str | None:
    """"NaN" or "infinity" where an array holds one (NaN first), else None."""
    if a is None:
        return None
    a = np.asarray(a)
    if a.dtype.kind not in "fc" or a.size == 0:
        return None
    if np.isnan(a).any():
        return "NaN"
    if np.isinf(a).any():
        return "infinity"
    return None


def nonfinite_cause(graph: Graph) -> str:
    """Where a NaN or an infinity comes from: the first value that has one although its inputs do not
    (0/0, an overflow), else the backward pass (an infinite local derivative, such as sqrt at 0)."""
    for n in graph.nodes:
        bad = nonfinite(n.value)
        if not bad or any(nonfinite(graph.nodes[i].value) for i in n.inputs):
            continue
        what = f"{n.label} = {n.text}" if n.text and n.text != n.label else n.label
        if not n.inputs:
            return f"{what} holds {bad} from the start"
        if bad == "NaN":
            return f"{what} is NaN: 0/0, ∞ − ∞ or 0 × ∞ there"
        if n.op in ("div", "divide", "truediv", "floordiv", "reciprocal", "log", "pow"):
            return f"{what} is infinite: a division by zero or log of 0 there"
        largest = float(np.finfo(np.dtype(n.dtype)).max) if np.dtype(n.dtype).kind == "f" else None
        return f"{what} overflows: past the largest {n.dtype} ({largest:.3g})" if largest else \
            f"{what} is infinite"
    return ("every value is finite but the gradient is not: a local derivative on the way back is infinite "
            "or 0 × ∞ (such as sqrt or log at 0)")
