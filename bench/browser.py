"""What the browser benchmarks and browser tests share: a Streamlit server on a free local port, Debian's
Chromium driven by Playwright, and "click to idle" — the wall time from an action until the app has
stopped running and the browser has drawn the result.

Idle means: Streamlit's app root says the script is not running, no status widget is shown, and two
animation frames and an idle callback have passed (the browser has laid out and painted what arrived).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PROJECTOR = {"width": 1280, "height": 720}


def chromium_path() -> str | None:
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(timeout: float = 90):
    """The app as `make run` serves it (app_pages.serve: `streamlit run app.py`, TensorFlow and the first
    examples warmed) on a free port; yields its URL once /_stcore/health answers."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # the server's output goes to a file: a pipe nobody reads fills up (64 KB of warnings) and stops the server
    (ROOT / "test-output").mkdir(exist_ok=True)
    log = open(ROOT / "test-output" / f"server-{port}.log", "w+b")
    proc = subprocess.Popen(
        [sys.executable, "-m", "app_pages.serve", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(log.read().decode(errors="replace")) from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start within {timeout:.0f} s") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def chromium():
    from playwright.sync_api import sync_playwright
    path = chromium_path()
    if path is None:
        raise RuntimeError(f"no Chromium at {CHROMIUM}: install Debian's chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


_IDLE_JS = """() => {
    const app = document.querySelector('[data-testid=stApp]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-testid=stStatusWidget] [data-testid=stStatusWidgetRunningIcon]')) return false;
    if (document.querySelector('[data-testid=stSkeleton]')) return false;
    return true;
}"""

_PAINTED_JS = """() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(() =>
    (window.requestIdleCallback || setTimeout)(() => resolve(true), {timeout: 2000}))))"""


def wait_idle(page, timeout_ms: float = 120_000, settle_ms: float = 150) -> float:
    """Until the app has been idle for `settle_ms` (a rerun that starts just after a click is caught)
    and the browser has painted. Returns the perf_counter time at which it became idle and painted
    (the settle wait not counted)."""
    deadline = time.perf_counter() + timeout_ms / 1000
    quiet_since = None
    while time.perf_counter() < deadline:
        if page.evaluate(_IDLE_JS):
            if quiet_since is None:
                quiet_since = time.perf_counter()
                page.evaluate(_PAINTED_JS)
                painted = time.perf_counter()
            if (time.perf_counter() - quiet_since) * 1000 >= settle_ms:
                return painted
        else:
            quiet_since = None
        page.wait_for_timeout(20)
    raise TimeoutError(f"the app was still running after {timeout_ms / 1000:.0f} s")


def click_to_idle(page, action, settle_ms: float = 150) -> float:
    """Milliseconds from `action()` (a click, a key press) until the app is idle and painted."""
    start = time.perf_counter()
    action()
    return (wait_idle(page, settle_ms=settle_ms) - start) * 1000


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples):7.0f} ms  (min {min(samples):.0f}, max {max(samples):.0f}, n={len(samples)})"


# Records the time of every step the step-through shows (window.__ticks), to measure Play's pace.
RECORD_STEPS_JS = """(view) => {
    const root = view.getRootNode().querySelector('.ge-stepper');
    window.__ticks = [];
    new MutationObserver(() => window.__ticks.push(performance.now()))
        .observe(root, {attributes: true, attributeFilter: ['data-step']});
}"""


# Records, for every step the step-through shows, the time from the input that caused it (the click's or
# key's own event time) to the next painted frame: window.__responses, in milliseconds. Measured inside the
# browser, so Playwright's own work before a click (finding the button, waiting for it) is not counted.
# Evaluate it on the stepper (or an element in it) again after the page draws a new stepper.
RECORD_RESPONSES_JS = """(el) => {
    const root = el.closest('.ge-stepper') || el.getRootNode().querySelector('.ge-stepper');
    window.__responses = [];
    window.__inputAt = null;
    for (const type of ['pointerdown', 'keydown'])         // both are composed: they reach the document
        document.addEventListener(type, e => { window.__inputAt = e.timeStamp; }, true);
    new MutationObserver(() => {
        const at = window.__inputAt;
        if (at === null) return;
        window.__inputAt = null;
        requestAnimationFrame(() => requestAnimationFrame(() => window.__responses.push(performance.now() - at)));
    }).observe(root, {attributes: true, attributeFilter: ['data-step']});
}"""


def step_response_ms(page, act) -> float:
    """Milliseconds from the input `act()` makes (a click on a step-through button, a key) to the browser's
    next painted frame showing the new step; needs RECORD_RESPONSES_JS installed on the page."""
    count = page.evaluate("window.__responses.length")
    act()
    page.wait_for_function("(n) => window.__responses.length > n", arg=count, timeout=10_000)
    return page.evaluate("window.__responses[window.__responses.length - 1]")


def server_cpu_seconds(url: str) -> float:
    """User and system CPU time so far of the app server listening at `url` (found by its --server.port)."""
    port = url.rsplit(":", 1)[1].split("/")[0]
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"app_pages.serve" in cmd and port.encode() in cmd:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")     # utime + stime
    raise LookupError(f"no app server on port {port}")


def wait_server_quiet(url: str, below: float = 0.1, timeout: float = 180) -> None:
    """Until the server uses under `below` of a core for a second: its start-up warm-ups are done."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = server_cpu_seconds(url)
        time.sleep(1)
        if server_cpu_seconds(url) - before < below:
            return
