"""AppTest of the Graph explorer page: presets, errors, state kept, share links."""

import pytest
from streamlit.testing.v1 import AppTest

from explorer.presets import PRESETS, by_title
from explorer.share import decode_program, encode_program

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages" / "graph.py")


def dots(at: AppTest) -> list[str]:
    return [el.proto.spec for el in at.get("graphviz_chart")]


def fresh() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    return at


def test_app_entry_point_runs():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    assert any("Graph explorer" in t.value for t in at.title)


def test_default_page_shows_chain_rule_graphs_table_and_code():
    at = fresh()
    assert not at.exception
    forward, backward, tf_graph = dots(at)
    assert "x1 = w*x" in forward
    assert "∂loss_val/∂w = 2" in backward
    assert "gradient_tape" in tf_graph or "∂ x1" in tf_graph
    table = at.dataframe[0].value
    assert list(table["name"])[:4] == ["w", "b", "x", "y_true"]
    assert any("tape.gradient(loss_val" in c.value for c in at.code)
    assert [t.label for t in at.tabs] == ["Forward graph", "Backward graph", "Values & gradients",
                                          "TensorFlow's graph"]


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.title)
def test_every_preset_renders_without_exception(preset):
    at = fresh()
    at.selectbox(key="preset").select(preset.title).run()
    assert not at.exception
    assert at.text_area(key="program").value == preset.source
    forward, backward = dots(at)[:2]
    assert "digraph" in forward and "∂" in backward
    assert not at.error


def test_example_selector_names_what_is_in_the_editor():
    at = fresh()
    assert at.selectbox(key="preset").value == "Chain rule on a computation graph (Chollet 2.4.4)"
    at.text_area(key="program").input("x = 3.0; x * x").run()
    assert at.selectbox(key="preset").value == "(your own program)"
    assert "x * x" in dots(at)[0]
    at.selectbox(key="preset").select(PRESETS[0].title).run()
    assert at.text_area(key="program").value == PRESETS[0].source
    assert "(your own program)" not in at.selectbox(key="preset").options


def test_invalid_program_shows_error_and_keeps_previous_graph():
    at = fresh()
    before = dots(at)[0]
    at.text_area(key="program").input("w = tf.Variable(3.)\ny = np.sin(w)").run()
    assert not at.exception
    assert "Line 2, column 5" in at.error[0].value and "tf.sin" in at.error[0].value
    assert dots(at)[0] == before                         # the last good graph is still drawn
    assert any("Showing the last program that ran" in i.value for i in at.info)
    at.text_area(key="program").input("x = 3.0; x * x").run()    # and the page recovers
    assert not at.error and "∂f/∂x = 3 + 3 = 6" in dots(at)[1]   # x feeds both inputs of x * x


def test_target_can_be_changed():
    at = fresh()
    at.selectbox(key=[s.key for s in at.selectbox if s.key.startswith("target-")][0]).select("x2").run()
    assert "∂x2/∂w = 2" in dots(at)[1]


def test_share_link_round_trip():
    source = by_title("Softmax cross-entropy").source
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["program"] = encode_program(source)
    at.query_params["dtype"] = "float64"
    at.run()
    assert not at.exception
    assert at.text_area(key="program").value == source
    assert at.radio(key="dtype").value == "float64"
    assert "float64" in dots(at)[0]
    # and after any run, the URL holds the program shown
    at.text_area(key="program").input("x = 2.0; x ** 3").run()
    token = at.query_params["program"]
    assert decode_program(token if isinstance(token, str) else token[0]) == "x = 2.0; x ** 3"


def test_damaged_share_link_warns_and_falls_back():
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["program"] = "garbage!!"
    at.run()
    assert not at.exception
    assert at.warning and "shared link" in at.warning[0].value
    assert "loss_val" in dots(at)[0]


def test_out_of_range_seed_in_a_link_is_reported():
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["seed"] = "99999999999"
    at.run()
    assert not at.exception
    assert at.warning and "out of range" in at.warning[0].value
    assert at.number_input(key="seed").value == 0
