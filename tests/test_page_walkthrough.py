"""AppTest of the Backprop step-through page. The steps are stepped in the browser (the component gets
all of them at once), so these tests read the component's data: what each step says and draws.
Stepping itself is tested in tests/e2e/test_walkthrough_browser.py."""

import html
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import open_page

from explorer.presets import PRESETS
from explorer.stepper import look_at, Frames

ROOT = Path(__file__).resolve().parents[1]


def fresh(query: dict | None = None, **state) -> AppTest:
    return open_page("walkthrough", query, state)


def stepper(at: AppTest) -> dict:
    """The data the step-through component was given (empty when it was not drawn)."""
    found = [el for el in at.get("bidi_component") if el.proto.component_name == "gradient_explorer.stepper"]
    return json.loads(found[0].proto.json) if found else {}


def step(at: AppTest, title: str) -> tuple[int, dict]:
    data = stepper(at)
    k = next(k for k, p in enumerate(data["panels"]) if p["heading"].endswith(": " + title))
    return k, data["panels"][k]


def looks(at: AppTest, k: int, quiz: bool = False) -> dict:
    data = stepper(at)
    fr = Frames(data["svg"], data["deltas"], data["panels"], {int(q): v for q, v in data["quiz"].items()})
    return look_at(fr, k, quiz)


def texts(at: AppTest) -> str:
    return " ".join([m.value for m in at.markdown] + [i.value for i in at.info] + [c.value for c in at.caption]
                    + [e.value for e in at.error] + [w.value for w in at.warning])


def test_default_shows_the_chain_rule_from_the_inputs():
    at = fresh()
    data = stepper(at)
    assert data["panels"][0]["heading"] == "Forward pass · step 1 of 13: The inputs"
    assert "w = 3, b = 1" in data["panels"][0]["text"]
    assert looks(at, 0)["node-x1"]["lines"][:2] == ["x1 = w*x", "?"]          # not computed yet
    assert looks(at, 1)["node-x1"]["lines"][:2] == ["x1 = w*x", "6"]          # w*x = 3*2
    assert "<svg" in data["svg"] and 'id="node-x1"' in html.unescape(data["svg"])
    assert any("Sum over paths = **2**" in m.value for m in at.markdown)     # the paths panel is the default


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.title)
def test_every_preset_gives_the_browser_every_step(preset):
    import explorer
    at = fresh()
    at.selectbox(key="wt_example").select(preset.title).run()
    assert not at.exception
    data = stepper(at)
    if not data:                                   # a program with nothing to step through says why
        assert at.info
        return
    run = explorer.run(preset.source)
    steps = run.walkthrough(at.selectbox(key="wt_target").value)
    assert len(data["panels"]) == len(data["deltas"]) == len(steps)
    assert data["panels"][-1]["heading"].startswith("Backward pass")
    last = looks(at, len(steps) - 1)
    # after the last step every node that TensorFlow gives a gradient shows it in its label
    graph = run.graph_for(at.selectbox(key="wt_target").value)
    tname = graph.nodes[graph.target].label
    for n in graph.nodes:
        ident = f"node-{n.id}"
        if ident in last and graph.gradients.get(n.index) is not None and n.kind != "literal" \
                and n.index in graph.ancestors(graph.target):
            assert any(line.startswith(f"∂{tname}/∂{n.label} = ") for line in last[ident]["lines"]), ident


def test_quiz_hides_the_contribution_of_a_scalar_step():
    at = fresh()
    k, panel = step(at, "x1 → w")
    assert panel["quiz"]["answer"] == 2.0                       # upstream 1 × local x = 2
    assert "What does this edge send back to w?" in panel["quiz"]["question"]
    edge = next(i for i in looks(at, k) if i.startswith("edge-") and looks(at, k)[i]["width"] == 5)
    assert looks(at, k)[edge]["lines"][-1] == "1 × 2 = 2"
    assert looks(at, k, quiz=True)[edge]["lines"][-1] == "1 × 2 = ?"
    at.toggle(key="wt_quiz").set_value(True).run()
    assert stepper(at)["quiz_on"] is True


def test_tensor_step_shows_vjp_and_shapes():
    at = fresh()
    at.selectbox(key="wt_example").select("2-2-2 sigmoid network, matrices (step-by-step backpropagation)").run()
    _, panel = step(at, "matmul → W1")
    assert "vector-Jacobian product dW1 = xᵀ" in panel["text"]
    assert panel["shapes"] and "<math" in panel["formula"] and "<mtable" in panel["formula"]
    assert "quiz" not in panel                                  # quiz mode asks for single numbers


def test_long_sum_formula_is_cut_into_pieces_that_wrap():
    at = fresh()
    at.selectbox(key="wt_example").select("x² at 3 (Chollet 3.5)").run()
    data = stepper(at)
    complete = next(p for p in data["panels"] if "sum is complete" in p["text"])
    assert complete["formula"].count('class="term"') >= 4      # 1 × 2x = 3 … 3 + 3 = 6, each a piece
    assert "✓ sum complete" in complete["badge"]


def test_program_from_the_graph_page_and_bad_program_keeps_state():
    at = fresh(graph_handoff=("x = 3.0; y = 2.0; x**2 * y + tf.sin(x)", "float64", 0))
    at.selectbox(key="wt_example").select("(the program from the Graph page)").run()
    assert at.text_area(key="wt_program").value.startswith("x = 3.0")
    assert at.radio(key="wt_dtype").value == "float64"
    assert "x**2 * y + tf.sin(x)" in html.unescape(stepper(at)["svg"])
    at.text_area(key="wt_program").input("x = 3.0; np.sin(x)").run()
    assert not at.exception
    assert at.error and "Line 1, column 10" in at.error[0].value and "tf.sin" in at.error[0].value
    assert "x**2 * y + tf.sin(x)" in html.unescape(stepper(at)["svg"])    # the last good program stays


def test_picking_an_example_keeps_the_typed_program_in_the_list():
    """Issue 11 defect 7: a typed program is not lost when an example is picked."""
    at = fresh()
    mine = "x = tf.Variable(5.0)\nwith tf.GradientTape() as tape:\n    y = x * x * x\n"
    at.text_area(key="wt_program").input(mine).run()
    assert at.selectbox(key="wt_example").value == "(your own program)"
    at.selectbox(key="wt_example").select("Bare expression").run()
    assert at.text_area(key="wt_program").value != mine
    assert "(your own program)" in at.selectbox(key="wt_example").options
    at.selectbox(key="wt_example").select("(your own program)").run()
    assert at.text_area(key="wt_program").value == mine


def test_hessian_and_forward_mode_render_and_say_why_constants_have_numbers():
    at = fresh()
    at.selectbox(key="wt_example").select("Watched constant (Chollet 3.10)").run()
    at.button_group(key="wt_panel").set_value("Beyond first order").run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 2                     # Jacobian and Hessian heatmaps
    assert "forward mode needs" in texts(at)
    # issue 11 defect 9: the tables have numbers where the backward graph says None, and the page says why
    at.selectbox(key="wt_example").select("Chain rule on a computation graph (Chollet 2.4.4)").run()
    at.button_group(key="wt_panel").set_value("Beyond first order").run()
    said = texts(at)
    assert "while the backward graph says None" in said and "`x`" in said and "`y_true`" in said


def test_a_training_loop_from_the_graph_page_steps_through_recording_1():
    import tensorflow as tf
    at = fresh(graph_handoff=((ROOT / "tests" / "corpus" / "mit_sgd.py").read_text(), "float32", 0))
    at.selectbox(key="wt_example").select("(the program from the Graph page)").run()
    assert not at.exception and not at.error
    assert at.select_slider[0].value == 500
    at.select_slider[0].set_value(1).run()
    assert any("recording 1 of 500" in m.value for m in at.markdown)
    panel = stepper(at)["panels"][-1]
    assert panel["heading"].endswith("sub → x")
    tf.random.set_seed(0)
    x0 = float(tf.random.normal([1])[0])                 # TensorFlow's own first draw for seed 0
    assert f"[[{2 * (x0 - 4):.4g}]]" in panel["text"]     # d(x - 4)^2/dx at x0
    at.button_group(key="wt_panel").set_value("Three independent answers").run()
    assert any(":green-badge[agree]" in m.value for m in at.markdown)   # checks run on the recording shown


@pytest.mark.parametrize("source, panel, says", [
    ("x = tf.Variable(0.0)\nwith tf.GradientTape() as tape:\n    y = x / x", "Paths to a leaf",
     "NaN: not compared"),
    ("x = tf.Variable(0.0)\nwith tf.GradientTape() as tape:\n    y = x / x", "Three independent answers",
     "NaN among the answers: not compared"),
    ("x = tf.Variable(tf.zeros([100]))\nwith tf.GradientTape() as tape:\n    y = x + 3", "Beyond first order",
     "more than a heatmap can show"),
    ("v = tf.Variable([[]])\nwith tf.GradientTape() as tape:\n    p = tf.nn.softmax(v[1:])", "Beyond first order", ""),
])
def test_every_view_of_an_awkward_program_answers_in_words(source, panel, says):
    at = fresh()
    at.text_area(key="wt_program").input(source).run()
    at.button_group(key="wt_panel").set_value(panel).run()
    assert not at.exception and not at.error
    assert says in texts(at)


def test_one_training_step_of_the_two_layer_network_steps_back_through_loss_dense_and_relu():
    """The chapter-2 network from scratch, trained on digits: the last training step's backward pass goes
    through the Keras loss, the second dense layer and the ReLU, with shapes and VJP rules."""
    at = fresh()
    at.selectbox(key="wt_example").select("Chapter 2 network from scratch, trained on digits (Chollet 2.5)").run()
    assert not at.exception and not at.error
    panels = stepper(at)["panels"]
    titles = [p["heading"].split(": ", 1)[1] for p in panels if "→" in p["heading"]]
    assert titles[:4] == ["average_loss → per_sample_losses", "per_sample_losses → x", "x → add_2",
                          "add_2 → matmul_2"]
    loss_step = next(p for p in panels if p["heading"].endswith("per_sample_losses → x"))
    assert "y_pred at the true class" in loss_step["text"]                # the VJP rule of Keras's loss
    assert f"x: {1500 % 128}×10" in loss_step["shapes"]       # the last batch of 1500 digits by 128: 92 × 10
    assert [t for t in titles if t.startswith("x → add") and t != "x → add_2"]   # back through layer 1's ReLU
    assert any("W" in t for t in titles)


# ---- links ------------------------------------------------------------------------------------------

def test_link_round_trip_restores_program_target_step_and_settings():
    at = fresh()
    at.selectbox(key="wt_example").select("Second derivative with nested tapes (Chollet 3.11)").run()
    at.selectbox(key="wt_target").select("speed").run()
    at.radio(key="wt_dtype").set_value("float64").run()
    at.toggle(key="wt_quiz").set_value(True).run()
    params = {k: at.query_params[k] for k in at.query_params}
    assert {"program", "target", "dtype", "quiz"} <= set(params)
    params["step"] = "4"                           # the browser writes the step it is on
    again = fresh(query=params)
    assert again.text_area(key="wt_program").value == at.text_area(key="wt_program").value
    assert again.selectbox(key="wt_target").value == "speed"
    assert again.radio(key="wt_dtype").value == "float64"
    assert again.toggle(key="wt_quiz").value is True
    assert stepper(again)["start"] == 3             # step 4, counted from 1 in the link


def test_teacher_link_hides_named_controls_and_presents():
    at = fresh(query={"hide": "program,dtype,example", "present": "1"})
    assert not at.text_area and not at.radio
    assert not [s for s in at.selectbox if s.key == "wt_example"]
    assert at.toggle(key="presentation_mode").value is True
    assert stepper(at)                               # the lesson itself is there
    assert at.query_params["hide"] == "program,dtype,example" and at.query_params["present"] == "1"


def test_a_bad_link_says_what_is_wrong_and_uses_the_rest():
    at = fresh(query={"dtype": "float16", "speed": "fast (0.5 s)", "hide": "editor"})
    warning = " ".join(w.value for w in at.warning)
    assert "dtype='float16' is not one of float32, float64" in warning
    assert "no control named 'editor'" in warning
    assert stepper(at)["speed"] == 0.5


def test_nested_tapes_with_target_speed_flows_back_to_time_and_paths_agree():
    """Issue 11 defect 1. position = 4.9 t², speed = d position/dt = 9.8 t, so d speed/dt = 9.8 (free fall,
    Chollet 3.11): the steps must carry 9.8 from speed back to time, and Paths must show that path with
    its sum equal to TensorFlow's gradient."""
    at = fresh()
    at.selectbox(key="wt_example").select("Second derivative with nested tapes (Chollet 3.11)").run()
    at.selectbox(key="wt_target").select("speed").run()
    assert not at.exception and not at.error
    panels = stepper(at)["panels"]
    said = " ".join(p["text"] for p in panels)
    assert "Nothing flows from speed back to time" not in said
    k, to_time = step(at, "speed → time")
    assert "gives the contribution 9.8" in to_time["text"]
    paths = next(m.value for m in at.markdown if m.value.startswith("| path |"))
    assert "| speed → time | 9.8 | 9.8 |" in paths
    verdict = next(m.value for m in at.markdown if m.value.startswith("Sum over paths"))
    assert "= **9.8**" in verdict and "✓ equal" in verdict and "✗ differ" not in verdict
    at.button_group(key="wt_panel").set_value("Three independent answers").run()
    answers = [m.value for m in at.markdown if m.value.startswith("**∂speed/∂time**")]
    assert answers and ":green-badge[agree]" in answers[0] and "TensorFlow 9.8" in answers[0]



def test_another_example_steps_through_its_own_last_recording():
    """After the Keras fit (2 recordings) the chapter-2 loop steps through its last recording, 120 of 120
    (ceil(1500 / 128) = 12 batches × 10 epochs), not recording 2 carried over from the previous example."""
    at = fresh()
    at.selectbox(key="wt_example").select("Keras Sequential on digits: compile, fit, evaluate (Chollet 2.1)").run()
    assert at.select_slider[0].value == 2
    at.selectbox(key="wt_example").select("Chapter 2 network from scratch, trained on digits (Chollet 2.5)").run()
    assert not at.exception
    assert at.select_slider[0].value == 120
    assert any("recording 120 of 120" in m.value for m in at.markdown)
