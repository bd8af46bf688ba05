"""The Backprop step-through in headless Chromium at 1280×720, used as a teacher would: step with the
buttons and a presenter's keys, play at a pace, open a link at a step, hide controls for students."""

from __future__ import annotations

import re
import statistics
import time
from urllib.parse import parse_qs, urlparse

import pytest

from app_pages._components import PRESENT_TEXT_PX
from bench.browser import RECORD_RESPONSES_JS, RECORD_STEPS_JS, step_response_ms, wait_idle
from explorer.page_settings import SPEEDS
from explorer.presets import PRESETS, by_title
from explorer.share import encode_program

from .conftest import MIN_GRAPH_TEXT_PX, in_first_viewport, label_px, not_cut_at_the_right, screenshot

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


def node_boxes(page) -> dict:
    return page.locator(".ge-view").evaluate("""(view) => Object.fromEntries([...view.querySelectorAll('g.node')]
        .map(g => { const b = g.getBBox(); return [g.id, [b.x, b.y, b.width, b.height]]; }))""")


def click_latency_ms(page, button: str) -> float:
    """From the click on a step-through button to the browser's painted frame with the new step."""
    if page.evaluate("window.__responses === undefined"):
        page.locator(".ge-view").evaluate(RECORD_RESPONSES_JS)
    before = step(page)
    ms = step_response_ms(page, lambda: page.locator(f".ge-stepper [data-do={button}]").click())
    assert step(page) != before
    return ms


def test_step_with_buttons_and_keys_in_the_browser(page, server):
    open_stepper(page, server + "/walkthrough")
    assert step(page) == 1
    in_first_viewport(page, page.locator(".ge-view"))
    assert min(label_px(page)) >= MIN_GRAPH_TEXT_PX - 0.01
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
    # the last step is x1 → x: x1 (∂loss_val/∂x1 = 1: ∂|4 − x2|/∂x2 = 1 at x2 = 7, ∂x2/∂x1 = 1) sends nothing
    # to x, a constant the tape does not watch
    assert focus_text(page).startswith("x1 = w*x") and "∂loss_val/∂x1 = 1" in focus_text(page)
    assert page.locator(".ge-heading").inner_text().endswith("x1 → x")
    assert node_boxes(page) == boxes                       # one layout: nothing moved between steps
    assert parse_qs(urlparse(page.url).query)["step"] == ["13"]   # the step is in the address bar
    screenshot(page, "walkthrough-last-step")

    # Next and Back answer in the browser, without a rerun
    page.keyboard.press("Home")
    wait_step(page, 1)
    times = [click_latency_ms(page, "next") for _ in range(5)] + [click_latency_ms(page, "back") for _ in range(5)]
    assert statistics.median(times) < 200, times
    assert page.locator("[data-testid=stApp]").get_attribute("data-test-script-state") == "notRunning"


@pytest.mark.parametrize("speed", ["fast (0.5 s)", "normal (1 s)"])
def test_play_answers_at_once_keeps_its_pace_and_pause_holds(page, server, speed):
    open_stepper(page, server + "/walkthrough?speed=" + speed.replace(" ", "+").replace("(", "%28").replace(")", "%29"))
    page.locator(".ge-view").evaluate(RECORD_STEPS_JS)
    delay = click_latency_ms(page, "play")                   # the first step comes with the click
    assert delay < 200, delay
    assert page.locator(".ge-stepper [data-do=play]").inner_text().endswith("Pause")
    wait_step(page, 6)
    page.locator(".ge-stepper [data-do=play]").click()       # now Pause
    held = step(page)
    page.wait_for_timeout(int(SPEEDS[speed] * 1000 * 1.5))
    assert step(page) == held                               # Pause holds, at once
    ticks = page.evaluate("window.__ticks")
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert len(gaps) >= 4 and abs(statistics.median(gaps) - SPEEDS[speed] * 1000) < 60, gaps


def test_a_link_opens_a_program_at_a_step_with_controls_hidden(page, server):
    """A teacher link: the 75-step 2-2-2 network at step 40, editor, example and dtype hidden, presented."""
    url = (server + "/walkthrough?program=" + encode_program(MAZUR)
           + "&step=40&hide=program,example,dtype&present=1")
    open_stepper(page, url)
    assert step(page) == 40
    assert page.locator("textarea").count() == 0
    assert not page.locator("[data-testid=stSidebar]").is_visible()
    in_first_viewport(page, page.locator(".ge-view"))
    assert min(label_px(page)) >= PRESENT_TEXT_PX - 0.01           # presentation mode: larger type
    assert page.locator(".ge-stepper.ge-large").count() == 1     # ... and a larger panel
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


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.title[:40])
def test_next_and_back_answer_in_under_200_ms_on_every_example(page, server, preset):
    """Issue 11: Next and Back respond in under 200 ms for every preset (the 75-step network included)."""
    open_stepper(page, server + "/walkthrough?program=" + encode_program(preset.source))
    wait_idle(page)
    n = int(page.locator(".ge-stepper .ge-slider").get_attribute("max"))
    assert n >= 4
    nexts = [click_latency_ms(page, "next") for _ in range(3)]
    backs = [click_latency_ms(page, "back") for _ in range(3)]
    assert step(page) == 1
    assert statistics.median(nexts) < 200 and statistics.median(backs) < 200, (nexts, backs)


def test_the_long_sum_of_the_2_2_2_network_wraps_and_shows_every_term(page, server):
    """Issue 11: "= −0.02095 +" must show its whole sum. Step 55 finishes ∂E_total/∂out_h2, the sum of what
    out_h2 sends to both outputs: w8 · δo2 + w6 · δo1 = 0.55 · (−0.0381) + 0.45 · 0.1385 = −0.02095 + 0.06232
    = 0.04137 (the tutorial's weights and deltas)."""
    open_stepper(page, server + "/walkthrough?step=55&program=" + encode_program(MAZUR))
    assert page.locator(".ge-heading").inner_text().endswith("mul_6 → out_h2")
    formula = page.locator(".ge-formula")
    said = re.sub(r"\s+", "", formula.text_content()).replace("\u2212", "-")
    assert "=-0.02095+0.06232=0.04137" in said, said           # the whole sum, and its total
    not_cut_at_the_right(formula, within=".ge-panel")
    tops = formula.evaluate("(f) => [...f.querySelectorAll('.term')].map(t => Math.round(t.getBoundingClientRect().top))")
    assert len(set(tops)) > 1                               # the sum goes on to a next line
    screenshot(page, "walkthrough-long-sum")


def test_the_paths_table_of_the_2_2_2_network_is_not_cut(page, server):
    open_stepper(page, server + "/walkthrough?program=" + encode_program(MAZUR))
    table = page.locator("[data-testid=stMarkdownContainer] table").filter(has_text="every op on the way").first
    table.wait_for()
    not_cut_at_the_right(table)
    page.evaluate("document.querySelector('[data-testid=stMarkdownContainer] table').scrollIntoView()")
    screenshot(page, "walkthrough-paths-table")


def test_a_link_brings_back_program_target_and_step(page, server):
    """The address bar holds the step-through's program, target and step; opening it restores them."""
    open_stepper(page, server + "/walkthrough?program=" + encode_program(MAZUR))
    wait_idle(page)
    page.get_by_role("combobox", name="Target (differentiate this)").click()
    page.get_by_role("option", name="out_h1", exact=True).click()
    page.wait_for_function("() => location.search.includes('target=out_h1')")
    wait_idle(page)
    assert step(page) == 1                                   # a new target starts at step 1
    for _ in range(4):
        page.locator(".ge-stepper [data-do=next]").click()
    wait_step(page, 5)
    heading = page.locator(".ge-heading").inner_text()
    link = page.url
    query = parse_qs(urlparse(link).query)
    assert query["step"] == ["5"] and query["target"] == ["out_h1"] and "program" in query
    other = page.context.new_page()
    open_stepper(other, link)
    assert step(other) == 5 and other.locator(".ge-heading").inner_text() == heading
    target = other.get_by_role("combobox", name="Target (differentiate this)")
    assert "out_h1" in (target.evaluate("(el) => el.value || el.getAttribute('aria-label') || ''")
                        + target.locator("xpath=..").inner_text())
    other.get_by_text("Program — edit or paste your own").click()
    assert other.locator("textarea").first.input_value() == MAZUR
    other.close()


def test_back_brings_a_typed_program_back_after_picking_an_example(page, server):
    """Issue 11 defect 7 on the step-through: picking an example keeps the typed program in the list, and
    the browser's Back button restores it."""
    mine = "v = tf.Variable(5.0)\nwith tf.GradientTape() as tape:\n    cube = v * v * v"
    open_stepper(page, server + "/walkthrough")
    wait_idle(page)
    page.get_by_text("Program — edit or paste your own").click()
    editor = page.locator("textarea").first
    editor.fill(mine)
    editor.press("Control+Enter")
    page.locator(".ge-view svg text").filter(has_text="cube = v * v * v").first.wait_for()
    wait_idle(page)
    page.get_by_role("combobox", name="Example").click()
    page.get_by_role("option", name="Bare expression").click()
    page.locator(".ge-view svg text").filter(has_text="tf.sin").first.wait_for()
    wait_idle(page)
    page.go_back()
    page.locator(".ge-view svg text").filter(has_text="cube = v * v * v").first.wait_for()
    page.wait_for_function("(s) => [...document.querySelectorAll('textarea')].some(t => t.value === s)", arg=mine)
    wait_idle(page)
    page.get_by_role("combobox", name="Example").click()
    page.get_by_role("option", name="(your own program)").wait_for()


def test_a_new_2_2_2_walkthrough_shows_its_progress(page, server):
    """Long work shows progress: the 75 steps of the 2-2-2 network, with a seed and a variable name no one
    asked for before (so neither its steps nor its layout is cached: layouts are shared across seeds), send a
    progress bar that counts the steps and names the Graphviz layout, then the stepper, and the bar is gone.
    (Read from what the server sends: on a fast machine the bar is up for a fraction of a second, too short
    to catch reliably in the page.)"""
    sent: list[bytes] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: sent.append(
        payload if isinstance(payload, bytes) else payload.encode())))
    seed = 1 + int(time.time() * 1000) % 1_000_000
    program = re.sub(r"\btarget_o1\b", f"target_{seed}", MAZUR)
    open_stepper(page, server + f"/walkthrough?seed={seed}&program=" + encode_program(program))
    wait_idle(page)
    said = [m.decode("utf-8", "replace") for m in sent]
    counts = [int(k) for m in said for k in re.findall(r"Drawing the steps: (\d+) of 75", m)]
    assert counts and counts[0] == 0 and counts == sorted(counts), counts
    assert any("Laying out the graph of 75 steps" in m for m in said)
    assert page.locator("[data-testid=stProgress]").count() == 0      # gone once the steps are drawn
    assert page.locator(".ge-stepper .ge-count").inner_text() == "step 1 of 75"
