"""What several pages draw the same way: the cached run, the graph CSS, a graph with its downloads."""

import streamlit as st

import explorer
from explorer.errors import excerpt
from explorer.images import dot_available, render


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_run(source: str, dtype: str, seed: int) -> explorer.Run:
    return explorer.run(source, dtype=dtype, seed=seed)


def graph_css() -> None:
    """Streamlit shrinks all graphviz text to 0.6rem; restore the sizes the DOT was laid out for
    (explorer.render uses 18 for nodes and cluster titles, 15 for edges), so labels fill their boxes
    and read on a projector."""
    st.markdown("<style>textarea {font-family: ui-monospace, Menlo, Consolas, monospace !important;"
                " font-size: 16px !important}"
                "[data-testid=stGraphVizChart] svg text {font-family: Helvetica, Arial, sans-serif !important;"
                " font-size: 18px !important}"
                "[data-testid=stGraphVizChart] svg g.edge text {font-size: 15px !important}</style>",
                unsafe_allow_html=True)


def show_dot(dot: str, name: str, key: str) -> None:
    st.graphviz_chart(dot, width="stretch")
    cols = st.columns(3)
    cols[0].download_button("Download DOT", dot, f"{name}.dot", "text/vnd.graphviz", key=f"{key}-dot")
    if dot_available():   # rendered only when clicked: dot takes seconds on large graphs
        cols[1].download_button("Download SVG", lambda: render(dot, "svg"), f"{name}.svg", "image/svg+xml",
                                key=f"{key}-svg")
        cols[2].download_button("Download PNG", lambda: render(dot, "png"), f"{name}.png", "image/png",
                                key=f"{key}-png")


def run_or_last_good(source: str, dtype: str, seed: int, memory: str):
    """(run, error): the program's run, or where it fails the last program that ran on this page
    (remembered under `memory` in the session) with the error, so a typo keeps the user's graph."""
    try:
        run = cached_run(source, dtype, seed)
        st.session_state[memory] = (source, dtype, seed)
        return run, None
    except explorer.ProgramError as e:
        last = st.session_state.get(memory)
        return (cached_run(*last) if last else None), e


def show_error(source: str, error: explorer.ProgramError, kept: bool) -> None:
    st.error(f"**Line {error.line}, column {error.col}:** {error.message}" if error.line else error.message)
    if excerpt(source, error):
        st.code(excerpt(source, error), language=None)
    if kept:
        st.info("Showing the last program that ran.")
