"""The Backprop step-through in headless Chromium at 1280×720, used as a teacher would: step with the
buttons and a presenter's keys, play at a pace, open a link at a step, hide controls for students."""

from __future__ import annotations

import statistics
import time
from urllib.parse import parse_qs, urlparse

from bench.browser import RECORD_STEPS_JS
from explorer.presets import by_title
from explorer.share import encode_program

from .conftest import MIN_GRAPH_TEXT_PX, in_first_viewport, screenshot

MAZUR = by_title("2-2-2 sigmoid network, scalars (step-by-step backpropagation)").source


def open_stepper(page, url: str) -> None:
    page.goto(url)
    page.locator(".ge-stepper .ge-count").wait_for(timeout=90_000)
    page.locator(".ge-view svg g.node").first.wait_for()


def step(page) -> int:
    return int(page.locator(".ge-stepper").get_attribute("data-step"))


def wait_step(page, k: int) -> None:
    page.locator(f".ge-stepper[data-step='{k}']").wait_for(timeout=10_000)


def focus_text(page) -> str:
    """The text of the node drawn with the highlight outline (width 5)."""
    return page.locator(".ge-view").evaluate("""(view) => {
        for (const g of view.querySelectorAll('g.node')) {
            const s = g.querySelector('path, polygon');
            if (s && parseFloat(s.getAttribute('stroke-width')) >= 5)
                return [...g.querySelectorAll('text')].map(t => t.textContent).join(' ');
        }
        return '';
    }""")


def text_heights(page) -> list[float]:
    return page.locator(".ge-view").evaluate("""(view) => [...view.querySelectorAll('g.node text')]
        .filter(t => t.textContent.trim()).map(t => t.getBoundingClientRect().height)""")


def node_boxes(page) -> dict:
    return page.locator(".ge-view").evaluate("""(view) => Object.fromEntries([...view.querySelectorAll('g.node')]
        .map(g => { const b = g.getBBox(); return [g.id, [b.x, b.y, b.width, b.height]]; }))""")


def click_latency_ms(page, button: str) -> float:
    before = step(page)
    start = time.perf_counter()
    page.locator(f".ge-stepper [data-do={button}]").click()
    page.locator(f".ge-stepper:not([data-step='{before}'])").wait_for(timeout=10_000)
    return (time.perf_counter() - start) * 1000


def test_step_with_buttons_and_keys_in_the_browser(page, server):
    open_stepper(page, server + "/walkthrough")
    assert step(page) == 1
    in_first_viewport(page, page.locator(".ge-view"))
    assert min(text_heights(page)) >= MIN_GRAPH_TEXT_PX - 0.5
    boxes = node_boxes(page)

    page.locator(".ge-stepper [data-do=next]").click()
    wait_step(page, 2)
    assert focus_text(page).startswith("x1 = w*x 6")        # forward: x1 = w * x = 3 * 2 computed first
    page.keyboard.press("ArrowRight")
    wait_step(page, 3)
    assert focus_text(page).startswith("x2 = x1 + b 7")
    page.keyboard.press("PageDown")
    wait_step(page, 4)
    page.keyboard.press("Space")
    wait_step(page, 5)
    page.keyboard.press("ArrowLeft")
    wait_step(page, 4)
    page.keyboard.press("PageUp")
    wait_step(page, 3)
    page.keyboard.press("End")
    wait_step(page, 13)
    assert "∂loss_val/∂x1 = 1" in focus_text(page) or "x1" in focus_text(page)
    assert node_boxes(page) == boxes                       # one layout: nothing moved between steps
    assert parse_qs(urlparse(page.url).query)["step"] == ["13"]   # the step is in the address bar
    screenshot(page, "walkthrough-last-step")

    # Next and Back answer in the browser, without a rerun
    page.keyboard.press("Home")
    wait_step(page, 1)
    times = [click_latency_ms(page, "next") for _ in range(5)] + [click_latency_ms(page, "back") for _ in range(5)]
    assert statistics.median(times) < 200, times
    assert page.locator("[data-testid=stApp]").get_attribute("data-test-script-state") == "notRunning"


def test_play_keeps_its_pace_and_pause_holds(page, server):
    open_stepper(page, server + "/walkthrough?speed=fast+%280.5+s%29")
    page.locator(".ge-view").evaluate(RECORD_STEPS_JS)
    page.locator(".ge-stepper [data-do=play]").click()
    wait_step(page, 7)
    page.locator(".ge-stepper [data-do=play]").click()       # now Pause
    held = step(page)
    page.wait_for_timeout(1200)
    assert step(page) == held                               # Pause holds, at once
    ticks = page.evaluate("window.__ticks")
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert len(gaps) >= 4 and abs(statistics.median(gaps) - 500) < 60, gaps


def test_a_link_opens_a_program_at_a_step_with_controls_hidden(page, server):
    """A teacher link: the 75-step 2-2-2 network at step 40, editor, example and dtype hidden, presented."""
    url = (server + "/walkthrough?program=" + encode_program(MAZUR)
           + "&step=40&hide=program,example,dtype&present=1")
    open_stepper(page, url)
    assert step(page) == 40
    assert page.locator("textarea").count() == 0
    assert not page.locator("[data-testid=stSidebar]").is_visible()
    in_first_viewport(page, page.locator(".ge-view"))
    assert min(text_heights(page)) >= MIN_GRAPH_TEXT_PX - 0.5
    screenshot(page, "walkthrough-teacher-link")
    times = [click_latency_ms(page, "next") for _ in range(5)]
    assert statistics.median(times) < 200, times           # the 75-step network steps as fast


def test_quiz_asks_for_the_contribution(page, server):
    open_stepper(page, server + "/walkthrough?quiz=1")
    page.keyboard.press("End")
    wait_step(page, 13)
    for _ in range(13):                                     # back to the step x1 → w
        if "x1 → w" in page.locator(".ge-heading").inner_text():
            break
        page.keyboard.press("ArrowLeft")
    assert "x1 → w" in page.locator(".ge-heading").inner_text()
    page.locator(".ge-guess").fill("3")
    page.locator(".ge-check").click()
    assert "Not quite" in page.locator(".ge-verdict").inner_text()
    page.locator(".ge-guess").fill("2")
    page.locator(".ge-check").click()
    page.get_by_text("Right: 1 × 2 = 2.").wait_for()
    screenshot(page, "walkthrough-quiz")


def test_tensor_vjp_step_shows_shapes_and_a_formula(page, server):
    url = server + "/walkthrough?program=" + encode_program(
        by_title("2-2-2 sigmoid network, matrices (step-by-step backpropagation)").source)
    open_stepper(page, url)
    page.keyboard.press("End")
    for _ in range(30):
        if "matmul → W1" in page.locator(".ge-heading").inner_text():
            break
        page.keyboard.press("ArrowLeft")
    assert "matmul → W1" in page.locator(".ge-heading").inner_text()
    shapes = page.locator(".ge-shapes").inner_text()
    assert "2×2" in shapes and "1×2" in shapes
    assert page.locator(".ge-formula math").count() > 0
    screenshot(page, "walkthrough-vjp")
