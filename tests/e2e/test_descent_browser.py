"""The Gradient descent lab in headless Chromium: press Play and watch the frame counter advance."""

import re

from .conftest import screenshot


def slider_step(page, chart) -> int:
    text = chart.locator(".slider-container .slider-label, g.slider-container text.slider-label").first.text_content()
    return int(re.search(r"(\d+)", text).group(1))


def test_race_animation_plays(page, server):
    page.goto(server + "/descent")
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for()
    page.wait_for_timeout(1500)
    assert slider_step(page, chart) == 0
    assert chart.locator("image").count() >= 1                   # the surface underneath, as a picture
    legend = " ".join(chart.locator("g.legend text").all_text_contents())
    assert "Adam" in legend and "lr=0.05" in legend
    chart.locator(".updatemenu-button").first.click()            # ▶ Play
    page.wait_for_function(
        """(el) => { const t = el.querySelector('.slider-container text.slider-label');
                     return t && parseInt(t.textContent.replace(/\\D+/g, '')) > 100; }""",
        arg=chart.element_handle(), timeout=30_000)
    chart.locator(".updatemenu-button").nth(1).click()           # Pause
    first = slider_step(page, chart)
    page.wait_for_timeout(1000)
    assert slider_step(page, chart) == first
    assert chart.locator("image").count() >= 1                   # still there while animating
    screenshot(page, "descent-race")


def test_classifier_line_moves(page, server):
    page.goto(server + "/descent")
    page.get_by_role("tab", name="Linear classifier (Chollet 3.5.3)").click()
    chart = page.locator('[role="tabpanel"]:visible .js-plotly-plot').first
    chart.wait_for()
    title = lambda: chart.locator("g.g-gtitle text").first.text_content()   # noqa: E731
    assert title().startswith("step 0:")
    chart.locator(".updatemenu-button").first.click()
    page.wait_for_function("(el) => el.querySelector('g.g-gtitle text').textContent.startsWith('step 40:')",
                           arg=chart.element_handle(), timeout=30_000)
    assert "accuracy" in title()
    screenshot(page, "descent-classifier")
