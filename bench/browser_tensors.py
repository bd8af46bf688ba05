"""The Tensors page in headless Chromium at 1280×720: wall time (ms) from an action until the app is idle and
painted — the page's first load, picking an example, and typing a slice expression. Issue 11's targets: a
first load under 3 s once the server has started, a change idle under 1 s.

`measure(browser, url)` is what bench/bench_browser.py calls (`python -m bench.bench_browser tensors`); run
alone it starts its own server and browser, loads the page once (the server's first run of the page imports
and traces what it needs; that cold load is printed too) and prints medians:

    .venv/bin/python -m bench.browser_tensors
"""

from __future__ import annotations

import time

from bench.browser import PROJECTOR, chromium, median_ms, streamlit_server, wait_idle

PAGE = "/tensors"
CHART = "[data-testid=stPlotlyChart] .js-plotly-plot"
SHOWS = "(text) => (document.querySelector('[data-testid=stMain]')?.innerText || '').includes(text)"

# each repeat picks another example (a program this server has not run yet): (title, what it then says)
EXAMPLES = (("Chollet 2.3.2: broadcasting (32, 10) + (10,)", "x (32, 10) + y (10,) → (32, 10)"),
            ("Chollet 2.3.3: matrix · matrix", "Shape rule: (a=2, b=3) · (b=3, c=4)"),
            ("Chollet 2.2.11: images (the digits)", "shape (1797, 8, 8)"),
            ("Chollet 2.3.4: transposition, (3, 2) to (2, 3)", "in a new order"),
            ("Chollet 2.3.5: two affine maps are one", "one affine map"))


def first_load(browser, url: str) -> tuple[float, object, object]:
    """(ms, context, page): a new browser session opening the page until its picture is drawn and idle."""
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.set_default_timeout(120_000)
    start = time.perf_counter()
    page.goto(url + PAGE)
    page.locator(CHART).first.wait_for(timeout=120_000)
    return (wait_idle(page) - start) * 1000, context, page


def _until(page, action, text: str) -> float:
    """Milliseconds from `action()` until the page says `text` (the change has arrived) and the app is idle
    and painted (bench/browser_descent.py's way: a rerun that starts late is not timed as quiet)."""
    start = time.perf_counter()
    action()
    page.wait_for_function(SHOWS, arg=text, timeout=120_000)
    return (wait_idle(page) - start) * 1000


def _type_slice(page, text: str) -> None:
    box = page.get_by_role("textbox", name="Tensor or slice")
    box.fill(text)
    box.press("Enter")


def _pick(page, title: str) -> None:
    page.get_by_role("combobox", name="Example").click()
    page.get_by_role("option", name=title, exact=True).click()


def measure(browser, url: str, repeats: int = 5) -> dict[str, list[float]]:
    """Named timings in milliseconds, `repeats` samples each; every sample a slice or an example this
    server has not drawn before in the run, so no cached run stands in for the work."""
    times: dict[str, list[float]] = {"first load": [], "type a slice": [], "pick an example": []}
    for i in range(repeats):
        ms, context, page = first_load(browser, url)
        times["first load"].append(ms)
        try:
            expression = f"matrix[{i % 3}:, {(i + 1) % 4}]"
            times["type a slice"].append(_until(page, lambda: _type_slice(page, expression), f"{expression} → shape"))
            title, says = EXAMPLES[i % len(EXAMPLES)]
            times["pick an example"].append(_until(page, lambda: _pick(page, title), says))
        finally:
            context.close()
    return times


def main() -> None:
    with streamlit_server() as url, chromium() as browser:
        cold, context, _ = first_load(browser, url)       # the page's first run in this server
        context.close()
        results = measure(browser, url)
    print("Tensors page in Chromium at 1280×720, action to idle (medians; targets: first load < 3 s, change < 1 s)")
    print(f"  {'first load, cold server':<36} {cold:7.0f} ms")
    for name, samples in results.items():
        print(f"  {name:<36} {median_ms(samples)}")


if __name__ == "__main__":
    main()
