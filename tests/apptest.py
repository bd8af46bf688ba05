"""How every page test opens a page under streamlit.testing's AppTest: the page's script, the link's
query parameters and any session state set before the first run."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def page_path(name: str) -> str:
    """app_pages/<name>.py, or app.py for "app"."""
    return str(ROOT / "app.py") if name == "app" else str(ROOT / "app_pages" / f"{name}.py")


def open_page(name: str, query: dict | None = None, state: dict | None = None, timeout: float = 300,
              raises: bool = False) -> AppTest:
    """The page after its first run. Unless `raises`, the run must not have raised."""
    at = AppTest.from_file(page_path(name), default_timeout=timeout)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    if not raises:
        assert not at.exception, [e.value for e in at.exception]
    return at
