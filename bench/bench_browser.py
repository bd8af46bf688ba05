"""Click to idle in headless Chromium at 1280×720, per page and preset, median of 5: first load, example
change, Next on the step-through, and the pace Play keeps. The baselines are measured in the same run:
a bare Streamlit rerun of the same page (the "Pause" of the step-through before this issue was a rerun)
and the pace Play promises.

    .venv/bin/python -m bench.bench_browser            # every page
    .venv/bin/python -m bench.bench_browser graph walkthrough
"""

from __future__ import annotations

import statistics
import sys
import time

from bench.browser import PROJECTOR, RECORD_STEPS_JS, chromium, chromium_path, click_to_idle, median_ms, streamlit_server, wait_idle
from explorer.presets import PRESETS
from explorer.share import encode_program

REPEATS = 5
WALKTHROUGH_PRESETS = ("Chain rule on a computation graph (Chollet 2.4.4)",
                       "2-2-2 sigmoid network, scalars (step-by-step backpropagation)",
                       "Two-layer network, one step (Chollet 2.5)")


def _new_page(browser):
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.set_default_timeout(120_000)
    return context, page


def _pick_example(page, title: str) -> None:
    page.get_by_role("combobox", name="Example").click()
    page.get_by_role("option", name=title, exact=True).click()


def graph_page(browser, url: str, repeats: int = REPEATS) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"first load": [], "rerun (same program)": []}
    for _ in range(repeats):
        context, page = _new_page(browser)
        try:
            start = time.perf_counter()
            page.goto(url + "/")
            page.locator(".ge-view svg g.node").first.wait_for()
            times["first load"].append((wait_idle(page) - start) * 1000)
            times["rerun (same program)"].append(click_to_idle(page, lambda: page.keyboard.press("r")))
            for title in (p.title for p in PRESETS):
                times.setdefault(f"example → {title[:38]}", []).append(
                    click_to_idle(page, lambda: _pick_example(page, title)))
        finally:
            context.close()
    return times


def walkthrough_page(browser, url: str, repeats: int = REPEATS) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"first load": []}
    for r in range(repeats):
        context, page = _new_page(browser)
        try:
            start = time.perf_counter()
            page.goto(url + "/walkthrough")
            page.locator(".ge-stepper[data-step]").wait_for()
            times["first load"].append((wait_idle(page) - start) * 1000)
            for title in WALKTHROUGH_PRESETS:
                short = title[:30]
                times.setdefault(f"example → {short}", []).append(
                    click_to_idle(page, lambda: _pick_example(page, title)))
                page.locator(".ge-stepper[data-step='1']").wait_for()
                nexts = times.setdefault(f"Next ({short})", [])
                for _ in range(3):
                    before = page.locator(".ge-stepper").get_attribute("data-step")
                    start = time.perf_counter()
                    page.locator(".ge-stepper [data-do=next]").click()
                    page.locator(f".ge-stepper:not([data-step='{before}'])").wait_for()
                    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
                    nexts.append((time.perf_counter() - start) * 1000)
            if r == 0:              # Play's pace, once: 8 ticks at "fast (0.5 s)" on the 2-2-2 network
                times["Play tick at 0.5 s (2-2-2 net)"] = _play_pace(page, url)
        finally:
            context.close()
    return times


def _play_pace(page, url: str) -> list[float]:
    mazur = next(p for p in PRESETS if p.title == WALKTHROUGH_PRESETS[1]).source
    page.goto(url + "/walkthrough?speed=fast+%280.5+s%29&program=" + encode_program(mazur))
    page.locator(".ge-stepper[data-step='1']").wait_for()
    wait_idle(page)
    page.locator(".ge-view").evaluate(RECORD_STEPS_JS)
    page.locator(".ge-stepper [data-do=play]").click()
    page.locator(".ge-stepper[data-step='10']").wait_for()
    page.locator(".ge-stepper [data-do=play]").click()
    ticks = page.evaluate("window.__ticks")
    return [b - a for a, b in zip(ticks, ticks[1:])]


def bare_streamlit(browser, repeats: int = REPEATS) -> list[float]:
    """The floor for a first load: a Streamlit page that only writes a heading, served the same way."""
    import subprocess
    import tempfile
    import urllib.request
    from pathlib import Path

    from bench.browser import free_port
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "app.py").write_text('import streamlit as st\nst.set_page_config(layout="wide")\n'
                                       'st.markdown("## hello")\n')
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                 "--server.address", "127.0.0.1", "--server.headless", "true",
                                 "--browser.gatherUsageStats", "false"],
                                cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
            times = []
            for _ in range(repeats + 1):
                context, page = _new_page(browser)
                start = time.perf_counter()
                page.goto(url)
                page.get_by_text("hello").wait_for()
                times.append((wait_idle(page) - start) * 1000)
                context.close()
            return times[1:]                 # the first warms the server
        finally:
            proc.terminate()
            proc.wait(10)


def _other_pages() -> dict:
    pages = {}
    try:
        from bench import browser_descent
        pages["descent"] = browser_descent.measure
    except ImportError:
        pass
    try:
        from bench import browser_playground
        pages["playground"] = browser_playground.measure
    except ImportError:
        pass
    try:
        from bench import browser_tensors
        pages["tensors"] = browser_tensors.measure
    except ImportError:
        pass
    return pages


def main(names: list[str] | None = None) -> None:
    if chromium_path() is None:
        print("browser bench: skipped (no Chromium; install Debian's chromium)")
        return
    pages = {"graph": graph_page, "walkthrough": walkthrough_page, **_other_pages()}
    chosen = {n: f for n, f in pages.items() if not names or n in names}
    print(f"browser: click to idle in headless Chromium at 1280×720, median of {REPEATS} "
          "(2-core machine; server started and warmed by one page load)")
    with streamlit_server() as url, chromium() as browser:
        print(f"  baseline: first load of a bare Streamlit page (a heading)   {median_ms(bare_streamlit(browser))}")
        context, page = _new_page(browser)
        page.goto(url + "/")
        page.locator(".ge-view svg g.node").first.wait_for()
        wait_idle(page)
        context.close()
        for name, measure in chosen.items():
            print(f"  {name}:")
            for what, samples in measure(browser, url).items():
                if samples:
                    print(f"    {what:44s} {median_ms(samples)}")
        if "walkthrough" in chosen:
            print("  (Next before this issue: a rerun of the page, 0.75–1.9 s; 3.8–4.6 s on the 2-2-2 network)")


if __name__ == "__main__":
    main(sys.argv[1:] or None)
