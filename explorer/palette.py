"""Which colors mean what, on every page. Every hex color the app draws with is named here.

- Gradients and signed values in the graphs: GRADIENT_SCALE, ColorBrewer RdBu (color-blind safe):
  red negative, white zero, blue positive.
- The playground's network output and neuron activations: OUTPUT_SCALE, TensorFlow Playground's
  orange (negative class, output -1) to blue (positive class, output +1).
- Classes, optimizers and series: Okabe-Ito, the color-blind-safe qualitative set.
"""

from __future__ import annotations

# ---- graphs -------------------------------------------------------------------------------------
# ColorBrewer RdBu, 11 classes, from most negative (index 0) to most positive (index 10).
GRADIENT_SCALE = ["#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7",
                  "#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061"]
KIND_FILL = {"variable": "#dbeafe", "constant": "#e5e7eb", "random": "#e5e7eb", "literal": "#ffffff",
             "op": "#ffffff", "gradient": "#fef3c7", "jacobian": "#fef3c7"}
NONE_FILL = "#f3f4f6"          # a node with no gradient (None)
HIGHLIGHT = "#f59e0b"          # the node or edge in focus
PENDING_FILL = "#fff7ed"       # step-through: a gradient still being summed
EDGE = "#6b7280"               # an ordinary edge
EDGE_MUTED = "#9ca3af"         # an edge that carries nothing (yet)
EDGE_FAINT = "#d1d5db"         # an edge outside the current step's interest
INK = "#374151"                # ordinary edges and text on light fills
PAPER = "#ffffff"              # text on dark fills, empty fills
CLUSTER_FILL, CLUSTER_LINE, CLUSTER_INK = "#f8fafc", "#6d28d9", "#4c1d95"   # a Keras layer's box
COLLAPSED_FILL = "#ede9fe"     # a collapsed Keras layer

# ---- the playground -------------------------------------------------------------------------------
NEGATIVE = "#f59322"           # TensorFlow Playground's orange: class 0 / output -1 / a negative weight
NEUTRAL = "#e8eaeb"
POSITIVE = "#0877bd"           # TensorFlow Playground's blue: class 1 / output +1 / a positive weight
OUTPUT_SCALE = [[0.0, NEGATIVE], [0.5, NEUTRAL], [1.0, POSITIVE]]

# ---- qualitative (Okabe-Ito) ----------------------------------------------------------------------
ORANGE, SKY_BLUE, GREEN, YELLOW, BLUE, VERMILLION, PURPLE, BLACK = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
CLASS_COLORS = [ORANGE, BLUE, GREEN, PURPLE, VERMILLION]
SERIES = [ORANGE, SKY_BLUE, GREEN, VERMILLION, PURPLE, BLUE, YELLOW, BLACK]   # one per optimizer
MAIN_LINE = BLUE               # the one curve of a chart (loss, a variable)
MARK = VERMILLION              # what a chart points out: a target line, a tangent, a diverged path

# ---- chart furniture ------------------------------------------------------------------------------
GRID = "#e5e5e5"
CONTOUR_LINE = "#64748b"
SURFACE_SCALE = [[0.0, "#ffffff"], [0.5, "#e2e8f0"], [1.0, "#94a3b8"]]   # low loss light, so paths stand out
