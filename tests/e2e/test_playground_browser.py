"""The Network playground in headless Chromium: press Play, watch the epoch counter and the boundary."""

import re

from .conftest import screenshot


def epoch_text(page) -> str:
    return page.locator("h3").filter(has_text="Epoch").first.inner_text()


def boundary_image(page) -> str:
    """The heatmap behind the points, which plotly draws as one <image> in the output plot."""
    return page.evaluate("""() => {
        const plots = [...document.querySelectorAll('.js-plotly-plot')];
        for (const p of plots) {
            const img = p.querySelector('g.heatmaplayer image');
            if (img) return img.getAttribute('href') || img.getAttribute('xlink:href');
        }
        return null;
    }""")


def test_play_trains_and_the_boundary_moves(page, server):
    page.goto(server + "/playground?data=xor&seed=1&hidden=4,4&activation=tanh&lr=0.03")
    page.get_by_text("Epoch 0.0 · step 0").wait_for()
    page.wait_for_function("() => document.querySelector('g.heatmaplayer image') !== null")
    before = boundary_image(page)
    play = page.locator(".st-key-pg_play button")       # the Play / Pause button, by its widget key
    play.click()
    page.wait_for_function(
        "() => { const h = [...document.querySelectorAll('h3')].find(e => e.textContent.includes('Epoch'));"
        " return h && parseInt(h.textContent.split('step ')[1].replace(/,/g, '')) >= 1000; }", timeout=90_000)
    page.wait_for_function("() => document.querySelector('.st-key-pg_play button').textContent.includes('Pause')")
    play.click()
    page.wait_for_function("() => document.querySelector('.st-key-pg_play button').textContent.includes('Play')")
    # a refresh already on its way when Pause was pressed may still land; after that, nothing moves
    stopped, previous = epoch_text(page), None
    for _ in range(10):
        page.wait_for_timeout(1000)
        previous, stopped = stopped, epoch_text(page)
        if previous == stopped:
            break
    steps = int(re.search(r"step ([\d,]+)", stopped).group(1).replace(",", ""))
    assert steps >= 1000
    page.wait_for_timeout(3000)
    assert epoch_text(page) == stopped                    # paused means paused
    assert boundary_image(page) != before                 # the output over the plane has changed
    accuracy = page.get_by_text("test accuracy").first.inner_text()
    assert float(re.search(r"test accuracy ([\d.]+) %", accuracy).group(1)) >= 90
    screenshot(page, "playground")
