"""`make run`: Streamlit with TensorFlow imported and the pages' first examples already run, so the
first visitor's page load does not pay for them (importing TensorFlow alone takes seconds).

    python -m app_pages.serve [streamlit options]     # as `streamlit run app.py [options]`
"""

from __future__ import annotations

import sys
import threading


def warm() -> None:
    """Run the examples the pages open with into the shared run store."""
    from app_pages._shared import cached_run
    from explorer.page_settings import GRAPH, WALKTHROUGH
    for settings in (GRAPH, WALKTHROUGH):
        cached_run(settings["program"].default, "float32", 0)


def main(argv: list[str]) -> None:
    import explorer  # noqa: F401 - TensorFlow, imported before the first session needs it
    threading.Thread(target=warm, name="warm-examples", daemon=True).start()
    from streamlit.web import cli
    sys.argv = ["streamlit", "run", "app.py", *argv]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
