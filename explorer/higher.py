"""Beyond first order: the Jacobian of a vector output, the Hessian of a scalar function, and forward
mode beside reverse mode, all computed by TensorFlow on the traced graph replayed as a function."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from . import limits
from .backward import choose_tape, gradient_source
from .graph import OPAQUE_KINDS
from .trace import Trace
from .views import ViewError


class HigherOrderError(ViewError):
    """The program has no answer of this kind (and the message says why)."""


def replay(trace: Trace, target: int, feed: dict[int, tf.Tensor]) -> tf.Tensor:
    """Recompute `target` from the values in `feed` (node index -> tensor) through the traced ops, so
    TensorFlow can differentiate the program as a function of those values, any number of times."""
    needed, stack = {target}, [target]
    while stack:
        n = trace.nodes[stack.pop()]
        if n.index in feed:
            continue
        if n.kind in OPAQUE_KINDS:
            raise HigherOrderError(f"{trace.nodes[target].label} depends on {n.label}, a tape.{n.kind} result: "
                                   "replay works on the program's own ops")
        if n.kind == "op":
            for i in n.inputs:
                if i not in needed:
                    needed.add(i)
                    stack.append(i)
    values: dict[int, tf.Tensor] = {}
    for i in sorted(needed):
        n = trace.nodes[i]
        if i in feed:
            values[i] = feed[i]
        elif n.kind == "op":
            values[i] = trace.ops[i].apply(*(values[j] for j in n.inputs))
        else:
            values[i] = tf.constant(trace.tensors[i])
    return values[target]


def inputs_of(trace: Trace, target: int) -> list[int]:
    """Floating leaves the target depends on through ops: variables, constants, random tensors."""
    seen, stack = {target}, [target]
    while stack:
        n = trace.nodes[stack.pop()]
        if n.kind == "op":
            for i in n.inputs:
                if i not in seen:
                    seen.add(i)
                    stack.append(i)
    return [n.index for n in trace.nodes if n.index in seen and n.floating
            and n.kind in ("variable", "constant", "random", "input")]


def jacobian(run, target: str, source: str) -> np.ndarray:
    """d target / d source with every entry kept: shape target.shape + source.shape, from the tape
    that recorded the target (TensorFlow's tape.jacobian)."""
    t = run._target_node(target)
    s = run._source_node(source, t.index)
    tape = choose_tape(run.trace, t.index)
    if tape is None:
        raise HigherOrderError(f"no GradientTape recorded {t.label}")
    m, n = max(1, int(np.prod(t.shape))), max(1, int(np.prod(s.shape)))
    if m * n > limits.MAX_JACOBIAN_ENTRIES:
        raise HigherOrderError(f"the Jacobian of {t.label} ({m:,} entries) with respect to {s.label} ({n:,} "
                               f"entries) has {m * n:,} entries, {m * n * 4 / 1e9:.3g} GB in float32; it is "
                               f"computed for up to {limits.MAX_JACOBIAN_ENTRIES:,}")
    src = gradient_source(run.trace, s.index)
    with run._lock:   # the program's tape, shared with other sessions through the cached Run
        parts = [tape.tape.jacobian(run.trace.tensors[t.index], x) for x in (src if isinstance(src, list) else [src])]
    total = np.zeros(tuple(t.shape) + tuple(s.shape))
    for p in parts:
        if p is not None:
            total = total + np.asarray(p.numpy())
    return total


@dataclass
class Hessian:
    names: list[str]
    gradient: np.ndarray       # first derivatives, one per input
    matrix: np.ndarray         # second derivatives, H[i, j] = d² f / d x_i d x_j


def hessian(run, target: str | None = None) -> Hessian:
    """The Hessian of a scalar target with respect to its scalar inputs, by nested GradientTapes."""
    trace = run.trace
    t = trace.target if target is None else run._target_node(target).index
    if t is None:
        raise HigherOrderError("the program has no target")
    if trace.nodes[t].shape != ():
        raise HigherOrderError("the Hessian is shown for a scalar target")
    sources = [i for i in inputs_of(trace, t) if trace.nodes[i].shape == ()]
    if not sources:
        raise HigherOrderError("the target depends on no scalar input")
    if len(sources) > 8:
        raise HigherOrderError(f"{len(sources)} scalar inputs: the Hessian is shown for up to 8")
    xs = [tf.constant(trace.tensors[i]) for i in sources]
    with tf.GradientTape(persistent=True) as outer:
        outer.watch(xs)
        with tf.GradientTape() as inner:
            inner.watch(xs)
            f = replay(trace, t, dict(zip(sources, xs)))
        grads = [g if g is not None else tf.zeros_like(x) for g, x in zip(inner.gradient(f, xs), xs)]
    matrix = np.zeros((len(xs), len(xs)))
    for i, g in enumerate(grads):
        for j, r in enumerate(outer.gradient(g, xs)):
            matrix[i, j] = 0.0 if r is None else float(r.numpy())
    del outer
    return Hessian([trace.nodes[i].label for i in sources], np.array([float(g.numpy()) for g in grads]), matrix)


@dataclass
class Modes:
    inputs: list[str]            # one label per input entry, e.g. "W[0,1]"
    outputs: list[str]           # one label per output entry
    forward: np.ndarray          # Jacobian (outputs × inputs) from forward mode: one JVP per input entry
    reverse: np.ndarray          # the same from reverse mode: one VJP per output entry
    forward_passes: int          # n: input entries
    reverse_passes: int          # m: output entries


def forward_and_reverse(run, target: str | None = None) -> Modes:
    """The same Jacobian two ways: forward mode (tf.autodiff.ForwardAccumulator) needs one pass per
    input entry, reverse mode (GradientTape) one per output entry."""
    trace = run.trace
    t = trace.target if target is None else run._target_node(target).index
    if t is None:
        raise HigherOrderError("the program has no target")
    sources = inputs_of(trace, t)
    if not sources:
        raise HigherOrderError("the target depends on no floating input")
    xs = [tf.constant(trace.tensors[i]) for i in sources]
    n = sum(int(np.prod(x.shape)) if x.shape.rank else 1 for x in xs)
    m = int(np.prod(trace.nodes[t].shape)) if trace.nodes[t].shape else 1
    if n == 0 or m == 0:
        raise HigherOrderError(f"{'the inputs have' if n == 0 else trace.nodes[t].label + ' has'} no entries: "
                               "there is no Jacobian to compute")
    if n > limits.MAX_HIGHER_ORDER or m > limits.MAX_HIGHER_ORDER:
        raise HigherOrderError(f"{n} input and {m} output entries: forward and reverse mode are compared "
                               f"for up to {limits.MAX_HIGHER_ORDER} of each")
    labels = []
    for i, x in zip(sources, xs):
        name = trace.nodes[i].label
        labels += [name] if x.shape.rank == 0 else [f"{name}[{','.join(map(str, k))}]"
                                                    for k in np.ndindex(*x.shape.as_list())]
    out_name = trace.nodes[t].label
    shape = trace.nodes[t].shape
    outputs = [out_name] if not shape else [f"{out_name}[{','.join(map(str, k))}]" for k in np.ndindex(*shape)]
    forward = np.zeros((m, n))
    col = 0
    started = 0.0
    for a, x in enumerate(xs):
        for k in range(int(np.prod(x.shape)) if x.shape.rank else 1):
            if col == 1:
                started = time.monotonic()
            if col == 2:      # the second pass timed (the first warms TensorFlow up): the rest's cost is known
                each = time.monotonic() - started
                if each * n > limits.MAX_MODES_SECONDS:
                    raise HigherOrderError(f"forward mode needs {n} passes of about {each:.2f} s each here "
                                           f"({each * n:.0f} s in all); it is shown when that is under "
                                           f"{limits.MAX_MODES_SECONDS:.0f} s")
            tangents = [tf.zeros_like(v) for v in xs]
            tangents[a] = tf.reshape(tf.one_hot(k, int(np.prod(x.shape)) if x.shape.rank else 1, dtype=x.dtype),
                                     x.shape)
            with tf.autodiff.ForwardAccumulator(xs, tangents) as acc:
                y = replay(trace, t, dict(zip(sources, xs)))
            jvp = acc.jvp(y, unconnected_gradients=tf.UnconnectedGradients.ZERO)
            forward[:, col] = np.reshape(jvp.numpy(), -1)
            col += 1
    reverse = np.zeros((m, n))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(xs)
        y = tf.reshape(replay(trace, t, dict(zip(sources, xs))), [-1])
        parts = [y[r] for r in range(m)]
    for r in range(m):
        grads = tape.gradient(parts[r], xs, unconnected_gradients=tf.UnconnectedGradients.ZERO)
        reverse[r] = np.concatenate([np.reshape(g.numpy(), -1) for g in grads])
    del tape
    return Modes(labels, outputs, forward, reverse, n, m)
