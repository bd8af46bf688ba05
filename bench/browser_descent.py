"""The Gradient descent lab in headless Chromium at 1280×720: wall time (ms) from an action until the app is
idle and painted, for what a teacher does in front of a class.

`measure(browser, url)` is imported by the lead's bench/bench_browser.py; run alone it starts its own
server and browser, loads the page once (the server's first run imports TensorFlow; that cold load is
printed too) and prints medians:

    .venv/bin/python -m bench.browser_descent
"""

from __future__ import annotations

import time

from bench.browser import PROJECTOR, chromium, median_ms, streamlit_server, wait_idle

PAGE = "/descent"
RACE = ".st-key-gd_race .js-plotly-plot"
SURFACES = ["Beale", "Himmelblau", "Rastrigin", "Quadratic bowl", "Saddle", "Elongated ravine", "Rosenbrock"]


def _race_drawn(page) -> None:
    page.locator(RACE).wait_for(timeout=120_000)


def _open_list(page, key: str) -> None:
    """Open the select box with widget key `key`. A click that blurs a number input makes Streamlit rerun,
    and the rerun closes the list it opened: then wait for the rerun and click again."""
    for _ in range(3):
        page.locator(f".st-key-{key}").click()
        try:
            page.get_by_role("option").first.wait_for(timeout=3000)
            return
        except Exception:                       # noqa: BLE001 - playwright's TimeoutError: try again
            wait_idle(page)
    raise TimeoutError(f"the list of {key} did not open")


def _type(page, key: str, text: str) -> None:
    field = page.locator(f".st-key-{key} input")
    field.fill(text)
    field.press("Enter")


def first_load(browser, url: str) -> tuple[float, object, object]:
    """(ms, context, page): a new browser session opening the page until the race is drawn and idle."""
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.set_default_timeout(120_000)
    start = time.perf_counter()
    page.goto(url + PAGE)
    _race_drawn(page)
    return (wait_idle(page) - start) * 1000, context, page


def _until(page, action, done_js: str, arg=None) -> float:
    """Milliseconds from `action()` until `done_js` holds (the change has arrived) and the app is idle and
    painted. Waiting for the change itself: under load a rerun can start later than click_to_idle's
    settle time, and it would time the quiet before the rerun instead."""
    start = time.perf_counter()
    action()
    page.wait_for_function(done_js, arg=arg, timeout=120_000)
    return (wait_idle(page) - start) * 1000


TITLE_HAS = f"(text) => document.querySelector('{RACE} g.g-gtitle')?.textContent.includes(text)"
TABLE_HAS = "(text) => document.querySelector('[data-testid=stTable]')?.textContent.includes(text)"


def measure(browser, url: str, repeats: int = 5) -> dict[str, list[float]]:
    """Named timings in milliseconds, `repeats` samples each. Each sample changes to a value not seen
    before in the run (a new surface while there is one, a new learning rate, a new formula), so a
    cached result never stands in for the work."""
    times: dict[str, list[float]] = {name: [] for name in ("first load", "change surface",
                                                           "change optimizer setting",
                                                           "custom surface race (6 optimizers)")}
    token = time.time_ns() % 9973                # a formula this server has not seen
    for i in range(repeats):
        ms, context, page = first_load(browser, url)
        times["first load"].append(ms)
        try:
            surface = SURFACES[i % len(SURFACES)]
            _open_list(page, "gd_surface")
            times["change surface"].append(_until(
                page, lambda: page.get_by_role("option", name=surface, exact=True).click(), TITLE_HAS, surface))
            page.locator("[data-testid=stExpander] summary", has_text="Adam").click()
            page.locator(".st-key-gd_lr_adam input").wait_for()
            wait_idle(page)
            rate = f"{0.031 + 0.002 * i:.3f}"
            times["change optimizer setting"].append(_until(
                page, lambda: _type(page, "gd_lr_adam", rate), TABLE_HAS, f"Adam (lr={rate}"))
            _open_list(page, "gd_surface")
            page.get_by_role("option", name="Your own f(x, y)", exact=True).click()
            page.locator(".st-key-gd_formula input").wait_for()
            wait_idle(page)
            term = f"0.{i + 1}{token:04d}*tf.cos(x*y)"
            times["custom surface race (6 optimizers)"].append(_until(
                page, lambda: _type(page, "gd_formula", f"x**2 + 3*y**2 + tf.sin(3*x) + {term}"), TITLE_HAS, term))
        finally:
            context.close()
    return times


def main() -> None:
    with streamlit_server() as url, chromium() as browser:
        cold, context, _ = first_load(browser, url)       # the server's first run imports TensorFlow
        context.close()
        results = measure(browser, url)
    print("Gradient descent lab in Chromium at 1280×720, click to idle (medians)")
    print(f"  {'first load, cold server':<36} {cold:7.0f} ms  (TensorFlow imported and the race compiled)")
    for name, samples in results.items():
        print(f"  {name:<36} {median_ms(samples)}")


if __name__ == "__main__":
    main()
