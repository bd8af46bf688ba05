"""The traced graph: one model behind every picture and table.

A node is a value (a leaf or the output of one op). An edge runs from an op's input to its output.
For a chosen target, every node carries TensorFlow's gradient (or None and why), and every edge the
local derivative or VJP rule and the contribution it sends backwards; a node's gradient is the sum of
the contributions on its outgoing edges, and that sum is checked against TensorFlow's answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

LEAF_KINDS = ("variable", "constant", "literal", "random", "input")   # "input": computed before this recording
OPAQUE_KINDS = ("gradient", "jacobian")   # values made by tape.gradient / tape.jacobian


@dataclass
class Node:
    index: int                      # creation order, a topological order
    id: str                         # unique, valid TensorFlow name scope; set when the run ends
    name: str | None                # the program's name for it, if it was bound to one
    op: str                         # "variable", "constant", "mul", "gradient", ...
    kind: str                       # one of LEAF_KINDS, "op", or one of OPAQUE_KINDS
    text: str                       # how the program wrote it ("w*x", "tf.abs(y_true - x2)")
    inputs: list[int]               # node indices
    line: int
    col: int
    dtype: str
    shape: tuple[int, ...]
    value: np.ndarray | None = None
    watched_by: set[int] = field(default_factory=set)   # tapes that tape.watch-ed it
    tapes: tuple[int, ...] = ()     # tapes recording when it was created
    trainable: bool = True          # variables only
    version: int = 1                # variables: 1 + number of assigns before this state
    edge_kinds: list[str] = field(default_factory=list)  # per input: "data", "opaque", "init", "assign",
    #                                                        "copy" (tf.constant of a tensor), "numpy"
    static: dict[str, Any] = field(default_factory=dict)  # non-tensor arguments of the op, for showing
    scope: tuple[str, ...] = ()     # the calls of the program's functions it was computed in, outermost first
    note: str = ""                  # where a leaf came from, when that matters for its gradient

    @property
    def label(self) -> str:
        return self.name or self.id

    @property
    def is_leaf(self) -> bool:
        return self.kind in LEAF_KINDS

    @property
    def floating(self) -> bool:
        return self.dtype.startswith(("float", "bfloat", "half", "double", "complex"))


@dataclass
class Edge:
    src: int                        # node index of the input
    dst: int                        # node index of the op's output
    position: int                   # which input of dst
    kind: str                       # "data", "opaque" (into a gradient/jacobian), "init", "assign", "copy", "numpy"
    rule: str = ""                  # local derivative (scalars) or VJP rule (tensors), with names
    local: np.ndarray | None = None         # d dst / d src, elementwise, from TensorFlow
    upstream: np.ndarray | None = None      # gradient of the target w.r.t. dst
    contribution: np.ndarray | None = None  # what flows back to src along this edge
    note: str = ""                  # why there is no contribution


@dataclass
class Check:
    """The chain-rule sum at one node beside TensorFlow's gradient."""
    terms: list[np.ndarray]
    total: np.ndarray | None
    tensorflow: np.ndarray | None
    ok: bool | None                 # None: not checkable (flows through a tape.gradient result)
    note: str = ""


@dataclass
class Graph:
    nodes: list[Node]
    edges: list[Edge]
    target: int | None = None
    tape_name: str | None = None
    gradients: dict[int, np.ndarray | None] = field(default_factory=dict)
    reasons: dict[int, str] = field(default_factory=dict)
    checks: dict[int, Check] = field(default_factory=dict)

    def node(self, key: str | int) -> Node:
        """A node by index, id, or the program name it was last bound to."""
        if isinstance(key, (int, np.integer)):
            return self.nodes[int(key)]
        by_name = [n for n in self.nodes if n.name == key]
        if by_name:
            return by_name[-1]
        for n in self.nodes:
            if n.id == key:
                return n
        raise KeyError(f"no value named {key!r} in the graph")

    def gradient(self, key: str | int) -> np.ndarray | None:
        return self.gradients.get(self.node(key).index)

    def reason(self, key: str | int) -> str | None:
        return self.reasons.get(self.node(key).index)

    def in_edges(self, key: str | int) -> list[Edge]:
        i = self.node(key).index
        return [e for e in self.edges if e.dst == i]

    def out_edges(self, key: str | int) -> list[Edge]:
        i = self.node(key).index
        return [e for e in self.edges if e.src == i]

    def ancestors(self, key: str | int, follow: Callable[[Edge], bool] | None = None) -> set[int]:
        """Every node the given one is computed from (itself included), through the edges `follow`
        accepts (all of them by default)."""
        into: dict[int, list[int]] = {}
        for e in self.edges:
            if follow is None or follow(e):
                into.setdefault(e.dst, []).append(e.src)
        start = self.node(key).index
        seen, stack = {start}, [start]
        while stack:
            for src in into.get(stack.pop(), []):
                if src not in seen:
                    seen.add(src)
                    stack.append(src)
        return seen

    @property
    def chain_rule_ok(self) -> bool:
        """Every checkable node's sum of contributions equals TensorFlow's gradient."""
        return all(c.ok is not False for c in self.checks.values())

    def to_dot(self, view: str = "forward", highlight: int | None = None, collapsed=frozenset(),
               rankdir: str = "TB") -> str:
        """DOT for the forward or backward view; Keras layers named in `collapsed` drawn as one box;
        rankdir "LR" lays it out left to right."""
        from .render import graph_to_dot
        return graph_to_dot(self, view=view, highlight=highlight, collapsed=collapsed, rankdir=rankdir)

    @property
    def layers(self) -> list[str]:
        """The Keras layers the graph draws as clusters (which `collapsed` can name)."""
        from .render import layers_in
        return layers_in(self)

    def table(self) -> list[dict[str, Any]]:
        from .render import graph_table
        return graph_table(self)
