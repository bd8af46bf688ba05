"""Tensors: rank, shape and dtype drawn; a slice highlighted in its source; broadcasting step by step; the
dot product's shape rule with one entry traced; 2-D geometry (affine maps, their composition, relu)."""

import streamlit as st

from app_pages import _links as links
from app_pages._runs import FitProgress, cached_run
from app_pages._shared import OWN
from explorer import tensor_plots as plots
from explorer import tensor_text as say
from explorer import tensors as tn
from explorer.errors import ProgramError, excerpt
from explorer.tensor_settings import GEOMETRY_PARAMS, SHORT, VIEWS, matching_preset, preset_values
from explorer.tensor_settings import SETTINGS as S


def runner(source: str, dtype: str, seed: int):
    """The program's run, shared by every session, inside the server's admission gate (a wait is said)."""
    bar = FitProgress()
    try:
        return cached_run(source, dtype, seed, waiting=bar.waiting)
    finally:
        bar.done()


def show_error(text: str, error: ProgramError, where: str) -> None:
    st.error(f"**{where}, line {error.line}, column {error.col}:** {error.message}" if error.line else error.message)
    if excerpt(text, error):
        st.code(excerpt(text, error), language=None)


def pick_example() -> None:
    title = st.session_state[S.prefix + "example"]
    st.session_state.update({S.key(n): v for n, v in (preset_values(tn.preset(title)) if title != OWN else {}).items()})


def pick_tensor() -> None:
    if st.session_state[S.prefix + "pick"]:
        st.session_state[S.key("expression")] = st.session_state[S.prefix + "pick"]


def control(where, widget: str, name: str, *args, **kwargs) -> None:
    """A setting's control, labelled from the settings table, unless a teacher link hides it."""
    if links.shown(S, name):
        getattr(where, widget)(S[name].label, *args, key=S.key(name), **kwargs)


def code(text: str) -> None:
    with st.expander("Show the TensorFlow code"):
        st.code(text, language="python")


setting = lambda name: st.session_state[S.key(name)]       # noqa: E731 - a setting's value now


links.restore(S)
for s in S.table:      # kept while a control is hidden or its view not shown (Streamlit drops an undrawn widget's value)
    st.session_state[S.key(s.name)] = st.session_state.get(S.key(s.name), s.default)
links.presentation_css()
head, views, toggle = st.columns([2, 5, 3], vertical_alignment="center")
head.markdown("### Tensors")
chosen = views.segmented_control("View", VIEWS, key=S.key("view"), label_visibility="collapsed", required=True,
                                 format_func=SHORT.get)
with toggle:
    links.presentation_toggle()
links.link_errors(S)

with st.sidebar:
    if links.shown(S, "example"):
        st.session_state[S.prefix + "example"] = matching_preset({s.name: setting(s.name) for s in S.table}) or OWN
        st.selectbox("Example", [p.title for p in tn.PRESETS] + [OWN], key=S.prefix + "example", on_change=pick_example,
                     help="The examples of MIT 6.S191's lab 1 and chapter 2 of Deep Learning with Python.")
    control(st, "number_input", "seed", min_value=0, max_value=int(S["seed"].high), step=1)
    control(st, "selectbox", "read_as", tn.READ_AS,
            help="Chollet 2.2.9–2.2.12: which axis is samples, features, timesteps, height, width, channels, frames.")

editing = links.shown(S, "program") and setting("view") != "Geometry"     # the geometry needs no program
left, right = st.columns([1, 2], gap="medium") if editing else (st.container(), st.container())
if editing:
    control(left, "text_area", "program", height=260,
            help="TensorFlow code in the app's program language (the Graph page's): it binds the names the boxes "
                 "on the right use. Ctrl+Enter runs it.")
program, seed = setting("program"), int(setting("seed"))


def shapes_view() -> None:
    got, error = tn.last_good(st.session_state, "tn_good_shape", tn.look, program, setting("expression"), seed,
                              runner=runner)
    if links.shown(S, "expression"):
        if got is not None and got.bound:
            st.session_state[S.prefix + "pick"] = setting("expression") if setting("expression") in got.bound else None
            st.pills(say.PICK_LABEL, list(got.bound), key=S.prefix + "pick", on_change=pick_tensor,
                     format_func=lambda n: say.choice(n, got.bound[n]))
        control(st, "text_input", "expression", placeholder="matrix[:, 2]", help=say.EXPRESSION_HELP)
    links.publish(S)
    if error is not None:
        mine = error.message.startswith("in the ")
        show_error(setting("expression") if mine else program, error, "Expression" if mine else "Program")
    if got is None:
        return
    info = tn.describe(got.value, setting("read_as"))
    st.markdown(say.shape_line(got.name, info) + (f"  \n{say.selection_line(got.selection, info)}" if got.selection else ""))
    if got.movement is not None:
        st.markdown(say.movement_line(got.movement))
        st.plotly_chart(plots.movement_figure(got.movement), key="tn-moved", width="stretch")
        st.caption(say.MOVEMENT_CAPTION)
    else:
        if got.too_many:
            st.caption(say.too_many(got.too_many))
        st.plotly_chart(plots.tensor_figure(got.value, info, got.mask), key="tn-tensor", width="stretch")
        if info.rank >= 3:
            st.caption(plots.panel_caption(info))
    code(got.code(seed))


def pair_view(broadcasting: bool) -> None:
    c1, c2, c3, c4 = st.columns([1, 1, 1.4, 1])
    control(c1, "text_input", "left")
    control(c2, "text_input", "right")
    if broadcasting:
        control(c3, "selectbox", "op", list(tn.OPS), format_func=lambda o: tn.OPS[o][0])
    else:
        control(c3, "number_input", "row", min_value=0, max_value=int(S["row"].high))
        control(c4, "number_input", "col", min_value=0, max_value=int(S["col"].high))
    links.publish(S)
    pair = {"x": setting("left"), "y": setting("right")}
    got, error = tn.last_good(st.session_state, "tn_good_pair", tn.evaluate, program, pair, seed, runner=runner)
    if error is not None:
        where = "x" if "in the x" in error.message else "y" if "in the y" in error.message else None
        show_error(pair[where] if where else program, error, where or "Program")
    if got is None:
        return
    if broadcasting:
        op = setting("op")
        plan = tn.broadcast(got["x"].shape, got["y"].shape, op)
        if plan.error:
            st.error(say.mismatch(plan))
        else:
            st.markdown(say.broadcast_head(plan, op))
            st.plotly_chart(plots.broadcast_figure(tn.broadcast_stages(got["x"], got["y"], op), plan, op),
                            key="tn-broadcast", width="stretch")
            st.markdown(say.broadcast_steps(plan))
            st.caption(say.broadcast_caption(plan))
        return code(tn.broadcast_code(program, pair["x"], pair["y"], seed, op))
    trace = tn.dot(got["x"], got["y"], int(setting("row")), int(setting("col")))
    if trace.error:
        st.error(f"**{trace.rule}**: {trace.error}")
    else:
        st.markdown(say.dot_line(trace))
        st.plotly_chart(plots.dot_figure(trace), key="tn-dot", width="stretch")
    code(tn.dot_code(program, pair["x"], pair["y"], *trace.traced, seed))


def geometry_view() -> None:
    kind = setting("transform")
    layer = tn.playground_layer(tn.playground_trainer(st.session_state))     # read from its Keras model now
    own = kind == "playground layer" and layer is not None and layer.why_not is None
    picture, panel = st.columns([3, 2], gap="medium")
    c1, c2 = panel.columns(2)
    control(c1, "radio", "transform", [t for t in tn.TRANSFORMS if t != "playground layer" or layer or kind == t],
            format_func=lambda t: "the playground's first layer" if t == "playground layer" else t)
    control(c2, "radio", "figure", tn.FIGURES)
    for name in GEOMETRY_PARAMS.get(kind, ()):
        control(panel, "slider", name, float(S[name].low), float(S[name].high), step=1.0 if name == "angle" else 0.1)
    if kind == "matrix":
        control(panel, "text_input", "matrix",
                help="Four numbers, row by row: the image of (1, 0) is the first column, of (0, 1) the second.")
    if kind == "playground layer" and not own:
        panel.info(say.NO_PLAYGROUND if layer is None else say.not_drawn(layer))
    if own:
        panel.markdown(say.playground_weights(layer))
        panel.dataframe(say.weights_table(layer), key="tn-playground-weights")
    else:
        control(panel, "checkbox", "second")
        if setting("second"):
            a2, t2 = panel.columns([3, 2])
            control(a2, "text_input", "second_matrix", help="A₂ row by row; 0, -1; 1, 0 turns by 90°.")
            control(t2, "text_input", "second_offset")
        control(panel, "checkbox", "relu")
    links.publish(S)
    g = tn.geometry({s.name: setting(s.name) for s in S.table}, layer)
    for where, text, error in g.errors:
        with panel:
            show_error(text, error, where)
    figure = tn.shape_lines(setting("figure"), seed)
    panel.markdown(say.geometry_line(g, figure, seed))
    picture.plotly_chart(plots.geometry_figure(g.first, g.second, g.fold, figure, g.activation), key="tn-geometry",
                         width="stretch")
    panel.caption(say.geometry_caption(setting("figure"), g.second is not None))
    with picture:
        code(g.code())


with right:
    {"Shapes & slices": shapes_view, "Broadcasting": lambda: pair_view(True), "Dot product": lambda: pair_view(False),
     "Geometry": geometry_view}[chosen]()
if editing:
    left.caption("Orange: the entries a slice selects; the row and the column a dot-product entry reads. "
                 "Grey scale: values.")
