"""Click to idle in headless Chromium at 1280×720, per page and preset, median of 5.

Graph page, per preset: picking the example, then on it a target change (the second target), the layout
(left to right) and the dtype (float64). Step-through, per preset: picking the example, Next and Back, a
target change and the dtype; on the 2-2-2 network the delay from clicking Play to the first step, and the
pace Play keeps at each speed. Both pages: the first load. Next, Back and Play are measured inside the
browser, from the click's own event time to the painted frame that shows the new step; everything else
from the click until Streamlit is idle and the browser has painted (bench/browser.wait_idle).

Baselines measured in the same run: a bare Streamlit page's first load, a rerun of the same page, and the
pace Play promises.

    .venv/bin/python -m bench.bench_browser                       # every page, its own server
    .venv/bin/python -m bench.bench_browser graph walkthrough
    .venv/bin/python -m bench.bench_browser --url http://host:8501 graph     # a server already running
"""

from __future__ import annotations

import statistics
import sys
import time

from bench.browser import (PROJECTOR, RECORD_RESPONSES_JS, RECORD_STEPS_JS, chromium, chromium_path, click_to_idle,
                           median_ms, step_response_ms, streamlit_server, wait_idle)
from explorer.presets import PRESETS, by_title
from explorer.share import encode_program

REPEATS = 5
MAZUR = "2-2-2 sigmoid network, scalars (step-by-step backpropagation)"
PACE_TICKS = {"slow (2 s)": 4, "normal (1 s)": 6, "fast (0.5 s)": 8}
TARGET = "Target (differentiate this)"


def _new_page(browser):
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.set_default_timeout(120_000)
    return context, page


def _pick_example(page, title: str) -> None:
    page.get_by_role("combobox", name="Example").click()
    page.get_by_role("option", name=title, exact=True).click()


def _target_change(page) -> float | None:
    """Open the target list and time choosing its second entry (ms to idle); None where there is one.
    Opened twice at most: a rerun that Streamlit's recording slider starts just after a new example
    closes the list again."""
    box = page.get_by_role("combobox", name=TARGET)
    if box.count() == 0:
        return None
    for _ in range(2):
        wait_idle(page)
        box.click()
        second = page.get_by_role("option").nth(1)
        try:
            second.wait_for(timeout=3000)
        except Exception:                     # noqa: BLE001 - Playwright's TimeoutError
            page.keyboard.press("Escape")
            continue
        return click_to_idle(page, second.click)
    return None


def _radio(page, label: str) -> None:
    page.locator("[data-testid=stSidebar]").get_by_text(label, exact=True).click()


def _sample(times: dict, name: str, ms: float) -> None:
    times.setdefault(name, []).append(ms)


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
            for p in PRESETS:
                _sample(times, f"example · {p.title}", click_to_idle(page, lambda: _pick_example(page, p.title)))
                ms = _target_change(page)
                if ms is not None:
                    _sample(times, f"target · {p.title}", ms)
                _sample(times, f"layout · {p.title}", click_to_idle(page, lambda: _radio(page, "left to right")))
                _sample(times, f"dtype · {p.title}", click_to_idle(page, lambda: _radio(page, "float64")))
                click_to_idle(page, lambda: _radio(page, "float32"))          # back, not timed
                click_to_idle(page, lambda: _radio(page, "top to bottom"))
        finally:
            context.close()
    return times


def walkthrough_page(browser, url: str, repeats: int = REPEATS) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"first load": []}
    for _ in range(repeats):
        context, page = _new_page(browser)
        try:
            start = time.perf_counter()
            page.goto(url + "/walkthrough")
            page.locator(".ge-stepper[data-step]").wait_for()
            times["first load"].append((wait_idle(page) - start) * 1000)
            for p in PRESETS:
                _sample(times, f"example · {p.title}", click_to_idle(page, lambda: _pick_example(page, p.title)))
                page.locator(".ge-stepper[data-step='1']").wait_for()
                _install_responses(page)
                _sample(times, f"Next · {p.title}", _press(page, "next"))
                _sample(times, f"Back · {p.title}", _press(page, "back"))
                ms = _target_change(page)
                if ms is not None:
                    _sample(times, f"target · {p.title}", ms)
                _sample(times, f"dtype · {p.title}", click_to_idle(page, lambda: _radio(page, "float64")))
                click_to_idle(page, lambda: _radio(page, "float32"))          # back, not timed
            _pick_example(page, MAZUR)
            wait_idle(page)
            page.locator(".ge-stepper[data-step='1']").wait_for()
            _install_responses(page)
            _sample(times, "Play → first step (2-2-2 network)", _press(page, "play"))
            page.locator(".ge-stepper [data-do=play]").click()               # Pause
        finally:
            context.close()
    times.update(_play_pace(browser, url))
    return times


def _install_responses(page) -> None:
    """The step-through is drawn anew after an example change: record its steps again."""
    page.locator(".ge-stepper").evaluate(RECORD_RESPONSES_JS)


def _press(page, button: str) -> float:
    return step_response_ms(page, lambda: page.locator(f".ge-stepper [data-do={button}]").click())


def _play_pace(browser, url: str) -> dict[str, list[float]]:
    """The gaps between the steps Play shows on the 2-2-2 network, at each speed."""
    mazur = by_title(MAZUR).source
    out = {}
    context, page = _new_page(browser)
    try:
        for speed, ticks in PACE_TICKS.items():
            query = speed.replace(" ", "+").replace("(", "%28").replace(")", "%29")
            page.goto(url + f"/walkthrough?speed={query}&program=" + encode_program(mazur))
            page.locator(".ge-stepper[data-step='1']").wait_for()
            wait_idle(page)
            page.locator(".ge-view").evaluate(RECORD_STEPS_JS)
            page.locator(".ge-stepper [data-do=play]").click()
            page.locator(f".ge-stepper[data-step='{ticks + 2}']").wait_for()
            page.locator(".ge-stepper [data-do=play]").click()
            stamps = page.evaluate("window.__ticks")
            out[f"Play pace at {speed} (2-2-2 network)"] = [b - a for a, b in zip(stamps, stamps[1:])]
    finally:
        context.close()
    return out


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


def report(name: str, times: dict[str, list[float]]) -> None:
    """One page's medians: single measurements as lines, per-preset ones ("action · preset") as a table
    with a row per preset and a column per action."""
    print(f"  {name}:")
    table: dict[str, dict[str, float]] = {}
    actions: list[str] = []
    for what, samples in times.items():
        if not samples:
            continue
        if " · " in what:
            action, preset = what.split(" · ", 1)
            table.setdefault(preset, {})[action] = statistics.median(samples)
            actions += [action] if action not in actions else []
        else:
            print(f"    {what:44s} {median_ms(samples)}")
    if table:
        print("    | preset | " + " | ".join(actions) + " |")
        print("    |---|" + "---:|" * len(actions))
        for preset, row in table.items():
            print(f"    | {preset} | " + " | ".join(f"{row[a]:.0f}" if a in row else "—" for a in actions) + " |")
        for a in actions:
            worst = max((row[a], preset) for preset, row in table.items() if a in row)
            print(f"    {a}: slowest median {worst[0]:.0f} ms ({worst[1]})")


def main(argv: list[str] | None = None) -> None:
    argv = list(argv or [])
    given = argv[argv.index("--url") + 1] if "--url" in argv else None
    names = [a for a in argv if a != "--url" and a != given] or None
    if chromium_path() is None:
        print("browser bench: skipped (no Chromium; install Debian's chromium)")
        return
    pages = {"graph": graph_page, "walkthrough": walkthrough_page, **_other_pages()}
    chosen = {n: f for n, f in pages.items() if not names or n in names}
    print(f"browser: click to idle in headless Chromium at 1280×720, medians of {REPEATS}, in ms "
          "(server started and warmed by one page load)")
    server = streamlit_server() if given is None else _running(given)
    with server as url, chromium() as browser:
        print(f"  baseline: first load of a bare Streamlit page (a heading)   {median_ms(bare_streamlit(browser))}")
        context, page = _new_page(browser)
        page.goto(url + "/")
        page.locator(".ge-view svg g.node").first.wait_for()
        wait_idle(page)
        context.close()
        for name, measure in chosen.items():
            report(name, measure(browser, url))
        if "walkthrough" in chosen:
            print("  (Next before this issue: a rerun of the page, 0.75–1.9 s; 3.8–4.6 s on the 2-2-2 network)")


def _running(url: str):
    import contextlib
    return contextlib.nullcontext(url.rstrip("/"))


if __name__ == "__main__":
    main(sys.argv[1:])
