"""The Backprop step-through page in headless Chromium: step, play, and a tensor VJP step."""

import re

from .conftest import screenshot

HIGHLIGHT = "#f59e0b"


def highlighted_node(page) -> str:
    """The text of the node drawn with the highlight outline in the step's graph."""
    return page.evaluate(
        """(color) => {
            for (const g of document.querySelectorAll('[data-testid=stGraphVizChart] svg g.node')) {
                const shape = g.querySelector('path, polygon, ellipse');
                if (shape && shape.getAttribute('stroke') === color)
                    return [...g.querySelectorAll('text')].map(t => t.textContent).join(' ');
            }
            return null;
        }""", HIGHLIGHT)


def wait_for_highlight(page, prefix: str) -> str:
    """The highlighted node's text once it starts with `prefix` (the SVG redraws after the heading)."""
    page.wait_for_function(
        """([color, prefix]) => {
            for (const g of document.querySelectorAll('[data-testid=stGraphVizChart] svg g.node')) {
                const shape = g.querySelector('path, polygon, ellipse');
                if (shape && shape.getAttribute('stroke') === color)
                    return [...g.querySelectorAll('text')].map(t => t.textContent).join(' ').startsWith(prefix);
            }
            return false;
        }""", arg=[HIGHLIGHT, prefix])
    return highlighted_node(page)


def step_number(page) -> int:
    text = page.locator("h3").filter(has_text="step").first.inner_text()
    return int(re.search(r"step (\d+) of", text).group(1))


def wait_for_step(page, k: int) -> None:
    page.wait_for_function(
        "(k) => [...document.querySelectorAll('h3')].some(h => h.textContent.includes(`step ${k} of`))", arg=k)


def test_next_moves_the_highlight_and_play_advances(page, server):
    page.goto(server + "/walkthrough")
    page.locator("[data-testid=stGraphVizChart] svg g.node").first.wait_for()
    assert step_number(page) == 1
    page.get_by_role("button", name="Last").click()
    wait_for_step(page, 13)
    wait_for_highlight(page, "x1")                         # the last backward step: x1 -> x
    page.get_by_role("button", name="First").click()
    wait_for_step(page, 1)
    page.get_by_role("button", name="Next").click()
    wait_for_step(page, 2)
    first = wait_for_highlight(page, "x1 = w*x")           # forward: x1 computed first
    page.get_by_role("button", name="Next").click()
    wait_for_step(page, 3)
    second = wait_for_highlight(page, "x2 = x1 + b")       # the highlight moved on
    assert second != first
    screenshot(page, "walkthrough-forward")

    page.get_by_role("button", name="Play").click()
    wait_for_step(page, 5)                                 # two steps on its own, one a second
    page.get_by_role("button", name="Pause").click()
    # the pause holds once the page shows it (a tick already on its way when the click left may still land:
    # reading the step before the button turns back into Play raced with it on a loaded machine)
    page.get_by_role("button", name="Play").wait_for()
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')")
    stopped = step_number(page)
    page.wait_for_timeout(2500)
    assert step_number(page) == stopped


def test_tensor_vjp_step(page, server):
    page.goto(server + "/walkthrough")
    page.locator("[data-testid=stGraphVizChart] svg g.node").first.wait_for()
    page.get_by_label("Example").click()
    page.get_by_role("option", name="2-2-2 sigmoid network, matrices").click()
    page.get_by_text("step 1 of").wait_for()
    page.get_by_role("button", name="Last").click()
    page.get_by_text("vector-Jacobian product").first.wait_for()
    for _ in range(30):    # back to the step where the gradient reaches W1 through the matmul
        if "matmul → W1" in page.locator("h3").filter(has_text="step").first.inner_text():
            break
        page.get_by_role("button", name="Back").click()
        page.wait_for_timeout(400)
    heading = page.locator("h3").filter(has_text="step").first.inner_text()
    assert "matmul → W1" in heading
    body = page.locator("[data-testid=stMarkdownContainer]").filter(has_text="Shapes").first.inner_text()
    assert "2×2" in body and "1×2" in body
    assert page.locator(".katex").count() > 0
    screenshot(page, "walkthrough-vjp")
