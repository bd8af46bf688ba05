"""The Network playground in headless Chromium at 1280×720: wall time (ms) from a click until the app is
idle and painted, for the actions a teacher takes in front of a class.

`measure(browser, url)` is imported by the lead's bench/bench_browser.py; run alone it starts its own
server and browser and prints medians:

    .venv/bin/python -m bench.browser_playground
"""

from __future__ import annotations

import time

from bench.browser import PROJECTOR, chromium, click_to_idle, median_ms, streamlit_server, wait_idle

PAGE = "/playground"
EPOCH_STEP_JS = """() => { const h = [...document.querySelectorAll('h3')].find(e => e.textContent.includes('Epoch'));
    return h ? parseInt(h.textContent.split('step ')[1].replace(/,/g, '')) : -1; }"""


def _open_listbox(page, key: str) -> None:
    page.locator(f".st-key-{key}").click()
    page.get_by_role("option").first.wait_for()


OUTPUT_DRAWN = "[class*=st-key-pg_output] .imagelayer image"     # the output's picture behind the points


def _output_drawn(page) -> None:
    page.wait_for_function(f"() => document.querySelector('{OUTPUT_DRAWN}') !== null", timeout=60_000)


def measure(browser, url: str, repeats: int = 5) -> dict[str, list[float]]:
    """Named timings in milliseconds, `repeats` samples each."""
    times: dict[str, list[float]] = {name: [] for name in
                                      ("first load", "change dataset", "change learning rate",
                                       "Play → first update", "Pause")}
    for _ in range(repeats):
        context = browser.new_context(viewport=PROJECTOR)
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            start = time.perf_counter()
            page.goto(url + PAGE)
            _output_drawn(page)
            times["first load"].append((wait_idle(page) - start) * 1000)
            # warm once so every sample below is a settled page, not the first rerun's imports
            for data in ("Exclusive or", "Circle"):
                _open_listbox(page, "pg_data")
                times["change dataset"].append(click_to_idle(
                    page, lambda: page.get_by_role("option", name=data, exact=True).click()))
            for lr in ("0.1", "0.03"):
                _open_listbox(page, "pg_lr")
                times["change learning rate"].append(click_to_idle(
                    page, lambda: page.get_by_role("option", name=lr, exact=True).click()))
            play = page.locator(".st-key-pg_play button")
            before = page.evaluate(EPOCH_STEP_JS)
            start = time.perf_counter()
            play.click()
            page.wait_for_function(f"() => ({EPOCH_STEP_JS})() > {before}", timeout=60_000)
            times["Play → first update"].append((time.perf_counter() - start) * 1000)
            page.wait_for_timeout(600)
            times["Pause"].append(click_to_idle(page, lambda: (
                play.click(),
                page.wait_for_function("() => document.querySelector('.st-key-pg_play button')"
                                       ".textContent.includes('Play')"))))
        finally:
            context.close()
    # each repeat measured two changes of each kind: keep them all
    return times


def main() -> None:
    with streamlit_server() as url, chromium() as browser:
        context = browser.new_context(viewport=PROJECTOR)   # the server's first page run imports TensorFlow
        page = context.new_page()
        page.goto(url + PAGE)
        _output_drawn(page)
        wait_idle(page)
        context.close()
        results = measure(browser, url)
    print("Network playground in Chromium at 1280×720, click to idle (medians)")
    for name, samples in results.items():
        print(f"  {name:<22} {median_ms(samples)}")


if __name__ == "__main__":
    main()
