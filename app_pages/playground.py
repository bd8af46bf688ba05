"""Network playground: build a small network, train it, watch the decision boundary."""

import streamlit as st

from explorer import playground as pg
from explorer import playground_plots as plots
from explorer.errors import ProgramError
from explorer.share import decode_program, encode_program

DATASETS = {"circle": "Circle", "xor": "Exclusive or", "gauss": "Gaussian", "spiral": "Spiral", "moons": "Two moons",
            "blobs": "Blobs (3-5 classes)", "curve": "Above / below y = f(x)", "csv": "Your CSV",
            "plane": "Plane (regression)", "multigauss": "Multi-Gaussian (regression)"}
STEPS_PER_TICK = 100          # mini-batch steps per refresh while playing
TICK = 0.4                    # seconds between refreshes
SHARED = ("data", "noise", "ratio", "seed", "classes", "features", "hidden", "activation", "lr", "batch", "opt",
          "reg", "rate", "curve")


def restore_from_url() -> None:
    """First load only: every setting and the seed from a share link."""
    if st.session_state.get("pg_restored"):
        return
    st.session_state.pg_restored = True
    q = st.query_params
    try:
        if q.get("data") in DATASETS:
            st.session_state.pg_data = q["data"]
        for key, cast in (("noise", int), ("ratio", int), ("seed", int), ("classes", int), ("batch", int)):
            if key in q:
                st.session_state[f"pg_{key}"] = cast(q[key])
        if "features" in q:
            chosen = [f for f in q["features"].split(",") if f in pg.FEATURES]
            for f in pg.FEATURES:
                st.session_state[f"pg_f_{f}"] = f in chosen
        if "hidden" in q:
            sizes = [int(h) for h in q["hidden"].split(",") if h]
            st.session_state.pg_layers = len(sizes)
            for i, h in enumerate(sizes):
                st.session_state[f"pg_units_{i}"] = h
        for key in ("activation", "opt", "reg"):
            if key in q:
                st.session_state[f"pg_{key}"] = q[key]
        for key in ("lr", "rate"):
            if key in q:
                st.session_state[f"pg_{key}"] = float(q[key])
        if "curve" in q:
            st.session_state.pg_curve = decode_program(q["curve"])
    except ValueError:
        st.session_state.pg_link_error = "the link's settings could not be read; showing the defaults"


def set_playing(value: bool) -> None:
    """Play and Pause set the state they show, rather than toggling it: a click that reaches the
    server twice (one refresh may be in flight) must not undo itself."""
    st.session_state.pg_playing = value


def reset() -> None:
    st.session_state.pop("pg_key", None)     # the next run builds a fresh trainer from the settings
    st.session_state.pg_playing = False


def next_seed() -> None:
    st.session_state.pg_seed = int(st.session_state.get("pg_seed", 0)) + 1


def load_data(name: str, n: int, noise: float, seed: int, classes: int) -> pg.Dataset:
    if name == "curve":
        return pg.curve_dataset(st.session_state.get("pg_curve", "3 * tf.sin(x)"), n, noise, seed)
    if name == "csv":
        return st.session_state.get("pg_csv_data") or pg.make_dataset("xor", n, noise, seed)
    return pg.make_dataset(name, n, noise, seed, classes)


restore_from_url()
st.title("Network playground")
st.markdown("**What am I looking at?** A small network of Keras `Dense` layers learning to separate the points "
            "on the right. Each small square is one neuron's output over the whole input plane; the lines are the "
            "weights (blue positive, orange negative, thicker = larger). Press **Play** and watch the output "
            "(the background) bend to the data.")
if "pg_link_error" in st.session_state:
    st.warning(st.session_state.pop("pg_link_error"))

data_col, net_col = st.columns([1, 4], gap="medium")
with data_col:
    st.subheader("Data")
    name = st.selectbox("Data set", list(DATASETS), format_func=DATASETS.get, key="pg_data")
    classes = st.slider("Classes", 3, 5, 3, key="pg_classes") if name == "blobs" else 3
    if name == "curve":
        formula = st.text_input("y = f(x)", "3 * tf.sin(x)", key="pg_curve",
                                help="The program language; try tf.abs(x) * 2 - 3 or 0.05 * x**3.")
    if name == "csv":
        upload = st.file_uploader("CSV with columns x1, x2, label", type=["csv"], key="pg_upload")
        if upload is not None and st.session_state.get("pg_upload_id") != upload.file_id:
            st.session_state.pg_upload_id = upload.file_id
            try:
                st.session_state.pg_csv_data = pg.load_csv(upload.getvalue())
                reset()
            except ValueError as e:
                st.session_state.pg_csv_error = str(e)
        if "pg_csv_error" in st.session_state:
            st.error(f"Could not use that file: {st.session_state.pg_csv_error}. The previous data is kept.")
    noise = st.slider("Noise (%)", 0, 50, 0, 5, key="pg_noise")
    ratio = st.slider("Training data (%)", 10, 90, 50, 10, key="pg_ratio")
    seed = st.number_input("Seed", 0, 2**31 - 1, 0, key="pg_seed", help="Data, initial weights and batches.")
    st.button("Regenerate", icon=":material/refresh:", width="stretch", key="pg_regenerate", on_click=next_seed)
    show_test = st.toggle("Show test data", False, key="pg_show_test")
    discretize = st.toggle("Discretize output", False, key="pg_discretize")
    st.subheader("Features")
    chosen = [f for f, label in pg.FEATURES.items()
              if st.checkbox(label, value=f in ("x1", "x2"), key=f"pg_f_{f}")]

with net_col:
    c = st.columns(4)
    lr = c[0].selectbox("Learning rate", [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0], index=5,
                        key="pg_lr")
    activation = c[1].selectbox("Activation", pg.ACTIVATIONS, index=1, key="pg_activation")
    opt = c[2].selectbox("Optimizer", pg.OPTIMIZERS, key="pg_opt",
                         format_func={"sgd": "SGD", "momentum": "SGD + momentum", "rmsprop": "RMSprop",
                                      "adam": "Adam"}.get)
    batch = c[3].slider("Batch size", 1, 30, 10, key="pg_batch")
    c = st.columns(3)
    reg = c[0].selectbox("Regularization", ["none", "l1", "l2"], key="pg_reg")
    rate = c[1].selectbox("Regularization rate", [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0], key="pg_rate")
    layers = c[2].number_input("Hidden layers", 0, 6, 2, key="pg_layers")
    unit_cols = st.columns(6)
    hidden = tuple(unit_cols[i].number_input(f"layer {i + 1}", 1, 8, 4 if i == 0 else 2, key=f"pg_units_{i}")
                   for i in range(int(layers)))

error = None
try:
    data = load_data(name, 400 if name != "blobs" else 450, noise / 100, int(seed), classes)
    if not chosen:
        raise ValueError("choose at least one feature")
    spec = pg.NetworkSpec(tuple(chosen), tuple(int(h) for h in hidden), activation, float(lr), int(batch), opt,
                          None if reg == "none" else reg, float(rate), int(seed))
except (ValueError, ProgramError) as e:
    error, data, spec = e, None, None

extra = st.session_state.get("pg_extra_points", [])
key = (repr(spec), name, noise, ratio, int(seed), classes, st.session_state.get("pg_curve"),
       st.session_state.get("pg_upload_id"), len(extra))
if error is None and st.session_state.get("pg_key") != key:
    for x1, x2, label in extra:
        data = pg.add_point(data, x1, x2, label)
    train, test = pg.split(data, ratio / 100, int(seed))
    st.session_state.pg_trainer = pg.Trainer(spec, train, test)
    st.session_state.pg_key = key
    st.session_state.pg_playing = False
    st.query_params.update(data=name, noise=str(noise), ratio=str(ratio), seed=str(int(seed)), classes=str(classes),
                           features=",".join(chosen), hidden=",".join(map(str, spec.hidden)), activation=activation,
                           lr=str(lr), batch=str(batch), opt=opt, reg=reg, rate=str(rate),
                           **({"curve": encode_program(st.session_state.pg_curve)} if name == "curve" else {}))
with data_col:
    if error is not None:
        st.error(f"Column {error.col}: {error.message}" if isinstance(error, ProgramError) and error.col else str(error))
trainer: pg.Trainer | None = st.session_state.get("pg_trainer")
if trainer is None:
    st.stop()

def step_once() -> None:
    st.session_state.pg_pending = st.session_state.get("pg_pending", 0) + 1


with net_col:
    b = st.columns([1, 1, 1, 2, 2])
    playing = st.session_state.get("pg_playing", False)
    b[0].button("Pause" if playing else "Play", icon=":material/pause:" if playing else ":material/play_arrow:",
                on_click=set_playing, args=(not playing,), width="stretch", type="primary", key="pg_play")
    b[1].button("Step", icon=":material/skip_next:", width="stretch", key="pg_step", on_click=step_once)
    b[2].button("Reset", icon=":material/restart_alt:", on_click=reset, width="stretch", key="pg_reset")
    show_grads = b[3].toggle("Gradients on the weights", False, key="pg_grads")
    add_class = b[4].selectbox("Click the output to add a point of class",
                               list(range(max(2, trainer.train_data.classes))), key="pg_add_class") \
        if trainer.kind == "classification" else None


@st.fragment(run_every=TICK if st.session_state.get("pg_playing") else None)
def live(trainer: pg.Trainer) -> None:
    """What changes while training; reruns on its own while playing, without the rest of the page."""
    picked = st.session_state.get("pg_output")
    if picked and picked.get("selection", {}).get("points") and add_class is not None:
        point = picked["selection"]["points"][0]
        marker = (round(point["x"], 3), round(point["y"], 3), int(add_class))
        if st.session_state.get("pg_last_added") != marker:
            st.session_state.pg_last_added = marker
            st.session_state.pg_extra_points = extra + [marker]
            st.rerun()
    if st.session_state.get("pg_playing"):
        trainer.steps(STEPS_PER_TICK)
    elif st.session_state.get("pg_pending"):
        trainer.steps(st.session_state.pg_pending)
        st.session_state.pg_pending = 0
    h = trainer.history
    st.markdown(f"### Epoch {trainer.epoch:,.1f} · step {trainer.step:,}")
    network, output = st.columns(2, gap="medium")
    with network:
        st.plotly_chart(plots.network_figure(trainer, show_grads), width="stretch", key="pg_network")
        st.plotly_chart(plots.loss_figure(trainer), width="stretch", key="pg_loss")
    with output:
        st.markdown(f"train loss **{h.train_loss[-1]:.3f}** · test loss **{h.test_loss[-1]:.3f}**"
                    + (f" · test accuracy **{100 * h.test_accuracy[-1]:.1f} %**" if trainer.kind == "classification"
                       else ""))
        st.plotly_chart(plots.output_figure(trainer, show_test, discretize), width="stretch", key="pg_output",
                        on_select="rerun", selection_mode="points")


with net_col:
    live(trainer)

st.divider()
replay_tab, warp_tab, point_tab, export_tab = st.tabs(["Boundary over training", "How each layer bends space",
                                                       "One point, forward and backward", "Export"])
with replay_tab:
    st.caption("The output over the input plane at up to 60 moments recorded while training; replay it with ▶.")
    if st.button("Build the replay", key="pg_build_replay"):
        st.session_state.pg_replay = plots.replay_figure(trainer, trainer.boundary_frames(100, 60))
    if "pg_replay" in st.session_state:
        st.plotly_chart(st.session_state.pg_replay, width="stretch", key="pg_replay_chart")
with warp_tab:
    st.caption("Straight grid lines of the input plane, carried through each hidden layer: each layer is an affine "
               "map followed by the activation's fold. Layers wider than 2 are seen through a fixed projection.")
    st.plotly_chart(plots.warp_figure(trainer), width="stretch", key="pg_warp")
with point_tab:
    index = st.number_input("Training point", 0, max(0, trainer.train_data.n - 1), 0, key="pg_point")
    program = trainer.point_program(int(index))
    st.markdown(f"Point ({trainer.train_data.x[index][0]:.3f}, {trainer.train_data.x[index][1]:.3f}), label "
                f"{trainer.train_data.y[index]}: the network with its current weights, as a program of the "
                "Graph page's language (regularization left out).")
    st.code(program, language="python")
    if st.button("Step through it on the Backprop page", key="pg_send"):
        st.session_state.graph_handoff = (program, "float32", 0)
        st.session_state.wt_program = program
        st.switch_page("app_pages/walkthrough.py")
with export_tab:
    c = st.columns(3)
    # built when clicked: saving the model or inlining plotly.js on every rerun would slow the page
    c[0].download_button("Trained model (.keras)", trainer.keras_file, "playground.keras", key="pg_dl_model")
    c[1].download_button("Keras code (.py)", trainer.keras_code(), "playground.py", "text/x-python", key="pg_dl_code")
    if "pg_replay" in st.session_state:
        replay = st.session_state.pg_replay
        c[2].download_button("Boundary animation (.html)", lambda: replay.to_html(include_plotlyjs=True),
                             "playground.html", "text/html", key="pg_dl_html")
    else:
        c[2].caption("Build the replay first to save it as HTML.")
    st.caption("Share: the address bar holds every setting and the seed.")
    with st.expander("Show the TensorFlow code"):
        st.code(trainer.keras_code(), language="python")
