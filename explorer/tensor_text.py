"""What the Tensors page says in words beside each picture (markdown), made from what `explorer.tensors`
computes, so the page only writes it and a test can read it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import tensors as tn
from .tensor_plots import selected_range


PICK_LABEL = "The program's tensors (rank)"
EXPRESSION_HELP = ("A name the program binds, a slice (`matrix[:, 2]`, `images[10:100, 4:, 4:]`) or an op "
                   "(`tf.reshape(cube, (6, 4))`, `tf.transpose(matrix)`), in the program language.")


def choice(name: str, info: tn.TensorInfo) -> str:
    """A tensor the program binds, as the page offers it under PICK_LABEL: 'cube (3)'."""
    return f"{name} ({info.rank})"


def shape_line(name: str, info: tn.TensorInfo) -> str:
    agree = "✓ agree" if info.agrees else "✗ disagree"
    return (f"**{name}**: rank **{info.rank}** · shape **{info.shape}** · {info.dtype} · {info.kind} "
            f"({', '.join(info.axes) or 'no axes'}) · `tf.rank` = {info.tf_rank}, `tf.shape` = {list(info.tf_shape)} "
            f"{agree}")


def selection_line(sel: tn.Selection, info: tn.TensorInfo) -> str:
    return (f"**{sel.expression}** → shape **{tuple(sel.result.shape)}**: {sel.count} of {info.size} entries (orange)"
            + (f"; {info.axes[0]} {selected_range(sel.mask)}" if info.rank >= 3 else ""))


def movement_line(move: tn.Movement) -> str:
    order = ("the same order: read both left to right, top to bottom and the numbers count 0, 1, 2, …"
             if move.keeps_order else
             "a new order: read the result left to right, top to bottom and the numbers jump")
    return (f"**{move.op}** moves the {move.source.size} entries of **{move.source_text}** "
            f"{tuple(move.source.shape)} into {tuple(move.result.shape)} in {order}.")


MOVEMENT_CAPTION = ("Each entry is numbered and coloured by its position in the source counted row by row "
                    "(row-major, as `tf.reshape` reads it); a tensor of rank 3 or more is drawn with its "
                    "leading axes stacked down. Hover for the value.")


def mismatch(plan: tn.Broadcast) -> str:
    return f"**x {plan.left} and y {plan.right} do not broadcast.** The rule that failed: {plan.error}"


def broadcast_head(plan: tn.Broadcast, op: str) -> str:
    x, y = f"x {plan.left}", f"y {plan.right}"
    written = {"add": f"{x} + {y}", "maximum": f"tf.maximum({x}, {y})"}[op]
    return f"**{written} → {plan.result}**"


def broadcast_steps(plan: tn.Broadcast) -> str:
    return "  \n".join(f"**{s.title}**: {s.note}" for s in plan.steps)


def broadcast_caption(plan: tn.Broadcast) -> str:
    rows = tn.leading_indices(plan.result)
    text = ("In a repeated stage the operand's own entries are orange and their copies grey; the other operand "
            "is used as it is. Grey scale: value.")
    if len(rows) > 1:
        text = (f"Rows: the last two axes at the leading indices {', '.join(str(list(ix)) for ix in rows)} "
                "(a repeat along a leading axis is the same panel down a column). ") + text
    return text


def dot_line(trace: tn.DotTrace) -> str:
    terms = " + ".join(f"{a:.3g}·{b:.3g}" for a, b in zip(trace.row, trace.col))
    return (f"**Shape rule: {trace.rule}**  \nOutput entry {list(trace.index)} = row of x · column of y "
            f"= {terms} = **{trace.entry:.4g}**")


def numbers(a: np.ndarray) -> str:
    """A vector or matrix written short: [[0.866, -0.5], [0.5, 0.866]], [1, -1]."""
    a = np.asarray(a)
    if a.ndim == 0:
        return f"{round(float(a), 3) + 0.0:g}"
    return "[" + ", ".join(numbers(v) for v in a) + "]"


def geometry_line(g: tn.Geometry, figure: dict[str, np.ndarray], seed: int) -> str:
    """The map drawn as x ↦ A·x + t; with a second map, the one map they compose into and how far mapping
    twice is from mapping once on the figure's own points."""
    if g.second is None:
        text = f"x ↦ A·x + t with A = {numbers(g.first.matrix)}, t = {numbers(g.first.offset)}"
    else:
        one = g.first.then(g.second)
        gap = max(tn.composition_gap(g.first, g.second, p) for p in figure.values())
        text = (f"A₁ = {numbers(g.first.matrix)}, t₁ = {numbers(g.first.offset)}, then A₂, t₂ — one affine map: "
                f"A₂A₁ = {numbers(one.matrix)}, A₂t₁ + t₂ = {numbers(one.offset)} (twice and once differ by "
                f"{gap:.0e} at most)")
    if g.layer is not None:
        text += (f" (A = Wᵀ, t = b: the kernel's columns are A's rows), then {g.layer.activation} on each "
                 "coordinate — the dotted figure is the affine image, the blue one after the activation")
    elif g.kind in ("trained layer", "playground layer"):
        losses = tn.train_layer(seed).losses
        text += (f" — the hidden layer of Dense(2, relu) → Dense(1, sigmoid) after {tn.LAYER_STEPS} steps on the two "
                 f"classes (loss {losses[0]:.3f} → {losses[-1]:.3f}, seed {seed})")
    if g.fold:
        text += " — then relu: every point with a negative coordinate folds onto an axis"
    return f"**{text}**"


def geometry_caption(figure: str, second: bool) -> str:
    text = ("Grey: before. Blue: after. The letter F in orange, so a turn and a mirror image look different."
            if figure == "grid and F" else
            "Grey: before. After: class 0 in orange, class 1 in blue (Chollet's two point clouds).")
    return text + (" Dotted light blue: after the first map alone." if second else "")


NO_PLAYGROUND = ("No network on the Network playground yet: open it, train a network with X₁ and X₂ as inputs and 2 "
                 "neurons in its first hidden layer, and come back. The page's own trained layer is drawn meanwhile.")


def not_drawn(layer: tn.PlaygroundLayer) -> str:
    return (f"The playground's first layer ({layer.name}) is not drawn here: {layer.why_not}. "
            "The page's own trained layer is drawn instead.")


def weights_table(layer: tn.PlaygroundLayer) -> pd.DataFrame:
    """The layer's kernel W (a row per input) and bias b (the last row), a column per unit."""
    return pd.DataFrame(np.vstack([layer.kernel, layer.bias[None, :]]), index=["W row x1", "W row x2", "b"],
                        columns=[f"unit {k + 1}" for k in range(layer.units)])


def playground_weights(layer: tn.PlaygroundLayer) -> str:
    return (f"**The playground's {layer.name}: Dense(2, {layer.activation})**, its weights read from "
            f"the Keras model at training step {layer.step}:")


def too_many(entries: int) -> str:
    return f"{entries} entries: too many to number one by one (at most {tn.MAX_MOVED}); the result is drawn."
