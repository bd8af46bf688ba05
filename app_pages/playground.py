"""Network playground: build a small network, train it, watch the decision boundary move live."""

import streamlit as st

from app_pages import _components as components
from app_pages import _links as links
from app_pages import _playground_views as views
from explorer import playground as pg
from explorer import playground_live as pl
from explorer.errors import ProgramError

S = pg.SETTINGS
# the controls that start the network again: the picture says so the moment one is touched
RESTART_KEYS = [S.key(n) for n in pl.RESTART if n in S.defaults()] + ["pg_depth", "pg_units_*", "pg_regenerate",
                                                                      "pg_upload"]
# the page's own width: the output and the network side by side above the fold at 1280×720
WIDE = ("<style>[data-testid=stMainBlockContainer] {padding-left: 1.5rem !important;"
        " padding-right: 1.5rem !important}</style>")


def value(name: str):
    return st.session_state[S.key(name)]


def shown(name: str) -> bool:
    return links.shown(S, name)


def live() -> pl.Live:
    return st.session_state.setdefault("pg_live", pl.Live())


def on_event() -> None:
    """What the live picture asked for: Play, Pause, Step, Reset and a clicked point redraw the whole page
    (the exports, the point program and the replay follow the network); more frames redraw the picture."""
    view = st.session_state.get("pg_view")
    event = view.get("event") if hasattr(view, "get") else None
    if live().handle(event, int(value("add_class"))) == "page":
        st.rerun()
    st.session_state.pg_frames_only = True


def next_seed() -> None:
    st.session_state[S.key("seed")] = int(value("seed")) + 1


def layers_from_widgets() -> None:
    """The layer count and each layer's neurons are drawn as several inputs; the setting is one list."""
    old = list(value("layers"))
    st.session_state[S.key("layers")] = [st.session_state.get(f"pg_units_{i}", old[i] if i < len(old) else 2)
                                         for i in range(int(st.session_state.pg_depth))]


def features_in_order() -> None:
    st.session_state[S.key("features")] = [f for f in pg.FEATURES if f in value("features")]


def read_upload() -> None:
    upload = st.file_uploader("CSV with columns x1, x2, label", type=["csv"], key="pg_upload")
    if upload is not None and st.session_state.get("pg_upload_id") != upload.file_id:
        st.session_state.pg_upload_id = upload.file_id
        try:
            st.session_state.pg_csv = (upload.file_id, pg.load_csv(upload.getvalue()))
            st.session_state.pop("pg_csv_error", None)
        except ValueError as e:
            st.session_state.pg_csv_error = str(e)
    if "pg_csv_error" in st.session_state:
        st.error(f"Could not use that file: {st.session_state.pg_csv_error}."
                 + (" The previous data is kept." if "pg_csv" in st.session_state else ""))


links.restore(S)
for setting in S.table:      # kept while a control is hidden or not drawn (Streamlit drops an undrawn widget's value)
    st.session_state[S.key(setting.name)] = st.session_state.get(S.key(setting.name), setting.default)
links.presentation_css()
st.markdown(WIDE, unsafe_allow_html=True)
head, toggle = st.columns([3, 1], vertical_alignment="center")
head.markdown("### Network playground")
with toggle:
    links.presentation_toggle()
links.link_errors(S)

controls, main = st.columns([1, 3.2], gap="medium")
with controls:
    if shown("data"):
        st.selectbox("Data set", list(pg.DATASETS), format_func=pg.DATASETS.get, key=S.key("data"))
    if value("data") == "csv":
        read_upload()
    if value("data") == "curve" and shown("curve"):
        st.text_input("y = f(x)", key=S.key("curve"), help="The program language; try tf.abs(x) * 2 - 3 or "
                                                           "0.05 * x**3.")
    if value("data") == "blobs" and shown("classes"):
        st.slider("Classes", 3, 5, key=S.key("classes"))
    add_class_slot = st.empty()       # filled once the data's classes are known
    if shown("lr"):
        st.selectbox("Learning rate", pg.LEARNING_RATES, key=S.key("lr"))
    if shown("activation"):
        st.selectbox("Activation", pg.ACTIVATIONS, key=S.key("activation"))
    if shown("noise"):
        st.slider("Noise (%)", 0, 50, step=5, key=S.key("noise"))
    if shown("ratio"):
        st.slider("Training data (%)", 10, 90, step=10, key=S.key("ratio"))
    if shown("features"):
        st.pills("Features", list(pg.FEATURES), selection_mode="multi", format_func=pg.FEATURES.get,
                 key=S.key("features"), on_change=features_in_order, width="stretch")
    if shown("layers"):
        st.session_state.pg_depth = len(value("layers"))
        for i, units in enumerate(value("layers")):
            st.session_state[f"pg_units_{i}"] = units
        st.number_input("Hidden layers", 0, 6, key="pg_depth", on_change=layers_from_widgets)
        for row in range(0, len(value("layers")), 3):
            cells = st.columns(3, gap="small")
            for i in range(row, min(row + 3, len(value("layers")))):
                cells[i - row].number_input(f"layer {i + 1}", 1, 8, key=f"pg_units_{i}",
                                            on_change=layers_from_widgets)
    if shown("opt"):
        st.selectbox("Optimizer", pg.OPTIMIZERS, format_func=pg.OPTIMIZER_LABELS.get, key=S.key("opt"))
    if shown("batch"):
        st.slider("Batch size", 1, 30, key=S.key("batch"))
    if shown("reg"):
        st.selectbox("Regularization", pg.REGULARIZATIONS, key=S.key("reg"))
    if shown("rate"):
        st.selectbox("Regularization rate", pg.REGULARIZATION_RATES, key=S.key("rate"))
    if shown("seed"):
        st.number_input("Seed", 0, pg.MAX_SEED, key=S.key("seed"), help="Data, initial weights and batches.")
        if shown("regenerate"):
            st.button("Regenerate", icon=":material/refresh:", width="stretch", key="pg_regenerate",
                      on_click=next_seed)
    for name in ("show_test", "discretize", "grads"):
        if shown(name):
            st.toggle(S[name].label, key=S.key(name))

values = {s.name: value(s.name) for s in S.table}
live().configure(values, st.session_state.get("pg_csv"))
links.publish(S)
trainer: pg.Trainer | None = live().trainer
error = live().error

with main:
    if error is not None:
        st.error(f"Column {error.col}: {error.message}" if isinstance(error, ProgramError) and error.col else
                 f"Nothing to train on: {error}." if values["data"] == "csv" else str(error))
        st.stop()
    classes = list(range(max(2, trainer.train_data.classes))) if trainer.kind == "classification" else []
    if classes and value("add_class") not in classes:
        st.session_state[S.key("add_class")] = 0
    if classes and shown("add_class"):
        add_class_slot.pills("A click on the output adds class", classes, key=S.key("add_class"), required=True)

    @st.fragment
    def picture() -> None:
        """The live picture; its requests for frames rerun only this."""
        full = not st.session_state.pop("pg_frames_only", False)
        message = live().message(value("show_test"), value("discretize"), value("grads"), full)
        components.playground_live({**message, "large": links.presenting(), "restart_keys": RESTART_KEYS},
                                   key="pg_view", on_event=on_event)

    picture()

    st.markdown("**What am I looking at?** A small network of Keras `Dense` layers learning to separate the points "
                "on the right. Each small square is one neuron's output over the whole input plane; the lines are "
                "the weights (blue positive, orange negative, thicker = larger). Press **Play** and watch the output "
                "(the background: orange class 0, blue class 1) bend to the data.")
    views.below_the_picture(trainer, live().playing, shown, value)
