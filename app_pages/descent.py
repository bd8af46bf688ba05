"""Gradient descent lab: Keras optimizers racing on loss surfaces, a learning-rate sweep, SGD in one
dimension with its tangent, and the book's linear classifier trained from scratch."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from explorer import descent as gd
from explorer import descent_plots as plots
from explorer.errors import ProgramError

CUSTOM = "Your own f(x, y)"
LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
FUNCTIONS_1D = {"(x - 4)**2  (MIT lab: x_f = 4)": ("(x - 4)**2", 4.0),
                "x**4 - 3*x**2 + x  (two minima)": ("x**4 - 3*x**2 + x", None),
                "Your own L(x)": (None, None)}
HYPER_LABELS = {"momentum": "momentum", "rho": "rho", "beta_1": "beta_1", "beta_2": "beta_2",
                "initial_accumulator_value": "initial accumulator"}


@st.cache_data(max_entries=32, show_spinner="Running the optimizers …")
def cached_race(key: str, formula: str, configs: tuple, start: tuple, steps: int) -> list[gd.Path]:
    s = gd.SURFACES[key] if key != "custom" else gd.custom_surface(formula)
    return gd.race(s, [(name, dict(params)) for name, params in configs], start, steps)


@st.cache_data(max_entries=32, show_spinner=False)
def cached_race_figures(key: str, formula: str, configs: tuple, start: tuple, steps: int, arrows: bool):
    s = gd.SURFACES[key] if key != "custom" else gd.custom_surface(formula)
    paths = cached_race(key, formula, configs, start, steps)
    return plots.race_contour(s, paths, arrows), plots.race_surface3d(s, paths), plots.loss_chart(paths)


@st.cache_data(max_entries=32, show_spinner="Sweeping the learning rate …")
def cached_sweep(key: str, formula: str, optimizer: str, rates: tuple, start: tuple, steps: int):
    s = gd.SURFACES[key] if key != "custom" else gd.custom_surface(formula)
    paths = gd.sweep(s, optimizer, list(rates), start, steps)
    return paths, plots.sweep_chart(s, paths), plots.loss_chart(paths, labels=[f"lr = {r:g}" for r in rates])


@st.cache_data(max_entries=32, show_spinner=False)
def cached_1d(formula: str, start, lr: float, steps: int, seed: int, target):
    path = gd.descend_1d(formula, start, lr, steps, seed)
    lo = min(float(path.xs.min()), target if target is not None else float(path.xs.min())) - 2.0
    hi = max(float(path.xs.max()), target if target is not None else float(path.xs.max())) + 2.0
    xs, ys = gd.curve_1d(formula, lo, hi)
    return path, plots.tangent_animation(path, xs, ys, target), plots.x_versus_step(path, target)


@st.cache_data(max_entries=16, show_spinner="Training the linear classifier …")
def cached_classifier(loss: str, lr: float, steps: int, seed: int):
    c = gd.linear_classifier(loss, lr, steps, seed=seed)
    curve = go.Figure(go.Scatter(x=list(range(len(c.losses))), y=c.losses.tolist(), mode="lines+markers",
                                 line=dict(color="#0072B2", width=3), name="loss"))
    curve.add_trace(go.Scatter(x=list(range(len(c.accuracy))), y=(100 * c.accuracy).tolist(), yaxis="y2",
                               mode="lines", line=dict(color="#E69F00", width=3, dash="dot"), name="accuracy %"))
    curve.update_layout(height=380, font=plots.FONT, margin=dict(l=10, r=10, t=30, b=10), xaxis_title="step",
                        yaxis=dict(title="loss"), yaxis2=dict(title="accuracy %", overlaying="y", side="right",
                                                               range=[0, 100]),
                        legend=dict(orientation="h", y=1.1))
    return c, plots.classifier_animation(c), curve


def random_start(surface: gd.Surface, seed: int) -> None:
    rng = np.random.default_rng(seed)
    st.session_state.gd_x0 = round(float(rng.uniform(*surface.x_range)), 3)
    st.session_state.gd_y0 = round(float(rng.uniform(*surface.y_range)), 3)


st.title("Gradient descent lab")
st.markdown(
    "**What am I looking at?** Each optimizer is a rule for the next step from the gradient. Here they are "
    "Keras's own classes (`tf.keras.optimizers.SGD`, `Adam`, …), stepping on a loss surface from the same "
    "start. The dotted arrow is the direction of steepest descent (−gradient); the black arrow, for momentum "
    "methods, is the velocity the optimizer carries from step to step. Press ▶ Play under a chart.")

race_tab, sweep_tab, one_d_tab, clf_tab = st.tabs(["Optimizers race", "Learning-rate sweep", "One dimension",
                                                   "Linear classifier (Chollet 3.5.3)"])

with race_tab:
    controls, charts = st.columns([1, 3], gap="large")
    with controls:
        names = [s.title for s in gd.SURFACES.values()] + [CUSTOM]
        choice = st.selectbox("Surface", names, index=3, key="gd_surface")
        surface, formula, key = None, "", ""
        if choice == CUSTOM:
            formula = st.text_input("f(x, y) =", "x**2 + 3*y**2 + tf.sin(3*x)", key="gd_formula",
                                    help="The program language: tf ops, + - * / **, numbers; x and y only.")
            try:
                surface = gd.custom_surface(formula)
                key = "custom"
            except ProgramError as e:
                st.error(f"Column {e.col}: {e.message}" if e.col else e.message)
        else:
            surface = next(s for s in gd.SURFACES.values() if s.title == choice)
            key = surface.key
        if surface is not None:
            if st.session_state.get("gd_start_for") != (key, formula):
                st.session_state.gd_start_for = (key, formula)
                st.session_state.gd_x0, st.session_state.gd_y0 = surface.start
                st.session_state.gd_steps = surface.steps
            picked = st.session_state.get("gd_pick")
            if picked and picked.get("selection", {}).get("points"):
                point = picked["selection"]["points"][0]
                if st.session_state.get("gd_last_pick") != point:
                    st.session_state.gd_last_pick = point
                    st.session_state.gd_x0, st.session_state.gd_y0 = round(point["x"], 3), round(point["y"], 3)
            c1, c2 = st.columns(2)
            c1.number_input("start x", key="gd_x0", step=0.1, format="%.3f")
            c2.number_input("start y", key="gd_y0", step=0.1, format="%.3f")
            seed = st.number_input("seed for a random start", 0, 2**31 - 1, 0, key="gd_seed")
            st.button("Random start", width="stretch", key="gd_random", on_click=random_start,
                      args=(surface, int(seed)))
            st.number_input("steps", 1, 5000, key="gd_steps")
            chosen = st.multiselect("Optimizers", list(gd.OPTIMIZERS), default=list(gd.OPTIMIZERS),
                                    format_func=lambda n: gd.OPTIMIZERS[n].title, key="gd_optimizers")
            configs = []
            for name in chosen:
                spec = gd.OPTIMIZERS[name]
                with st.expander(spec.title):
                    params = {"learning_rate": st.number_input(
                        "learning rate", 1e-6, 10.0, surface.learning_rate(name), format="%.5g",
                        key=f"gd_lr_{name}_{key}")}
                    for h, default in spec.defaults.items():
                        if h in HYPER_LABELS:
                            params[h] = st.number_input(HYPER_LABELS[h], 0.0, 10.0, float(default), format="%.4g",
                                                        key=f"gd_{h}_{name}")
                configs.append((name, tuple(sorted(params.items()))))
            arrows = st.toggle("Gradient arrows", True, key="gd_arrows")
    with charts:
        if surface is not None and configs:
            start = (float(st.session_state.gd_x0), float(st.session_state.gd_y0))
            steps = int(st.session_state.gd_steps)
            paths = cached_race(key, formula, tuple(configs), start, steps)
            contour, surface3d, losses = cached_race_figures(key, formula, tuple(configs), start, steps, arrows)
            flat, solid = st.tabs(["Contour", "3-D surface"])
            with flat:
                st.plotly_chart(contour, width="stretch", key="gd_contour")
            with solid:
                st.plotly_chart(surface3d, width="stretch", key="gd_surface3d")
            st.plotly_chart(losses, width="stretch", key="gd_losses")
            st.dataframe([{"optimizer": p.label, "end": f"({p.points[-1][0]:.4g}, {p.points[-1][1]:.4g})",
                           "final loss": f"{p.losses[-1]:.4g}", "what happened": gd.verdict(p, surface.minima)}
                          for p in paths], hide_index=True, width="stretch")
            with st.expander("Pick a start point on the surface"):
                xs, ys, z = gd.grid(surface, 25)
                gx, gy = np.meshgrid(xs, ys)
                picker = go.Figure([go.Contour(x=xs, y=ys, z=np.log10(z - z.min() + 1e-3) if surface.log_color
                                               else z, colorscale=plots.LIGHT, showscale=False, hoverinfo="skip"),
                                    go.Scatter(x=gx.ravel(), y=gy.ravel(), mode="markers",
                                               marker=dict(size=12, opacity=0.01), hovertemplate="start here: "
                                               "(%{x:.2f}, %{y:.2f})<extra></extra>")])
                picker.update_layout(height=360, margin=dict(l=10, r=10, t=10, b=10), font=plots.FONT,
                                     clickmode="event+select")
                st.plotly_chart(picker, key="gd_pick", on_select="rerun", selection_mode="points")
                st.caption("Click a point: it becomes the start.")
            with st.expander("Show the TensorFlow code"):
                st.code(gd.race_code(surface, tuple(configs), start, steps), language="python")
        elif surface is not None:
            st.info("Choose at least one optimizer.")

with sweep_tab:
    if surface is None:
        st.info("Fix the surface on the first tab.")
    else:
        c1, c2 = st.columns([1, 3])
        optimizer = c1.selectbox("Optimizer", list(gd.OPTIMIZERS), format_func=lambda n: gd.OPTIMIZERS[n].title,
                                 key="gd_sweep_optimizer")
        steep = surface.log_color
        rates = c2.multiselect("Learning rates", LEARNING_RATES, key=f"gd_rates_{steep}",
                               default=[0.0001, 0.001, 0.003, 0.01] if steep else [0.001, 0.01, 0.1, 1.0])
        if rates:
            start = (float(st.session_state.gd_x0), float(st.session_state.gd_y0))
            rates = tuple(sorted(rates))
            sweep_paths, grid_fig, curves = cached_sweep(key, formula, optimizer, rates, start,
                                                          int(st.session_state.gd_steps))
            st.plotly_chart(grid_fig, width="stretch", key="gd_sweep_grid")
            st.plotly_chart(curves, width="stretch", key="gd_sweep_losses")
            with st.expander("Show the TensorFlow code"):
                st.code(f"""import tensorflow as tf

def f(x, y):
    return {surface.formula}

for lr in {list(rates)}:
    xy = tf.Variable([{start[0]}, {start[1]}])
    opt = tf.keras.optimizers.{gd.OPTIMIZERS[optimizer].keras_class}(learning_rate=lr)
    for step in range({int(st.session_state.gd_steps)}):
        with tf.GradientTape() as tape:
            loss = f(xy[0], xy[1])
        grad = tape.gradient(loss, xy)
        if not tf.math.is_finite(loss):
            print(f"lr={{lr}}: diverged at step {{step}}")
            break
        opt.apply_gradients([(grad, xy)])
""", language="python")

with one_d_tab:
    c1, c2 = st.columns([1, 3], gap="large")
    with c1:
        label = st.selectbox("L(x)", list(FUNCTIONS_1D), key="gd_1d_fn")
        formula_1d, target = FUNCTIONS_1D[label]
        if formula_1d is None:
            formula_1d = st.text_input("L(x) =", "tf.abs(x - 1.5) + 0.1 * x**2", key="gd_1d_formula")
        lr = st.number_input("learning rate", 1e-5, 2.0, 0.01, format="%.4g", key="gd_1d_lr")
        steps_1d = st.number_input("steps", 1, 5000, 500, key="gd_1d_steps")
        seed_1d = st.number_input("seed (x starts from a standard normal draw)", 0, 2**31 - 1, 0, key="gd_1d_seed")
    with c2:
        try:
            path, tangent_fig, x_fig = cached_1d(formula_1d, None, float(lr), int(steps_1d), int(seed_1d), target)
        except ProgramError as e:
            st.error(f"Column {e.col}: {e.message}" if e.col else e.message)
        else:
            st.markdown(f"x starts at **{path.xs[0]:.4f}** (seed {seed_1d}) and ends at **{path.xs[-1]:.6f}** after "
                        f"{int(steps_1d)} steps of `x.assign(x - lr * grad)`"
                        + (f"; the target x_f = {target:g}." if target is not None else "."))
            st.plotly_chart(tangent_fig, width="stretch", key="gd_tangent")
            st.plotly_chart(x_fig, width="stretch", key="gd_x_steps")
            with st.expander("Show the TensorFlow code"):
                st.code(f"""import tensorflow as tf

x = tf.Variable(tf.random.normal([1]))   # the page draws it with numpy's seed {seed_1d}
learning_rate = {lr:g}
history = []
for i in range({int(steps_1d)}):
    with tf.GradientTape() as tape:
        loss = {formula_1d}
    grad = tape.gradient(loss, x)
    new_x = x - learning_rate * grad
    x.assign(new_x)
    history.append(x.numpy()[0])
""", language="python")

with clf_tab:
    c1, c2 = st.columns([1, 3], gap="large")
    with c1:
        loss_name = st.radio("Loss", ["square", "logistic"], key="gd_clf_loss",
                             format_func=lambda n: {"square": "square: mean((y − o)²)",
                                                    "logistic": "logistic: mean(log(1 + eᵒ) − y·o)"}[n])
        lr_c = st.number_input("learning rate", 1e-4, 5.0, 0.1, format="%.4g", key="gd_clf_lr")
        steps_c = st.number_input("steps (full batch)", 1, 500, 40, key="gd_clf_steps")
        seed_c = st.number_input("seed", 0, 2**31 - 1, 0, key="gd_clf_seed")
    with c2:
        clf, anim, curve = cached_classifier(loss_name, float(lr_c), int(steps_c), int(seed_c))
        st.markdown(f"2,000 points (seed {seed_c}); after {int(steps_c)} steps: loss **{clf.losses[-1]:.4f}**, "
                    f"training accuracy **{100 * clf.accuracy[-1]:.1f} %**, W = [{clf.W[-1][0, 0]:.4f}, {clf.W[-1][1, 0]:.4f}], "
                    f"b = {clf.b[-1][0]:.4f}.")
        st.plotly_chart(anim, width="stretch", key="gd_clf_anim")
        st.plotly_chart(curve, width="stretch", key="gd_clf_curve")
        with st.expander("Show the TensorFlow code"):
            loss_line = ("tf.reduce_mean(tf.square(targets - predictions))" if loss_name == "square" else
                         "tf.reduce_mean(tf.math.softplus(predictions) - targets * predictions)")
            st.code(f"""import numpy as np
import tensorflow as tf

num_samples_per_class = 1000
rng = np.random.default_rng({seed_c})
negative_samples = rng.multivariate_normal([0, 3], [[1, 0.5], [0.5, 1]], size=num_samples_per_class)
positive_samples = rng.multivariate_normal([3, 0], [[1, 0.5], [0.5, 1]], size=num_samples_per_class)
inputs = np.vstack((negative_samples, positive_samples)).astype(np.float32)
targets = np.vstack((np.zeros((num_samples_per_class, 1), dtype="float32"),
                     np.ones((num_samples_per_class, 1), dtype="float32")))

W = tf.Variable(tf.random.uniform(shape=(2, 1)))
b = tf.Variable(tf.zeros(shape=(1,)))
learning_rate = {lr_c:g}

def training_step(inputs, targets):
    with tf.GradientTape() as tape:
        predictions = tf.matmul(inputs, W) + b
        loss = {loss_line}
    grad_loss_wrt_W, grad_loss_wrt_b = tape.gradient(loss, [W, b])
    W.assign_sub(grad_loss_wrt_W * learning_rate)
    b.assign_sub(grad_loss_wrt_b * learning_rate)
    return loss

for step in range({int(steps_c)}):
    loss = training_step(inputs, targets)
    print(f"Loss at step {{step}}: {{loss:.4f}}")
""", language="python")
