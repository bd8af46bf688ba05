"""The Gradient descent lab in headless Chromium at 1280×720: wall time (ms) from an action until the change
has arrived and the app is idle and painted, for what a teacher does in front of a class: open the page,
choose each surface preset, change an optimizer's setting on each, race six optimizers on a new formula,
and open the other tabs (right after the page loads, and after three seconds on the race) and change a
setting there.

`measure(browser, url)` is imported by bench/bench_browser.py (`python -m bench.bench_browser descent`);
run alone it starts its own server and browser, loads the page once (the server's first descent run
compiles the default race; that cold load is printed too) and prints medians per surface preset:

    .venv/bin/python -m bench.browser_descent
"""

from __future__ import annotations

import time

from bench.browser import PROJECTOR, chromium, median_ms, streamlit_server, wait_idle
from explorer import descent as gd

PAGE = "/descent"
RACE = ".st-key-gd_race .gd-race[data-ready]"          # the race picture (components/descent.js)
# every surface preset, each chosen from the one before (the page opens on Rosenbrock)
ORDER = ["ravine", "saddle", "bowl", "beale", "himmelblau", "rastrigin", "rosenbrock"]
SHADOW = "[...document.querySelectorAll('.st-key-gd_race *')].find(e => e.shadowRoot)?.shadowRoot"
TITLE_HAS = f"(text) => ({SHADOW})?.querySelector('.gd-title')?.textContent.includes(text)"
TABLE_HAS = "(text) => document.querySelector('[data-testid=stMarkdownContainer] table')?.textContent.includes(text)"
TEXT_HAS = "([key, text]) => document.querySelector('.st-key-' + key)?.textContent.includes(text)"


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


def first_load(browser, url: str, query: str = "") -> tuple[float, object, object]:
    """(ms, context, page): a new browser session opening the page until the race is drawn and idle."""
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.set_default_timeout(120_000)
    start = time.perf_counter()
    page.goto(url + PAGE + query)
    page.locator(RACE).wait_for(timeout=120_000)
    return (wait_idle(page) - start) * 1000, context, page


def _until(page, action, done_js: str, arg=None) -> float:
    """Milliseconds from `action()` until `done_js` holds (the change has arrived) and the app is idle and
    painted. Waiting for the change itself: under load a rerun can start later than click_to_idle's
    settle time, and it would time the quiet before the rerun instead."""
    start = time.perf_counter()
    action()
    page.wait_for_function(done_js, arg=arg, timeout=120_000)
    return (wait_idle(page) - start) * 1000


def _surfaces(page, times: dict, i: int) -> None:
    """Each surface preset in turn, and on each a new Adam learning rate (a value not used before)."""
    for j, key in enumerate(ORDER):
        title = gd.SURFACES[key].title
        _open_list(page, "gd_surface")
        times.setdefault(f"surface → {title}", []).append(_until(
            page, lambda: page.get_by_role("option", name=title, exact=True).click(), TITLE_HAS, title))
        lr = page.locator(".st-key-gd_lr_adam input")
        if not lr.is_visible():                  # inside the Adam expander, closed
            page.locator("[data-testid=stExpander] summary", has_text="Adam").click()
            lr.wait_for()
            wait_idle(page)
        rate = f"{0.0301 + 0.0023 * i + 0.0001 * j:.4g}"
        times.setdefault(f"Adam learning rate on {title}", []).append(_until(
            page, lambda: _type(page, "gd_lr_adam", rate), TABLE_HAS, f"Adam (lr={rate}"))


def _custom(page, times: dict, i: int, token: int) -> None:
    _open_list(page, "gd_surface")
    page.get_by_role("option", name="Your own f(x, y)", exact=True).click()
    page.locator(".st-key-gd_formula input").wait_for()
    wait_idle(page)
    term = f"0.{i + 1}{token:04d}*tf.cos(x*y)"
    times.setdefault("custom surface race (6 optimizers)", []).append(_until(
        page, lambda: _type(page, "gd_formula", f"x**2 + 3*y**2 + tf.sin(3*x) + {term}"), TITLE_HAS, term))


def _open(page, name: str, key: str) -> float:
    """Open a tab and wait for its first Plotly chart."""
    return _until(page, lambda: page.locator(".st-key-gd_tab button", has_text=name).click(),
                  f"() => !!document.querySelector('.st-key-{key} .js-plotly-plot')")


def _tabs(page, times: dict, i: int) -> None:
    """The other tabs (Plotly charts) and one setting on each, after three seconds on the race (the race
    has fetched Plotly's bundle by then)."""
    page.wait_for_timeout(3000)
    times.setdefault("open the sweep tab", []).append(_open(page, "Learning-rate sweep", "gd_sweep_grid"))
    _open_list(page, "gd_sweep_optimizer")
    times.setdefault("sweep: change optimizer", []).append(_until(
        page, lambda: page.get_by_role("option", name="Nesterov", exact=True).click(),
        "() => location.search.includes('sweep_optimizer=nesterov')"))
    times.setdefault("open the 1-D tab", []).append(_open(page, "One dimension", "gd_tangent"))
    rate = f"{0.0201 + 0.0007 * i:.4g}"
    times.setdefault("1-D: change learning rate", []).append(_until(
        page, lambda: _type(page, "gd_lr_1d", rate), TEXT_HAS, ["gd_tangent", f"x − {rate} ×"]))
    times.setdefault("open the classifier tab", []).append(_open(page, "Linear classifier", "gd_clf_anim"))
    rate = f"{0.1101 + 0.0007 * i:.4g}"
    times.setdefault("classifier: change learning rate", []).append(_until(
        page, lambda: _type(page, "gd_clf_lr", rate),
        f"() => location.search.includes('clf_lr={rate}') && "
        "!!document.querySelector('.st-key-gd_clf_anim .js-plotly-plot')"))


def measure(browser, url: str, repeats: int = 5, tabs: bool = True) -> dict[str, list[float]]:
    """Named timings in milliseconds, `repeats` samples each. A learning rate or a formula is a value not
    used before in the run, so a kept result never stands in for the work; a surface's default race is
    made once per server (the page's warm-up makes them all in the background), as in a lecture."""
    times: dict[str, list[float]] = {"first load": []}
    token = time.time_ns() % 9973                # a formula this server has not seen
    for i in range(repeats):
        ms, context, page = first_load(browser, url)
        times["first load"].append(ms)
        try:
            _surfaces(page, times, i)
            _custom(page, times, i, token)
        finally:
            context.close()
        if tabs:
            ms, context, page = first_load(browser, url)
            try:                                 # at once: Plotly's bundle is loaded on the way
                times.setdefault("open the sweep tab right after the first load", []).append(
                    _open(page, "Learning-rate sweep", "gd_sweep_grid"))
            finally:
                context.close()
            ms, context, page = first_load(browser, url)
            try:
                _tabs(page, times, i)
            finally:
                context.close()
    return times


def main() -> None:
    with streamlit_server() as url, chromium() as browser:
        cold, context, _ = first_load(browser, url)       # the server's first descent run
        context.close()
        results = measure(browser, url)
    print("Gradient descent lab in Chromium at 1280×720, action to idle (medians of 5)")
    print(f"  {'first load, server just started':<44} {cold:7.0f} ms")
    for name, samples in results.items():
        print(f"  {name:<44} {median_ms(samples)}")


if __name__ == "__main__":
    main()
