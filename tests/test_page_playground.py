"""AppTest of the Network playground."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer import playground as pg

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages" / "playground.py")


def fresh(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=300)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    return at


@pytest.fixture(scope="module")
def at() -> AppTest:
    return fresh()


def counter(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("### Epoch"))


def output(at: AppTest) -> dict:
    """The output plot: the figure whose first trace is the heatmap over the input plane."""
    figures = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    return next(f for f in figures if f["data"] and f["data"][0]["type"] == "heatmap")


def test_play_pause_step_reset(at):
    assert counter(at) == "### Epoch 0.0 · step 0"
    at.button(key="pg_step").click().run()
    assert counter(at).endswith("step 1")
    at.button(key="pg_play").click().run()                    # Play: one refresh trains a chunk of steps
    playing = counter(at)
    assert playing.endswith("step 101") and at.button(key="pg_play").label == "Pause"
    at.button(key="pg_play").click().run()                    # Pause: reruns train nothing
    at.run()
    assert counter(at) == playing and at.button(key="pg_play").label == "Play"
    at.button(key="pg_reset").click().run()
    assert counter(at) == "### Epoch 0.0 · step 0"


@pytest.mark.parametrize("name", [n for n in ("circle", "xor", "gauss", "spiral", "moons", "blobs", "curve",
                                              "plane", "multigauss")])
def test_every_data_set(at, name):
    at.selectbox(key="pg_data").select(name).run()
    assert not at.exception and not at.error
    figure = output(at)
    assert figure["data"][0]["type"] == "heatmap" and len(figure["data"]) >= 2
    at.button(key="pg_step").click().run()
    assert counter(at).endswith("step 1")


@pytest.mark.parametrize("activation", pg.ACTIVATIONS)
def test_every_activation(at, activation):
    at.selectbox(key="pg_data").select("xor").run()
    at.selectbox(key="pg_activation").select(activation).run()
    assert not at.exception
    at.button(key="pg_step").click().run()
    assert counter(at).endswith("step 1")
    assert activation in next(c.value for c in at.code if "keras.Sequential" in c.value)


def test_bad_csv_keeps_the_previous_data():
    at = fresh()
    at.selectbox(key="pg_data").select("csv").run()
    at.file_uploader(key="pg_upload").upload("points.csv", b"x1,x2,label\n1,1,0\n-1,-1,1\n2,-2,0\n3,3,1\n",
                                            "text/csv").run()
    assert not at.exception and not at.error
    assert at.session_state["pg_csv_data"].n == 4
    at.file_uploader(key="pg_upload").upload("bad.csv", b"x1,label\n1,0\n", "text/csv").run()
    assert not at.exception
    assert at.error and "missing column x2" in at.error[0].value and "previous data is kept" in at.error[0].value
    assert at.session_state["pg_csv_data"].n == 4
    trainer = at.session_state["pg_trainer"]
    assert trainer.train_data.n + trainer.test_data.n == 4


def test_share_link_restores_the_settings():
    at = fresh(data="spiral", noise="10", seed="7", features="x1,x2,sinx1", hidden="6,6,3", activation="relu",
               lr="0.01", opt="adam", batch="5")
    trainer = at.session_state["pg_trainer"]
    assert trainer.spec.hidden == (6, 6, 3) and trainer.spec.activation == "relu"
    assert trainer.spec.features == ("x1", "x2", "sinx1") and trainer.spec.optimizer == "adam"
    assert trainer.spec.seed == 7 and trainer.spec.batch_size == 5 and trainer.spec.learning_rate == 0.01


def test_trace_a_point_and_exports(at):
    at.selectbox(key="pg_data").select("xor").run()
    assert any("tape.gradient(loss, [W1, b1" in c.value for c in at.code)
    labels = [b.label for b in at.get("download_button")]
    assert "Trained model (.keras)" in labels and "Keras code (.py)" in labels
    at.button(key="pg_build_replay").click().run()
    assert not at.exception
    replay = json.loads(next(el.proto.spec for el in at.get("plotly_chart") if '"frames"' in el.proto.spec
                             and "Play" in el.proto.spec))
    assert len(replay["frames"]) >= 1
    assert "Boundary animation (.html)" in [b.label for b in at.get("download_button")]


def test_regenerate_moves_the_seed_and_draws_new_data():
    at = fresh()
    before = at.session_state["pg_trainer"].train_data.x.copy()
    at.button(key="pg_regenerate").click().run()
    assert not at.exception
    assert at.number_input(key="pg_seed").value == 1
    assert not (at.session_state["pg_trainer"].train_data.x == before).all()
