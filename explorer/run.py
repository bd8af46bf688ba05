"""`explorer.run(source)`: run a program once and keep everything the views need."""

from __future__ import annotations

import threading
from functools import cached_property
from typing import Any

import numpy as np
import tensorflow as tf

from .backward import annotate, choose_tape, gradient_source
from .graph import Graph
from .interpreter import Interpreter, NodeRef, Trace, VarRef


class Run:
    """One program, run once under TensorFlow. Treat it as read-only: pages share it between reruns."""

    def __init__(self, source: str, dtype: str = "float32", seed: int = 0):
        self.source = source
        self.dtype = dtype
        self.seed = seed
        self.trace: Trace = Interpreter(source, dtype, seed).run()
        _assign_ids(self.trace)
        for node, tensor in zip(self.trace.nodes, self.trace.tensors):
            node.value = np.asarray(tensor.numpy())
        self.values: dict[str, Any] = {k: v for k, v in
                                       ((k, _plain(v)) for k, v in self.trace.env.items()) if v is not _SKIP}
        self.output: list[str] = self.trace.output
        self._graphs: dict[int | None, Graph] = {}
        self._tf_graph = None
        self._lock = threading.RLock()   # pages share one Run between sessions (st.cache_resource)

    @property
    def shorthand(self) -> bool:
        return self.trace.shorthand

    @property
    def default_target(self) -> str | None:
        t = self.trace.target
        return None if t is None else self.trace.nodes[t].label

    @property
    def graph(self) -> Graph:
        """The traced graph, with gradients with respect to the program's target."""
        return self.graph_for(None)

    def graph_for(self, target: str | None = None) -> Graph:
        """The traced graph with gradients of `target` (a name; None for the program's own target)."""
        index = self.trace.target if target is None else self._node(target).index
        with self._lock:
            if index not in self._graphs:
                self._graphs[index] = annotate(self.trace, index)
            return self._graphs[index]

    def targets(self) -> list[str]:
        """Names that can be chosen as the target: floating values computed by an op or a tape."""
        seen, out = set(), []
        for n in reversed(self.trace.nodes):
            if n.name and n.kind in ("op", "gradient", "jacobian") and n.floating and n.name not in seen \
                    and n.tapes:
                seen.add(n.name)
                out.append(n.name)
        out.reverse()
        default = self.default_target
        if default in out:
            out.remove(default)
            out.insert(0, default)
        elif out:
            out.insert(0, out.pop())   # no tape.gradient call: the last value computed is the likely target
        return out

    def gradient(self, target: str, source: str) -> np.ndarray | None:
        """d target / d source from TensorFlow, with the tape that recorded the target."""
        t = self._node(target)
        s = self._source_node(source, t.index)
        tape = choose_tape(self.trace, t.index)
        if tape is None or not s.floating:
            return None
        src = gradient_source(self.trace, s.index)
        with self._lock:
            result = tape.tape.gradient(self.trace.tensors[t.index], src)
        if isinstance(result, list):
            parts = [r for r in result if r is not None]
            result = sum(parts) if parts else None
        return None if result is None else np.asarray(tf.convert_to_tensor(result).numpy())

    def _source_node(self, key: str, target: int):
        """A name bound to several states (a variable updated after the tape): the last state created
        before the target, which is the one the target can depend on."""
        states = [n for n in self.trace.nodes if n.name == key and n.index <= target]
        return states[-1] if states else self._node(key)

    def _node(self, key: str):
        try:
            return self.graph_for_key(key)
        except KeyError:
            raise KeyError(f"no value named {key!r}; names: {', '.join(self.names())}") from None

    def graph_for_key(self, key: str):
        by_name = [n for n in self.trace.nodes if n.name == key]
        if by_name:
            return by_name[-1]
        for n in self.trace.nodes:
            if n.id == key:
                return n
        raise KeyError(key)

    def names(self) -> list[str]:
        return [n for n, v in self.trace.env.items() if isinstance(v, (NodeRef, VarRef))]

    @cached_property
    def tf_code(self) -> str:
        """The same program as plain TensorFlow a student can paste into a notebook."""
        from .codegen import tensorflow_code
        return tensorflow_code(self.source, self.dtype, self.seed)

    def walkthrough(self, target: str | None = None) -> list:
        """Backpropagation step by step for `target` (None: the program's own target): the forward pass
        op by op, then every edge in reverse topological order (see explorer.walkthrough.Step)."""
        from .walkthrough import walkthrough
        return walkthrough(self.graph_for(target))

    def tf_graph(self):
        """TensorFlow's own graph of the program (tf.function), gradient ops linked to our nodes;
        traced once per run (a page rerun must not retrace)."""
        from .tfgraph import trace_tf_graph
        with self._lock:
            if self._tf_graph is None:
                self._tf_graph = trace_tf_graph(self)
            return self._tf_graph


def run(source: str, dtype: str = "float32", seed: int = 0) -> Run:
    """Run a program of the safe language; raise ProgramError with line and column if it cannot run."""
    return Run(source, dtype, seed)


_SKIP = object()


def _plain(v: Any) -> Any:
    if isinstance(v, NodeRef):
        return np.asarray(v.tensor.numpy())
    if isinstance(v, VarRef):
        return np.asarray(v.var.numpy())
    if v is None:
        return None
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, (int, float, np.ndarray, np.number)) and not isinstance(v, bool):
        return np.asarray(v)
    return _SKIP


def _assign_ids(trace: Trace) -> None:
    """Readable unique ids, valid as TensorFlow name scopes: the program's name, else the op."""
    program_names = set(trace.env)
    seen: set[str] = set()
    next_suffix: dict[str, int] = {}
    for node in trace.nodes:
        base = node.name or node.op
        candidate, k = base, next_suffix.get(base, 2)
        while candidate in seen or (node.name is None and candidate in program_names):
            candidate, k = f"{base}_{k}", k + 1
        next_suffix[base] = k
        seen.add(candidate)
        node.id = candidate
