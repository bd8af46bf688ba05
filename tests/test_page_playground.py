"""AppTest of the Network playground. The live picture is a browser component: these tests read the data
the page sends it and answer for the browser through the session's explorer.playground_live.Live (the
browser tests click the real buttons)."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import open_page

from explorer import playground as pg

S = pg.SETTINGS
GOOD_CSV = b"x1,x2,label\n1,1,0\n-1,-1,1\n2,-2,0\n3,3,1\n"


def fresh(**query) -> AppTest:
    return open_page("playground", query)


@pytest.fixture(scope="module")
def at() -> AppTest:
    return fresh()


def picture(at: AppTest) -> dict:
    """What the page sent the live picture."""
    return json.loads(next(e for e in at.get("bidi_component")
                           if e.proto.component_name == "gradient_explorer.playground").proto.json)


def shown_step(at: AppTest) -> int:
    return picture(at)["frames"]["step"][-1]


def ask(page: AppTest, what: str, **extra) -> AppTest:
    """What a click in the browser sends, answered as the page's callback would, then the page drawn."""
    live = page.session_state["pg_live"]
    event = {"do": what, "gen": live.gen, "at": shown_step(page), "have": shown_step(page), "id": live.ack + 1,
             **extra}
    live.handle(event, int(page.session_state[S.key("add_class")]))
    return page.run()


def trainer(at: AppTest) -> pg.Trainer:
    return at.session_state["pg_live"].trainer


def figures(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def link(at: AppTest) -> dict[str, str]:
    """The address bar's query parameters, as a browser would send them back."""
    return {k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()}


def open_tab(at: AppTest, label: str) -> AppTest:
    at.session_state["pg_tab"] = label
    return at.run()


def keys(at: AppTest) -> set[str]:
    """The keys of every widget drawn."""
    return {w.key for kind in ("selectbox", "slider", "number_input", "toggle", "text_input", "button")
            for w in at.get(kind)} | {w.proto.id.rsplit("-", 1)[-1] for w in at.get("button_group")}


def test_the_live_picture_plays_pauses_steps_and_resets(at):
    first = picture(at)
    assert first["frames"]["step"] == [0] and not first["playing"] and first["static"]["layers"] == [2, 4, 2, 1]
    assert first["static"]["labels"] == ["X₁", "X₂"] and len(first["static"]["train"]["x"]) == 200
    ask(at, "play", want=10)
    assert picture(at)["playing"] and len(picture(at)["frames"]["step"]) >= 10
    per = trainer(at).steps_per_frame()
    ask(at, "pause", at=3 * per)                         # the browser showed the third frame
    assert not picture(at)["playing"] and shown_step(at) == 3 * per == trainer(at).step
    ask(at, "step")
    assert shown_step(at) == 3 * per + 1
    ask(at, "reset")
    assert shown_step(at) == 0 and not picture(at)["playing"]


@pytest.mark.parametrize("name", [n for n in pg.DATASETS if n != "csv"])
def test_every_data_set(at, name):
    at.selectbox(key="pg_data").select(name).run()
    assert not at.exception and not at.error
    shown = picture(at)
    assert shown["static"]["kind"] == ("regression" if name in pg.REGRESSION else "classification")
    assert len(shown["static"]["train"]["x"]) == trainer(at).train_data.n > 0
    ask(at, "step")
    assert shown_step(at) == 1


@pytest.mark.parametrize("activation", pg.ACTIVATIONS)
def test_every_activation(at, activation):
    at.selectbox(key="pg_data").select("xor").run()
    at.selectbox(key="pg_activation").select(activation).run()
    assert not at.exception
    ask(at, "step")
    assert shown_step(at) == trainer(at).step
    at.session_state["pg_code"] = True                         # open "Show the TensorFlow code"
    at.run()
    assert f"activation={activation!r}" in next(c.value for c in at.code if "keras.Sequential" in c.value)


def test_bad_csv_keeps_the_previous_data():
    at = fresh()
    at.selectbox(key="pg_data").select("csv").run()
    at.file_uploader(key="pg_upload").upload("points.csv", GOOD_CSV, "text/csv").run()
    assert not at.exception and not at.error
    at.file_uploader(key="pg_upload").upload("bad.csv", b"x1,label\n1,0\n", "text/csv").run()
    assert not at.exception
    assert at.error and "missing column x2" in at.error[0].value and "previous data is kept" in at.error[0].value
    assert trainer(at).train_data.n + trainer(at).test_data.n == 4


def test_a_good_csv_after_a_broken_one_clears_the_error():
    at = fresh()
    at.selectbox(key="pg_data").select("csv").run()
    at.file_uploader(key="pg_upload").upload("bad.csv", b"x1,label\n1,0\n", "text/csv").run()
    assert [e.value for e in at.error] == ["Could not use that file: missing column x2: the header must be "
                                           "x1,x2,label (found x1, label).",
                                           "Nothing to train on: upload a CSV file with columns x1, x2, label to "
                                           "train on your own points."]
    at.file_uploader(key="pg_upload").upload("points.csv", GOOD_CSV, "text/csv").run()
    assert not at.exception and not at.error
    t = trainer(at)
    assert sorted(t.train_data.x.tolist() + t.test_data.x.tolist()) == [[-1, -1], [1, 1], [2, -2], [3, 3]]
    assert picture(at)["static"]["train"]["x"]


def test_your_csv_before_an_upload_asks_for_one_and_draws_no_points(at):
    at.selectbox(key="pg_data").select("xor").run()
    at.selectbox(key="pg_data").select("csv").run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Nothing to train on: upload a CSV file with columns x1, x2, label to "
                                           "train on your own points."]
    assert not at.get("bidi_component")                               # no picture, no made-up points
    at.selectbox(key="pg_data").select("circle").run()
    assert not at.error and picture(at)["static"]["train"]["x"]


def everything_changed(at: AppTest) -> dict:
    """Every setting set to something other than its default, through its control; the values set."""
    at.selectbox(key="pg_data").select("curve").run()
    at.text_input(key="pg_curve").input("tf.abs(x) * 2 - 3").run()
    at.selectbox(key="pg_lr").select(0.1).run()
    at.selectbox(key="pg_activation").select("relu").run()
    at.slider(key="pg_noise").set_value(15).run()
    at.slider(key="pg_ratio").set_value(70).run()
    at.button_group(key="pg_features").set_value(["x1", "x2", "sinx1"]).run()
    at.number_input(key="pg_depth").set_value(3).run()
    at.number_input(key="pg_units_2").set_value(5).run()
    at.selectbox(key="pg_opt").select("adam").run()
    at.slider(key="pg_batch").set_value(5).run()
    at.selectbox(key="pg_reg").select("l2").run()
    at.selectbox(key="pg_rate").select(0.003).run()
    at.number_input(key="pg_seed").set_value(7).run()
    for name in ("show_test", "discretize", "grads"):
        at.toggle(key=S.key(name)).set_value(True).run()
    at.button_group(key="pg_add_class").set_value(1).run()
    open_tab(at, "One point, forward and backward")
    at.number_input(key="pg_point").set_value(3).run()
    assert not at.exception and not at.error
    return {"data": "curve", "curve": "tf.abs(x) * 2 - 3", "lr": 0.1, "activation": "relu", "noise": 15,
            "ratio": 70, "features": ["x1", "x2", "sinx1"], "layers": [4, 2, 5], "opt": "adam", "batch": 5,
            "reg": "l2", "rate": 0.003, "seed": 7, "show_test": True, "discretize": True, "grads": True,
            "add_class": 1, "point": 3}


def test_link_round_trip_restores_every_setting():
    at = fresh()
    chosen = everything_changed(at)
    blobs = fresh()
    blobs.selectbox(key="pg_data").select("blobs").run()
    blobs.slider(key="pg_classes").set_value(5).run()
    chosen_blobs = {"data": "blobs", "classes": 5}
    for page, want in ((at, chosen), (blobs, chosen_blobs)):
        assert set(link(page)) == set(want), "the link holds exactly what differs from the defaults"
        opened = fresh(**link(page))
        assert not opened.warning
        for name, default in S.defaults().items():
            assert opened.session_state[S.key(name)] == want.get(name, default), name
    opened = trainer(fresh(**link(at)))
    assert opened.spec == pg.NetworkSpec(("x1", "x2", "sinx1"), (4, 2, 5), "relu", 0.1, 5, "adam", "l2", 0.003, 7)
    assert opened.train_data.name == "y = tf.abs(x) * 2 - 3" and opened.train_data.n == 280


def test_teacher_link_hides_the_named_controls(at):
    assert {"pg_seed", "pg_regenerate", "pg_opt", "pg_features", "pg_depth", "pg_units_0"} <= keys(at)
    at = fresh(data="xor", hide="seed,opt,features,layers,export")
    drawn = keys(at)
    assert {"pg_seed", "pg_regenerate", "pg_opt", "pg_features", "pg_depth", "pg_units_0"}.isdisjoint(drawn)
    assert {"pg_data", "pg_lr", "pg_activation"} <= drawn and at.get("bidi_component")
    assert "Export" not in [t.label for t in at.tabs]
    assert trainer(at).train_data.name == "xor"
    assert link(at)["hide"] == "seed,features,layers,opt,export"      # and it stays in the link
    ask(at, "step")
    assert "pg_seed" not in keys(at) and trainer(at).spec.seed == 0


def test_a_bad_link_value_is_named_and_the_rest_applies():
    at = fresh(lr="fast", activation="relu", layers="4,9", data="spiral")
    assert len(at.warning) == 1
    warning = at.warning[0].value
    assert "lr='fast' is not one of 1e-05, 0.0001" in warning and "layers: 9 is not one of 1, 2" in warning
    spec = trainer(at).spec
    assert spec.activation == "relu" and spec.learning_rate == 0.03 and spec.hidden == (4, 2)
    assert trainer(at).train_data.name == "spiral"


def test_trace_a_point_and_exports():
    at = fresh(data="xor")
    open_tab(at, "One point, forward and backward")
    assert any("tape.gradient(loss, [W1, b1" in c.value for c in at.code)
    open_tab(at, "Boundary over training")
    at.button(key="pg_build_replay").click().run()
    assert not at.exception
    replay = next(f for f in figures(at) if f.get("frames"))
    assert len(replay["frames"]) >= 1 and replay["layout"]["yaxis"]["scaleanchor"] == "x"
    assert replay["frames"][-1]["layout"]["images"][0]["source"].startswith("data:image/png")
    open_tab(at, "Export")
    buttons = {b.label: b for b in at.get("download_button")}
    assert set(buttons) == {"Trained model (.keras)", "Keras code (.py)", "Boundary animation (.html)"}
    assert not any(b.proto.deferred_file_id for b in buttons.values())      # made with the page, not on click
    assert any("The network at step 0 " in c.value for c in at.caption)
    ask(at, "play", want=5)
    ask(at, "pause", at=4 * trainer(at).steps_per_frame())                   # the files follow the paused network
    assert any(f"The network at step {trainer(at).step:,} " in c.value for c in at.caption)


def test_regenerate_moves_the_seed_and_draws_new_data():
    at = fresh()
    before = trainer(at).train_data.x.copy()
    at.button(key="pg_regenerate").click().run()
    assert not at.exception
    assert at.number_input(key="pg_seed").value == 1 and link(at)["seed"] == "1"
    assert not (trainer(at).train_data.x == before).all()


def test_a_new_network_on_the_same_data_keeps_the_clicked_points_and_settings_tune_the_running_one():
    at = fresh(data="xor")
    at.session_state[S.key("add_class")] = 1
    ask(at, "add", x1=1.0, x2=2.0)                                     # a click on the output
    ask(at, "play", want=3)
    running, step = trainer(at), trainer(at).step
    at.selectbox(key="pg_lr").select(0.1).run()                        # tuned into the running network
    assert trainer(at) is running and running.step == step and running.spec.learning_rate == 0.1
    assert picture(at)["playing"]
    at.number_input(key="pg_depth").set_value(1).run()                 # a new network ...
    rebuilt = trainer(at)
    assert rebuilt is not running and rebuilt.step == 0 and picture(at)["gen"] == at.session_state["pg_live"].gen
    assert rebuilt.added == [(1.0, 2.0, 1)] and rebuilt.train_data.n == 201        # ... with the clicked point
    at.selectbox(key="pg_data").select("circle").run()
    assert trainer(at).added == []
