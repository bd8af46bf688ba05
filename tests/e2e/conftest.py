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


# Each node label's height on screen: its computed font size (the SVG's own units) times every scale between
# the SVG and the screen — the label's transform in the SVG (getCTM) and the viewer's zoom (the SVG's drawn
# width over its own width). No bounding boxes: a glyph box is taller than the type and would flatter it.
_LABEL_PX_JS = """(view) => {
    const svg = view.querySelector('svg');
    const zoom = svg.getBoundingClientRect().width / svg.width.baseVal.value;
    return [...svg.querySelectorAll('g.node text')].filter(t => t.textContent.trim())
        .map(t => parseFloat(getComputedStyle(t).fontSize) * Math.hypot(t.getCTM().a, t.getCTM().b) * zoom);
}"""


def label_px(page, view_selector: str = ".ge-view") -> list[float]:
    """The screen height in CSS pixels of every non-empty node label of the graph in `view_selector`."""
    sizes = page.locator(view_selector).first.evaluate(_LABEL_PX_JS)
    assert sizes, "no node labels drawn"
    return sizes


def not_cut_at_the_right(locator, within: str | None = None) -> dict:
    """Asserts that the element (a table, a formula) is not cut at the right edge: nothing in it (cells,
    formula terms) ends past the right edge of `within` (a CSS selector of an ancestor; default: the
    nearest ancestor that clips its content) or of the window, and it does not scroll sideways."""
    geometry = locator.evaluate("""(el, within) => {
        let host = within ? el.closest(within) : el.parentElement;
        while (!within && host && getComputedStyle(host).overflowX === 'visible' && host.parentElement)
            host = host.parentElement;
        const right = e => e.getBoundingClientRect().right;
        return {right: right(el), window: window.innerWidth, host: host ? right(host) : window.innerWidth,
                overflow: el.scrollWidth - el.clientWidth,
                parts: [...el.querySelectorAll('td, th, .term, .op')].map(right)};
    }""", within)
    limit = min(geometry["window"], geometry["host"]) + 1
    assert geometry["right"] <= limit, geometry
    assert geometry["overflow"] <= 1, geometry
    assert geometry["parts"] and max(geometry["parts"]) <= limit, geometry
    return geometry
