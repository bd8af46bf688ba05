"""`explorer.run(source)`: run a program once and keep everything the views need."""

from __future__ import annotations

import threading
from functools import cached_property
from typing import Any

import numpy as np
import tensorflow as tf
from tensorflow.python.framework.ops import EagerTensor

from .backward import annotate, choose_tape, gradient_source
from .graph import Graph
from .interpreter import Interpreter, Outcome
from .trace import Recording, Series, Trace


class Run:
    """One program, run once under TensorFlow. Treat it as read-only: pages share it between reruns.

    `recording` picks which recording the graph views show (1-based; None: the last one). A program
    without loops has one. For a loop the run keeps the first, the last and the asked-for recording; to
    look at another, run again with `recording=k` (the same seed gives the same numbers)."""

    def __init__(self, source: str, dtype: str = "float32", seed: int = 0, recording: int | None = None,
                 progress=None):
        self.source = source
        self.dtype = dtype
        self.seed = seed
        outcome: Outcome = Interpreter(source, dtype, seed, keep=recording, progress=progress).run()
        self.outcome = outcome
        rec = outcome.recorder
        self.recordings: list[Recording] = rec.recordings
        if recording is not None and not 1 <= recording <= len(rec.recordings):
            raise ValueError(f"the program has {len(rec.recordings)} recordings; there is no recording {recording}")
        number = recording if recording is not None else (rec.recordings[-1].number if rec.recordings else None)
        window = rec.window_for(number)
        self.recording = number
        self.window = window.serial
        self.trace: Trace = window.trace(outcome.shorthand, outcome.target if outcome.shorthand else None)
        if outcome.shorthand:
            from .expressions import refuse_numpy
            refuse_numpy(self.trace, source)
        if self.trace.target is None and self.trace.calls:
            self.trace.target = self.trace.calls[0].target
        _assign_ids(self.trace)
        self.values: dict[str, Any] = {k: v for k, v in ((k, _plain(v)) for k, v in outcome.env.items())
                                       if v is not _SKIP}
        self.output: list[str] = outcome.output
        self.display: str | None = outcome.display
        self.figures = outcome.figures
        self.series: list[Series] = list(rec.series.values())
        self.notes: list[str] = outcome.notes
        self.seconds: float = outcome.seconds
        self.fits: list[dict] = outcome.fits          # model.fit histories: {"model", "line", "history", ...}
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
        index = self.trace.target if target is None else self._target_node(target).index
        with self._lock:
            if index not in self._graphs:
                self._graphs[index] = annotate(self.trace, index)
            return self._graphs[index]

    def targets(self) -> list[str]:
        """Names that can be chosen as the target: floating values computed by an op or a tape."""
        seen, out = set(), []
        for n in reversed(self.trace.nodes):
            if n.name and _targetable(n) and n.name not in seen:
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
        t = self._target_node(target)
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

    def _target_node(self, key: str):
        """A target by name: the last value of that name a tape recorded (what targets() offers; a name
        rebound afterwards, `y = tape.gradient(y, x)`, still means the recorded y), else by name or id."""
        for n in reversed(self.trace.nodes):
            if n.name == key and _targetable(n):
                return n
        return self._node(key)

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
        return sorted({n.name for n in self.trace.nodes if n.name})

    def at(self, recording: int) -> "Run":
        """The same program with the graph views on another recording."""
        return Run(self.source, self.dtype, self.seed, recording)

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
        """TensorFlow's own graph of the recording (tf.function), gradient ops linked to our nodes;
        traced once per run (a page rerun must not retrace)."""
        from .tfgraph import trace_tf_graph
        with self._lock:
            if self._tf_graph is None:
                self._tf_graph = trace_tf_graph(self)
            return self._tf_graph

    def plots(self) -> list:
        """The program's matplotlib figures, drawn with plotly."""
        from .pyplot import figures_to_plotly
        return figures_to_plotly(self.figures)


def run(source: str, dtype: str = "float32", seed: int = 0, recording: int | None = None, progress=None) -> Run:
    """Run a program of the safe language; raise ProgramError with line and column if it cannot run.
    `progress(fraction, text)`, if given, is called while a model.fit trains."""
    return Run(source, dtype, seed, recording, progress)


_SKIP = object()


def _targetable(n) -> bool:
    """Can a page offer this value as the target: floating, computed, and recorded by a tape."""
    return n.kind in ("op", "gradient", "jacobian") and n.floating and bool(n.tapes)


def _plain(v: Any, depth: int = 0) -> Any:
    if isinstance(v, (EagerTensor, tf.Variable)):
        return np.asarray(v.numpy())
    if v is None:
        return None
    if depth < 4 and isinstance(v, (list, tuple)) and len(v) <= 10_000:
        items = [_plain(x, depth + 1) for x in v]
        return _SKIP if any(x is _SKIP for x in items) else items
    if depth < 4 and isinstance(v, dict) and len(v) <= 1000 and all(isinstance(k, str) for k in v):
        items = {k: _plain(x, depth + 1) for k, x in v.items()}
        return _SKIP if any(x is _SKIP for x in items.values()) else items
    if isinstance(v, (int, float, np.ndarray, np.number, np.bool_)) and not isinstance(v, bool):
        return np.asarray(v)
    if isinstance(v, (bool, str)):
        return v
    return _SKIP


def _assign_ids(trace: Trace) -> None:
    """Readable unique ids, valid as TensorFlow name scopes: the program's name, else the op."""
    seen: set[str] = set()
    next_suffix: dict[str, int] = {}
    names = {n.name for n in trace.nodes if n.name}
    for node in trace.nodes:
        base = _scope_name(node.name) if node.name else node.op
        candidate, k = base, next_suffix.get(base, 2)
        while candidate in seen or (node.name is None and candidate in names):
            candidate, k = f"{base}_{k}", k + 1
        next_suffix[base] = k
        seen.add(candidate)
        node.id = candidate


def _scope_name(name: str) -> str:
    """`self.W` as a TensorFlow name scope: `self_W` (a scope allows letters, digits, . _ - /)."""
    out = "".join(c if c.isalnum() or c in "_-" else "_" for c in name)
    return out if out and (out[0].isalnum() or out[0] == ".") else "v" + out
