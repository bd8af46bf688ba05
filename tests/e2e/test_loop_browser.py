"""A training loop pasted as the MIT lab writes it (500 SGD steps toward x_f = 4), used at 1280×720 as a
student would: one recording's graph, the recording selector, x converging to 4 on the chart, and the
first recording stepped through on the step-through page."""

import time
from pathlib import Path

from bench.browser import wait_idle
from explorer.share import encode_program

from .conftest import screenshot

ROOT = Path(__file__).resolve().parents[2]
MIT = (ROOT / "tests" / "corpus" / "mit_sgd.py").read_text()


def small_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(60_000)
    return context, page


def test_paste_the_mit_loop_and_pick_a_recording(browser, server):
    context, page = small_page(browser)
    try:
        page.goto(server + "/?program=" + encode_program("x = 3.0; x * x"))
        page.locator('.ge-view svg g.node').first.wait_for()
        editor = page.locator("textarea").first
        editor.fill(MIT)
        start = time.monotonic()
        editor.press("Control+Enter")
        page.get_by_text("recording 500 of 500").wait_for()
        page.locator('.ge-view svg g.node').first.wait_for()
        print(f"MIT loop, Ctrl+Enter to graph drawn: {time.monotonic() - start:.2f} s")
        assert page.get_by_text("iteration 500 of the loop on line 12").count() == 1
        slider = page.get_by_role("slider", name="Recording")
        assert slider.get_attribute("aria-valuetext") == "500 of 500"
        texts = " ".join(page.locator('.ge-view svg text').all_text_contents())
        assert "loss" in texts and "x_f" in texts and "learning_rate" in texts
        assert texts.count("loss") < 10                              # one recording, not 500 copies
        # the chart: x over the iterations with the dashed line x_f = 4 and the loss beside it
        chart = page.locator("[data-testid=stPlotlyChart]").filter(has_text="x over the iterations").first
        chart.scroll_into_view_if_needed()
        assert "x_f = 4" in chart.inner_text()
        last_x = page.wait_for_function("""() => {
            const plots = [...document.querySelectorAll('.js-plotly-plot')];
            const p = plots.find(p => p.layout && p.layout.title && p.layout.title.text.includes('x over the iterations'));
            if (!p) return null;
            const y = p.data[0].y; return y[y.length - 1]; }""").json_value()
        assert abs(last_x - 4) < 1e-3
        screenshot(page, "loop-graph-last-recording")

        slider.focus()
        page.keyboard.press("Home")                                  # the first recording
        page.get_by_text("recording 1 of 500").wait_for()
        page.get_by_text("iteration 1 of the loop on line 12").wait_for()
        assert slider.get_attribute("aria-valuetext") == "1 of 500"
        screenshot(page, "loop-graph-first-recording")

        # the step-through page takes the program from the Graph page and steps through recording 1
        page.get_by_role("link", name="Backprop step-through").click()
        page.get_by_role("heading", name="Backprop step-through").wait_for()
        wait_idle(page)                           # the Example list is the step-through's, not the Graph page's
        page.get_by_role("combobox", name="Example").click()
        page.get_by_role("option", name="(the program from the Graph page)").click()
        page.get_by_text("recording 500 of 500").wait_for()
        wt_slider = page.get_by_role("slider", name="Recording")
        wt_slider.focus()
        page.keyboard.press("Home")
        page.get_by_text("recording 1 of 500").wait_for()
        wait_idle(page)                           # recording 1's steps have replaced recording 500's
        page.locator(".ge-stepper[data-step='1']").wait_for()
        page.locator(".ge-stepper [data-do=last]").click()
        heading = page.locator(".ge-heading").inner_text()
        assert heading.endswith("→ x")              # the last backward step reaches the variable
        body = page.locator(".ge-text").inner_text()
        assert "∂sub/∂x" in body and "its whole gradient" in body
        import tensorflow as tf                           # the first iteration's gradient, 2 (x0 - 4), from TF
        tf.random.set_seed(0)
        expected = 2 * (float(tf.random.normal([1])[0]) - 4)
        assert f"[[{expected:.4g}]]" in body
        screenshot(page, "loop-walkthrough-recording-1")
    finally:
        context.close()
