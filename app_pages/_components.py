"""The browser-side pictures: a graph viewer sized for a projector, and the step-through that steps in
the browser. Both are Streamlit v2 components (no iframe): the JavaScript and CSS are in components/."""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

from explorer.images import svg
from explorer.stepper import Frames

MIN_TEXT_PX = 16                       # graph labels on screen, at least (a projector's back row)
PRESENT_TEXT_PX = 20                   # ... and in presentation mode


def _min_px() -> int:
    from app_pages._links import presenting
    return PRESENT_TEXT_PX if presenting() else MIN_TEXT_PX
_DIR = Path(__file__).parent / "components"


@st.cache_resource(show_spinner=False)
def _registered():
    css = (_DIR / "style.css").read_text()
    viewer = (_DIR / "viewer.js").read_text()
    preload = (_DIR / "preload.js").read_text()
    return (st.components.v2.component("gradient_explorer.graph", js=viewer + preload + (_DIR / "graph.js").read_text(),
                                       css=css),
            st.components.v2.component("gradient_explorer.stepper", js=viewer + (_DIR / "stepper.js").read_text(),
                                       css=css))


def graph_view(dot: str, key: str, height: int | None = None) -> None:
    """A graph laid out on the server and drawn with labels at least MIN_TEXT_PX tall, with zoom and pan;
    Streamlit's own Graphviz chart where no layout program is installed."""
    picture = svg(dot)
    if picture is None:
        st.graphviz_chart(dot, width="stretch")
        return
    _registered()[0](data={"svg": picture, "dot": dot, "min_px": _min_px(), "height": height or 0,
                           "preload": _plotly_chunk()}, key=key)


def stepper(fr: Frames, key: str, start: int, speed: float, quiz: bool) -> None:
    """The whole walkthrough, stepped in the browser (Next, Back, Play, keys), its step in the address bar."""
    picture = svg(fr.dot)
    if picture is None:
        raise RuntimeError("no Graphviz layout program: install the requirements (graphviz-pure)")
    _registered()[1](data={
        "svg": picture, "deltas": fr.deltas, "panels": fr.panels, "quiz": {str(k): v for k, v in fr.quiz.items()},
        "start": start, "speed": speed, "quiz_on": quiz, "min_px": _min_px(), "large": _min_px() > MIN_TEXT_PX, "key": key,
        "hash": hashlib.sha1(picture.encode()).hexdigest()}, key=key)


@st.cache_resource(show_spinner=False)
def _descent_registered():
    return st.components.v2.component("gradient_explorer.descent",
                                      js=(_DIR / "preload.js").read_text() + (_DIR / "descent.js").read_text(),
                                      css=(_DIR / "style.css").read_text())


@st.cache_resource(show_spinner=False)
def _plotly_chunk() -> str | None:
    """The file name of Streamlit's Plotly chunk (static/js/PlotlyChart.<hash>.js), for the pictures that are
    not Plotly (graph, race, playground) to fetch ahead of the views that need it (components/preload.js);
    None where this Streamlit has none."""
    found = sorted((Path(st.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))
    return found[0].name if found else None


def descent_race(picture: dict, key: str, on_pick=None):
    """The optimizers race (explorer.descent_picture), drawn and played in the browser with text at least
    MIN_TEXT_PX tall; a click on the surface calls `on_pick({"x": x, "y": y})` before the rerun it starts."""
    def picked():
        point = (st.session_state.get(key) or {}).get("picked")
        if point and on_pick is not None:
            on_pick({"x": float(point["x"]), "y": float(point["y"])})
    return _descent_registered()(data={**picture, "min_px": _min_px(), "large": _min_px() > MIN_TEXT_PX,
                                       "key": key, "preload": _plotly_chunk()}, key=key, on_picked_change=picked)


@st.cache_resource(show_spinner=False)
def _playground_registered():
    return st.components.v2.component("gradient_explorer.playground",
                                      js=(_DIR / "preload.js").read_text() + (_DIR / "playground.js").read_text(),
                                      css=(_DIR / "playground.css").read_text())


def playground_live(data: dict, key: str, on_event) -> None:
    """The playground's live picture (explorer.playground_live.Live.message), played in the browser;
    what the browser asks for arrives in session_state[key].event and calls `on_event`."""
    _playground_registered()(data={**data, "preload": _plotly_chunk()}, key=key, on_event_change=on_event)
