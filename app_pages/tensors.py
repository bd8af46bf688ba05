"""Tensors: rank, shape and dtype drawn; a slice highlighted in its source; broadcasting step by step; the
dot product's shape rule with one entry traced; 2-D geometry (affine maps, their composition, relu)."""

import numpy as np
import pandas as pd
import streamlit as st

from app_pages import _links as links
from app_pages._shared import OWN
from explorer import tensor_plots as plots
from explorer import tensors as tn
from explorer.errors import ProgramError, excerpt
from explorer.tensor_settings import SETTINGS as S, VIEWS, matching_preset, preset_values


@st.cache_resource(max_entries=64, show_spinner=False)
def evaluated(program: str, items: tuple, seed: int) -> dict:
    return tn.evaluate(program, dict(items), seed)


@st.cache_resource(max_entries=64, show_spinner=False)
def selected(program: str, expression: str, seed: int) -> tn.Selection:
    return tn.select(program, expression, seed)


@st.cache_resource(max_entries=64, show_spinner=False)
def moved(program: str, expression: str, seed: int) -> tn.Movement | None:
    return tn.movement(program, expression, seed)


SHORT = {"Shapes & slices": "Slices", "Broadcasting": "Broadcast", "Dot product": "Dot", "Geometry": "Geometry"}


def looked_at(program: str, expression: str, seed: int) -> tuple:
    """(selection, tensor drawn, expression): a slice `name[...]` drawn in its source; any other expression by itself."""
    try:
        tn.sliced_name(expression)
    except ProgramError as e:
        if "syntax error" in e.message:
            raise
        return None, evaluated(program, (("expression", expression),), seed)["expression"], expression
    sel = selected(program, expression, seed)
    return sel, sel.source, expression


def show_error(text: str, error: ProgramError, where: str) -> None:
    st.error(f"**{where}, line {error.line}, column {error.col}:** {error.message}" if error.line else error.message)
    if excerpt(text, error):
        st.code(excerpt(text, error), language=None)


def last_good(memory: str, compute, *args):
    """compute(*args), or where it fails the last arguments that worked here, with the error."""
    try:
        result = compute(*args)
        st.session_state[memory] = args
        return result, None
    except ProgramError as e:
        last = st.session_state.get(memory)
        return (compute(*last) if last else None), e


def pick_example() -> None:
    title = st.session_state[S.prefix + "example"]
    if title != OWN:
        for name, value in preset_values(tn.preset(title)).items():
            st.session_state[S.key(name)] = value


def code(text: str) -> None:
    with st.expander("Show the TensorFlow code"):
        st.code(text, language="python")


links.restore(S)
for setting in S.table:      # kept while a control is hidden or its view not shown (Streamlit drops an undrawn widget's value)
    st.session_state[S.key(setting.name)] = st.session_state.get(S.key(setting.name), setting.default)
links.presentation_css()
head, views, toggle = st.columns([2, 5, 3], vertical_alignment="center")
head.markdown("### Tensors")
with views:
    chosen = st.segmented_control("View", VIEWS, key=S.key("view"), label_visibility="collapsed", required=True,
                                  format_func=SHORT.get)
with toggle:
    links.presentation_toggle()
links.link_errors(S)

value = {s.name: st.session_state[S.key(s.name)] for s in S.table}
with st.sidebar:
    if links.shown(S, "example"):
        st.session_state[S.prefix + "example"] = matching_preset(value) or OWN
        st.selectbox("Example", [p.title for p in tn.PRESETS] + [OWN], key=S.prefix + "example", on_change=pick_example,
                     help="The examples of MIT 6.S191's lab 1 and chapter 2 of Deep Learning with Python.")
    if links.shown(S, "seed"):
        st.number_input("Random seed", min_value=0, max_value=2**31 - 1, step=1, key=S.key("seed"))
    if links.shown(S, "read_as"):
        st.selectbox("Read the axes as", tn.READ_AS, key=S.key("read_as"),
                     help="Chollet 2.2.9–2.2.12: which axis is samples, features, timesteps, height, width, channels, frames.")

editing = links.shown(S, "program") and chosen != "Geometry"     # the geometry needs no program
left, right = st.columns([1, 2], gap="medium") if editing else (st.container(), st.container())
with left:
    if editing:
        st.text_area(S["program"].label, key=S.key("program"), height=260,
                     help="TensorFlow code in the app's program language (the Graph page's): it binds the names "
                          "the boxes on the right use. Ctrl+Enter runs it.")
program, seed = st.session_state[S.key("program")], int(st.session_state[S.key("seed")])

with right:
    if chosen == "Shapes & slices":
        if links.shown(S, "expression"):
            st.text_input("Tensor or slice (`matrix[:, 2]`, `images[10:100, 4:, 4:]`, `tf.reshape(cube, (6, 4))`)",
                          key=S.key("expression"))
        links.publish(S)
        got, error = last_good("tn_good_shape", looked_at, program, st.session_state[S.key("expression")], seed)
        sel, shown, expression = got or (None, None, "")
        mask = sel.mask if sel else None
        if error is not None:
            typed = st.session_state[S.key("expression")]
            show_error(typed if error.message.startswith("in the ") else program, error,
                       "Expression" if error.message.startswith("in the ") else "Program")
        if shown is not None:
            info = tn.describe(shown, st.session_state[S.key("read_as")])
            agree = "✓ agree" if info.agrees else "✗ disagree"
            st.markdown(f"**{sel.name if sel else expression}**: rank **{info.rank}** · shape **{info.shape}** · "
                        f"{info.dtype} · {info.kind} ({', '.join(info.axes) or 'no axes'}) · "
                        f"`tf.rank` = {info.tf_rank}, `tf.shape` = {list(info.tf_shape)} {agree}")
            if sel:
                st.markdown(f"**{sel.expression}** → shape **{tuple(sel.result.shape)}**: "
                            f"{sel.count} of {info.size} entries (orange)"
                            + (f"; {info.axes[0]} {plots.selected_range(sel.mask)}" if info.rank >= 3 else ""))
            try:
                move = None if sel else moved(program, expression, seed)
            except ProgramError:
                move = None
            if move is not None and move.source.size <= tn.MAX_MOVED:
                order = ("the same order: read both left to right, top to bottom and the numbers count 0, 1, 2, …"
                         if move.keeps_order else
                         "a new order: read the result left to right, top to bottom and the numbers jump")
                st.markdown(f"**{move.op}** moves the {move.source.size} entries of **{move.source_text}** "
                            f"{tuple(move.source.shape)} into {tuple(move.result.shape)} in {order}.")
                st.plotly_chart(plots.movement_figure(move), key="tn-moved", width="stretch")
                st.caption("Each entry is numbered and coloured by its position in the source counted row by row "
                           "(row-major, as `tf.reshape` reads it); a tensor of rank 3 or more is drawn with its "
                           "leading axes stacked down. Hover for the value.")
                code(tn.movement_code(program, expression, seed))
            else:
                if move is not None:
                    st.caption(f"{move.source.size} entries: too many to number one by one "
                               f"(at most {tn.MAX_MOVED}); the result is drawn.")
                st.plotly_chart(plots.tensor_figure(shown, info, mask), key="tn-tensor", width="stretch")
                if info.rank >= 3:
                    st.caption(plots.panel_caption(info))
                code(tn.slice_code(program, sel.expression, seed) if sel else tn.shape_code(program, expression, seed))

    elif chosen in ("Broadcasting", "Dot product"):
        c1, c2, c3, c4 = st.columns(4)
        if links.shown(S, "left"):
            c1.text_input("x", key=S.key("left"))
        if links.shown(S, "right"):
            c2.text_input("y", key=S.key("right"))
        if chosen == "Dot product":
            if links.shown(S, "row"):
                c3.number_input("Row of x", min_value=0, max_value=10_000, key=S.key("row"))
            if links.shown(S, "col"):
                c4.number_input("Column of y", min_value=0, max_value=10_000, key=S.key("col"))
        links.publish(S)
        pair = (("x", st.session_state[S.key("left")]), ("y", st.session_state[S.key("right")]))
        got, error = last_good("tn_good_pair", evaluated, program, pair, seed)
        if error is not None:
            where = "x" if "in the x" in error.message else "y" if "in the y" in error.message else None
            show_error(dict(pair)[where] if where else program, error, where or "Program")
        if got is not None and chosen == "Broadcasting":
            x, y = got["x"], got["y"]
            plan = tn.broadcast(x.shape, y.shape)
            if plan.error:
                st.error(f"**x {plan.left} and y {plan.right} do not broadcast.** The rule that failed: {plan.error}")
            else:
                st.markdown(f"**x {plan.left} + y {plan.right} → {plan.result}**  \n" + "  \n".join(
                    f"**{s.title}**: {s.note}" for s in plan.steps))
                st.plotly_chart(plots.broadcast_figure(tn.broadcast_stages(x, y)), key="tn-broadcast", width="stretch")
                st.caption("Each panel shows the last two axes (index 0 of the others). Grey scale: value.")
            code(tn.broadcast_code(program, *(t for _, t in pair), seed))
        elif got is not None:
            trace = tn.dot(got["x"], got["y"], int(st.session_state[S.key("row")]), int(st.session_state[S.key("col")]))
            if trace.error:
                st.error(f"**{trace.rule}**: {trace.error}")
            else:
                terms = " + ".join(f"{a:.3g}·{b:.3g}" for a, b in zip(trace.row, trace.col))
                st.markdown(f"**Shape rule: {trace.rule}**  \nOutput entry {list(trace.index)} = row of x · column of y "
                            f"= {terms} = **{trace.entry:.4g}**")
                st.plotly_chart(plots.dot_figure(trace), key="tn-dot", width="stretch")
            code(tn.dot_code(program, *(t for _, t in pair), trace.index[0] if trace.a.ndim == 2 and trace.index else 0,
                             trace.index[-1] if trace.b.ndim == 2 and trace.index else 0, seed))

    else:
        kind = st.session_state[S.key("transform")]
        layer = tn.playground_layer(st.session_state.get(tn.PLAYGROUND))     # read from its Keras model now
        own = kind == "playground layer" and layer is not None and layer.why_not is None
        picture, panel = st.columns([3, 2], gap="medium")
        c1, c2 = panel.columns(2)
        if links.shown(S, "transform"):
            offered = [t for t in tn.TRANSFORMS if t != "playground layer" or layer is not None or kind == t]
            c1.radio("Transform", offered, key=S.key("transform"),
                     format_func=lambda t: "the playground's first layer" if t == "playground layer" else t)
        if links.shown(S, "figure"):
            c2.radio("Figure", tn.FIGURES, key=S.key("figure"))
        params = {"rotation": ("angle",), "scaling": ("sx", "sy"), "shear": ("shear",), "translation": ("tx", "ty"),
                  "matrix": (), "trained layer": (), "playground layer": ()}
        for name in params[kind]:
            if links.shown(S, name):
                setting = S[name]
                panel.slider(setting.label, float(setting.low), float(setting.high),
                             step=1.0 if name == "angle" else 0.1, key=S.key(name))
        if kind == "matrix" and links.shown(S, "matrix"):
            panel.text_input(S["matrix"].label, key=S.key("matrix"),
                             help="Four numbers, row by row: the image of (1, 0) is the first column, of (0, 1) the second.")
        if kind == "playground layer" and layer is None:
            panel.info("No network on the Network playground yet: open it, train a network with X₁ and X₂ as "
                       "inputs and 2 neurons in its first hidden layer, and come back. The page's own trained "
                       "layer is drawn meanwhile.")
        elif kind == "playground layer" and not own:
            panel.info(f"The playground's first layer ({layer.name}) is not drawn here: {layer.why_not}. "
                       "The page's own trained layer is drawn instead.")
        if own:
            panel.markdown(f"**The playground's {layer.name}: Dense(2, {layer.activation})**, its weights read from "
                           f"the Keras model at training step {layer.step}:")
            panel.dataframe(pd.DataFrame(np.vstack([layer.kernel, layer.bias[None, :]]),
                                         index=["W row x1", "W row x2", "b"], columns=["unit 1", "unit 2"]),
                            key="tn-playground-weights")
        else:
            if links.shown(S, "second"):
                panel.checkbox(S["second"].label, key=S.key("second"))
            if links.shown(S, "relu"):
                panel.checkbox(S["relu"].label, key=S.key("relu"))
        links.publish(S)
        args = [st.session_state[S.key(n)] for n in ("angle", "sx", "sy", "shear", "tx", "ty")]
        typed = st.session_state[S.key("matrix")]
        try:
            first = tn.transform(kind, *args, typed, seed, layer)
        except ProgramError as e:
            show_error(typed, e, "Matrix")
            first, typed = tn.Affine(), "1, 0; 0, 1"
        second = tn.SECOND if st.session_state[S.key("second")] and not own else None
        fold = bool(st.session_state[S.key("relu")]) and not own
        figure = tn.shape_lines(st.session_state[S.key("figure")], seed)
        moved = first if second is None else first.then(second)
        a, t = np.round(moved.matrix, 3).tolist(), np.round(moved.offset, 3).tolist()
        text = f"x ↦ A·x + t with A = {a}, t = {t}"
        if second is not None:
            gap = max(tn.composition_gap(first, second, p) for p in figure.values())
            text += f" — one affine map: mapping twice and mapping once by (A₂A₁, A₂t₁ + t₂) differ by at most {gap:.1e}"
        if own:
            text += (f" (A = Wᵀ, t = b: the kernel's columns are A's rows), then {layer.activation} on each "
                     "coordinate — the dotted figure is the affine image, the blue one after the activation")
        elif kind in ("trained layer", "playground layer"):
            losses = tn.train_layer(seed).losses
            text += (f" — the hidden layer of Dense(2, relu) → Dense(1, sigmoid) after {tn.LAYER_STEPS} steps on the two "
                     f"classes (loss {losses[0]:.3f} → {losses[-1]:.3f}, seed {seed})")
        if fold:
            text += " — then relu: every point with a negative coordinate folds onto an axis"
        panel.markdown(f"**{text}**")
        picture.plotly_chart(plots.geometry_figure(first, second, fold, figure, tn.ACTIVATIONS[layer.activation] if own else None), key="tn-geometry", width="stretch")
        panel.caption("Grey: before. Blue: after. The letter F in red, so a turn and a mirror image look different."
                      if st.session_state[S.key("figure")] == "grid and F" else
                      "Grey: before. After: class 0 in orange, class 1 in blue (Chollet's two point clouds).")
        with picture:
            code(tn.geometry_code(kind, *args, second, fold, typed, seed, layer))

if editing:
    left.caption("Orange: the entries a slice selects; the row and the column a dot-product entry reads. "
                 "Grey scale: values.")
