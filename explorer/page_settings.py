"""The settings tables of the Graph and step-through pages (the other pages keep theirs beside their
models: explorer.descent_settings.SETTINGS, explorer.playground.SETTINGS, explorer.tensor_settings.SETTINGS)."""

from __future__ import annotations

from .limits import MAX_SEED
from .presets import PRESETS, by_title
from .settings import Setting, Settings

DTYPES = ("float32", "float64")
LAYOUTS = ("top to bottom", "left to right")
GRAPH_VIEWS = ("Forward graph", "Backward graph", "Values & gradients", "TensorFlow's graph", "Plots")
SPEEDS = {"slow (2 s)": 2.0, "normal (1 s)": 1.0, "fast (0.5 s)": 0.5}

GRAPH_DEFAULT = PRESETS[1]            # the textbook's chain-rule example
WALKTHROUGH_DEFAULT = by_title("Chain rule on a computation graph (Chollet 2.4.4)")

GRAPH = Settings("graph", "graph_", (
    Setting("program", "program", GRAPH_DEFAULT.source, "Program"),
    Setting("dtype", "choice", "float32", "Float dtype", DTYPES),
    Setting("seed", "int", 0, "Seed", low=0, high=MAX_SEED),
    Setting("target", "text", "", "Target (differentiate this)"),
    Setting("view", "choice", "Forward graph", "View", GRAPH_VIEWS),
    Setting("layout", "choice", "top to bottom", "Layout", LAYOUTS),
    Setting("recording", "int", 0, "Recording (0: the last)", low=0, high=1_000_000),
    Setting("collapsed", "list", [], "Keras layers: collapse to one box"),
), controls=("example",))

WALKTHROUGH = Settings("walkthrough", "wt_", (
    Setting("program", "program", WALKTHROUGH_DEFAULT.source, "Program"),
    Setting("dtype", "choice", "float32", "Float dtype", DTYPES),
    Setting("seed", "int", 0, "Seed", low=0, high=MAX_SEED),
    Setting("target", "text", "", "Target (differentiate this)"),
    Setting("recording", "int", 0, "Recording (0: the last)", low=0, high=1_000_000),
    Setting("speed", "choice", "normal (1 s)", "Play speed", tuple(SPEEDS)),
    Setting("quiz", "bool", False, "Quiz mode"),
    Setting("step", "int", 1, "Step", low=1, high=1_000_000, client=True),
), controls=("example",))
