"""What a run leaves behind for the views: the recorded values of one recording, its tapes and its
gradient calls, and what the whole run recorded over its loops.

A *recording* is the part of a run that one picture shows. A program without loops is one recording.
A program whose GradientTape runs in a loop records once per iteration ("recording 37 of 500"); the
views show one recording at a time, and the run keeps the values of every loop variable over the
iterations for the charts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import tensorflow as tf

from .graph import Node


class Slot:
    """Where an input tensor goes back into a recorded call when it is applied again."""
    __slots__ = ("k",)

    def __init__(self, k: int):
        self.k = k


def fill_slots(template: Any, tensors: tuple) -> Any:
    if isinstance(template, Slot):
        return tensors[template.k]
    if isinstance(template, list):
        return [fill_slots(t, tensors) for t in template]
    if isinstance(template, tuple) and type(template) is tuple:
        return tuple(fill_slots(t, tensors) for t in template)
    if isinstance(template, dict):
        return {k: fill_slots(v, tensors) for k, v in template.items()}
    return template


@dataclass(eq=False)
class RecordedOp:
    """How one node was computed: TensorFlow's function and its arguments with the input tensors
    taken out, so it can be applied again to other tensors (local derivatives, replays, TF's graph)."""
    spec: Any                         # ops.OpSpec
    template: dict                    # the bound arguments, input tensors replaced by Slots
    params: list[str]                 # per input: the parameter it fills
    output: int | None = None         # which output of a multi-output call this node is
    static_key: str = ""              # equal for calls that differ only in their input tensors

    def apply(self, *tensors):
        out = self.spec.call(fill_slots(self.template, tensors))
        if self.output is not None:
            out = list(out)[self.output] if not hasattr(out, "_fields") else out[self.output]
        return out


@dataclass(eq=False)
class TapeRef:
    """A GradientTape of the program. The TensorFlow tape is always persistent, so the views can ask it
    again; a tape the program did not make persistent still refuses a second gradient call."""
    tape: tf.GradientTape
    index: int                       # unique in the run
    name: str
    persistent: bool                 # what the program asked for
    watch_accessed: bool
    line: int = 0
    used: bool = False
    active: bool = False             # entered and not yet left
    pause: Any = None                # the stop_recording context of a used non-persistent tape


@dataclass
class GradientCall:
    tape: int                        # TapeRef.index
    target: int                      # node indices in the recording
    sources: list[int]
    results: list[int | None]        # per source, None where TensorFlow returned None
    kind: str                        # "gradient" or "jacobian"
    line: int


@dataclass
class Trace:
    """One recording's values: the graph model's nodes with their tensors and how each was computed."""
    nodes: list[Node]
    tensors: list[Any]
    variables: dict[int, tf.Variable]            # variable-state node -> the variable
    reads: dict[int, list[Any]]                  # variable-state node -> tensors the program read from it
    ops: dict[int, RecordedOp]
    tapes: dict[int, TapeRef]
    calls: list[GradientCall]
    shorthand: bool = False
    target: int | None = None        # the default target node


@dataclass
class Recording:
    """One entry of the recording selector."""
    number: int                      # 1-based, in the order the recordings began
    first_tape: TapeRef              # the first tape entered in it (named once `as tape` binds it)
    line: int
    loop_line: int | None            # the loop whose iteration it is (None: outside loops)
    iteration: int | None            # 0-based iteration of that loop, counted over the whole run

    @property
    def tape(self) -> str:
        name = self.first_tape.name
        return "(unnamed)" if name == "tape?" else name

    @property
    def label(self) -> str:
        if self.tape.endswith(".fit") and self.loop_line is not None:     # a Keras fit's (explorer.keras)
            where = f"training step {self.iteration + 1} of {self.tape} on line {self.loop_line}"
        else:
            where = f"iteration {self.iteration + 1} of the loop on line {self.loop_line}" \
                if self.loop_line is not None else "outside loops"
        return f"tape `{self.tape}` (line {self.line}), {where}"


@dataclass
class Series:
    """Values over the iterations of one loop: every tf.Variable assigned in it (small ones, entry by
    entry) and every value a tape differentiated there (scalars)."""
    loop_line: int
    iterations: list[int] = field(default_factory=list)
    values: dict[str, list[tuple[int, list[float]]]] = field(default_factory=dict)
    targets: set[str] = field(default_factory=set)      # which names are differentiated values (losses)
    references: dict[str, dict[str, float]] = field(default_factory=dict)   # name -> {constant: value}
    labels: dict[int, str] = field(default_factory=dict)                   # id(variable) -> its series name


@dataclass
class Figure:
    """What the program drew with matplotlib, to be drawn again with plotly (explorer.pyplot)."""
    calls: list[tuple[str, tuple, dict]] = field(default_factory=list)


ApplyFn = Callable[..., Any]
