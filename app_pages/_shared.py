"""What several pages draw the same way: the example picker, a program's output and charts, the graph CSS,
a graph with its downloads. (The shared runs and the heavy-work gate: app_pages._runs.)"""

import contextlib
import logging

import streamlit as st

import explorer
from explorer.images import dot_available, render, svg, svg_available
from explorer.presets import PRESETS
from explorer.settings import Settings
from explorer.views import ViewError

OWN = "(your own program)"


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
