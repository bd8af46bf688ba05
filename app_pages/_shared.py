"""What several pages draw the same way: the cached run, the graph CSS, a graph with its downloads."""

import streamlit as st

import explorer
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
