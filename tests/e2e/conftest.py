"""Browser tests: a real Streamlit server on a free local port, driven by Playwright in Debian's chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.browser import CHROMIUM, PROJECTOR, chromium, chromium_path, streamlit_server

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "screenshots"
MIN_GRAPH_TEXT_PX = 16                          # node labels must be this tall on screen (issue 11)


@pytest.fixture(scope="session")
def server():
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if chromium_path() is None:
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium (apt-get install chromium); "
                    ".ci/run does this")
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport=PROJECTOR)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def screenshot(page, name: str) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def in_first_viewport(page, locator) -> dict:
    """The element's bounding box; asserts it lies inside the first 1280×720 viewport (page scrolled to top)."""
    page.evaluate("window.scrollTo(0, 0); document.querySelector('[data-testid=stMain]')?.scrollTo(0, 0)")
    box = locator.bounding_box()
    assert box is not None, "the main picture is not drawn"
    vw, vh = page.viewport_size["width"], page.viewport_size["height"]
    assert box["x"] >= -1 and box["y"] >= -1 and box["x"] + box["width"] <= vw + 1 and box["y"] + box["height"] <= vh + 1, \
        f"the main picture {box} is not inside the first {vw}x{vh} viewport"
    return box
