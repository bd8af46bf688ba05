"""AppTest of the Gradient descent lab."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer import descent as gd

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages" / "descent.py")


@pytest.fixture(scope="module")
def at() -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=300)
    app.run()
    assert not app.exception
    return app


def figures(app: AppTest) -> list[dict]:
    import json
    return [json.loads(el.proto.spec) for el in app.get("plotly_chart")]


def test_default_race_draws_every_optimizer(at):
    contour = figures(at)[0]
    names = " ".join(t.get("name", "") for t in contour["data"])
    for spec in gd.OPTIMIZERS.values():
        assert spec.title in names
    assert contour["frames"] and contour["layout"]["sliders"][0]["steps"]
    assert contour["layout"]["images"][0]["source"].startswith("data:image/png;base64,")
    assert any("reached the minimum" in str(row) for row in at.dataframe[0].value.values.tolist())


@pytest.mark.parametrize("title", [s.title for s in gd.SURFACES.values()])
def test_every_surface_with_every_optimizer(at, title):
    at.selectbox(key="gd_surface").select(title).run()
    assert not at.exception and not at.error
    contour = figures(at)[0]
    assert title in contour["layout"]["title"]["text"]
    assert len(at.dataframe[0].value) == len(gd.OPTIMIZERS)


@pytest.mark.parametrize("name", list(gd.OPTIMIZERS))
def test_sweep_with_every_optimizer(at, name):
    at.selectbox(key="gd_surface").select("Quadratic bowl").run()
    at.selectbox(key="gd_sweep_optimizer").select(name).run()
    assert not at.exception
    sweep = next(f for f in figures(at) if any("lr = " in a.get("text", "") for a in f["layout"].get("annotations", [])))
    titles = [a["text"] for a in sweep["layout"]["annotations"]]
    assert len(titles) == 4 and all(":" in t for t in titles)


def test_bad_custom_function_shows_an_error_and_keeps_running(at):
    at.selectbox(key="gd_surface").select("Your own f(x, y)").run()
    assert not at.exception and not at.error
    at.text_input(key="gd_formula").input("x**2 + np.cos(y)").run()
    assert not at.exception
    assert at.error and "np.cos" in at.error[0].value and "tf.cos" in at.error[0].value
    at.text_input(key="gd_formula").input("x**2 + 2*y**2").run()
    assert not at.error
    assert "x**2 + 2*y**2" in figures(at)[0]["layout"]["title"]["text"]


def test_start_point_and_steps_change_the_race(at):
    at.selectbox(key="gd_surface").select("Himmelblau").run()
    at.number_input(key="gd_x0").set_value(-1.0).run()
    at.number_input(key="gd_y0").set_value(-1.0).run()
    at.number_input(key="gd_steps").set_value(50).run()
    contour = figures(at)[0]
    assert contour["layout"]["sliders"][0]["steps"][-1]["label"] == "50"
    path_trace = next(t for t in contour["data"] if "SGD" in t.get("name", ""))
    assert path_trace["x"][0] == -1.0 and path_trace["y"][0] == -1.0


def test_mit_preset_and_classifier_tabs(at):
    text = " ".join(m.value for m in at.markdown)
    assert "the target x_f = 4" in text
    assert "training accuracy" in text
    accuracy = float(text.split("training accuracy **")[1].split(" %")[0])
    assert accuracy >= 97
    at.radio(key="gd_clf_loss").set_value("logistic").run()
    assert not at.exception


def test_random_start_uses_the_shown_seed(at):
    import numpy as np
    at.selectbox(key="gd_surface").select("Quadratic bowl").run()
    at.number_input(key="gd_seed").set_value(4).run()
    at.button(key="gd_random").click().run()
    assert not at.exception
    rng = np.random.default_rng(4)
    s = gd.SURFACES["bowl"]
    assert at.number_input(key="gd_x0").value == round(float(rng.uniform(*s.x_range)), 3)
    assert at.number_input(key="gd_y0").value == round(float(rng.uniform(*s.y_range)), 3)
