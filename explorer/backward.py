"""Annotates the traced graph with gradients for one target, all computed by TensorFlow.

Three things come from TensorFlow, by two independent routes:
- every node's gradient: the user's own tape, asked once for d target / d (every node);
- every edge's local derivative (scalars, elementwise ops) or vector-Jacobian product (tensors): the op
  re-run alone on copies of its inputs under a fresh tape, seeded with the upstream gradient;
- then each node's chain-rule sum of contributions is checked against the tape's answer.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
import tensorflow as tf

from .graph import OPAQUE_KINDS, Check, Edge, Graph, Node
from .ops import fill
from .render import fmt
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
    for n in nodes:
        if n.kind in OPAQUE_KINDS and graph.gradients[n.index] is not None:
            _gradient_edges(trace, graph, n)
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


# ---- the graph of a gradient computation ------------------------------------------------------------------

def _gradient_edges(trace: Trace, graph: Graph, node: Node) -> None:
    """The edges into a tape.gradient (or tape.jacobian) result the target depends on (nested tapes),
    as chain-rule edges.

    `speed = inner.gradient(position, time)` is computed by the backward ops TensorFlow runs for the
    inner tape, and those ops read values of the forward computation (time; for exp, its output). So
    the local derivative of `speed` with respect to a value is the derivative of those backward ops with
    respect to the value read, every other value held fixed. TensorFlow computes it: the gradient is
    computed again under a second tape that sees each forward value as a leaf of its own (it does not
    record the forward ops, only the backward ones). A value's other routes to the target go along the
    forward graph's own edges; at every node the chain-rule check compares the sum with the program's tape.
    Where the computation cannot be repeated exactly, the edges stay "opaque" (no local derivative)."""
    found = _backward_ops_derivatives(trace, node, graph.gradients[node.index])
    if found is None:
        return
    upstream = graph.gradients[node.index]
    into = [e for e in graph.edges if e.dst == node.index]
    known = {e.src for e in into}
    position = len(node.inputs)
    for src in sorted(found):
        if src not in known and found[src] is not None and graph.gradients.get(src) is not None:
            e = Edge(src, node.index, position, "data")
            position += 1
            graph.edges.append(e)
            into.append(e)
    for e in into:
        src = trace.nodes[e.src]
        e.kind, e.upstream = "data", upstream
        local, contribution = found.get(e.src) or (None, None)
        if contribution is None:
            e.rule = ""
            e.note = (f"the backward ops TensorFlow ran for {node.text} do not read the value of {src.label} "
                      "(they follow how it was computed: that is the other edges)")
            continue
        e.local = local
        e.rule = fmt(local) if local is not None else \
            f"d{src.label} = d{node.label} through the backward ops of {node.text} (their VJP)"
        if graph.gradients.get(e.src) is not None:
            e.contribution = contribution
        else:
            e.note = graph.reasons.get(e.src, "")


def _backward_ops_derivatives(trace: Trace, node: Node, upstream) -> dict[int, tuple] | None:
    """{value read: (local derivative or None, contribution)} for the gradient `node`, from TensorFlow;
    None where the program's gradient computation cannot be repeated exactly (then it stays opaque).

    Every value `node` is computed from is recomputed through the traced ops: each program tape that
    made a gradient on the way is a fresh tape recording the ops the program's tape recorded, and an
    observing tape records only the backward ops (it sees every value, and every gradient computed on
    the way, as a leaf). Its gradient of `node` with respect to those leaves, seeded with the upstream
    gradient, is what flows back along each edge."""
    calls = {r: c for c in trace.calls for r in c.results if r is not None}
    if not _replayed(trace, node, calls):
        return None
    needed, stack = {node.index}, [node.index]
    while stack:
        n = trace.nodes[stack.pop()]
        if _replayed(trace, n, calls):
            stack += [i for i in n.inputs if i not in needed]
            needed.update(n.inputs)
    grads = [i for i in needed if trace.nodes[i].kind in OPAQUE_KINDS and _replayed(trace, trace.nodes[i], calls)]
    sources: dict[int, set[int]] = {}
    for i in grads:
        sources.setdefault(calls[i].tape, set()).add(trace.nodes[i].inputs[-1])
    if any(trace.nodes[i].kind in OPAQUE_KINDS and not _replayed(trace, trace.nodes[i], calls)
           and set(trace.nodes[i].tapes) & set(sources) for i in needed):
        return None     # a gradient on the way that is not repeated here, yet recorded by a tape that is
    fresh = {t: tf.GradientTape(persistent=True) for t in sorted(sources)}
    observer = tf.GradientTape(persistent=True)
    values: dict[int, Any] = {}
    try:
        with contextlib.ExitStack() as tapes:
            tapes.enter_context(observer)
            for tape in fresh.values():
                tapes.enter_context(tape)
            for i in sorted(needed):
                n = trace.nodes[i]
                replayed = _replayed(trace, n, calls)
                with contextlib.ExitStack() as paused:
                    for t, tape in fresh.items():
                        if not replayed or t not in n.tapes:      # the program's tape did not record it
                            paused.enter_context(tape.stop_recording())
                    if n.kind in OPAQUE_KINDS and replayed:     # the observer records these backward ops
                        tape = fresh[calls[i].tape]
                        targets = [values[k] for k in n.inputs[:-1]]
                        value = tape.gradient(targets, values[n.inputs[-1]]) if n.kind == "gradient" else \
                            tape.jacobian(targets[0], values[n.inputs[-1]]) if len(targets) == 1 else None
                        if value is None or not _same(value, n):
                            return None
                        if i == node.index:
                            break
                    with observer.stop_recording():             # and no forward op
                        value = tf.identity(value) if n.kind in OPAQUE_KINDS and replayed else \
                            trace.ops[i].apply(*(values[k] for k in n.inputs)) if replayed else \
                            tf.identity(tf.convert_to_tensor(trace.tensors[i]))
                if replayed and not _same(value, n):
                    return None
                if value.dtype.is_floating:
                    observer.watch(value)
                    for t, srcs in sources.items():
                        if i in srcs:
                            fresh[t].watch(value)
                values[i] = value
        leaves = [k for k in sorted(values) if values[k].dtype.is_floating]
        xs = [values[k] for k in leaves]
        vjps = observer.gradient(value, xs, output_gradients=tf.constant(upstream, dtype=value.dtype))
        scalar = np.size(upstream) == 1
        locals_ = observer.gradient(value, xs) if scalar else [None] * len(xs)
    except (tf.errors.OpError, ValueError, TypeError, IndexError, KeyError, AttributeError, RuntimeError):
        return None     # the views then say the edges are opaque, as before, rather than fail
    finally:
        del observer, fresh
    out: dict[int, tuple] = {}
    for k, vjp, loc in zip(leaves, vjps, locals_):
        if vjp is not None:
            contribution = np.asarray(tf.convert_to_tensor(vjp).numpy())
            scalar_edge = loc is not None and np.size(contribution) == 1
            out[k] = (np.asarray(tf.convert_to_tensor(loc).numpy()) if scalar_edge else None, contribution)
    return out


def _replayed(trace: Trace, n: Node, calls: dict) -> bool:
    """Recomputed in the replay rather than fed in as the recorded value: ops whose every input is a
    data edge (a copy, an assign or NumPy lets no gradient through, so their value is all that counts),
    and the tape.gradient and tape.jacobian results of the program's calls."""
    if n.kind in OPAQUE_KINDS:
        return n.index in calls and len(n.inputs) >= 2
    return n.kind == "op" and n.index in trace.ops and all(k == "data" for k in n.edge_kinds)


def _same(value, node: Node) -> bool:
    """The replay repeated the program's computation (else its derivatives would be another program's)."""
    a, b = np.asarray(tf.convert_to_tensor(value).numpy()), np.asarray(node.value)
    if a.shape != b.shape:
        return False
    if a.dtype.kind not in "fc" or b.dtype.kind not in "fc":
        return bool(np.array_equal(a, b))     # integers, booleans (a tf.where's condition), strings
    rtol, atol = _tolerance(node.dtype)
    finite = np.abs(b[np.isfinite(b)])
    return bool(np.allclose(a, b, rtol=rtol, atol=atol * max(1.0, float(np.max(finite)) if finite.size else 1.0),
                            equal_nan=True))


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
    # nested tapes: values a gradient result is computed from, other than through that gradient
    made = [(g, graph.ancestors(g.index)) for g in graph.nodes if g.kind in OPAQUE_KINDS and g.index in connected
            and graph.gradients.get(g.index) is not None]
    plain = graph.ancestors(graph.target, lambda e: e.kind in ("data", "opaque") and graph.nodes[e.dst].kind
                            not in OPAQUE_KINDS and graph.nodes[e.dst].op != "stop_gradient") if made else connected
    reasons = {}
    for n in graph.nodes:
        if graph.gradients.get(n.index) is not None:
            continue
        blocked = non_differentiable_path(graph, n.index) if n.index not in connected else ""
        via = next((g for g, before in made if n.index in before and n.index != g.index), None) \
            if n.index not in plain else None
        reasons[n.index] = (f"not differentiable: {target} depends on {n.label} only through {blocked}"
                            if blocked else
                            _reason(trace, n, tape, target, n.index in connected, n.index in unstopped, via))
    return reasons


def _reason(trace: Trace, n: Node, tape: TapeRef, target: str, connected: bool, unstopped: bool,
            via: Node | None = None) -> str:
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
    if via is not None:
        what = (f"{target} = {via.text} is computed by" if via.label == target else
                f"{target} depends on {n.label} only through {via.label} = {via.text}, computed by")
        return (f"not read by the gradient: {what} the backward ops TensorFlow ran for that gradient, which do "
                f"not use the value of {n.label}, only how it was computed (so no gradient flows to it)")
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
