"""The Gradient descent lab in headless Chromium at 1280×720 with the sidebar open: each tab's main picture
fits the first screen beside or under its controls and reads from the back row (text at least 16 px), the
race plays in the browser, a click on the surface picks the start, a race on your own surface shows its
progress, and presentation mode hides the sidebar and enlarges the type."""

import re

from bench.browser import wait_idle

from .conftest import MIN_GRAPH_TEXT_PX, in_first_viewport, screenshot

RACE = ".st-key-gd_race .gd-race[data-ready]"                 # components/descent.js, in its shadow root
PLOTLY_TEXT_PX = """(el) => [...el.querySelectorAll('text')]
    .filter(t => t.textContent.trim() && t.getClientRects().length && getComputedStyle(t).fill !== 'rgba(0, 0, 0, 0)')
    .map(t => parseFloat(getComputedStyle(t).fontSize))"""
# every piece of text the race shows: axis numbers, legend, title, the step count, the Play button
RACE_TEXT_PX = """(root) => {
    const out = [];
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        const e = n.parentElement;
        if (!n.textContent.trim() || !e.getClientRects().length || e.closest('title')) continue;
        out.push({text: n.textContent.trim(), px: parseFloat(getComputedStyle(e).fontSize)});
    }
    return out;
}"""
TABLE = "[data-testid=stMarkdownContainer] table"


def step(race) -> int:
    return int(race.get_attribute("data-step"))


def scroll_main(page, y: int) -> None:
    page.evaluate(f"document.querySelector('[data-testid=stMain]').scrollTo(0, {y})")


def text_sizes(race) -> list[dict]:
    return race.evaluate(RACE_TEXT_PX)


def test_race_fits_the_projector_reads_from_the_back_and_plays(page, server):
    page.goto(server + "/descent")
    race = page.locator(RACE)
    race.wait_for()
    page.locator(TABLE).wait_for()
    wait_idle(page)
    box = in_first_viewport(page, race)
    surface = page.locator(".st-key-gd_surface").bounding_box()
    assert surface["x"] + surface["width"] <= box["x"] and surface["y"] < box["y"] + box["height"], \
        "the controls sit beside the picture"
    assert box["width"] >= 600 and box["height"] >= 450
    assert page.locator("[data-testid=stSidebar]").bounding_box()["width"] > 200      # the sidebar is open
    sizes = text_sizes(race)
    smallest = sorted(sizes, key=lambda s: s["px"])[:3]
    assert len(sizes) > 20 and smallest[0]["px"] >= MIN_GRAPH_TEXT_PX, smallest
    legend = race.locator(".gd-legend").text_content()
    assert "Adam" in legend and "reached (1, 1)" in legend
    assert page.locator(".js-plotly-plot").count() == 0                          # no Plotly on the first screen
    screenshot(page, "descent-race")

    table = page.locator(TABLE)
    fits = table.evaluate("(t) => ({right: t.getBoundingClientRect().right, "
                          "scroll: t.parentElement.scrollWidth - t.parentElement.clientWidth})")
    assert fits["right"] <= 1280 and fits["scroll"] <= 1, fits
    assert "reached the minimum (1, 1)" in table.text_content()

    assert step(race) == 0 and race.locator("image").count() == 1              # the surface, as a picture
    race.locator(".ge-play").click()                                           # ▶ Play
    page.wait_for_function("(el) => parseInt(el.dataset.step) > 100", arg=race.element_handle(), timeout=30_000)
    race.locator(".ge-play").click()                                           # ❚❚ Pause
    first = step(race)
    page.wait_for_timeout(800)
    assert step(race) == first and first < 1000
    assert race.locator(".ge-count").text_content() == f"step {first} of 1000"
    race.locator(".gd-entry", has_text="SGD + momentum").click()               # the legend hides a path
    assert race.locator(".gd-lane").nth(1).evaluate("g => getComputedStyle(g).display") == "none"
    race.locator(".ge-slider").fill("1000")                                    # the slider reaches the end
    assert step(race) == 1000
    scroll_main(page, 560)
    screenshot(page, "descent-race-table")
    # meanwhile the race has fetched Plotly's bundle for the other views (the module Streamlit imports later)
    page.wait_for_function("() => performance.getEntriesByType('resource')"
                           ".some(e => /PlotlyChart\\.[^/]+\\.js/.test(e.name))", timeout=30_000)


def test_a_click_on_the_surface_picks_the_start(page, server):
    page.goto(server + "/descent?surface=himmelblau")
    race = page.locator(RACE)
    race.wait_for()
    wait_idle(page)
    area = race.locator("image").bounding_box()                   # the plot area: x and y from -5 to 5
    start_x = page.locator(".st-key-gd_x0 input")
    assert float(start_x.input_value()) == -1.5
    page.mouse.click(area["x"] + 0.75 * area["width"], area["y"] + 0.25 * area["height"])   # about (2.5, 2.5)
    page.wait_for_function("() => document.querySelector('.st-key-gd_x0 input').value !== '-1.500'", timeout=60_000)
    x0, y0 = float(start_x.input_value()), float(page.locator(".st-key-gd_y0 input").input_value())
    assert abs(x0 - 2.5) < 0.05 and abs(y0 - 2.5) < 0.05
    page.wait_for_function("() => location.search.includes('x0=') && location.search.includes('y0=')")   # linkable
    wait_idle(page)
    xy = race.evaluate("(r) => r.querySelector('.gd-lane circle').getAttribute('cx')")
    assert abs(float(xy) - (area["x"] - race.bounding_box()["x"] + 0.75 * area["width"])) < 3   # the race starts there


def test_a_race_on_your_own_surface_shows_progress(page, server):
    page.goto(server + "/descent?surface=custom")
    page.locator(RACE).wait_for()
    wait_idle(page)
    page.evaluate("""() => { window.sawProgress = false;
        new MutationObserver(() => {
            if (document.querySelector('[data-testid=stProgress]')) window.sawProgress = true; })
            .observe(document.body, {childList: true, subtree: true}); }""")
    field = page.locator(".st-key-gd_formula input")
    field.fill("x**2 - y**2 + 0.3*tf.sin(4*x*y)")
    field.press("Enter")
    page.wait_for_function("() => window.sawProgress", timeout=60_000)
    page.wait_for_function(f"() => document.querySelector('{TABLE}')?.textContent.includes('unbounded')",
                           timeout=60_000)
    wait_idle(page)
    assert page.locator("[data-testid=stProgress]").count() == 0               # gone once the race is drawn
    assert "x**2 - y**2 + 0.3*tf.sin(4*x*y)" in page.locator(RACE).locator(".gd-title").text_content()
    screenshot(page, "descent-custom")


def test_presentation_mode_hides_the_sidebar_and_enlarges_the_race(page, server):
    page.goto(server + "/descent?present=1")
    race = page.locator(RACE)
    race.wait_for()
    wait_idle(page)
    assert not page.locator("[data-testid=stSidebar]").is_visible()
    in_first_viewport(page, race)
    assert min(s["px"] for s in text_sizes(race)) >= 20
    screenshot(page, "descent-present")
    page.locator(".st-key-presentation_mode label").click()                   # the toggle: back to the lesson
    page.wait_for_function("() => !location.search.includes('present')")
    wait_idle(page)
    assert page.locator("[data-testid=stSidebar]").is_visible()
    assert min(s["px"] for s in text_sizes(page.locator(RACE))) == MIN_GRAPH_TEXT_PX
    page.locator(".st-key-presentation_mode label").click()                   # and on again
    page.wait_for_function("() => location.search.includes('present=1')")
    wait_idle(page)
    assert not page.locator("[data-testid=stSidebar]").is_visible()
    assert min(s["px"] for s in text_sizes(page.locator(RACE))) >= 20


def plotly_text(page, chart) -> list[float]:
    return page.evaluate(PLOTLY_TEXT_PX, chart.element_handle())


def open_tab(page, name: str, key: str):
    """Open the descent page's tab `name`; its chart (in the element keyed `key`) is drawn inside the first
    screen with text at least MIN_GRAPH_TEXT_PX tall. Returns the chart."""
    page.locator(".st-key-gd_tab button", has_text=name).click()
    chart = page.locator(f".st-key-{key} .js-plotly-plot")
    chart.wait_for()
    wait_idle(page)
    in_first_viewport(page, chart)
    assert min(plotly_text(page, chart)) >= MIN_GRAPH_TEXT_PX
    return chart


def test_sweep_one_dimension_and_classifier_tabs(page, server):
    page.goto(server + "/descent?tab=sweep")
    grid = page.locator(".st-key-gd_sweep_grid .js-plotly-plot")
    grid.wait_for()
    losses = page.locator(".st-key-gd_sweep_losses .js-plotly-plot")
    losses.wait_for()
    wait_idle(page)
    in_first_viewport(page, grid)
    titles = grid.locator("g.annotation text").all_text_contents()
    assert len(titles) == 4 and any("diverged at step" in t for t in titles)
    assert min(plotly_text(page, grid)) >= MIN_GRAPH_TEXT_PX and min(plotly_text(page, losses)) >= MIN_GRAPH_TEXT_PX
    ticks = losses.locator("g.ytick text").all_text_contents()
    assert ticks and not any(re.search(r"e\+?(1\d|[2-9]\d)|10^(1\d|[2-9]\d)", t) for t in ticks), ticks
    screenshot(page, "descent-sweep")

    open_tab(page, "One dimension", "gd_tangent")
    screenshot(page, "descent-1d")

    chart = open_tab(page, "Linear classifier", "gd_clf_anim")
    title = lambda: chart.locator("g.g-gtitle text").first.text_content()   # noqa: E731
    assert title().startswith("step 0:")
    chart.locator(".updatemenu-button").first.click()
    page.wait_for_function("(el) => el.querySelector('g.g-gtitle text').textContent.startsWith('step 40:')",
                           arg=chart.element_handle(), timeout=30_000)
    assert "accuracy" in title()
    screenshot(page, "descent-classifier")
