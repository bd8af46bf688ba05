"""The Graph page in headless Chromium, used as a person would: type a program, look at both graphs."""

from explorer.presets import by_title
from explorer.share import encode_program

from .conftest import screenshot

CHAIN = by_title("Chain rule on a computation graph (Chollet 2.4.4)").source


def svg_texts(page) -> str:
    """All text drawn in the graphviz SVG of the tab panel on show."""
    panel = page.locator('[role="tabpanel"]:visible')
    panel.locator("svg g.node").first.wait_for()
    return " ".join(panel.locator("svg text").all_text_contents())


def test_type_the_chain_rule_program_and_see_both_graphs(page, server):
    page.goto(server + "/?program=" + encode_program("x = 3.0; x * x"))   # start from another program
    page.get_by_text("Graph explorer").first.wait_for()
    editor = page.locator("textarea").first
    editor.click()
    editor.fill("")
    editor.type(CHAIN)
    editor.press("Control+Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('svg text')].some(t => t.textContent.includes('loss_val'))")

    forward = svg_texts(page)
    for label in ("w", "x1", "x2", "loss_val", "y_true", "tf.Variable", "constant"):
        assert label in forward
    assert "6" in forward and "7" in forward and "3" in forward   # x1, x2, loss_val
    screenshot(page, "graph-forward")

    page.get_by_role("tab", name="Backward graph").click()
    backward = svg_texts(page)
    assert "∂loss_val/∂w = 2" in backward
    assert "∂loss_val/∂b = 1" in backward
    assert "1 × 2 = 2" in backward
    assert "constant not watched" in backward
    screenshot(page, "graph-backward")

    page.get_by_role("tab", name="TensorFlow's graph").click()
    tf_texts = svg_texts(page)
    assert "∂ x1" in tf_texts and "Abs" in tf_texts
    screenshot(page, "graph-tensorflow")


def test_error_is_shown_at_the_line_and_graph_stays(page, server):
    page.goto(server)
    page.locator('[role="tabpanel"] svg g.node').first.wait_for()
    editor = page.locator("textarea").first
    editor.fill("w = tf.Variable(3.)\ny = tf.log(w)")
    editor.press("Control+Enter")
    page.get_by_text("Line 2, column 5").wait_for()
    assert "tf.math.log" in page.locator('[data-testid="stAlert"]').first.inner_text()
    assert page.locator('[role="tabpanel"] svg g.node').count() > 0
    screenshot(page, "graph-error")
