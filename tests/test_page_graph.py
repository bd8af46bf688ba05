"""AppTest of the Graph explorer page: presets, errors, state kept, share links."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import open_page

from explorer.presets import PRESETS, by_title
from explorer.share import decode_program, encode_program

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def shown_dot(at: AppTest) -> str:
    """The DOT of the graph the page draws now (its viewer component's data)."""
    found = [json.loads(el.proto.json) for el in at.get("bidi_component")
             if el.proto.component_name == "gradient_explorer.graph"]
    return found[0]["dot"] if found else ""


def dots(at: AppTest) -> list[str]:
    """Forward and backward DOT: the page shows one view at a time."""
    out = []
    for view in ("Forward graph", "Backward graph"):
        at.button_group(key="graph_view").set_value(view).run()
        out.append(shown_dot(at))
    return out


def fresh(**query) -> AppTest:
    return open_page("graph", query, raises=True)


def test_app_entry_point_runs():
    at = open_page("app")
    assert any("Graph explorer" in m.value for m in at.markdown)


def test_default_page_shows_chain_rule_graphs_table_and_code():
    at = fresh()
    assert not at.exception
    forward, backward = dots(at)
    assert "x1 = w*x" in forward
    assert "∂loss_val/∂w = 2" in backward
    at.button_group(key="graph_view").set_value("TensorFlow's graph").run()
    tf_graph = shown_dot(at)
    assert "gradient_tape" in tf_graph or "∂ x1" in tf_graph
    at.button_group(key="graph_view").set_value("Values & gradients").run()
    table = next(m.value for m in at.markdown if m.value.startswith("| name |"))
    rows = [line.split(" | ")[0].strip("| ") for line in table.splitlines()[2:]]
    assert rows[:4] == ["w", "b", "x", "y_true"]                     # a table that wraps, not cut at the edge
    assert "| 6 | 1 |" in table and "shape · dtype" in table
    assert any("tape.gradient(loss_val" in c.value for c in at.code)
    assert at.button_group(key="graph_view").options == ["Forward", "Backward", "Table", "TF graph"]


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.title)
def test_every_preset_renders_without_exception(preset):
    at = fresh()
    at.selectbox(key="graph_example").select(preset.title).run()
    assert not at.exception
    assert at.text_area(key="graph_program").value == preset.source
    forward, backward = dots(at)[:2]
    assert "digraph" in forward and "∂" in backward
    assert not at.error


def test_example_selector_names_what_is_in_the_editor():
    at = fresh()
    assert at.selectbox(key="graph_example").value == "Chain rule on a computation graph (Chollet 2.4.4)"
    at.text_area(key="graph_program").input("x = 3.0; x * x").run()
    assert at.selectbox(key="graph_example").value == "(your own program)"
    assert "x * x" in dots(at)[0]
    at.selectbox(key="graph_example").select(PRESETS[0].title).run()
    assert at.text_area(key="graph_program").value == PRESETS[0].source
    # issue 11 defect 7: the typed program stays in the list, one pick away
    assert "(your own program)" in at.selectbox(key="graph_example").options
    at.selectbox(key="graph_example").select("(your own program)").run()
    assert at.text_area(key="graph_program").value == "x = 3.0; x * x"


def test_invalid_program_shows_error_and_keeps_previous_graph():
    at = fresh()
    before = dots(at)[0]
    at.text_area(key="graph_program").input("w = tf.Variable(3.)\ny = tf.log(w)").run()
    assert not at.exception
    assert "Line 2, column 5" in at.error[0].value and "tf.math.log" in at.error[0].value
    assert dots(at)[0] == before                         # the last good graph is still drawn
    assert any("Showing the last program that ran" in i.value for i in at.info)
    at.text_area(key="graph_program").input("x = 3.0; x * x").run()    # and the page recovers
    assert not at.error and "∂f/∂x = 3 + 3 = 6" in dots(at)[1]   # x feeds both inputs of x * x


def test_target_can_be_changed():
    at = fresh()
    at.selectbox(key="graph_target").select("x2").run()
    assert "∂x2/∂w = 2" in dots(at)[1]
    assert at.query_params["target"] == "x2"


def test_share_link_round_trip():
    source = by_title("Softmax cross-entropy").source
    at = open_page("graph", {"program": encode_program(source), "dtype": "float64"})
    assert at.text_area(key="graph_program").value == source
    assert at.radio(key="graph_dtype").value == "float64"
    assert "float64" in dots(at)[0]
    # and after any run, the URL holds the program shown
    at.text_area(key="graph_program").input("x = 2.0; x ** 3").run()
    token = at.query_params["program"]
    assert decode_program(token if isinstance(token, str) else token[0]) == "x = 2.0; x ** 3"


def test_damaged_share_link_warns_and_falls_back():
    at = open_page("graph", {"program": "garbage!!"})
    assert at.warning and "could not be read" in at.warning[0].value
    assert "loss_val" in dots(at)[0]


def test_out_of_range_seed_in_a_link_is_reported():
    at = open_page("graph", {"seed": "99999999999"})
    assert at.warning and "seed=99999999999 is outside 0 … 2.14748e+09" in at.warning[0].value
    assert at.number_input(key="graph_seed").value == 0


MIT_LOOP = (ROOT / "tests" / "corpus" / "mit_sgd.py").read_text()


def first_draw_of_seed_0() -> float:
    """x0 of the MIT loop, from TensorFlow itself: tf.random.normal([1]) under tf.random.set_seed(0)."""
    import tensorflow as tf
    tf.random.set_seed(0)
    return float(tf.random.normal([1])[0])


def test_a_training_loop_shows_one_recording_a_selector_and_its_charts():
    import json
    at = fresh()
    at.text_area(key="graph_program").input(MIT_LOOP).run()
    assert not at.exception and not at.error
    slider = at.select_slider[0]
    assert slider.label == "Recording" and slider.value == 500 and len(slider.options) == 500
    assert any("tape `tape`, recording 500 of 500" in m.value for m in at.markdown)
    forward = dots(at)[0]
    assert forward.count("loss = (x - x_f)**2") == 1            # one recording drawn, not 500
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    by_title = {c["layout"]["title"]["text"]: c for c in charts if "title" in c["layout"]}
    xs = by_title["x over the iterations"]
    assert len(xs["data"][0]["y"]) == 500
    # SGD on (x - 4)^2 with rate 0.01: x_k - 4 = (1 - 0.02)^k (x_0 - 4), the textbook closed form
    x0 = first_draw_of_seed_0()
    assert xs["data"][0]["y"][-1] == pytest.approx(4 + 0.98 ** 500 * (x0 - 4), abs=1e-4)
    assert xs["data"][0]["y"][0] == pytest.approx(4 + 0.98 * (x0 - 4), rel=1e-5)
    assert any(s.get("y0") == 4 for s in xs["layout"]["shapes"])             # the line x_f = 4
    assert any("x_f = 4" in a["text"] for a in xs["layout"]["annotations"])
    loss = by_title["loss (log scale)"]
    assert loss["data"][0]["y"][0] == pytest.approx((x0 - 4) ** 2, rel=1e-5)
    assert at.button_group(key="graph_view").options[-1] == "Plots"           # the lab's own plt.plot

    at.select_slider[0].set_value(1).run()
    assert any("tape `tape`, recording 1 of 500" in m.value for m in at.markdown)
    assert any("iteration 1 of the loop on line 12" in m.value for m in at.markdown)
    assert f"∂loss/∂x = [{2 * (x0 - 4):.4g}]" in dots(at)[1]


def test_a_program_that_prints_shows_its_output_and_plots_tab_only_when_it_draws():
    at = fresh()
    at.text_area(key="graph_program").input("x = tf.constant([1.0, 2.0])\nprint(f'sum = {tf.reduce_sum(x):.1f}')\n"
                                      "x * 3").run()
    assert not at.exception and not at.error
    assert any("sum = 3.0" in c.value for c in at.code)
    assert "Plots" not in at.button_group(key="graph_view").options
    assert not at.select_slider                                  # one recording: no selector


def test_keras_layers_are_clusters_that_collapse_and_expand():
    at = fresh()
    at.selectbox(key="graph_example").select("Keras Sequential on digits: compile, fit, evaluate (Chollet 2.1)").run()
    assert not at.exception and not at.error
    forward = dots(at)[0]
    assert 'label="dense · Dense"' in forward and 'label="dense_1 · Dense"' in forward
    assert "dense/kernel" in forward
    assert 'label="sequential · Sequential"' in forward      # the model's call holds its layers' calls
    key = "graph_collapsed"
    at.session_state[key] = ["dense_1"]
    at.run()
    forward, backward = dots(at)[:2]
    assert 'label="dense_1 · Dense"' not in forward          # no longer a cluster ...
    assert "dense_1 · Dense\\nkernel 512×10\\nbias 10" in forward  # ... but one box with its weights
    assert 'label="dense · Dense"' in forward                 # the other layer stays expanded
    assert "∂" in backward and "dense_1 · Dense" in backward
    at.session_state[key] = []
    at.run()
    assert 'label="dense_1 · Dense"' in dots(at)[0]
    # the fit's history is plotted, with the sentence on overfitting when train and test part
    assert any("history per epoch" in c.proto.spec for c in at.get("plotly_chart"))


def test_link_round_trip_restores_every_setting():
    at = fresh()
    at.selectbox(key="graph_example").select("Bare expression").run()
    at.radio(key="graph_dtype").set_value("float64").run()
    at.number_input(key="graph_seed").set_value(7).run()
    at.radio(key="graph_layout").set_value("left to right").run()
    at.button_group(key="graph_view").set_value("Backward graph").run()
    params = {k: at.query_params[k] for k in at.query_params}
    assert {"program", "dtype", "seed", "layout", "view"} <= set(params)
    again = fresh(**params)
    assert not again.exception
    for key in ("graph_program", "graph_dtype", "graph_seed", "graph_layout", "graph_view", "graph_target"):
        assert again.session_state[key] == at.session_state[key], key
    assert "rankdir=LR" in shown_dot(again) and "∂f/∂x" in shown_dot(again)


def test_link_round_trip_restores_target_recording_and_collapsed_layers():
    """The address bar holds the target, the recording shown and the collapsed Keras layers too."""
    keras = "Keras Sequential on digits: compile, fit, evaluate (Chollet 2.1)"
    at = fresh()
    at.selectbox(key="graph_example").select(keras).run()
    at.selectbox(key="graph_target").select("y_pred").run()
    at.select_slider[0].set_value(1).run()                   # the fit's first recorded step, not its last
    at.session_state["graph_collapsed"] = ["dense_1"]
    at.run()
    at.button_group(key="graph_view").set_value("Backward graph").run()
    params = {k: at.query_params[k] for k in at.query_params}
    assert params["target"] == "y_pred" and params["recording"] == "1" and params["collapsed"] == "dense_1"
    again = fresh(**params)
    assert not again.exception
    for key in ("graph_program", "graph_target", "graph_recording", "graph_collapsed", "graph_view"):
        assert again.session_state[key] == at.session_state[key], key
    assert any("recording 1 of 2" in m.value for m in again.markdown)
    dot = shown_dot(again)
    assert dot == shown_dot(at)                               # the same picture
    assert 'id="layer-dense_1"' in dot and "(collapsed: expand it on the page)" in dot   # one box ...
    assert "∂y_pred/∂kernel: 512×10" in dot                   # ... listing its weights' gradients


def test_teacher_link_hides_the_editor_and_named_controls():
    at = fresh(hide="program,seed,dtype,example")
    assert not at.exception
    assert not at.text_area and not [n for n in at.number_input if n.key == "graph_seed"]
    assert not [s for s in at.selectbox if s.key == "graph_example"]
    assert "x1 = w*x" in shown_dot(at)                         # the lesson's picture is still there
    assert at.query_params["hide"] == "program,dtype,seed,example"


def test_presentation_mode_hides_the_editor_and_goes_in_the_link():
    at = fresh()
    at.toggle(key="presentation_mode").set_value(True).run()
    assert not at.text_area and at.query_params["present"] == "1"
    assert shown_dot(at)


def test_another_example_opens_at_its_own_last_recording():
    """The recording shown belongs to one program: after the Keras fit (2 recordings, the last one shown)
    the chapter-2 loop opens at its last recording too, 120 of 120 (1500 digits by 128: 12 batches × 10
    epochs), not at recording 2 carried over."""
    at = fresh()
    at.selectbox(key="graph_example").select("Keras Sequential on digits: compile, fit, evaluate (Chollet 2.1)").run()
    assert at.select_slider[0].value == 2
    at.selectbox(key="graph_example").select("Chapter 2 network from scratch, trained on digits (Chollet 2.5)").run()
    assert not at.exception
    assert at.select_slider[0].value == 120 and len(at.select_slider[0].options) == 120
    assert any("recording 120 of 120" in m.value for m in at.markdown)
