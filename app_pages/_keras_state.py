"""After every script run (every click, every frame the playground asks for) Streamlit calls
`keras.backend.clear_session()` when Keras is imported: Keras's global state is reset under every other
session's feet, and a full garbage collection runs each time. With the playground playing that was a
quarter of the server's CPU (py-spy, two sessions). Here no session keeps anything in Keras's global state
(the interpreter names layers with counters of its own run; the playground names its layers), so this
keeps Streamlit's matplotlib clean-up and drops the Keras one. Streamlit is pinned; `tests/test_script_runs.py`
fails if the function this replaces moves."""

from __future__ import annotations

import sys

from streamlit.runtime.scriptrunner import script_runner


def _close_matplotlib_figures() -> None:
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        try:
            plt.close("all")
        except Exception:       # as Streamlit's own: a clean-up must not fail the run
            pass


if not hasattr(script_runner, "_clean_problem_modules"):
    raise ImportError("streamlit.runtime.scriptrunner.script_runner._clean_problem_modules is gone: "
                      "see app_pages/_keras_state.py")
script_runner._clean_problem_modules = _close_matplotlib_figures
