"""What several pages draw the same way: the cached run, the graph CSS, a graph with its downloads."""

import contextlib
import logging
import threading
from collections import OrderedDict

import streamlit as st
# Streamlit's "should this script run stop?" check (raises StopException / RerunException), the one its
# own contended cache waits use; Streamlit is pinned in requirements.txt, tests/test_admission.py uses it.
from streamlit.runtime.scriptrunner_utils.script_run_context import get_run_yield_check

import explorer
from explorer.admission import HEAVY
from explorer.errors import excerpt
from explorer.images import dot_available, render, svg, svg_available
from explorer.presets import PRESETS
from explorer.settings import Settings
from explorer.views import ViewError

OWN = "(your own program)"


_MAX_RUNS = 64


_STORE: tuple[OrderedDict, threading.Lock] = (OrderedDict(), threading.Lock())


def _run_store() -> tuple[OrderedDict, threading.Lock]:
    """The runs every session shares, most recent last (a Run is read-only once made). A module global,
    not st.cache_resource, so `app_pages.serve` can fill it before the first session starts."""
    return _STORE


def still_wanted() -> None:
    """Raises Streamlit's StopException when this script run was stopped (its tab closed, or the server
    stops it) and RerunException when a newer rerun replaces it — the check Streamlit itself makes while a
    run waits for a contended cache. Outside a script run (the warm-up thread, tests) it does nothing."""
    check = get_run_yield_check()
    if check is not None:
        check()


def cached_run(source: str, dtype: str, seed: int, recording: int | None = None, progress=None,
               waiting=None) -> explorer.Run:
    """The run of a program, shared between sessions and reruns. Not st.cache_resource itself: the fit
    progress bar is a page element, and Streamlit refuses elements touched inside a cached function.
    A run that must wait for a slot says so through `waiting(ahead)`, and leaves the queue without running
    once its script run is stopped or superseded (`still_wanted`)."""
    store, lock = _run_store()
    key = (source, dtype, seed, recording)
    with lock:
        run = store.get(key)
        if run is not None:
            store.move_to_end(key)
            return run
    with HEAVY.slot(on_wait=waiting, wanted=still_wanted):   # a cap on runs at once per process
        run = explorer.run(source, dtype=dtype, seed=seed, recording=recording, progress=progress)
    with lock:
        store[key] = run
        while len(store) > _MAX_RUNS:
            store.popitem(last=False)
    return run


class FitProgress:
    """A progress bar while a program's model.fit trains (shown only once training has started)."""

    def __init__(self):
        self.slot = st.empty()
        self.shown_at = 0.0

    def __call__(self, fraction: float, text: str) -> None:
        import time
        now = time.monotonic()
        if now - self.shown_at > 0.1 or fraction >= 0.9:      # the last phases (a layout) always named
            self.shown_at = now
            self.slot.progress(min(max(fraction, 0.0), 1.0), text=text)

    def waiting(self, ahead: int) -> None:
        """Other sessions' runs hold every slot of the server: say so instead of a silent stall."""
        self.slot.info(f"Waiting for the server: {ahead} run{'s' if ahead != 1 else ''} of other users "
                       "ahead of yours …", icon=":material/hourglass_top:")

    def done(self) -> None:
        self.slot.empty()


@contextlib.contextmanager
def heavy_work(shown: bool = True):
    """One slot of the server's heavy-work gate for work that is not a program run (the descent page's
    races, sweeps and compiles), with the same "Waiting for the server" message while it waits and the
    same exit when its script run is stopped. `shown=False`: background work (a warm-up), no element."""
    if not shown:
        with HEAVY.slot():
            yield
        return
    note = FitProgress()
    try:
        with HEAVY.slot(on_wait=note.waiting, wanted=still_wanted):
            note.done()
            yield
    finally:
        note.done()


def gated_run(source: str, dtype: str, seed: int, recording: int | None = None) -> explorer.Run:
    """cached_run with the page's progress bar and its "Waiting for the server" message in one place."""
    bar = FitProgress()
    try:
        return cached_run(source, dtype, seed, recording, progress=bar, waiting=bar.waiting)
    finally:
        bar.done()


def fit_history(run: explorer.Run) -> None:
    """Each model.fit's history: loss and metrics per epoch, validation dashed."""
    if not run.fits:
        return
    import plotly.graph_objects as go
    for fit in run.fits:
        history = fit["history"]
        if not history:
            continue
        fig = go.Figure()
        for key, values in history.items():
            fig.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=values, name=key, mode="lines+markers",
                                     line={"dash": "dash"} if key.startswith("val_") else {}))
        fig.update_layout(height=300, margin=dict(l=10, r=10, t=40, b=10), font=dict(size=16),
                          title=f"{fit['model']}.fit on line {fit['line']}: history per epoch",
                          xaxis_title="epoch")
        st.plotly_chart(fig, width="stretch", config={"displayModeBar": False})
        train, val = history.get("accuracy"), history.get("val_accuracy")
        if train and val and train[-1] - val[-1] > 0.02:
            st.caption(f"Training accuracy {train[-1]:.3f}, validation accuracy {val[-1]:.3f}: the model does "
                       "better on the data it trained on than on new data. That gap is overfitting.")


def pick_recording(run: explorer.Run, key: str, on_change=None) -> explorer.Run:
    """A program whose loop records many tapes shows one recording at a time: a slider over them (the
    last by default), the caption naming the tape and iteration. Returns the run showing that one.
    `key` is the session key of the page's `recording` setting (0 or out of range: the last)."""
    n = len(run.recordings)
    if n <= 1:
        return run
    if st.session_state.get(key) not in range(1, n + 1):
        st.session_state[key] = n
    k = st.select_slider("Recording", options=list(range(1, n + 1)), key=key,
                         format_func=lambda k: f"{k} of {n}", on_change=on_change,
                         help="Each time a GradientTape records (each loop iteration) is one recording; "
                              "the graphs show the chosen one. Arrow keys step through them.")
    shown = run if k == n else gated_run(run.source, run.dtype, run.seed, k)
    rec = shown.recordings[k - 1]
    st.markdown(f"**tape `{rec.tape}`, recording {k} of {n}** — {rec.label.split(', ', 1)[1]}")
    return shown


def shown_recording(run: explorer.Run) -> int | None:
    """The `recording` argument that gives this run back from cached_run (None: the last one)."""
    return None if run.recording in (None, len(run.recordings)) else run.recording


def loop_charts(run: explorer.Run) -> None:
    """For each loop, its variables and its loss over the iterations, the shown recording marked."""
    from explorer.loop_plots import loss_chart, variable_chart
    rec = run.recordings[run.recording - 1] if run.recording else None
    for series in run.series:
        iteration = rec.iteration if rec is not None and rec.loop_line == series.loop_line else None
        st.caption(f"The loop on line {series.loop_line}, {len(series.iterations)} iterations"
                   + (": the dotted line marks the recording shown." if iteration is not None else "."))
        charts = [c for c in (variable_chart(series, iteration), loss_chart(series, iteration)) if c is not None]
        for col, fig in zip(st.columns(len(charts)) if len(charts) > 1 else [st.container()], charts):
            col.plotly_chart(fig, width="stretch", config={"displayModeBar": False})


def program_output(run: explorer.Run) -> None:
    """What the program printed, its last expression's value and its notes."""
    text = list(run.output) + ([run.display] if run.display is not None else [])
    if text:
        st.markdown("**Printed**")
        st.code("\n".join(text), language=None)
    for note in run.notes:
        st.info(note)


def program_plots(run: explorer.Run) -> None:
    """The program's matplotlib figures, drawn with plotly."""
    for i, fig in enumerate(run.plots()):
        st.plotly_chart(fig, width="stretch", key=f"plot-{i}")


def graph_css() -> None:
    """Streamlit shrinks all graphviz text to 0.6rem; restore the sizes the DOT was laid out for
    (explorer.render uses 18 for nodes and cluster titles, 15 for edges), so labels fill their boxes
    and read on a projector."""
    st.markdown("<style>textarea {font-family: ui-monospace, Menlo, Consolas, monospace !important;"
                " font-size: 16px !important; white-space: pre !important; overflow-x: auto !important}"
                "[data-testid=stGraphVizChart] svg text {font-family: Helvetica, Arial, sans-serif !important;"
                " font-size: 18px !important}"
                "[data-testid=stGraphVizChart] svg g.edge text {font-size: 15px !important}</style>",
                unsafe_allow_html=True)


def show_downloads(dot: str, name: str, key: str) -> None:
    """The graph as a file: DOT always, SVG and PNG made when clicked."""
    cols = st.columns(3)
    cols[0].download_button("Download DOT", dot, f"{name}.dot", "text/vnd.graphviz", key=f"{key}-dot")
    if svg_available():
        cols[1].download_button("Download SVG", svg(dot), f"{name}.svg", "image/svg+xml", key=f"{key}-svg")
    if dot_available():   # rendered only when clicked: dot takes seconds on large graphs
        cols[2].download_button("Download PNG", lambda: render(dot, "png"), f"{name}.png", "image/png",
                                key=f"{key}-png")


def run_or_last_good(source: str, dtype: str, seed: int, memory: str):
    """(run, error): the program's run, or where it fails the last program that ran on this page
    (remembered under `memory` in the session) with the error, so a typo keeps the user's graph."""
    bar = FitProgress()
    try:
        run = cached_run(source, dtype, seed, progress=bar, waiting=bar.waiting)
        st.session_state[memory] = (source, dtype, seed)
        return run, None
    except explorer.ProgramError as e:
        last = st.session_state.get(memory)
        return (cached_run(*last, progress=bar, waiting=bar.waiting) if last else None), e
    finally:
        bar.done()


def show_error(source: str, error: explorer.ProgramError, kept: bool) -> None:
    st.error(f"**Line {error.line}, column {error.col}:** {error.message}" if error.line else error.message)
    if excerpt(source, error):
        st.code(excerpt(source, error), language=None)
    if kept:
        st.info("Showing the last program that ran.")


@contextlib.contextmanager
def view(name: str):
    """One view of the page: what it cannot show (ViewError) is said in words in its place; anything
    else is a bug, reported in one line while the rest of the page goes on."""
    try:
        yield
    except ViewError as e:
        st.info(str(e))
    except Exception as e:                      # noqa: BLE001 - one broken view must not take the page
        logging.getLogger("gradient_explorer").exception("view %s failed", name)
        st.error(f"The {name} could not be drawn for this program ({type(e).__name__}: {str(e)[:200]}).")


def example_picker(settings: Settings, extra: dict[str, str] | None = None, on_pick=None) -> None:
    """The Example list. It names what is in the editor: an example's title, or "(your own program)" —
    which stays in the list after another example is picked, so a typed program is never lost."""
    key, own, pick_key = settings.key("program"), f"{settings.prefix}own", f"{settings.prefix}example"
    titles = {p.title: p.source for p in PRESETS} | (extra or {})
    program = st.session_state[key]
    current = next((t for t, src in titles.items() if src == program), None)
    if current is None:
        st.session_state[own] = program
        current = OWN
    st.session_state[pick_key] = current

    def pick() -> None:
        choice = st.session_state[pick_key]
        st.session_state[key] = st.session_state[own] if choice == OWN else titles[choice]
        if on_pick is not None:
            on_pick()

    st.selectbox("Example", list(titles) + ([OWN] if own in st.session_state else []), key=pick_key, on_change=pick,
                 help="Picking an example keeps your own program in this list.")


# The cached functions below take the page's run as `_run` (not hashed: the arguments before it name it),
# so no program runs inside a cached function, where a wait for the server could not be shown.
@st.cache_data(max_entries=64, show_spinner="Finite differences and sympy …")
def cached_checks(source: str, dtype: str, seed: int, target: str | None, recording: int | None,
                  _run: explorer.Run):
    from explorer.checks import check_gradients
    return check_gradients(_run, target)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_higher(kind: str, source: str, dtype: str, seed: int, recording: int | None, target: str, *args,
                  _run: explorer.Run):
    """Jacobian, Hessian and forward-mode answers, computed once per program and target."""
    from explorer.higher import forward_and_reverse, hessian, jacobian
    fn = {"jacobian": jacobian, "hessian": hessian, "modes": forward_and_reverse}[kind]
    return fn(_run, target, *args)


def heatmap(run: explorer.Run, target: str, recording: int | None, kind: str) -> None:
    """The Jacobian (with a choice of input) or the Hessian of the target, as a labelled heatmap."""
    from explorer.higher import HigherOrderError, inputs_of
    from explorer.higher_plots import hessian_figure, jacobian_figure
    graph = run.graph_for(target)
    tname = graph.nodes[graph.target].label
    args = (run.source, run.dtype, run.seed, recording, target)
    if kind == "jacobian":
        st.markdown("**Jacobian** (`tape.jacobian`): every output entry against every input entry.")
        ins = [run.trace.nodes[i].label for i in inputs_of(run.trace, graph.target)]
        if not ins:
            st.info(f"{tname} depends on no floating input.")
            return
        src = st.selectbox("with respect to", ins, key="wt_jacobian_input")
        fig = jacobian_figure(cached_higher("jacobian", *args, src, _run=run), tname, graph.nodes[graph.target].shape,
                              src)
    else:
        st.markdown("**Hessian** (two nested tapes): second derivatives of a scalar target.")
        try:
            fig = hessian_figure(cached_higher("hessian", *args, _run=run), tname)
        except HigherOrderError as e:
            st.info(str(e) + " (try the bare expression example: `x = 3.0; y = 2.0; x**2 * y + tf.sin(x)`)")
            return
    st.plotly_chart(fig, width="stretch", key=f"wt-{kind}-fig", config={"displayModeBar": False})


def wrapped_table(rows: list[dict]) -> None:
    """A table whose cells wrap, so nothing is cut at the right edge of a 1280×720 screen (a dataframe
    keeps each cell on one line and hides the columns that do not fit)."""
    if not rows:
        return
    cols = list(rows[0])
    cell = lambda v: str(v).replace("|", "\\|").replace("\n", " ").replace("*", "\\*")  # noqa: E731
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(cell(r.get(c, "")) for c in cols) + " |" for r in rows]
    st.markdown("\n".join(lines))
