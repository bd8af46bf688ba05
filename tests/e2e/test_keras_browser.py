"""Keras in a program, used at 1280×720 as a student would: the digits network preset trains with a
progress bar, its history is plotted, its layers are clusters in the graph, and a layer collapses to one
box and expands again."""

import time

from explorer.presets import by_title

from .conftest import screenshot
from .test_loop_browser import small_page

TITLE = "Keras Sequential on digits: compile, fit, evaluate (Chollet 2.1)"


def cluster_titles(page) -> list[str]:
    return page.locator('.ge-view svg g.cluster > text').all_text_contents()


def test_digits_network_trains_and_its_layers_collapse(browser, server):
    context, page = small_page(browser)
    try:
        # a seed no one asked for before: `make run`'s warm-up may already have trained the seed-0 model, and
        # a cached fit shows no progress bar
        page.goto(server + f"/?seed={1 + int(time.time() * 1000) % 1_000_000}")
        page.locator('.ge-view svg g.node').first.wait_for()
        page.get_by_role("combobox", name="Example").click()
        start = time.monotonic()
        page.get_by_role("option", name=TITLE).click()
        bar = page.locator("[data-testid=stProgress]").first          # the progress bar while fit trains
        bar.wait_for(timeout=20_000)
        assert "fit: epoch" in bar.inner_text()
        page.get_by_text("history per epoch").first.wait_for()
        assert page.locator("[data-testid=stProgress]").count() == 0    # and gone when training is done
        page.locator('.ge-view svg g.cluster').first.wait_for()
        print(f"digits network: preset picked to graph drawn: {time.monotonic() - start:.2f} s")
        printed = page.locator("[data-testid=stCode]").first.inner_text()
        accuracy = float(printed.split("test accuracy: ")[1].split()[0])
        assert accuracy >= 0.95
        titles = cluster_titles(page)
        assert "dense · Dense" in titles and "dense_1 · Dense" in titles
        screenshot(page, "keras-digits-expanded")

        page.get_by_role("button", name="dense_1", exact=True).click()           # collapse the output layer
        page.locator(".ge-view svg g.node text").filter(has_text="kernel 512×10").first.wait_for()
        titles = cluster_titles(page)
        assert "dense_1 · Dense" not in titles and "dense · Dense" in titles
        box = page.locator('.ge-view svg g.node').filter(has_text="kernel 512×10")
        assert box.count() == 1 and "bias 10" in box.text_content()
        screenshot(page, "keras-digits-collapsed")

        page.get_by_role("button", name="dense_1", exact=True).click()           # and expand it again
        page.locator(".ge-view svg g.cluster > text").filter(has_text="dense_1 · Dense").first.wait_for()
        assert by_title(TITLE).source.count("layers.Dense") == 2
    finally:
        context.close()
