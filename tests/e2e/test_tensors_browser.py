"""The Tensors page in headless Chromium at 1280×720: type a slice and see it highlighted in its source;
turn the rotation angle and see the letter F turn by it."""

import math

import numpy as np

from bench.browser import wait_idle

from .conftest import in_first_viewport, screenshot

CHART = "[data-testid=stPlotlyChart] .js-plotly-plot"

# the entries the page highlights: the second heatmap's cells that are not NaN (null in the browser)
HIGHLIGHTED_JS = f"""() => {{
    const plot = document.querySelector('{CHART}');
    if (!plot || !plot.data || plot.data.length < 2) return null;
    return plot.data[1].z.map(row => row.map(v => v !== null && !Number.isNaN(v)));
}}"""

# where the top of the letter F is drawn after the transform: its point (0, 1.5) before it
F_TOP_JS = f"""() => {{
    const plot = document.querySelector('{CHART}');
    const f = plot && plot.data && plot.data.find(t => t.name === 'F after');
    return f ? [f.x[1], f.y[1]] : null;
}}"""


def type_expression(page, server, text: str):
    """Open the page, type `text` into the tensor box and press Enter; the box."""
    page.goto(server + "/tensors")
    page.locator(CHART).first.wait_for()
    wait_idle(page)
    box = page.get_by_role("textbox", name="Tensor or slice")
    box.fill(text)
    box.press("Enter")
    return box


def test_type_a_slice_and_see_it_highlighted(page, server):
    box = type_expression(page, server, "matrix[1]")
    page.get_by_text("matrix[1] → shape (4,)").wait_for()
    wait_idle(page)
    page.wait_for_function(f"() => ({HIGHLIGHTED_JS})() && ({HIGHLIGHTED_JS})()[1].every(Boolean)")
    highlighted = page.evaluate(HIGHLIGHTED_JS)
    assert highlighted == [[False] * 4, [True] * 4, [False] * 4]       # row 1 of the 3×4 matrix, nothing else
    assert "expression=matrix%5B1%5D" in page.url or "expression=matrix[1]" in page.url
    in_first_viewport(page, page.locator(CHART).first)
    screenshot(page, "tensors-slice-row")

    box.fill("matrix[:, 2]")
    box.press("Enter")
    page.get_by_text("matrix[:, 2] → shape (3,)").wait_for()
    page.wait_for_function(f"() => {{ const h = ({HIGHLIGHTED_JS})(); return h && h.every(r => r[2] && !r[1]); }}")
    assert page.evaluate(HIGHLIGHTED_JS) == [[False, False, True, False]] * 3

    box.fill("matrix[1, ")                                               # a typo: said where, the page stays
    box.press("Enter")
    page.get_by_text("line 1, column", exact=False).first.wait_for()
    wait_idle(page)
    page.locator(CHART).first.wait_for()
    assert page.evaluate(HIGHLIGHTED_JS) == [[False, False, True, False]] * 3
    screenshot(page, "tensors-slice-error")


def test_turn_the_rotation_angle_and_see_the_figure_turn(page, server):
    page.goto(server + "/tensors?view=Geometry")
    page.locator(CHART).first.wait_for()
    wait_idle(page)
    page.wait_for_function(f"() => ({F_TOP_JS})() !== null")
    x, y = page.evaluate(F_TOP_JS)
    assert math.isclose(math.degrees(math.atan2(-x, y)), 30.0, abs_tol=1e-6)     # the default θ = 30°
    in_first_viewport(page, page.locator(CHART).first)
    screenshot(page, "tensors-rotation-30")

    thumb = page.get_by_role("slider").first
    start = thumb.bounding_box()
    track = page.locator("[data-testid=stSlider]").first.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(track["x"] + track["width"] * 0.75, start["y"] + start["height"] / 2, steps=8)   # about 90°
    page.mouse.up()
    wait_idle(page)
    angle = float(thumb.get_attribute("aria-valuetext"))
    assert 60 <= angle <= 120
    page.wait_for_function(f"""() => {{ const p = ({F_TOP_JS})(); if (!p) return false;
        const a = Math.atan2(-p[0], p[1]) * 180 / Math.PI; return Math.abs(a - {angle}) < 1e-6; }}""")
    x, y = page.evaluate(F_TOP_JS)
    assert math.isclose(math.hypot(x, y), 1.5, rel_tol=1e-9)                # a rotation keeps lengths
    assert f"angle={angle:g}" in page.url
    page.get_by_text("Then relu").click()
    page.wait_for_function(f"() => {{ const p = ({F_TOP_JS})(); return p && p[0] === 0; }}")   # folded onto the axis
    screenshot(page, "tensors-rotation-dragged-relu")


# the header's view buttons and presentation toggle: no drawn element under them narrower or shorter than its text
HEADER_JS = """() => {
    const main = document.querySelector('[data-testid=stMain]');
    const sidebar = document.querySelector('[data-testid=stSidebar]');
    const views = [...main.querySelectorAll('.st-key-tn_view [data-testid=stButtonGroup] button')];
    const toggle = main.querySelector('.st-key-presentation_mode label');
    const parts = [...views, toggle].filter(Boolean);
    const shown = e => e.clientWidth > 1 && e.clientHeight > 1;      // not the 1-px box hiding the checkbox
    const cut = parts.filter(p => [p, ...p.querySelectorAll('*')].filter(shown).some(
        e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1));
    const boxes = parts.map(p => p.getBoundingClientRect());
    return {views: views.map(b => b.innerText.trim()), toggle: toggle ? toggle.innerText.trim() : null,
            cut: cut.map(p => p.innerText.trim()),
            lines: parts.map(p => Math.round(p.getBoundingClientRect().height)),
            right: Math.max(...boxes.map(b => b.right)), top: Math.min(...boxes.map(b => b.top)),
            bottom: Math.max(...boxes.map(b => b.bottom)),
            sidebar: sidebar ? sidebar.getBoundingClientRect().width : 0};
}"""


def test_header_fits_beside_the_open_sidebar(page, server):
    for query in ("", "?view=Geometry"):
        page.goto(server + "/tensors" + query)
        page.locator(CHART).first.wait_for()
        wait_idle(page)
        header = page.evaluate(HEADER_JS)
        assert header["sidebar"] > 200, header                         # the sidebar is open
        assert header["views"] == ["Slices", "Broadcast", "Dot", "Geometry"], header
        assert header["toggle"] == "Presentation mode", header
        assert not header["cut"], header                               # no label is cut short
        assert header["right"] <= 1280 and header["top"] >= 0 and header["bottom"] <= 720, header
    screenshot(page, "tensors-header-geometry")


def test_a_transpose_numbers_its_entries_by_their_place_in_the_source(page, server):
    type_expression(page, server, "tf.transpose(matrix)")
    page.get_by_text("in a new order", exact=False).wait_for()
    wait_idle(page)
    z = page.evaluate(f"() => document.querySelector('{CHART}').data.map(t => t.z)")
    positions = np.arange(12).reshape(3, 4)                                     # MIT's 3×4 matrix, row-major
    assert z[0] == positions.tolist() and z[1] == np.transpose(positions).tolist()
    in_first_viewport(page, page.locator(CHART).first)
    screenshot(page, "tensors-transpose")


def pick_example(page, title: str) -> None:
    page.get_by_role("combobox", name="Example").click()
    page.get_by_role("option", name=title, exact=True).click()


# the stages the broadcasting picture draws (each panel's trace says which stage and leading index it is)
STAGES_JS = f"""() => {{
    const plot = document.querySelector('{CHART}');
    if (!plot || !plot.data) return null;
    return plot.data.filter(t => t.meta && t.meta.stage && !t.meta.selected).map(t => [t.meta.stage, t.meta.index]);
}}"""


def test_broadcast_and_dot_pictures_are_in_the_first_screen(page, server):
    page.goto(server + "/tensors")
    page.locator(CHART).first.wait_for()
    wait_idle(page)
    for title, shot in (("Chollet 2.3.2: broadcasting (32, 10) + (10,)", "tensors-broadcast"),
                        ("Chollet 2.3.2: np.maximum over (64, 3, 32, 10) and (32, 10)", "tensors-broadcast-maximum"),
                        ("Broadcasting both ways: (3, 1) + (1, 4)", "tensors-broadcast-both"),
                        ("Chollet 2.3.3: matrix · matrix", "tensors-dot")):
        pick_example(page, title)
        wait_idle(page)
        page.locator(".st-key-tn-broadcast, .st-key-tn-dot").locator(".js-plotly-plot").wait_for()
        wait_idle(page)
        in_first_viewport(page, page.locator(CHART).first)
        screenshot(page, shot)
        if "maximum" in title:
            stages = page.evaluate(STAGES_JS)
            for index in ([0, 0], [1, 0], [0, 1]):          # a repeat along each leading axis is drawn
                assert ["y repeated", index] in stages and ["result", index] in stages
        if "both" in title:
            assert [s for s, _ in page.evaluate(STAGES_JS)] == ["x", "x repeated", "y", "y repeated", "result"]


def test_mits_ranks_are_picked_and_drawn(page, server):
    page.goto(server + "/tensors")
    page.locator(CHART).first.wait_for()
    wait_idle(page)
    pick_example(page, "MIT 6.S191 lab 1: rank 0 to rank 4")
    page.get_by_text("rank 4 · shape (10, 256, 256, 3)").wait_for()
    wait_idle(page)
    kinds = page.evaluate(f"() => document.querySelector('{CHART}').data.map(t => t.type)")
    assert kinds == ["image"] * 4                                      # a strip of colour images
    in_first_viewport(page, page.locator(CHART).first)
    screenshot(page, "tensors-mit-images")
    page.locator(".st-key-tn_pick button", has_text="cube (3)").click()
    page.get_by_text("rank 3 · shape (2, 3, 4)").wait_for()
    wait_idle(page)
    z = page.evaluate(f"() => document.querySelector('{CHART}').data.map(t => t.z)")
    assert z == np.arange(24).reshape(2, 3, 4).tolist()                # two grids of 3 rows × 4 columns
    in_first_viewport(page, page.locator(CHART).first)
    screenshot(page, "tensors-mit-cube")


def test_a_second_affine_map_is_typed_and_the_two_are_one(page, server):
    page.goto(server + "/tensors?view=Geometry&angle=90")
    page.locator(CHART).first.wait_for()
    wait_idle(page)
    page.get_by_text("Then a second affine map").click()
    box = page.get_by_role("textbox", name="A₂ (a, b; c, d)")
    box.wait_for()
    box.fill("2, 0; 0, 2")
    box.press("Enter")
    # (0, 1.5) turned by 90° is (-1.5, 0), then doubled and shifted by t₂ = (1, -1): (-2, -1)
    page.wait_for_function(f"() => {{ const p = ({F_TOP_JS})(); return p && Math.abs(p[0] + 2) < 1e-9 && Math.abs(p[1] + 1) < 1e-9; }}")
    page.get_by_text("A₂A₁ = [[0, -2], [2, 0]]", exact=False).wait_for()
    wait_idle(page)
    assert "second_matrix=2%2C+0%3B+0%2C+2" in page.url or "second_matrix=2,+0;+0,+2" in page.url
    in_first_viewport(page, page.locator(CHART).first)
    screenshot(page, "tensors-second-map")
