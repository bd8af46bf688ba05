"""`make run` and the `gradient-explorer-app` command: Streamlit with TensorFlow imported and every example of
the Graph page and the step-through run and laid out in the background (app_pages._warm), so the first
visitor's page load and example changes do not pay for them (importing TensorFlow alone takes seconds).

    python -m app_pages.serve [streamlit options]     # as `streamlit run app.py [options]`
    gradient-explorer-app [streamlit options]         # the same, after `pip install .`, from any directory

The app is the `app.py` beside this folder, with its `.streamlit/config.toml` (theme, type size, toolbar):
the clone's in a checkout or an editable install, the `gradient_explorer_app/` folder's in site-packages
after `pip install .` (pyproject.toml installs app.py, .streamlit/ and app_pages/ there, laid out as in
the clone). Streamlit reads the config next to the main script, so the working directory does not matter.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"


def main(argv: list[str]) -> None:
    if not APP.is_file():
        raise SystemExit(f"no app.py beside {Path(__file__).parent}: serve the app from a clone or `pip install .`")
    if str(APP.parent) not in sys.path:        # `app_pages` as the pages import it (Streamlit adds it too)
        sys.path.insert(0, str(APP.parent))
    import explorer  # noqa: F401 - TensorFlow, imported before the first session needs it
    from app_pages._warm import start_warming   # imports Streamlit here, in the main thread: two threads
    start_warming()                             # importing it at once deadlock; every example, first ones first
    from streamlit.web import cli
    sys.argv = ["streamlit", "run", str(APP), *argv]
    cli.main()


def cli() -> None:
    """The `gradient-explorer-app` console script."""
    main(sys.argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
