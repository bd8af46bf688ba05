"""The Gradient descent lab in headless Chromium at 1280×720 with the sidebar open: the race fits the first
screen beside its controls and reads from the back row, it plays in the browser, a race on your own
surface shows its progress, and the classifier's line moves."""

import re

from .conftest import MIN_GRAPH_TEXT_PX, in_first_viewport, screenshot

RACE = ".st-key-gd_race .js-plotly-plot"
PLOTLY_TEXT_PX = """(el) => [...el.querySelectorAll('text')]
    .filter(t => t.textContent.trim() && t.getClientRects().length && getComputedStyle(t).fill !== 'rgba(0, 0, 0, 0)')
    .map(t => parseFloat(getComputedStyle(t).fontSize))"""


def slider_step(chart) -> int:
    text = chart.locator(".slider-container text.slider-label").first.text_content()
    return int(re.search(r"(\d+)", text).group(1))


def scroll_main(page, y: int) -> None:
    page.evaluate(f"document.querySelector('[data-testid=stMain]').scrollTo(0, {y})")


def test_race_fits_the_projector_reads_from_the_back_and_plays(page, server):
    page.goto(server + "/descent")
    chart = page.locator(RACE)
    chart.wait_for()
    page.locator("[data-testid=stTable]").wait_for()
    box = in_first_viewport(page, chart)
    surface = page.locator(".st-key-gd_surface").bounding_box()
    assert surface["x"] + surface["width"] <= box["x"] and surface["y"] < box["y"] + box["height"], \
        "the controls sit beside the picture"
    assert box["width"] >= 600 and box["height"] >= 450
    sizes = page.evaluate(PLOTLY_TEXT_PX, chart.element_handle())
    assert len(sizes) > 20 and min(sizes) >= MIN_GRAPH_TEXT_PX, sorted(sizes)[:5]
    legend = " ".join(chart.locator("g.legend text").all_text_contents())
    assert "Adam" in legend and "reached (1, 1)" in legend
    screenshot(page, "descent-race")

    table = page.locator("[data-testid=stTable]")
    fits = page.evaluate("""(el) => { const r = el.getBoundingClientRect(); const t = el.querySelector('table');
        return {right: r.right, scroll: el.scrollWidth - el.clientWidth, table: t.getBoundingClientRect().right}; }""",
                         table.element_handle())
    assert fits["right"] <= 1280 and fits["table"] <= fits["right"] + 1 and fits["scroll"] <= 1, fits
    assert "reached the minimum (1, 1)" in table.text_content()

    assert slider_step(chart) == 0 and chart.locator("image").count() >= 1     # the surface, as a picture
    chart.locator(".updatemenu-button").first.click()                          # ▶ Play
    page.wait_for_function(
        """(el) => { const t = el.querySelector('.slider-container text.slider-label');
                     return t && parseInt(t.textContent.replace(/\\D+/g, '')) > 100; }""",
        arg=chart.element_handle(), timeout=30_000)
    chart.locator(".updatemenu-button").nth(1).click()                         # ❚❚ Pause
    first = slider_step(chart)
    page.wait_for_timeout(800)
    assert slider_step(chart) == first
    assert chart.locator("image").count() >= 1                                 # still there while animating
    scroll_main(page, 560)
    screenshot(page, "descent-race-table")


def test_a_click_on_the_surface_picks_the_start(page, server):
    page.goto(server + "/descent?surface=himmelblau")
    chart = page.locator(RACE)
    chart.wait_for()
    area = chart.locator(".nsewdrag").first.bounding_box()        # the plot area: x and y from -5 to 5
    start_x = page.locator(".st-key-gd_x0 input")
    assert float(start_x.input_value()) == -1.5
    page.mouse.click(area["x"] + 0.75 * area["width"], area["y"] + 0.25 * area["height"])   # about (2.5, 2.5)
    page.wait_for_function("() => document.querySelector('.st-key-gd_x0 input').value !== '-1.500'", timeout=60_000)
    x0, y0 = float(start_x.input_value()), float(page.locator(".st-key-gd_y0 input").input_value())
    assert abs(x0 - 2.5) < 0.3 and abs(y0 - 2.5) < 0.3
    page.wait_for_function("() => location.search.includes('x0=') && location.search.includes('y0=')")   # linkable


def test_a_race_on_your_own_surface_shows_progress(page, server):
    page.goto(server + "/descent?surface=custom")
    page.locator(RACE).wait_for()
    page.evaluate("""() => { window.sawProgress = false;
        new MutationObserver(() => { if (document.querySelector('[data-testid=stProgress]')) window.sawProgress = true; })
            .observe(document.body, {childList: true, subtree: true}); }""")
    field = page.locator(".st-key-gd_formula input")
    field.fill("x**2 - y**2 + 0.3*tf.sin(4*x*y)")
    field.press("Enter")
    page.wait_for_function("() => window.sawProgress", timeout=60_000)
    page.locator(RACE).wait_for()
    page.wait_for_function("() => document.querySelector('[data-testid=stTable]')?.textContent.includes('unbounded')",
                           timeout=60_000)
    assert page.locator("[data-testid=stProgress]").count() == 0               # gone once the race is drawn
    screenshot(page, "descent-custom")


def test_sweep_and_classifier_tabs(page, server):
    page.goto(server + "/descent?tab=sweep")
    grid = page.locator(".st-key-gd_sweep_grid .js-plotly-plot")
    grid.wait_for()
    losses = page.locator(".st-key-gd_sweep_losses .js-plotly-plot")
    losses.wait_for()
    titles = grid.locator("g.annotation text").all_text_contents()
    assert len(titles) == 4 and any("diverged at step" in t for t in titles)
    sizes = page.evaluate(PLOTLY_TEXT_PX, losses.element_handle())
    assert min(sizes) >= MIN_GRAPH_TEXT_PX
    ticks = losses.locator("g.ytick text").all_text_contents()
    assert ticks and not any(re.search(r"e\+?(1\d|[2-9]\d)|10^(1\d|[2-9]\d)", t) for t in ticks), ticks
    scroll_main(page, 400)
    screenshot(page, "descent-sweep")

    page.locator(".st-key-gd_tab button", has_text="Linear classifier").click()
    chart = page.locator(".st-key-gd_clf_anim .js-plotly-plot")
    chart.wait_for()
    in_first_viewport(page, chart)
    title = lambda: chart.locator("g.g-gtitle text").first.text_content()   # noqa: E731
    assert title().startswith("step 0:")
    chart.locator(".updatemenu-button").first.click()
    page.wait_for_function("(el) => el.querySelector('g.g-gtitle text').textContent.startsWith('step 40:')",
                           arg=chart.element_handle(), timeout=30_000)
    assert "accuracy" in title()
    screenshot(page, "descent-classifier")
