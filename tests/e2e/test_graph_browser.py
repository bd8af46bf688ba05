"""The Graph page in headless Chromium at 1280×720, used as a person would: type a program, look at both
graphs, read them from the back row, zoom, lay them out left to right, share the link."""

import time

from explorer.presets import by_title
from explorer.share import encode_program

from bench.browser import wait_idle

from app_pages._components import PRESENT_TEXT_PX

from .conftest import MIN_GRAPH_TEXT_PX, in_first_viewport, label_px, not_cut_at_the_right, screenshot

CHAIN = by_title("Chain rule on a computation graph (Chollet 2.4.4)").source


def graph_texts(page) -> str:
    page.locator(".ge-view svg g.node").first.wait_for()
    return " ".join(page.locator(".ge-view svg text").all_text_contents())


def show(page, view: str) -> None:
    page.locator("[data-testid=stButtonGroup] button").filter(has_text=view).click()


def test_type_the_chain_rule_program_and_see_both_graphs(page, server):
    page.goto(server + "/?program=" + encode_program("x = 3.0; x * x"))   # start from another program
    page.locator(".ge-view svg g.node").first.wait_for()
    wait_idle(page)
    editor = page.locator("textarea").first
    editor.fill(CHAIN)
    editor.press("Control+Enter")
    page.locator(".ge-view svg text").filter(has_text="loss_val").first.wait_for()
    page.wait_for_function("() => !location.search.includes('program=')")   # the default: not in the link
    forward = graph_texts(page)
    for label in ("w", "x1", "x2", "loss_val", "y_true", "tf.Variable", "constant"):
        assert label in forward
    assert "6" in forward and "7" in forward and "3" in forward   # x1, x2, loss_val
    in_first_viewport(page, page.locator(".ge-view"))
    assert min(label_px(page)) >= MIN_GRAPH_TEXT_PX - 0.01
    screenshot(page, "graph-forward")

    show(page, "Backward")
    page.locator(".ge-view svg text").filter(has_text="∂loss_val/∂w = 2").first.wait_for()
    backward = graph_texts(page)
    assert "∂loss_val/∂b = 1" in backward and "1 × 2 = 2" in backward and "constant not watched" in backward
    in_first_viewport(page, page.locator(".ge-view"))
    assert min(label_px(page)) >= MIN_GRAPH_TEXT_PX - 0.01
    screenshot(page, "graph-backward")

    show(page, "TF graph")
    page.locator(".ge-view svg text").filter(has_text="∂ x1").first.wait_for()
    assert "Abs" in graph_texts(page)


def test_zoom_pan_and_left_to_right_layout(page, server):
    page.goto(server + "/?view=Backward+graph")
    page.locator(".ge-view svg g.node").first.wait_for()
    wait_idle(page)
    before = page.locator(".ge-view svg").bounding_box()
    page.locator(".ge-zoombar button").filter(has_text="+").click()
    after = page.locator(".ge-view svg").bounding_box()
    assert after["width"] > before["width"] * 1.2               # zoomed in
    page.mouse.move(900, 500)
    page.mouse.down()
    page.mouse.move(800, 450)
    page.mouse.up()
    moved = page.locator(".ge-view svg").bounding_box()
    assert abs(moved["x"] - after["x"] - (-100)) < 3 and abs(moved["y"] - after["y"] - (-50)) < 3   # panned
    wait_idle(page)
    page.locator("[data-testid=stSidebar]").get_by_text("left to right").click()
    page.wait_for_function("() => location.search.includes('layout=')")   # the link changes first,
    wait_idle(page)                                                            # then the picture
    page.locator(".ge-view svg g.node").first.wait_for()
    box = page.locator(".ge-view svg").bounding_box()
    assert box["width"] > box["height"]                          # laid out left to right
    assert min(label_px(page)) >= MIN_GRAPH_TEXT_PX - 0.01
    screenshot(page, "graph-left-to-right")


def test_error_is_shown_at_the_line_and_graph_stays(page, server):
    page.goto(server)
    page.locator(".ge-view svg g.node").first.wait_for()
    editor = page.locator("textarea").first
    editor.fill("w = tf.Variable(3.)\ny = tf.log(w)")
    editor.press("Control+Enter")
    page.get_by_text("Line 2, column 5").wait_for()
    assert "tf.math.log" in page.locator('[data-testid="stAlert"]').first.inner_text()
    assert page.locator(".ge-view svg g.node").count() > 0
    screenshot(page, "graph-error")


def test_example_change_is_quick_and_a_link_restores_it(page, server):
    page.goto(server)
    page.locator(".ge-view svg g.node").first.wait_for()
    wait_idle(page)
    page.get_by_role("combobox", name="Example").click()
    start = time.perf_counter()
    page.get_by_role("option", name="MIT 6.S191: e = (a + b)(b - 1)").click()
    page.locator(".ge-view svg text").filter(has_text="e = tf.multiply(c, d)").first.wait_for()
    print(f"example change to graph drawn: {(time.perf_counter() - start) * 1000:.0f} ms")
    link = page.url
    other = page.context.new_page()
    other.goto(link)
    other.locator(".ge-view svg text").filter(has_text="e = tf.multiply(c, d)").first.wait_for()
    assert other.locator("textarea").first.input_value() == by_title("MIT 6.S191: e = (a + b)(b - 1)").source
    other.close()


def pick(page, example: str, shows: str) -> None:
    """Pick an example and wait until the editor holds text with `shows` in it."""
    page.get_by_role("combobox", name="Example").click()
    page.get_by_role("option", name=example).click()
    page.wait_for_function("(s) => document.querySelector('textarea').value.includes(s)", arg=shows)
    wait_idle(page)


def test_a_typed_program_survives_picking_an_example_and_back_brings_it(page, server):
    """Issue 11 defect 7: the typed program stays in the Example list, and the browser's Back button
    restores it."""
    mine = "x = tf.Variable(5.0)\nwith tf.GradientTape() as tape:\n    y = x * x * x"
    page.goto(server)
    page.locator(".ge-view svg g.node").first.wait_for()
    wait_idle(page)
    editor = page.locator("textarea").first
    editor.fill(mine)
    editor.press("Control+Enter")
    page.locator(".ge-view svg text").filter(has_text="y = x * x * x").first.wait_for()
    wait_idle(page)
    pick(page, "Bare expression", "tf.sin")
    page.go_back()
    page.wait_for_function("() => document.querySelector('textarea').value.includes('x * x * x')")
    page.locator(".ge-view svg text").filter(has_text="y = x * x * x").first.wait_for()
    wait_idle(page)
    pick(page, "Bare expression", "tf.sin")
    pick(page, "(your own program)", "x * x * x")


MAZUR = by_title("2-2-2 sigmoid network, scalars (step-by-step backpropagation)").source


def test_presentation_mode_hides_editor_and_sidebar_and_enlarges_the_graph(page, server):
    page.goto(server + "/?present=1")
    page.locator(".ge-view svg g.node").first.wait_for()
    wait_idle(page)
    assert page.locator("textarea").count() == 0
    assert not page.locator("[data-testid=stSidebar]").is_visible()
    in_first_viewport(page, page.locator(".ge-view"))
    assert min(label_px(page)) >= PRESENT_TEXT_PX - 0.01       # larger type for the back row
    screenshot(page, "graph-presentation")


def test_the_2_2_2_network_table_wraps_instead_of_being_cut(page, server):
    """77 values with their formulas and gradients: the Values & gradients table fits the page's width."""
    page.goto(server + "/?view=Values+%26+gradients&program=" + encode_program(MAZUR))
    table = page.locator("[data-testid=stMarkdownContainer] table").filter(has_text="chain rule").first
    table.wait_for()
    wait_idle(page)
    assert table.locator("tbody tr").count() >= 30
    not_cut_at_the_right(table)
    screenshot(page, "graph-table-2-2-2")


def test_a_large_graph_keeps_16_px_labels_and_pans(page, server):
    """The 2-2-2 network (77 values) does not fit at 16 px: it is drawn at the floor and can be panned."""
    page.goto(server + "/?program=" + encode_program(MAZUR))
    page.locator(".ge-view svg g.node").first.wait_for()
    wait_idle(page)
    assert page.locator(".ge-view svg g.node").count() > 30
    in_first_viewport(page, page.locator(".ge-view"))
    assert min(label_px(page)) >= MIN_GRAPH_TEXT_PX - 0.01
    before = page.locator(".ge-view svg").bounding_box()
    page.mouse.move(900, 500)
    page.mouse.down()
    page.mouse.move(700, 300)
    page.mouse.up()
    after = page.locator(".ge-view svg").bounding_box()
    assert abs(after["x"] - before["x"] + 200) < 3 and abs(after["y"] - before["y"] + 200) < 3
    screenshot(page, "graph-2-2-2")
