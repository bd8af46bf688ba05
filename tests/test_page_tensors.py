"""AppTest of the Tensors page: every preset draws its picture without an error; a bad expression is
said with its line and column and the page keeps the rest; a link restores the settings."""

import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from streamlit.testing.v1 import AppTest

from explorer import tensor_plots as plots
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


def panels(fig: dict) -> list[dict]:
    """The heatmaps and images a figure draws, without the orange overlays."""
    return [t for t in fig["data"] if t["type"] in ("heatmap", "image") and not t.get("meta", {}).get("selected")]


def link(app: AppTest) -> dict[str, str]:
    """The address bar's query parameters, as a browser would send them back."""
    return {k: v[0] if isinstance(v, list) else v for k, v in app.query_params.items()}


def keys(app: AppTest) -> set[str]:
    """The keys of every widget drawn."""
    return {w.key for kind in ("selectbox", "number_input", "text_input", "text_area", "radio", "checkbox", "slider")
            for w in app.get(kind)} | {w.key for w in app.pills} | {w.key for w in app.segmented_control}


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
        drawn = tf.constant(tn.look(p.program, p.expression).value)      # a slice is drawn in its source
        shape = tuple(int(d) for d in tf.shape(drawn))
        if tn.moved_argument(p.expression) is None:                       # reshapes draw where entries go instead
            grids = panels(figures(at)[0])
            colour = any(g["type"] == "image" for g in grids)
            lead = max(len(shape) - 2 - colour, 0)
            assert len(grids) == min(int(np.prod(shape[:lead])), plots.MAX_PANELS)
            for g in grids:                                               # each panel a slice of the leading axes
                assert len(g["meta"]["index"]) == lead and all(0 <= i < n for i, n in zip(g["meta"]["index"], shape))
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
    if f"st.session_state.{tn.PLAYGROUND} = " in source:
        return
    from explorer import playground_live
    assert f'"{tn.PLAYGROUND_LIVE}"' in source and "trainer" in playground_live.Live.__dataclass_fields__
    live = playground_live.Live()
    live.trainer = trained_playground((2,), steps=1)
    assert tn.playground_trainer({tn.PLAYGROUND_LIVE: live}) is live.trainer


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


# ---- MIT's rank 0 to rank 4: each one picked and drawn as tf.shape says -----------------------------------

def test_mits_ranks_are_each_offered_and_drawn_as_tf_rank_and_tf_shape_say():
    app = fresh()
    app.selectbox(key="tn_example").set_value("MIT 6.S191 lab 1: rank 0 to rank 4").run()
    pick = app.pills(key="tn_pick")
    assert list(pick.options) == ["number (0)", "numbers (1)", "matrix (2)", "cube (3)", "images (4)"]
    assert pick.value == "images"                                      # the preset opens on the rank-4 tensor
    for name in ("number", "numbers", "matrix", "cube", "images"):
        app.pills(key="tn_pick").set_value(name).run()
        assert not app.exception and not app.error
        assert app.session_state[S.key("expression")] == name
        assert app.selectbox(key="tn_example").value == "MIT 6.S191 lab 1: rank 0 to rank 4"     # still the example
        value = tf.constant(tn.evaluate(tn.MIT_RANKS, {"e": name})["e"])     # MIT's own tensor, by TensorFlow
        rank, shape = int(tf.rank(value)), tuple(int(d) for d in tf.shape(value))
        assert f"rank **{rank}** · shape **{shape}**" in texts(app)
        (fig,) = figures(app)
        drawn = panels(fig)
        if rank <= 2:                                                  # one grid: a cell, a row, rows × columns
            (grid,) = drawn
            np.testing.assert_allclose(np.array(grid["z"], float), np.reshape(value.numpy(), (1, -1) if rank < 2 else shape))
        elif rank == 3:                                                # shape[0] grids of shape[1] rows × shape[2] columns
            assert len(drawn) == shape[0]
            for k, grid in enumerate(drawn):
                np.testing.assert_array_equal(np.array(grid["z"]), value[k].numpy())
        else:                                                          # a strip of colour images along "samples"
            assert [g["type"] for g in drawn] == ["image"] * plots.MAX_PANELS
            for g in drawn:
                step = g["meta"]["step"][0]
                assert np.array(g["z"]).shape == (-(-shape[1] // step), -(-shape[2] // step), shape[3])
            assert "axis 0 (samples)" in fig["layout"]["title"]["text"]
    assert app.selectbox(key="tn_example").value == "MIT 6.S191 lab 1: rank 0 to rank 4"


def test_a_pick_is_a_tensor_of_the_program_and_typing_keeps_the_list():
    app = fresh()
    app.pills(key="tn_pick").set_value("cube").run()
    assert app.text_input(key=S.key("expression")).value == "cube"
    app.text_input(key=S.key("expression")).set_value("cube[1]").run()
    assert app.pills(key="tn_pick").value is None and "**cube[1]** → shape **(3, 4)**" in texts(app)


# ---- broadcasting -------------------------------------------------------------------------------------

def test_chollets_np_maximum_preset_draws_tf_maximum_of_the_programs_tensors(at):
    at.selectbox(key="tn_example").set_value("Chollet 2.3.2: np.maximum over (64, 3, 32, 10) and (32, 10)").run()
    assert at.session_state[S.key("op")] == "maximum"
    x, y = tn.evaluate(tn.CHOLLET_BROADCAST, {"x": "x", "y": "y"}).values()     # the page's seed, 0
    (fig,) = figures(at)
    drawn = {(t["meta"]["stage"], tuple(t["meta"]["index"])): t for t in panels(fig)}
    for index in ((0, 0), (1, 0), (0, 1)):
        np.testing.assert_allclose(np.array(drawn["result", index]["z"]), np.maximum(x, y)[index])
        np.testing.assert_array_equal(np.array(drawn["y repeated", index]["z"]), y)
    assert "maximum(x, y)<br>(64, 3, 32, 10)" in [a["text"] for a in fig["layout"]["annotations"]]
    assert "tf.maximum(x (64, 3, 32, 10), y (32, 10)) → (64, 3, 32, 10)" in texts(at)
    assert any("result = tf.maximum(x_repeated, y_repeated)" in c.value for c in at.code)


def test_when_x_is_the_smaller_operand_its_steps_are_drawn():
    app = fresh(view="Broadcasting", program=__import__("explorer.share", fromlist=["x"]).encode_program(
        "x = tf.range(4.0)\ny = tf.reshape(tf.range(12.0), (3, 4))\n"))
    (fig,) = figures(app)
    assert [t["meta"]["stage"] for t in panels(fig)] == ["x", "x added", "x repeated", "y", "result"]
    np.testing.assert_array_equal(np.array(panels(fig)[2]["z"]), np.broadcast_to(np.arange(4.0), (3, 4)))
    assert "x: 1 axis of size 1 added in front" in texts(app)


# ---- geometry: a second map the user types ----------------------------------------------------------------

def test_a_typed_second_map_moves_the_figure_by_the_one_composed_map():
    app = fresh(view="Geometry", angle="90")
    app.checkbox(key=S.key("second")).check().run()
    app.text_input(key=S.key("second_matrix")).set_value("2, 0; 0, 2").run()
    app.text_input(key=S.key("second_offset")).set_value("0.5, 0").run()
    assert not app.error
    (fig,) = figures(app)
    traces = {t["name"]: t for t in fig["data"]}
    # (0, 1.5) turned by 90° is (-1.5, 0); doubled and shifted by (0.5, 0): (-2.5, 0)
    np.testing.assert_allclose([traces["F first"]["x"][1], traces["F first"]["y"][1]], [-1.5, 0.0], atol=1e-12)
    np.testing.assert_allclose([traces["F after"]["x"][1], traces["F after"]["y"][1]], [-2.5, 0.0], atol=1e-12)
    assert "A₂A₁ = [[0, -2], [2, 0]]" in texts(app)
    app.text_input(key=S.key("second_offset")).set_value("0.5").run()
    assert "Second map, line 1, column 1" in app.error[0].value and "type 2 numbers" in app.error[0].value


# ---- links ------------------------------------------------------------------------------------------------

PROGRAM = "a = tf.ones((2, 3))\nb = tf.constant([1.0, 2.0, 3.0])\nm = tf.reshape(tf.range(6.0), (2, 3))\n"
CHANGED = {"program": PROGRAM, "expression": "m[1]", "read_as": "vector data", "seed": 3, "left": "m", "right": "b",
           "op": "maximum", "row": 1, "col": 2, "transform": "matrix", "angle": 45.0, "sx": 2.5, "sy": -1.0,
           "shear": -0.3, "tx": -2.0, "ty": 1.5, "matrix": "2, 0; 0, 1",
           "second": True, "second_matrix": "1, 0; 0, -1", "second_offset": "0.5, 0", "relu": True,
           "figure": "two classes", "view": "Geometry"}


def everything_changed(app: AppTest) -> None:
    """Every setting of the page changed through its own control, view by view."""
    app.text_area(key=S.key("program")).set_value(PROGRAM).run()
    app.text_input(key=S.key("expression")).set_value(CHANGED["expression"]).run()
    app.selectbox(key=S.key("read_as")).set_value(CHANGED["read_as"]).run()
    app.number_input(key=S.key("seed")).set_value(CHANGED["seed"]).run()
    app.segmented_control(key=S.key("view")).set_value("Broadcasting").run()
    app.text_input(key=S.key("left")).set_value(CHANGED["left"]).run()
    app.text_input(key=S.key("right")).set_value(CHANGED["right"]).run()
    app.selectbox(key=S.key("op")).set_value(CHANGED["op"]).run()
    app.segmented_control(key=S.key("view")).set_value("Dot product").run()
    app.number_input(key=S.key("row")).set_value(CHANGED["row"]).run()
    app.number_input(key=S.key("col")).set_value(CHANGED["col"]).run()
    app.segmented_control(key=S.key("view")).set_value("Geometry").run()
    app.slider(key=S.key("angle")).set_value(CHANGED["angle"]).run()
    for kind, names in (("scaling", ("sx", "sy")), ("shear", ("shear",)), ("translation", ("tx", "ty"))):
        app.radio(key=S.key("transform")).set_value(kind).run()
        for name in names:
            app.slider(key=S.key(name)).set_value(CHANGED[name]).run()
    app.radio(key=S.key("transform")).set_value("matrix").run()
    app.text_input(key=S.key("matrix")).set_value(CHANGED["matrix"]).run()
    app.checkbox(key=S.key("second")).check().run()
    app.text_input(key=S.key("second_matrix")).set_value(CHANGED["second_matrix"]).run()
    app.text_input(key=S.key("second_offset")).set_value(CHANGED["second_offset"]).run()
    app.checkbox(key=S.key("relu")).check().run()
    app.radio(key=S.key("figure")).set_value(CHANGED["figure"]).run()
    assert not app.exception and not app.error, [e.value for e in app.error]


def test_link_round_trip_restores_every_setting():
    app = fresh()
    everything_changed(app)
    assert set(CHANGED) == {s.name for s in S.table}, "the test changes every setting of the table"
    assert set(link(app)) == set(CHANGED), "the link holds exactly what differs from the defaults"
    opened = fresh(**link(app))
    assert not opened.warning and not opened.error
    for name, default in S.defaults().items():
        assert opened.session_state[S.key(name)] == CHANGED.get(name, default), name
    (fig,) = figures(opened)
    traces = {t["name"]: t for t in fig["data"]}
    # the two classes through A = diag(2, 1), then A₂ = diag(1, -1) and t₂ = (0.5, 0), then relu
    cloud = tn.shape_lines("two classes", 3)["class 0"]
    expected = tn.relu(cloud @ np.diag([2.0, 1.0]).T @ np.diag([1.0, -1.0]).T + [0.5, 0.0])
    np.testing.assert_allclose(np.c_[traces["class 0 after"]["x"], traces["class 0 after"]["y"]], expected, atol=1e-12)
    opened.segmented_control(key=S.key("view")).set_value("Dot product").run()
    assert "Output entry [1] = row of x · column of y" in texts(opened)               # m[1] · b, row 1
    opened.segmented_control(key=S.key("view")).set_value("Broadcasting").run()
    assert "tf.maximum(x (2, 3), y (3,)) → (2, 3)" in texts(opened)
    opened.segmented_control(key=S.key("view")).set_value("Shapes & slices").run()
    assert "**m[1]** → shape **(3,)**" in texts(opened) and "vector data (samples, features)" in texts(opened)


def test_teacher_link_hides_the_named_controls():
    assert {S.key("program"), S.key("expression"), "tn_example", S.key("seed"), "tn_pick"} <= keys(fresh())
    hide = "program,example,seed,read_as,expression"
    app = fresh(expression="matrix[1, 2]", hide=hide)
    drawn = keys(app)
    assert {S.key("program"), S.key("expression"), "tn_example", S.key("seed"), S.key("read_as"), "tn_pick"}.isdisjoint(drawn)
    assert S.key("view") in drawn
    assert "**matrix[1, 2]** → shape **()**: 1 of 12 entries" in texts(app) and len(figures(app)) == 1
    assert link(app)["hide"] == "program,expression,read_as,seed,example"           # it stays in the link
    app.segmented_control(key=S.key("view")).set_value("Geometry").run()
    assert S.key("transform") in keys(app) and len(figures(app)) == 1
    geometry = fresh(view="Geometry", transform="shear", hide="transform,shear,second,relu,figure")
    assert {S.key(n) for n in ("transform", "shear", "second", "relu", "figure")}.isdisjoint(keys(geometry))
    assert "A = [[1, 0.8], [0, 1]]" in texts(geometry)


# ---- the server's admission gate ----------------------------------------------------------------------------

def test_a_run_waiting_for_the_server_says_so_then_draws(monkeypatch):
    from app_pages import _runs
    from explorer.admission import Gate
    gate = Gate(1)
    monkeypatch.setattr(_runs, "HEAVY", gate)
    told = []
    real = _runs.FitProgress.waiting
    monkeypatch.setattr(_runs.FitProgress, "waiting", lambda self, ahead: (told.append(ahead), real(self, ahead))[1])
    release = threading.Event()

    def other_student():
        with gate.slot():
            release.wait(30)

    def free_once_queued():
        deadline = time.monotonic() + 60
        while gate.waiting == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)
        release.set()

    holder = threading.Thread(target=other_student)
    holder.start()
    while gate.running == 0:
        time.sleep(0.005)
    freer = threading.Thread(target=free_once_queued)
    freer.start()
    token = time.time_ns() % 99991                                    # a program no test has run in this process
    app = fresh(program=__import__("explorer.share", fromlist=["x"]).encode_program(
        f"matrix = tf.reshape(tf.range(12.0), (3, 4)) + {token}.0\n"))
    freer.join(5)
    holder.join(5)
    assert told and told[0] == 1                                      # "Waiting for the server: 1 run … ahead"
    assert len(figures(app)) == 1 and "**matrix[:, 2]** → shape **(3,)**" in texts(app)
