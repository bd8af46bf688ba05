"""AppTest of the Tensors page: every preset draws its picture without an error; a bad expression is
said with its line and column and the page keeps the rest; a link restores the settings."""

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from explorer import tensors as tn
from explorer.tensor_settings import SETTINGS as S

PAGE = str(Path(__file__).resolve().parents[1] / "app_pages" / "tensors.py")


def fresh(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    return at


@pytest.fixture(scope="module")
def at() -> AppTest:
    return fresh()


def figures(app: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in app.get("plotly_chart")]


def texts(app: AppTest) -> str:
    return " ".join(m.value for m in app.markdown)


def test_opens_on_mits_column_highlighted(at):
    (fig,) = figures(at)
    chosen = np.array(fig["data"][1]["z"], dtype=float)             # the highlighted entries, NaN elsewhere
    np.testing.assert_array_equal(~np.isnan(chosen), np.arange(12).reshape(3, 4) % 4 == 2)
    assert "rank **2** · shape **(3, 4)**" in texts(at) and "`tf.rank` = 2" in texts(at)
    assert "**matrix[:, 2]** → shape **(3,)**" in texts(at)
    assert any("tf.range(tf.size(matrix))" in c.value for c in at.code)


@pytest.mark.parametrize("title", [p.title for p in tn.PRESETS])
def test_every_preset_draws(at, title):
    at.selectbox(key="tn_example").set_value(title).run()
    assert not at.exception
    p = tn.preset(title)
    assert at.session_state[S.key("view")] == p.view
    if title == "Broadcasting: a shape mismatch":
        assert "do not broadcast" in at.error[0].value and "x has 10 and y has 32" in at.error[0].value
        assert not figures(at)
        return
    assert not at.error, [e.value for e in at.error]
    assert len(figures(at)) == 1
    assert at.code, "every picture shows its TensorFlow code"
    if p.view == "Shapes & slices":
        value = tn.evaluate(p.program, {"e": p.expression})["e"]
        assert f"shape **{tuple(value.shape)}**" in texts(at)
    if p.view == "Dot product":
        assert "Shape rule:" in texts(at)
    assert at.selectbox(key="tn_example").value == title


def test_a_bad_expression_says_line_and_column_and_keeps_the_picture():
    app = fresh()
    app.text_input(key=S.key("expression")).set_value("matrix[1, ").run()
    assert "line 1, column 7" in app.error[0].value and "never closed" in app.error[0].value
    assert len(figures(app)) == 1                                    # the last slice that ran is still drawn
    assert "**matrix[:, 2]** → shape" in texts(app)
    app.text_input(key=S.key("expression")).set_value("matrix[1] + undefined_name").run()
    assert "Expression, line 1, column" in app.error[0].value and "undefined_name" in app.error[0].value
    assert app.session_state[S.key("program")] == S["program"].default          # the program is kept


def test_a_link_sets_the_geometry():
    app = fresh(view="Geometry", transform="rotation", angle="90", relu="1")
    (fig,) = figures(app)
    f = next(t for t in fig["data"] if t["name"] == "F after")
    np.testing.assert_allclose([f["x"][1], f["y"][1]], [0.0, 0.0], atol=1e-12)   # (0, 1.5) turned to (-1.5, 0), folded
    assert "then relu" in texts(app)


def test_a_typed_matrix_moves_the_figure_and_a_bad_one_says_where():
    app = fresh(view="Geometry", transform="matrix", matrix="2, 0; 0, 2")
    (fig,) = figures(app)
    f = next(t for t in fig["data"] if t["name"] == "F after")
    np.testing.assert_allclose([f["x"][1], f["y"][1]], [0.0, 3.0])        # (0, 1.5) doubled
    app.text_input(key=S.key("matrix")).set_value("2, 0; zero, 2").run()
    assert "Matrix, line 1, column 7" in app.error[0].value


def test_presentation_mode_hides_the_program_and_still_draws():
    app = fresh(present="1", hide="example,seed")
    assert not app.text_area and len(figures(app)) == 1
    assert not [s for s in app.selectbox if s.key == "tn_example"]
    assert "**matrix[:, 2]** → shape **(3,)**" in texts(app)


def test_reshape_and_transpose_number_entries_by_their_place_in_the_source():
    app = fresh()
    app.selectbox(key="tn_example").set_value("Chollet 2.3.4: reshaping (3, 2) to (2, 3)").run()
    (fig,) = figures(app)
    source, result = (np.array(t["z"]) for t in fig["data"][:2])
    np.testing.assert_array_equal(source, np.arange(6).reshape(3, 2))
    np.testing.assert_array_equal(result, np.reshape(np.arange(6).reshape(3, 2), (2, 3)))
    assert "in the same order" in texts(app)
    app.selectbox(key="tn_example").set_value("Chollet 2.3.4: transposition, (3, 2) to (2, 3)").run()
    (fig,) = figures(app)
    np.testing.assert_array_equal(np.array(fig["data"][1]["z"]), np.transpose(np.arange(6).reshape(3, 2)))
    assert "in a new order" in texts(app) and "rank **2** · shape **(2, 3)**" in texts(app)
    assert any("came_from = tf.transpose(positions)" in c.value for c in app.code)


def trained_playground(hidden, steps=40):
    from explorer import playground as pg
    trainer = pg.Trainer(pg.NetworkSpec(hidden=hidden, activation="tanh"),
                         *pg.split(pg.make_dataset("xor", 200, 0.0, 0)))
    trainer.steps(steps)
    return trainer


def with_playground(trainer, **query) -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=120)
    for k, v in query.items():
        app.query_params[k] = v
    app.session_state[tn.PLAYGROUND] = app.session_state["pg_last_trainer"] = trainer   # as the playground page does
    app.run()
    assert not app.exception
    return app


def test_the_playground_key_is_where_the_playground_page_keeps_its_trainer():
    source = (Path(PAGE).parent / "playground.py").read_text()
    assert f"st.session_state.{tn.PLAYGROUND} = " in source and f'session_state.get("{tn.PLAYGROUND}")' in source


def test_the_playground_layer_shows_its_keras_kernel_and_moves_the_figure_by_it():
    trainer = trained_playground((2,))
    app = with_playground(trainer, view="Geometry")
    assert "the playground's first layer" in app.radio(key=S.key("transform")).options
    app.radio(key=S.key("transform")).set_value("playground layer").run()
    assert not app.exception and not app.error
    keras_layer = trainer.model.layers[0]
    (table,) = app.dataframe
    np.testing.assert_array_equal(table.value.to_numpy()[:2], keras_layer.kernel.numpy())
    np.testing.assert_array_equal(table.value.to_numpy()[2], keras_layer.bias.numpy())
    (fig,) = figures(app)
    f = next(t for t in fig["data"] if t["name"] == "F after")
    np.testing.assert_allclose([f["x"][1], f["y"][1]], keras_layer(np.array([[0.0, 1.5]], np.float32)).numpy()[0],
                               rtol=1e-5, atol=1e-6)                 # (0, 1.5) through the Keras layer itself
    assert "Dense(2, tanh)" in texts(app)
    trainer.steps(40)                                                # trained on: the page reads the layer again
    app.run()
    np.testing.assert_array_equal(app.dataframe[0].value.to_numpy()[:2], keras_layer.kernel.numpy())
    assert "training step 80" in texts(app)


def test_a_wide_playground_layer_is_said_and_the_pages_own_layer_drawn():
    app = with_playground(trained_playground((4, 2), steps=1), view="Geometry", transform="playground layer")
    assert "maps the plane to 4 dimensions" in app.info[0].value
    assert not app.dataframe and "loss" in texts(app)                  # the page's own trained layer
    assert len(figures(app)) == 1


def test_without_a_playground_network_the_choice_is_not_offered():
    app = fresh(view="Geometry")
    options = app.radio(key=S.key("transform")).options
    assert "trained layer" in options and "the playground's first layer" not in options
    app = fresh(view="Geometry", transform="playground layer")          # a link to it: said, and the own layer drawn
    assert "No network on the Network playground" in app.info[0].value and len(figures(app)) == 1
