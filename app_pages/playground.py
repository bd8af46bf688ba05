"""Network playground: build a small network, train it, watch the decision boundary."""

import contextlib
import threading

import streamlit as st

from app_pages import _links as links
from explorer import playground as pg
from explorer import playground_plots as plots
from explorer.errors import ProgramError

S = pg.SETTINGS
STEPS_PER_TICK = 125          # mini-batch steps per refresh while playing: 250 a second
TICK = 0.5                    # seconds between refreshes (each redraws three charts in the browser)
# the page's own width: the output and the network side by side above the fold at 1280×720
WIDE = ("<style>[data-testid=stMainBlockContainer] {padding-left: 1.5rem !important;"
        " padding-right: 1.5rem !important}</style>")


def value(name: str):
    return st.session_state[S.key(name)]


def shown(name: str) -> bool:
    return links.shown(S, name)


def playing() -> bool:
    return st.session_state.setdefault("pg_go", threading.Event()).is_set()


def set_playing(on: bool) -> None:
    """Play and Pause set the state they show, rather than toggling it: a click that reaches the
    server twice (one refresh may be in flight) must not undo itself. The switch turns under the
    trainer's lock: a refresh still training when Pause is pressed (Streamlit starts the next run
    without waiting for it) finishes first, so the paused page shows every step taken."""
    go, trainer = st.session_state.setdefault("pg_go", threading.Event()), st.session_state.get("pg_trainer")
    with trainer.lock if trainer is not None else contextlib.nullcontext():
        go.set() if on else go.clear()


def reset() -> None:
    st.session_state.pop("pg_built", None)     # the next run builds a fresh trainer from the settings


def step_once() -> None:
    st.session_state.pg_pending = st.session_state.get("pg_pending", 0) + 1


def next_seed() -> None:
    st.session_state[S.key("seed")] = int(value("seed")) + 1


def layers_from_widgets() -> None:
    """The layer count and each layer's neurons are drawn as several inputs; the setting is one list."""
    old = list(value("layers"))
    st.session_state[S.key("layers")] = [st.session_state.get(f"pg_units_{i}", old[i] if i < len(old) else 2)
                                         for i in range(int(st.session_state.pg_depth))]


def features_in_order() -> None:
    st.session_state[S.key("features")] = [f for f in pg.FEATURES if f in value("features")]


def add_clicked_point(chart_key: str) -> None:
    """A click on the output adds a point of the chosen class where it landed; training goes on."""
    point, trainer = plots.clicked_point(st.session_state.get(chart_key)), st.session_state.get("pg_trainer")
    if point is not None and trainer is not None and trainer.kind == "classification":
        trainer.add_point(*point, int(value("add_class")))
        st.session_state.pg_added = list(trainer.added)


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


def build(values: dict) -> None:
    """A trainer for the settings, when they changed: new data drops the clicked points, a new network
    on the same data keeps them. Nothing to train on (no CSV yet, a bad formula) is an error, not data."""
    csv = st.session_state.get("pg_csv")
    data_key = (values["data"], values["noise"], values["seed"],
                values["classes"] if values["data"] == "blobs" else None,
                values["curve"] if values["data"] == "curve" else None,
                csv[0] if values["data"] == "csv" and csv else None)
    key = (data_key, repr({k: values[k] for k in ("features", "layers", "activation", "lr", "batch", "opt", "reg",
                                                   "rate", "ratio")}))
    if st.session_state.get("pg_built") == key:
        return
    if st.session_state.get("pg_built", (None,))[0] != data_key:
        st.session_state.pg_added = []
    set_playing(False)
    st.session_state.pg_built = key
    try:
        spec, data = pg.spec_from(values), pg.data_from(values, csv[1] if csv else None)
        split = (values["ratio"] / 100, int(values["seed"]))
        train, test = pg.split(data, *split)
        trainer = st.session_state.get("pg_trainer") or st.session_state.get("pg_last_trainer")
        if trainer is not None and trainer.can_restart(spec, train):
            trainer.restart(spec, train, test, split)        # the same compiled functions: nothing to trace
        else:
            trainer = pg.Trainer(spec, train, test, split)
        for point in st.session_state.pg_added:
            trainer.add_point(*point)
        st.session_state.pg_trainer = st.session_state.pg_last_trainer = trainer
        st.session_state.pg_error = None
    except (ValueError, ProgramError) as e:
        st.session_state.pg_trainer, st.session_state.pg_error = None, e


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
    st.button("Pause" if playing() else "Play", icon=":material/pause:" if playing() else ":material/play_arrow:",
              on_click=set_playing, args=(not playing(),), width="stretch", type="primary", key="pg_play")
    b = st.columns(2, gap="small")
    b[0].button("Step", icon=":material/skip_next:", width="stretch", key="pg_step", on_click=step_once)
    b[1].button("Reset", icon=":material/restart_alt:", on_click=reset, width="stretch", key="pg_reset")
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
build(values)
links.publish(S)
trainer: pg.Trainer | None = st.session_state.pg_trainer
error = st.session_state.pg_error

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

    @st.fragment(run_every=TICK if playing() else None)
    def live() -> None:
        """What changes while training; reruns on its own while playing, without the rest of the page."""
        if playing():
            trainer.steps(STEPS_PER_TICK, only_while=st.session_state.pg_go)
        elif st.session_state.get("pg_pending"):
            trainer.steps(st.session_state.pg_pending)
            st.session_state.pg_pending = 0
        h = trainer.history
        chart_key = f"pg_output_{len(trainer.added)}"     # a fresh chart after each added point: the next click counts
        st.markdown(f"### Epoch {trainer.epoch:,.1f} · step {trainer.step:,}")
        network, output = st.columns([0.85, 1.15], gap="small")
        network.plotly_chart(plots.network_figure(trainer, value("grads")), key="pg_network",
                             config={"displayModeBar": False})
        output.plotly_chart(plots.output_figure(trainer, value("show_test"), value("discretize"),
                                                   clickable=not playing()), key=chart_key,
                            on_select=(lambda: add_clicked_point(chart_key)) if classes else "ignore",
                            selection_mode="points", config={"displayModeBar": False})
        output.markdown(f"train loss **{h.train_loss[-1]:.3f}** · test loss **{h.test_loss[-1]:.3f}**"
                        + (f" · test accuracy **{100 * h.test_accuracy[-1]:.1f} %**"
                           if trainer.kind == "classification" else ""))
        st.plotly_chart(plots.loss_figure(trainer), key="pg_loss", config={"displayModeBar": False})

    live()

    st.markdown("**What am I looking at?** A small network of Keras `Dense` layers learning to separate the points "
                "on the right. Each small square is one neuron's output over the whole input plane; the lines are "
                "the weights (blue positive, orange negative, thicker = larger). Press **Play** and watch the output "
                "(the background: orange class 0, blue class 1) bend to the data.")
    names = ["Boundary over training", "How each layer bends space", "One point, forward and backward"] \
        + (["Export"] if shown("export") else [])
    tabs = st.tabs(names, key="pg_tab", on_change="rerun")     # only the open tab is computed
    replay = st.session_state.get("pg_replay")
    replay = replay[2:] if replay and replay[:2] == (trainer, trainer.generation) else None
    if tabs[0].open:
        with tabs[0]:
            st.caption("The output over the input plane at up to 60 moments recorded while training; replay it "
                       "with ▶.")
            if st.button("Build the replay", key="pg_build_replay"):
                bar = st.progress(0.0, text="Recording the boundary at each moment of training …")
                frames = trainer.boundary_frames(100, 60, progress=lambda f: bar.progress(
                    f, text=f"Recording the boundary at each moment of training … {f:.0%}"))
                bar.progress(1.0, text="Drawing the animation and saving it as HTML …")
                figure = plots.replay_figure(trainer, frames)
                replay = figure, figure.to_html(include_plotlyjs=True)
                st.session_state.pg_replay = (trainer, trainer.generation, *replay)
                bar.empty()
            if replay:
                st.plotly_chart(replay[0], key="pg_replay_chart")
    if tabs[1].open:
        with tabs[1]:
            st.caption("Straight grid lines of the input plane, carried through each hidden layer: each layer is an "
                       "affine map followed by the activation's fold. Layers wider than 2 are seen through a fixed "
                       "projection.")
            with st.spinner("Carrying the grid through each layer at each recorded moment …"):
                warp = plots.warp_figure(trainer)
            st.plotly_chart(warp, key="pg_warp")
    if tabs[2].open:
        with tabs[2]:
            if shown("point"):
                st.number_input("Training point", 0, max(0, trainer.train_data.n - 1), key=S.key("point"))
            index = min(int(value("point")), trainer.train_data.n - 1)
            program = trainer.point_program(index)
            st.markdown(f"Point ({trainer.train_data.x[index][0]:.3f}, {trainer.train_data.x[index][1]:.3f}), label "
                        f"{trainer.train_data.y[index]}: the network with its current weights, as a program of the "
                        "Graph page's language (regularization left out).")
            st.code(program, language="python")
            if st.button("Step through it on the Backprop page", key="pg_send"):
                st.session_state.graph_handoff = (program, "float32", 0)
                st.session_state.wt_program = program
                st.switch_page("app_pages/walkthrough.py")
    if len(tabs) > 3 and tabs[3].open:
        with tabs[3]:
            if playing():
                st.caption("Pause to export the network as it is at that step.")
            saved = st.session_state.get("pg_saved")
            if not saved or saved[:2] != (trainer.generation, trainer.step) or saved[2] is not trainer:
                saved = st.session_state.pg_saved = (trainer.generation, trainer.step, trainer, trainer.keras_file())
            # the files are made here, not when clicked: a click's file must not depend on a rerun that a
            # refresh may interrupt, and a click does not rerun the page
            c = st.columns(3)
            c[0].download_button("Trained model (.keras)", saved[3], "playground.keras", "application/octet-stream",
                                 key="pg_dl_model", on_click="ignore", disabled=playing())
            c[1].download_button("Keras code (.py)", trainer.keras_code(), "playground.py", "text/x-python",
                                 key="pg_dl_code", on_click="ignore", disabled=playing())
            if replay:
                c[2].download_button("Boundary animation (.html)", replay[1], "playground.html", "text/html",
                                     key="pg_dl_html", on_click="ignore", disabled=playing())
            else:
                c[2].caption("Build the replay first to save it as HTML.")
            st.caption("Share: the address bar holds every setting and the seed.")
    code = st.expander("Show the TensorFlow code", key="pg_code", on_change="rerun")    # drawn when opened
    if code.open:
        with code:
            st.code(trainer.keras_code(), language="python")
