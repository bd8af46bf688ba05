"""AppTest of the Backprop step-through page."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer.presets import PRESETS

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages" / "walkthrough.py")


def fresh() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    assert not at.exception
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def heading(at: AppTest) -> str:
    return next(h.value for h in at.subheader if "step" in h.value)


def step_dots(at: AppTest) -> list[str]:
    return [el.proto.spec for el in at.get("graphviz_chart")]


def test_default_shows_the_chain_rule_first_step():
    at = fresh()
    assert heading(at) == "Forward pass · step 1 of 13: The inputs"
    assert "w = 3" in at.markdown[2].value or any("w = 3, b = 1" in m.value for m in at.markdown)
    assert "x1 = w*x\\n?" in step_dots(at)[0]
    assert any("Sum over paths = **2**" in m.value for m in at.markdown)
    assert any(":green-badge[agree]" in m.value for m in at.markdown)


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.title)
def test_step_first_to_last_and_back(preset):
    at = fresh()
    at.selectbox(key="wt_preset").select(preset.title).run()
    assert not at.exception
    n = int(heading(at).split(" of ")[1].split(":")[0])
    button(at, "Last").click().run()
    assert not at.exception and f"step {n} of {n}" in heading(at)
    for k in range(n - 1, max(n - 4, 0), -1):
        button(at, "Back").click().run()
        assert not at.exception and f"step {k} of {n}" in heading(at)
    if "step 1 of" not in heading(at):
        button(at, "First").click().run()
    assert f"step 1 of {n}" in heading(at)
    assert button(at, "First").disabled and button(at, "Back").disabled
    button(at, "Next").click().run()
    assert f"step 2 of {n}" in heading(at)
    assert not at.exception


def go_to_backward_step(at: AppTest, title: str) -> None:
    button(at, "Last").click().run()
    for _ in range(20):
        if title in heading(at):
            return
        button(at, "Back").click().run()
    raise AssertionError(f"no step {title!r}")


def test_quiz_accepts_a_right_answer_and_rejects_a_wrong_one():
    at = fresh()
    at.toggle(key="wt_quiz").set_value(True).run()
    go_to_backward_step(at, "x1 → w")
    assert "1 × 2 = ?" in step_dots(at)[0]
    guess = at.number_input[0]
    guess.set_value(3.0).run()
    next(b for b in at.button if b.label == "Check").click().run()
    assert at.error and "Not quite" in at.error[0].value
    at.number_input[0].set_value(2.0).run()
    next(b for b in at.button if b.label == "Check").click().run()
    assert at.success and "1 × 2 = 2" in at.success[0].value
    assert "1 × 2 = 2" in step_dots(at)[0]               # revealed once found


def test_tensor_step_shows_vjp_and_shapes():
    at = fresh()
    at.selectbox(key="wt_preset").select("2-2-2 sigmoid network, matrices (step-by-step backpropagation)").run()
    go_to_backward_step(at, "matmul → W1")
    text = " ".join(m.value for m in at.markdown)
    assert "vector-Jacobian product dW1 = xᵀ" in text and "**Shapes:**" in text
    assert any("bmatrix" in x.value for x in at.latex)


def test_program_from_the_graph_page_and_bad_program_keeps_state():
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["graph_program"] = ("x = 3.0; y = 2.0; x**2 * y + tf.sin(x)", "float64", 0)
    at.run()
    at.selectbox(key="wt_preset").select("(the program from the Graph page)").run()
    assert at.text_area(key="wt_program").value.startswith("x = 3.0")
    assert at.radio(key="wt_dtype").value == "float64"
    assert any("x**2 * y + tf.sin(x)" in d for d in step_dots(at))
    at.text_area(key="wt_program").input("x = 3.0; np.sin(x)").run()
    assert not at.exception
    assert at.error and "Line 1, column 10" in at.error[0].value and "tf.sin" in at.error[0].value
    assert any("x**2 * y + tf.sin(x)" in d for d in step_dots(at))     # the last good program stays


def test_hessian_and_forward_mode_render():
    at = fresh()
    at.selectbox(key="wt_preset").select("Bare expression").run()
    assert not at.exception
    figures = at.get("plotly_chart")
    assert len(figures) == 2                                    # Jacobian and Hessian heatmaps
    assert any("forward mode needs **2** passes, reverse mode **1**" in m.value for m in at.markdown)


def test_a_training_loop_from_the_graph_page_steps_through_recording_1():
    import tensorflow as tf
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["graph_program"] = ((ROOT / "tests" / "corpus" / "mit_sgd.py").read_text(), "float32", 0)
    at.run()
    at.selectbox(key="wt_preset").select("(the program from the Graph page)").run()
    assert not at.exception and not at.error
    assert at.select_slider[0].value == 500
    at.select_slider[0].set_value(1).run()
    assert any("recording 1 of 500" in m.value for m in at.markdown)
    button(at, "Last").click().run()
    assert heading(at).endswith("loss → sub") or heading(at).endswith("sub → x")
    tf.random.set_seed(0)
    x0 = float(tf.random.normal([1])[0])                 # TensorFlow's own first draw for seed 0
    assert heading(at).endswith("sub → x")
    assert any(f"[[{2 * (x0 - 4):.4g}]]" in m.value for m in at.markdown)   # d(x - 4)^2/dx at x0
    # the gradient checks run on the recording shown: finite differences agree with TensorFlow there
    assert any(":green-badge[agree]" in m.value for m in at.markdown)


@pytest.mark.parametrize("source, says", [
    ("x = tf.Variable(0.0)\nwith tf.GradientTape() as tape:\n    y = x / x", "NaN: not compared"),
    ("x = tf.Variable(tf.zeros([100]))\nwith tf.GradientTape() as tape:\n    y = x + 3",
     "more than a heatmap can show"),
    ("v = tf.Variable([[]])\nwith tf.GradientTape() as tape:\n    p = tf.nn.softmax(v[1:])", ""),
])
def test_every_view_of_an_awkward_program_answers_in_words(source, says):
    at = fresh()
    at.text_area(key="wt_program").input(source).run()
    assert not at.exception and not at.error
    texts = [m.value for m in at.markdown] + [i.value for i in at.info] + [c.value for c in at.caption]
    assert says in " ".join(texts)


def test_one_training_step_of_the_two_layer_network_steps_back_through_loss_dense_and_relu():
    """The chapter-2 network from scratch, trained on digits: the last training step's backward pass goes
    through the Keras loss, the second dense layer and the ReLU, with shapes and VJP rules."""
    at = fresh()
    at.selectbox(key="wt_preset").select("Chapter 2 network from scratch, trained on digits (Chollet 2.5)").run()
    assert not at.exception and not at.error
    button(at, "Last").click().run()
    last = heading(at)
    total = int(last.split(" of ")[1].split(":")[0])
    seen = {}
    for k in range(total, 0, -1):
        h = heading(at)
        if "→" not in h:
            break
        seen[h.split(": ", 1)[1]] = " ".join(m.value for m in at.markdown)
        button(at, "Back").click().run()
    titles = list(reversed(list(seen)))
    assert titles[:4] == ["average_loss → per_sample_losses", "per_sample_losses → x", "x → add_2",
                          "add_2 → matmul_2"]
    loss_step = seen["per_sample_losses → x"]
    assert "y_pred at the true class" in loss_step                     # the VJP rule of Keras's loss
    assert f"x: {1500 % 128}×10" in loss_step           # the last batch of 1500 digits by 128: 92 × 10 classes
    relu_steps = [t for t in titles if t.startswith("x → add") and t != "x → add_2"]
    assert relu_steps, titles                                          # back through the ReLU of layer 1
    assert any("W" in t for t in titles)
