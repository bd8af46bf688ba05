"""Gradient descent lab: Keras optimizers racing on loss surfaces, a learning-rate sweep, SGD in one
dimension with its tangent, and the book's linear classifier trained from scratch.

Only the chosen tab runs (st.tabs would run all four on every click); results and figures are kept per
surface and settings for every session, so a rerun that changes nothing computes nothing."""

import contextlib
import logging
import threading
import time
from collections import OrderedDict

import numpy as np
import streamlit as st

from app_pages import _links as links
from app_pages._shared import heavy_work
from explorer import descent as gd
from explorer import descent_code as code
from explorer import descent_plots as plots
from explorer import descent_settings as ds
from explorer.descent_settings import SETTINGS as S
from explorer.descent_verdicts import verdict
from explorer.errors import ProgramError

KEEP = 256           # results and figures kept for all sessions, most recently used last
CSS = ("<style>[data-testid=stMainBlockContainer] {padding-top: 3.2rem; padding-left: 1.5rem;"
       " padding-right: 1.5rem} .st-key-gd_head h3 {padding: 0}</style>")


@st.cache_resource(show_spinner=False)
def _kept() -> tuple[OrderedDict, threading.Lock]:
    return OrderedDict(), threading.Lock()


STORE, LOCK = _kept()


def kept(key: tuple, make, progress: bool = False, gate=None):
    """make() once per key for every session; with `progress`, make(report) while a progress bar shows
    how far it has got. Not st.cache_*: Streamlit refuses elements touched inside a cached function.
    `gate()`: a context holding one slot of the server's heavy-work gate while make runs (a compiled
    loop); a key another session made while this one waited is not made again."""
    with LOCK:
        if key in STORE:
            STORE.move_to_end(key)
            return STORE[key]
    with gate() if gate is not None else contextlib.nullcontext():
        with LOCK:
            if key in STORE:
                STORE.move_to_end(key)
                return STORE[key]
        if progress:
            bar = st.progress(0.0, text="Starting …")
            try:
                value = make(lambda f, text: bar.progress(min(max(f, 0.0), 1.0), text=text))
            finally:
                bar.empty()
        else:
            value = make()
    with LOCK:
        STORE[key] = value
        while len(STORE) > KEEP:
            STORE.popitem(last=False)
    return value


def race_paths(s: gd.Surface, configs: tuple, start: tuple, steps: int, progress: bool = True) -> list[gd.Path]:
    """Each optimizer's path is kept on its own: a new setting for one optimizer runs that one alone, a new
    surface or start runs them all side by side in one compiled loop."""
    lane = {c: ("path", s.key, s.formula, c, start, steps) for c in configs}
    with LOCK:
        found = {c: STORE[k] for c, k in lane.items() if k in STORE}
    missing = tuple(c for c in configs if c not in found)
    if missing:
        def run(report=None):
            return gd.race(s, [(name, dict(params)) for name, params in missing], start, steps, progress=report)
        race = kept(("race", s.key, s.formula, missing, start, steps), run, progress,
                    gate=lambda: heavy_work(shown=progress))          # progress=False: the warm-up thread
        for c, path in zip(missing, race):
            found[c] = kept(lane[c], lambda path=path: path)
    return [found[c] for c in configs]


def contour(s: gd.Surface, paths: list[gd.Path], run: tuple, arrows: bool):
    image = kept(("image", s.key, s.formula), lambda: plots.contour_image(s))
    return kept(("contour", *run, arrows), lambda: plots.race_contour(s, paths, arrows, image=image))


def warm_up() -> None:
    """Every built-in surface's default race and picture, made in the background after the page's first
    load, so choosing a surface draws it at once instead of compiling its loop (0.5–1 s each)."""
    time.sleep(1.0)
    try:
        for key, s in gd.SURFACES.items():
            first = {**S.defaults(), **ds.surface_defaults(key)}
            configs, start = ds.optimizer_configs(first), (first["x0"], first["y0"])
            paths = race_paths(s, configs, start, first["steps"], progress=False)
            contour(s, paths, (s.key, s.formula, configs, start, first["steps"]), True)
            time.sleep(0.2)             # a user's click in the meantime gets the interpreter
    except Exception:                   # noqa: BLE001 - the page computes what it needs itself
        logging.getLogger("gradient_explorer").exception("descent warm-up stopped")


@st.cache_resource(show_spinner=False)
def _warming() -> threading.Thread:
    thread = threading.Thread(target=warm_up, name="descent warm-up", daemon=True)
    thread.start()
    return thread


def value(name: str):
    return st.session_state[S.key(name)]


def shown(name: str) -> bool:
    return links.shown(S, name)


def number(name: str, label: str, **options) -> None:
    """The number box of a setting, its bounds from the settings table; not drawn where a link hides it."""
    if shown(name):
        st.number_input(label, S[name].low, S[name].high, key=S.key(name), **options)


def show_code(tab: str, snippet) -> None:
    """The tab's TensorFlow code, drawn only once its expander is opened (highlighting it on every rerun
    cost the browser time)."""
    box = st.expander("Show the TensorFlow code", key=f"gd_code_{tab}", on_change="rerun")
    if box.open:
        with box:
            st.code(snippet(), language="python")


def apply_surface() -> None:
    """A new surface brings its own start, step budget and learning rates."""
    for name, v in ds.surface_defaults(value("surface")).items():
        st.session_state[S.key(name)] = v


def random_start() -> None:
    rng = np.random.default_rng(int(value("seed")))
    s = current_surface()
    st.session_state[S.key("x0")] = round(float(rng.uniform(*s.x_range)), 3)
    st.session_state[S.key("y0")] = round(float(rng.uniform(*s.y_range)), 3)


def picked_start() -> None:
    points = (st.session_state.get("gd_race") or {}).get("selection", {}).get("points") or []
    if points:
        st.session_state[S.key("x0")] = round(points[0]["x"], 3)
        st.session_state[S.key("y0")] = round(points[0]["y"], 3)


def current_surface() -> gd.Surface:
    """The chosen surface; ProgramError for a formula that cannot be one."""
    if value("surface") != ds.CUSTOM:
        return gd.SURFACES[value("surface")]
    return kept(("surface", value("formula").strip()), lambda: gd.custom_surface(value("formula")), gate=heavy_work)


def surface_controls() -> gd.Surface | None:
    if shown("surface"):
        st.selectbox("Surface", list(S["surface"].choices), format_func=ds.surface_title, key=S.key("surface"),
                     on_change=apply_surface)
    if value("surface") == ds.CUSTOM and shown("formula"):
        st.text_input("f(x, y) =", key=S.key("formula"),
                      help="The program language: tf ops, + - * / **, numbers; x and y only.")
    try:
        return current_surface()
    except ProgramError as e:
        st.error(f"Column {e.col}: {e.message}" if e.col else e.message)
        return None


def race_controls() -> None:
    c1, c2 = st.columns(2)
    with c1:
        number("x0", "start x", step=0.1, format="%.3f")
    with c2:
        number("y0", "start y", step=0.1, format="%.3f")
    number("steps", "steps")
    if shown("optimizers"):
        st.pills("Optimizers", list(gd.OPTIMIZERS), selection_mode="multi", format_func=lambda n: gd.OPTIMIZERS[n].title,
                 key=S.key("optimizers"), wrap=True)
    for name in value("optimizers"):
        names = [f"lr_{name}"] + [key for key, *_ in ds.HYPER[name]]
        if not any(shown(n) for n in names):
            continue
        with st.expander(gd.OPTIMIZERS[name].title):
            number(f"lr_{name}", "learning rate", format="%.5g")
            for key, _, label, *_ in ds.HYPER[name]:
                number(key, label, format="%.4g")
    if shown("view"):
        st.segmented_control("Picture", list(ds.VIEWS), format_func=ds.VIEWS.get, required=True, key=S.key("view"))
    if shown("arrows"):
        st.toggle("Gradient arrows", key=S.key("arrows"))
    if shown("seed"):
        number("seed", "seed for a random start")
        st.button("Random start", width="stretch", key="gd_random", on_click=random_start)


def race_view(s: gd.Surface) -> None:
    configs = ds.optimizer_configs(links.values(S))
    if not configs:
        st.info("Choose at least one optimizer.")
        return
    start, steps = (float(value("x0")), float(value("y0"))), int(value("steps"))
    run = (s.key, s.formula, configs, start, steps)
    paths = race_paths(s, configs, start, steps)
    picture = value("view")
    if picture == "losses":
        st.plotly_chart(kept(("losses", *run), lambda: plots.loss_chart(
            paths, log=s.bounded_below is True, labels=[p.label.split(" (")[0] for p in paths],
            floor=gd.lowest_value(s), height=plots.RACE_HEIGHT)), width="stretch", key="gd_race")
    elif picture == "3d":
        st.plotly_chart(kept(("3d", *run), lambda: plots.race_surface3d(s, paths)), width="stretch", key="gd_race",
                        config={"displayModeBar": False})
    else:
        st.plotly_chart(contour(s, paths, run, value("arrows")), width="stretch", key="gd_race",
                        on_select=picked_start, selection_mode="points", config={"displayModeBar": False})
    st.table([{"optimizer": p.label, "ends at": f"({p.points[-1][0]:.4g}, {p.points[-1][1]:.4g})",
               "final loss": f"{p.losses[-1]:.4g}", "what happened": verdict(p, s).text} for p in paths],
             hide_index=True)
    st.caption("**What am I looking at?** Each optimizer is a rule for the next step from the gradient. Here "
               "they are Keras's own classes (`tf.keras.optimizers.SGD`, `Adam`, …), stepping on a loss surface "
               "from the same start. The dotted arrow is the direction of steepest descent (−gradient); the black "
               "arrow, for momentum methods, is the velocity the optimizer carries from step to step. Press ▶ Play "
               "under the picture; click the surface to start from there.")
    show_code("race", lambda: code.race_code(s, configs, start, steps))


def race_tab() -> None:
    controls, charts = st.columns([1, 3], gap="medium")
    with controls:
        s = surface_controls()
        if s is not None:
            race_controls()
    with charts:
        if s is not None:
            race_view(s)


def sweep_tab() -> None:
    try:
        s = current_surface()
    except ProgramError:
        st.info("Fix your f(x, y) on the Optimizers race tab.")
        return
    c1, c2 = st.columns([1, 3])
    if shown("sweep_optimizer"):
        c1.selectbox("Optimizer", list(gd.OPTIMIZERS), format_func=lambda n: gd.OPTIMIZERS[n].title,
                     key=S.key("sweep_optimizer"))
    if shown("rates"):
        c2.multiselect("Learning rates", list(ds.LEARNING_RATES), key=S.key("rates"))
    rates = tuple(sorted(value("rates")))
    if not rates:
        st.info("Choose at least one learning rate.")
        return
    name, params = value("sweep_optimizer"), ds.sweep_params(links.values(S))
    start, steps = (float(value("x0")), float(value("y0"))), int(value("steps"))
    st.caption(f"{ds.surface_title(value('surface'))} from ({start[0]:g}, {start[1]:g}), {steps} steps "
               "(set on the Optimizers race tab).")
    run = (s.key, s.formula, name, tuple(sorted(params.items())), rates, start, steps)
    paths = kept(("sweep", *run), lambda report: gd.sweep(s, name, list(rates), start, steps, progress=report,
                                                          **params), progress=True, gate=heavy_work)
    st.plotly_chart(kept(("sweep grid", *run), lambda: plots.sweep_chart(s, paths, list(rates))), width="stretch",
                    key="gd_sweep_grid")
    st.plotly_chart(kept(("sweep losses", *run), lambda: plots.loss_chart(
        paths, log=s.bounded_below is True, labels=[f"lr = {r:g}" for r in rates], floor=gd.lowest_value(s))),
        width="stretch", key="gd_sweep_losses")
    show_code("sweep", lambda: code.sweep_code(s, name, params, rates, start, steps))


def one_d_tab() -> None:
    c1, c2 = st.columns([1, 3], gap="medium")
    with c1:
        if shown("fn_1d"):
            st.selectbox("L(x)", list(ds.ONE_D), format_func=lambda k: ds.ONE_D[k][2], key=S.key("fn_1d"))
        formula, target, _ = ds.ONE_D[value("fn_1d")]
        if formula is None:
            if shown("formula_1d"):
                st.text_input("L(x) =", key=S.key("formula_1d"))
            formula = value("formula_1d")
        number("lr_1d", "learning rate", format="%.4g")
        number("steps_1d", "steps")
        number("seed_1d", "seed (x starts from a standard normal draw)")
    lr, steps, seed = float(value("lr_1d")), int(value("steps_1d")), int(value("seed_1d"))
    with c2:
        try:
            path, tangent, xs = kept(("1d", formula.strip(), lr, steps, seed, target),
                                     lambda: one_d(formula, lr, steps, seed, target), gate=heavy_work)
        except ProgramError as e:
            st.error(f"Column {e.col}: {e.message}" if e.col else e.message)
            return
        st.plotly_chart(tangent, width="stretch", key="gd_tangent", config={"displayModeBar": False})
        st.markdown(f"x starts at **{path.xs[0]:.4f}** (seed {seed}) and ends at **{path.xs[-1]:.6f}** after "
                    f"{steps} steps of `x.assign(x - lr * grad)`"
                    + (f"; the target x_f = {target:g}." if target is not None else "."))
        st.plotly_chart(xs, width="stretch", key="gd_x_steps")
        show_code("1d", lambda: code.one_d_code(formula, lr, steps, seed))


def one_d(formula: str, lr: float, steps: int, seed: int, target):
    path = gd.descend_1d(formula, None, lr, steps, seed)
    ends = [float(path.xs.min()), float(path.xs.max())] + ([target] if target is not None else [])
    xs, ys = gd.curve_1d(formula, min(ends) - 2.0, max(ends) + 2.0)
    return path, plots.tangent_animation(path, xs, ys, target), plots.x_versus_step(path, target)


def classifier_tab() -> None:
    c1, c2 = st.columns([1, 3], gap="medium")
    with c1:
        if shown("clf_loss"):
            st.radio("Loss", list(ds.CLASSIFIER_LOSSES), format_func=ds.CLASSIFIER_LOSSES.get, key=S.key("clf_loss"))
        number("clf_lr", "learning rate", format="%.4g")
        number("clf_steps", "steps (full batch)")
        number("clf_seed", "seed")
    loss, lr, steps, seed = value("clf_loss"), float(value("clf_lr")), int(value("clf_steps")), int(value("clf_seed"))
    c = kept(("classifier", loss, lr, steps, seed), lambda: gd.linear_classifier(loss, lr, steps, seed=seed),
             gate=heavy_work)
    with c2:
        st.plotly_chart(kept(("classifier anim", loss, lr, steps, seed), lambda: plots.classifier_animation(c)),
                        width="stretch", key="gd_clf_anim", config={"displayModeBar": False})
        st.markdown(f"2,000 points (seed {seed}); after {steps} steps: loss **{c.losses[-1]:.4f}**, training "
                    f"accuracy **{100 * c.accuracy[-1]:.1f} %**, W = [{c.W[-1][0, 0]:.4f}, {c.W[-1][1, 0]:.4f}], "
                    f"b = {c.b[-1][0]:.4f}.")
        st.plotly_chart(kept(("classifier curves", loss, lr, steps, seed), lambda: plots.classifier_curves(c)),
                        width="stretch", key="gd_clf_curve")
        show_code("classifier", lambda: code.classifier_code(loss, lr, steps, seed))


links.restore(S)
for setting in S.table:      # kept while a control is hidden or its tab not shown (Streamlit drops an undrawn widget's value)
    st.session_state[S.key(setting.name)] = st.session_state.get(S.key(setting.name), setting.default)
links.presentation_css()
st.markdown(CSS, unsafe_allow_html=True)
with st.container(horizontal=True, vertical_alignment="center", key="gd_head"):
    st.markdown("### Gradient descent lab")
    if shown("tab"):
        st.segmented_control("Tab", list(ds.TABS), format_func=ds.TABS.get, required=True, key=S.key("tab"),
                             label_visibility="collapsed")
    links.presentation_toggle()
links.link_errors(S)
{"race": race_tab, "sweep": sweep_tab, "1d": one_d_tab, "classifier": classifier_tab}[value("tab")]()
links.publish(S)
_warming()
