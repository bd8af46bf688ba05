"""Gradient descent lab: Keras optimizers racing on loss surfaces, a learning-rate sweep, SGD in one
dimension with its tangent, and the book's linear classifier trained from scratch. Only the chosen tab
runs; what it shows is made once per surface and settings by explorer.descent_lab, for every session; the
race is drawn and played in the browser (components/descent.js), without Plotly."""

import threading

import streamlit as st

from app_pages import _links as links
from app_pages._components import descent_race
from app_pages._runs import FitProgress, heavy_work
from app_pages._shared import wrapped_table
from explorer import descent as gd, descent_code as code, descent_lab as lab, descent_settings as ds
from explorer.descent_settings import SETTINGS as S
from explorer.errors import ProgramError

CSS = ("<style>[data-testid=stMainBlockContainer] {padding-top: 3.2rem; padding-left: 1.5rem;"
       " padding-right: 1.5rem} .st-key-gd_head h3 {padding: 0}</style>")
PLAIN = {"displayModeBar": False}
TITLE = {"format_func": lambda n: gd.OPTIMIZERS[n].title}


@st.cache_resource(show_spinner=False)
def _warming() -> threading.Thread:
    """Every built-in surface's first race, made in the background after the page's first load."""
    return lab.start_warm_up(gate=lambda: heavy_work(shown=False))


def value(name: str):
    return st.session_state[S.key(name)]


def shown(name: str) -> bool:
    return links.shown(S, name)


def control(widget: str, name: str, label: str, *args, **options) -> None:
    """A setting's control, unless a teacher's link hides it."""
    if shown(name):
        getattr(st, widget)(label, *args, key=S.key(name), **options)


def number(name: str, label: str, **options) -> None:
    """The number box of a setting, its bounds from the settings table."""
    control("number_input", name, label, S[name].low, S[name].high, **options)


def show_code(tab: str, snippet) -> None:
    """The tab's TensorFlow code, drawn only once its expander is opened (highlighting it on every rerun
    cost the browser time)."""
    box = st.expander("Show the TensorFlow code", key=f"gd_code_{tab}", on_change="rerun")
    if box.open:
        with box:
            st.code(snippet(), language="python")


def set_values(values: dict) -> None:
    for name, v in values.items():
        st.session_state[S.key(name)] = v


def current_surface() -> gd.Surface:
    """The chosen surface; ProgramError for a formula that cannot be one."""
    return lab.surface(value("surface"), value("formula"), gate=heavy_work)


def race_controls() -> None:
    c1, c2 = st.columns(2)
    with c1:
        number("x0", "start x", step=0.1, format="%.3f")
    with c2:
        number("y0", "start y", step=0.1, format="%.3f")
    number("steps", "steps")
    control("pills", "optimizers", "Optimizers", list(gd.OPTIMIZERS), selection_mode="multi", wrap=True, **TITLE)
    for name in value("optimizers"):
        if any(shown(n) for n in [f"lr_{name}"] + [key for key, *_ in ds.HYPER[name]]):
            with st.expander(gd.OPTIMIZERS[name].title):
                number(f"lr_{name}", "learning rate", format="%.5g")
                for key, _, label, *_ in ds.HYPER[name]:
                    number(key, label, format="%.4g")
    control("segmented_control", "view", "Picture", list(ds.VIEWS), format_func=ds.VIEWS.get, required=True)
    control("toggle", "arrows", "Gradient arrows")
    number("seed", "seed for a random start")
    if shown("seed"):
        st.button("Random start", width="stretch", key="gd_random",
                  on_click=lambda: set_values(lab.random_start(current_surface(), int(value("seed")))))


def race_tab() -> None:
    controls, charts = st.columns([1, 3], gap="medium")
    with controls:
        control("selectbox", "surface", "Surface", list(S["surface"].choices), format_func=ds.surface_title,
                on_change=lambda: set_values(ds.surface_defaults(value("surface"))))
        if value("surface") == ds.CUSTOM:
            control("text_input", "formula", "f(x, y) =", help="The program language: tf ops, + - * / **, "
                    "numbers; x and y only.")
        try:
            s = current_surface()
        except ProgramError as e:
            return st.error(f"Column {e.col}: {e.message}" if e.col else e.message)
        race_controls()
    configs = ds.optimizer_configs(links.values(S))
    if not configs:
        return charts.info("Choose at least one optimizer.")
    start, steps = (float(value("x0")), float(value("y0"))), int(value("steps"))
    run = (s.key, s.formula, configs, start, steps)
    with charts:
        bar = FitProgress()                     # shown only while a race is computed
        paths = lab.race(s, configs, start, steps, progress=bar, gate=heavy_work)
        bar.done()
        if value("view") == "contour":
            descent_race(lab.picture(s, paths, run, value("arrows")), key="gd_race",
                         on_pick=lambda point: set_values({"x0": point["x"], "y0": point["y"]}))
        else:
            st.plotly_chart(lab.race_figure(value("view"), s, paths, run), key="gd_race_plot", config=PLAIN)
        wrapped_table(lab.race_table(s, paths))       # markdown: no Arrow table code for the browser to load
        st.caption(ds.RACE_HELP)
        show_code("race", lambda: code.race_code(s, configs, start, steps))


def sweep_tab() -> None:
    try:
        s = current_surface()
    except ProgramError:
        return st.info("Fix your f(x, y) on the Optimizers race tab.")
    c1, c2 = st.columns([1, 3])
    with c1:
        control("selectbox", "sweep_optimizer", "Optimizer", list(gd.OPTIMIZERS), **TITLE)
    with c2:
        control("multiselect", "rates", "Learning rates", list(ds.LEARNING_RATES))
    rates = tuple(sorted(value("rates")))
    if not rates:
        return st.info("Choose at least one learning rate.")
    name, params = value("sweep_optimizer"), ds.sweep_params(links.values(S))
    start, steps = (float(value("x0")), float(value("y0"))), int(value("steps"))
    st.caption(lab.sweep_caption(ds.surface_title(value("surface")), start, steps))
    bar = FitProgress()                         # shown only while a sweep is computed
    grid, losses = lab.sweep(s, name, params, rates, start, steps, bar, heavy_work)
    bar.done()
    st.plotly_chart(grid, key="gd_sweep_grid", config=PLAIN)
    st.plotly_chart(losses, key="gd_sweep_losses", config=PLAIN)
    show_code("sweep", lambda: code.sweep_code(s, name, params, rates, start, steps))


def one_d_tab() -> None:
    c1, c2 = st.columns([1, 3], gap="medium")
    with c1:
        control("selectbox", "fn_1d", "L(x)", list(ds.ONE_D), format_func=lambda k: ds.ONE_D[k][2])
        formula, target, _ = ds.ONE_D[value("fn_1d")]
        if formula is None:
            control("text_input", "formula_1d", "L(x) =")
            formula = value("formula_1d")
        number("lr_1d", "learning rate", format="%.4g")
        number("steps_1d", "steps")
        number("seed_1d", "seed (x starts from a standard normal draw)")
    lr, steps, seed = float(value("lr_1d")), int(value("steps_1d")), int(value("seed_1d"))
    with c2:
        try:
            path, tangent, xs = lab.one_d(formula, lr, steps, seed, target, gate=heavy_work)
        except ProgramError as e:
            return st.error(f"Column {e.col}: {e.message}" if e.col else e.message)
        st.plotly_chart(tangent, key="gd_tangent", config=PLAIN)
        st.markdown(lab.one_d_summary(path, seed, target))
        st.plotly_chart(xs, key="gd_x_steps", config=PLAIN)
        show_code("1d", lambda: code.one_d_code(formula, lr, steps, seed))


def classifier_tab() -> None:
    c1, c2 = st.columns([1, 3], gap="medium")
    with c1:
        control("radio", "clf_loss", "Loss", list(ds.CLASSIFIER_LOSSES), format_func=ds.CLASSIFIER_LOSSES.get)
        number("clf_lr", "learning rate", format="%.4g")
        number("clf_steps", "steps (full batch)")
        number("clf_seed", "seed")
    loss, lr, steps, seed = value("clf_loss"), float(value("clf_lr")), int(value("clf_steps")), int(value("clf_seed"))
    c, animation, curves = lab.classifier(loss, lr, steps, seed, gate=heavy_work)
    with c2:
        st.plotly_chart(animation, key="gd_clf_anim", config=PLAIN)
        st.markdown(lab.classifier_summary(c))
        st.plotly_chart(curves, key="gd_clf_curve", config=PLAIN)
        show_code("classifier", lambda: code.classifier_code(loss, lr, steps, seed))


links.restore(S)
for setting in S.table:      # kept while a control is hidden or its tab not shown (Streamlit drops an undrawn widget's value)
    st.session_state[S.key(setting.name)] = st.session_state.get(S.key(setting.name), setting.default)
links.presentation_css()
st.markdown(CSS, unsafe_allow_html=True)
with st.container(horizontal=True, vertical_alignment="center", key="gd_head"):
    st.markdown("### Gradient descent lab")
    control("segmented_control", "tab", "Tab", list(ds.TABS), format_func=ds.TABS.get, required=True,
            label_visibility="collapsed")
    links.presentation_toggle()
links.link_errors(S)
{"race": race_tab, "sweep": sweep_tab, "1d": one_d_tab, "classifier": classifier_tab}[value("tab")]()
links.publish(S)
_warming()
