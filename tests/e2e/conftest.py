"""Browser tests: a real Streamlit server on a free local port, driven by Playwright in Debian's chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PROJECTOR = {"width": 1280, "height": 720}     # the lecture hall's projector: every browser test uses it
MIN_GRAPH_TEXT_PX = 16                          # node labels must be this tall on screen (issue 11)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read().decode())
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("streamlit did not start within 90 s")
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium (apt-get install chromium); "
                    ".ci/run does this")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                    "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


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


def graph_text_heights(page, selector: str) -> list[float]:
    """On-screen heights (px) of the node label text in the SVG graphs matching `selector`."""
    return page.evaluate("""(sel) => [...document.querySelectorAll(sel + ' g.node text')]
        .filter(t => t.textContent.trim() && t.getClientRects().length)
        .map(t => { const fs = parseFloat(getComputedStyle(t).fontSize);
                    const m = t.getScreenCTM(); return fs * Math.hypot(m.a, m.b); })""", selector)
