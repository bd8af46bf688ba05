"""The address bar holds a page's whole state, read from and written to its settings table
(explorer.settings): restore() at the top of a page, publish() as soon as every setting is final (before the
main picture is drawn, so the address bar never lags what is shown).

A link that changes outside the app (first load, a pasted link, the browser's Back and Forward) is
applied to the page; settings it does not name take their defaults. Switching pages in the sidebar
clears the address bar: then the page keeps what this session had.
"""

from __future__ import annotations

import streamlit as st

from explorer.settings import HIDE, PRESENT, Settings

PRESENT_KEY = "presentation_mode"      # one flag for the whole session: every page presents alike


def _mark(settings: Settings) -> str:
    return f"{settings.prefix}url"


def _ours(settings: Settings, params: dict) -> dict:
    client = {s.name for s in settings.table if s.client}
    return {k: v for k, v in params.items() if k not in client}


def restore(settings: Settings) -> None:
    """Apply the address bar to the session's controls when it changed since the page last wrote it."""
    params = st.query_params.to_dict()
    if st.session_state.get(_mark(settings)) == _ours(settings, params):
        return
    values, hidden, present, errors = settings.decode(params)
    named = any(s.name in params for s in settings.table) or HIDE in params or PRESENT in params
    seen = _mark(settings) in st.session_state
    for s in settings.table:
        key = settings.key(s.name)
        if s.name in values:
            st.session_state[key] = values[s.name]
        elif named or key not in st.session_state:
            st.session_state[key] = s.default
    if named or not seen:
        st.session_state[f"{settings.prefix}hidden"] = hidden
        if PRESENT in params or not seen:
            st.session_state[PRESENT_KEY] = present
    st.session_state[_mark(settings)] = _ours(settings, params)
    if errors:
        st.session_state[f"{settings.prefix}link_errors"] = errors


def link_errors(settings: Settings) -> None:
    """What could not be read from the link, said once."""
    errors = st.session_state.pop(f"{settings.prefix}link_errors", None)
    if errors:
        st.warning("Some of the link could not be used: " + "; ".join(errors) + ".")


def shown(settings: Settings, name: str) -> bool:
    """Is this control drawn? Not when a teacher link hides it; not the editor in presentation mode."""
    if name not in settings.controls:
        settings[name]
    if name in st.session_state.get(f"{settings.prefix}hidden", ()):
        return False
    return not (presenting() and name not in settings.controls and settings[name].kind == "program")


def hidden(settings: Settings) -> frozenset[str]:
    return st.session_state.get(f"{settings.prefix}hidden", frozenset())


def values(settings: Settings) -> dict:
    return {s.name: st.session_state[settings.key(s.name)] for s in settings.table
            if settings.key(s.name) in st.session_state}


def publish(settings: Settings) -> None:
    """Write the page's state to the address bar (only what differs from the defaults). Settings the
    browser keeps itself (`client`, e.g. the step-through's step) are left to it."""
    ours = {k: v for k, v in values(settings).items() if not settings[k].client}
    params = settings.encode(ours, hidden(settings), presenting())
    if params != _ours(settings, st.query_params.to_dict()):
        st.query_params.from_dict(params)
    st.session_state[_mark(settings)] = params


def presenting() -> bool:
    return bool(st.session_state.get(PRESENT_KEY, False))


COMPACT = ("<style>[data-testid=stMainBlockContainer] {padding-top: 3.2rem !important; padding-bottom: 2rem !important}"
           " [data-testid=stMainBlockContainer] h2 {padding: 0.2rem 0 !important}"
           # markdown tables fit their column and wrap their cells: nothing is cut at the right edge
           " [data-testid=stMarkdownContainer] table {table-layout: auto; width: 100%; font-size: 0.9rem}"
           " [data-testid=stMarkdownContainer] th, [data-testid=stMarkdownContainer] td"
           " {padding: 0.25rem 0.4rem !important; overflow-wrap: anywhere; vertical-align: top}</style>")


def presentation_css() -> None:
    """Every page: a compact top, so the main picture is above the fold at 1280×720. Presentation mode:
    no sidebar, larger type everywhere for the back row of a lecture hall."""
    st.markdown(COMPACT, unsafe_allow_html=True)
    if presenting():
        st.markdown("<style>[data-testid=stSidebar], [data-testid=stSidebarCollapsedControl],"
                    " [data-testid=stExpandSidebarButton] {display: none !important}"
                    " [data-testid=stMainBlockContainer] {padding-top: 2.2rem !important;"
                    " padding-left: 1.5rem !important; padding-right: 1.5rem !important}"
                    " [data-testid=stMarkdownContainer] p, [data-testid=stMarkdownContainer] li"
                    " {font-size: 1.25rem !important}"
                    " [data-testid=stWidgetLabel] p {font-size: 1.1rem !important}</style>",
                    unsafe_allow_html=True)


def presentation_toggle() -> None:
    """The toggle that turns presentation mode on and off (the `present=1` flag in links)."""
    st.toggle("Presentation mode", key=PRESENT_KEY,
              help="Hides the editor and the sidebar and enlarges the type, for a projector. "
                   "Links made now open in presentation mode (present=1).")
