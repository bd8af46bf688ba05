"""AppTest of the Gradient descent lab."""

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import open_page

from explorer import descent as gd
from explorer import descent_code as code
from explorer import descent_settings as ds
from explorer.descent_settings import SETTINGS as S


def fresh(**query) -> AppTest:
    return open_page("descent", query)


@pytest.fixture(scope="module")
def at() -> AppTest:
    return fresh()


def figures(app: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in app.get("plotly_chart")]


def pictures(app: AppTest) -> list[dict]:
    """What the browser's race picture (components/descent.js) receives."""
    return [json.loads(el.proto.json) for el in app.get("bidi_component")
            if el.proto.component_name == "gradient_explorer.descent"]


def race(app: AppTest) -> dict:
    shown = pictures(app)
    assert len(shown) == 1
    return shown[0]


def link(app: AppTest) -> dict[str, str]:
    """The address bar's query parameters, as a browser would send them back."""
    return {k: v[0] if isinstance(v, list) else v for k, v in app.query_params.items()}


def keys(app: AppTest) -> set[str]:
    """The keys of every widget drawn."""
    return {w.key for kind in ("selectbox", "multiselect", "number_input", "toggle", "text_input", "button",
                               "radio") for w in app.get(kind)} | {w.key for w in app.pills} | \
        {w.key for w in app.segmented_control}


def open_tab(app: AppTest, tab: str) -> AppTest:
    app.segmented_control(key=S.key("tab")).set_value(tab).run()
    assert not app.exception
    return app


def table(app: AppTest) -> list[dict]:
    """The rows of the race's table (a markdown table, so that its cells wrap)."""
    text = next(m.value for m in app.markdown if m.value.startswith("| optimizer |"))
    head, _, *rows = [[c.strip().replace("\\*", "*") for c in line.strip("|").split(" | ")]
                      for line in text.splitlines()]
    return [dict(zip(head, row)) for row in rows]


def test_default_race_draws_every_optimizer_and_only_the_race(at):
    picture = race(at)
    assert [p["name"] for p in picture["paths"]] == [spec.title for spec in gd.OPTIMIZERS.values()]
    assert picture["steps"] == 1000 and picture["image"].startswith("data:image/png;base64,")
    assert picture["paths"][-1]["note"] == "reached (1, 1)" and picture["min_px"] == 16 and not picture["large"]
    rows = table(at)
    assert rows[-1]["what happened"] == "reached the minimum (1, 1)"           # Adam, Rosenbrock
    assert all(r["what happened"] == "still descending (slow)" for r in rows[:-1])
    # one picture, drawn in the browser without Plotly: the other tabs are not run, the 3-D view and the
    # loss curves not drawn
    assert not figures(at)
    at.segmented_control(key=S.key("view")).set_value("losses").run()
    losses = figures(at)
    assert len(losses) == 1 and losses[0]["layout"]["yaxis"]["type"] == "log"
    assert [t["name"] for t in losses[0]["data"]] == [spec.title for spec in gd.OPTIMIZERS.values()]
    assert not pictures(at)
    at.segmented_control(key=S.key("view")).set_value("contour").run()


@pytest.mark.parametrize("key", list(gd.SURFACES))
def test_every_surface_with_every_optimizer(at, key):
    at.selectbox(key=S.key("surface")).select(key).run()
    assert not at.exception and not at.error
    assert race(at)["title"].startswith(gd.SURFACES[key].title + ": f(x, y) = ")
    assert len(table(at)) == len(gd.OPTIMIZERS)
    assert (at.session_state[S.key("x0")], at.session_state[S.key("y0")]) == gd.SURFACES[key].start
    assert at.session_state[S.key("lr_adam")] == gd.SURFACES[key].learning_rate("adam")


@pytest.mark.parametrize("name", list(gd.OPTIMIZERS))
def test_sweep_with_every_optimizer(name):
    at = fresh(tab="sweep", surface="bowl", rates="0.001,0.01,0.1,1.0")
    at.selectbox(key=S.key("sweep_optimizer")).select(name).run()
    assert not at.exception
    grid, losses = figures(at)[:2]
    titles = [a["text"] for a in grid["layout"]["annotations"]]
    assert len(titles) == 4 and all("<br>" in t for t in titles)
    assert not losses["layout"].get("annotations")


def test_bad_custom_function_shows_an_error_and_keeps_running(at):
    at.selectbox(key=S.key("surface")).select("custom").run()
    assert not at.exception and not at.error
    at.text_input(key=S.key("formula")).input("x**2 + np.cos(y)").run()
    assert not at.exception
    assert at.error and "np.cos" in at.error[0].value and "tf.cos" in at.error[0].value
    at.text_input(key=S.key("formula")).input("x**2 + 2*y**2").run()
    assert not at.error
    assert race(at)["title"] == "Your function: f(x, y) = x**2 + 2*y**2"


def test_start_point_and_steps_change_the_race(at):
    at.selectbox(key=S.key("surface")).select("himmelblau").run()
    at.number_input(key=S.key("x0")).set_value(-1.0).run()
    at.number_input(key=S.key("y0")).set_value(-1.0).run()
    at.number_input(key=S.key("steps")).set_value(50).run()
    picture = race(at)
    assert picture["steps"] == 50
    for p in picture["paths"]:
        assert p["xy"][:2] == [-1.0, -1.0] and len(p["xy"]) == 2 * 51


def test_one_dimension_and_classifier_tabs():
    at = open_tab(fresh(), "1d")
    text = " ".join(m.value for m in at.markdown)
    assert "the target x_f = 4" in text
    x0, x500 = (float(v) for v in text.split("x starts at **")[1].split("**")[0:3:2])
    assert x500 - 4 == pytest.approx(0.98 ** 500 * (x0 - 4), abs=2e-4)      # the MIT lab's closed form
    open_tab(at, "classifier")
    text = " ".join(m.value for m in at.markdown)
    accuracy = float(text.split("training accuracy **")[1].split(" %")[0])
    assert accuracy >= 97
    at.radio(key=S.key("clf_loss")).set_value("logistic").run()
    assert not at.exception


def test_random_start_uses_the_shown_seed():
    at = fresh(surface="bowl")
    at.number_input(key=S.key("seed")).set_value(4).run()
    at.button(key="gd_random").click().run()
    assert not at.exception
    rng = np.random.default_rng(4)
    s = gd.SURFACES["bowl"]
    assert at.number_input(key=S.key("x0")).value == round(float(rng.uniform(*s.x_range)), 3)
    assert at.number_input(key=S.key("y0")).value == round(float(rng.uniform(*s.y_range)), 3)


def open_code(app: AppTest, tab: str) -> AppTest:
    assert not app.code                                       # drawn only once its expander is opened
    app.session_state[f"gd_code_{tab}"] = True
    app.run()
    return app


def test_the_code_shown_is_the_tested_template():
    at = open_code(fresh(surface="himmelblau", x0="0.5", y0="-1", optimizers="adam,sgd", lr_adam="0.2",
                         steps="40"), "race")
    configs = ds.optimizer_configs({**S.defaults(), "optimizers": ["adam", "sgd"], "lr_adam": 0.2})
    assert configs == (("sgd", (("learning_rate", 0.001),)),
                       ("adam", (("beta_1", 0.9), ("beta_2", 0.999), ("learning_rate", 0.2))))
    s = gd.SURFACES["himmelblau"]
    assert at.code[0].value == code.race_code(s, configs, (0.5, -1.0), 40).strip()   # st.code trims
    open_code(open_tab(at, "sweep"), "sweep")
    assert at.code[0].value == code.sweep_code(s, "sgd", {}, (0.0001, 0.001, 0.003, 0.01), (0.5, -1.0), 40).strip()
    open_code(open_tab(at, "1d"), "1d")
    assert at.code[0].value == code.one_d_code("(x - 4)**2", 0.01, 500, 0).strip()
    open_code(open_tab(at, "classifier"), "classifier")
    assert at.code[0].value == code.classifier_code("square", 0.1, 40, 0).strip()


# ---- links ------------------------------------------------------------------------------------------

CHANGED = {"tab": "race", "surface": "custom", "formula": "x**2 - y**2 + 0.1*tf.sin(5*x)", "x0": 1.25,
           "y0": -0.5, "steps": 120, "optimizers": ["momentum", "adam"], "lr_momentum": 0.02,
           "momentum_momentum": 0.8, "lr_adam": 0.2, "beta_1_adam": 0.5, "beta_2_adam": 0.99, "arrows": False,
           "view": "3d", "seed": 9}


def test_link_round_trip_restores_every_setting():
    at = fresh()
    at.selectbox(key=S.key("surface")).select("custom").run()
    at.text_input(key=S.key("formula")).input(CHANGED["formula"]).run()
    for name in ("x0", "y0", "steps", "lr_momentum", "momentum_momentum", "lr_adam", "beta_1_adam",
                 "beta_2_adam", "seed"):
        at.number_input(key=S.key(name)).set_value(CHANGED[name]).run()
    at.pills(key=S.key("optimizers")).set_value(CHANGED["optimizers"]).run()
    at.toggle(key=S.key("arrows")).set_value(False).run()
    at.segmented_control(key=S.key("view")).set_value("3d").run()
    assert not at.exception and not at.error
    custom = {**S.defaults(), **ds.surface_defaults("custom")}
    want = {name: v for name, v in CHANGED.items() if v != S.defaults()[name]}
    want.update({k: v for k, v in custom.items() if k not in CHANGED and v != S.defaults()[k]})
    assert set(link(at)) == set(want), "the link holds exactly what differs from the defaults"
    opened = fresh(**link(at))
    assert not opened.warning and not opened.error
    for name, default in S.defaults().items():
        assert opened.session_state[S.key(name)] == want.get(name, default), name
    contour = figures(opened)[0]
    assert contour["data"][0]["type"] == "surface"                         # the 3-D view
    assert [r["optimizer"].split(" (")[0] for r in table(opened)] == ["SGD + momentum", "Adam"]
    assert table(opened)[1]["optimizer"] == "Adam (lr=0.2, beta_1=0.5, beta_2=0.99)"


def test_link_round_trip_of_the_other_tabs():
    at = open_tab(fresh(), "sweep")
    at.selectbox(key=S.key("sweep_optimizer")).select("adam").run()
    at.multiselect(key=S.key("rates")).set_value([0.001, 0.03]).run()
    assert link(at) == {"tab": "sweep", "sweep_optimizer": "adam", "rates": "0.001,0.03"}
    opened = fresh(**link(at))
    assert opened.session_state[S.key("rates")] == [0.001, 0.03]
    assert [a["text"].split("<br>")[0] for a in figures(opened)[0]["layout"]["annotations"]] == \
        ["lr = 0.001", "lr = 0.03"]
    open_tab(at, "1d")
    at.selectbox(key=S.key("fn_1d")).select("custom").run()
    at.text_input(key=S.key("formula_1d")).input("tf.abs(x) + x**2").run()
    at.number_input(key=S.key("lr_1d")).set_value(0.05).run()
    opened = fresh(**link(at))
    assert opened.session_state[S.key("formula_1d")] == "tf.abs(x) + x**2"
    assert opened.session_state[S.key("lr_1d")] == 0.05
    assert "tf.abs(x) + x**2" in figures(opened)[0]["data"][0]["name"]
    open_tab(at, "classifier")
    at.number_input(key=S.key("clf_steps")).set_value(7).run()
    opened = fresh(**link(at))
    assert opened.session_state[S.key("clf_steps")] == 7 and opened.session_state[S.key("formula_1d")] == \
        "tf.abs(x) + x**2"


def test_teacher_link_hides_the_named_controls():
    at = fresh()
    assert {S.key("optimizers"), S.key("surface"), S.key("lr_adam"), S.key("seed")} <= keys(at)
    at = fresh(surface="himmelblau", x0="1.0", y0="1.0", hide="optimizers,surface,lr_adam,seed,steps")
    drawn = keys(at)
    assert {S.key("optimizers"), S.key("surface"), S.key("lr_adam"), S.key("seed"), S.key("steps"),
            "gd_random"}.isdisjoint(drawn)
    assert {S.key("x0"), S.key("lr_sgd"), S.key("tab")} <= drawn
    assert race(at)["title"].startswith("Himmelblau")
    assert link(at)["hide"] == "surface,seed,steps,optimizers,lr_adam"      # it stays in the link
    open_tab(at, "sweep")
    assert S.key("surface") not in keys(open_tab(at, "race"))


def test_a_bad_link_value_is_named_and_the_rest_applies():
    at = fresh(surface="beale", x0="left", optimizers="adam,newton", steps="60")
    assert len(at.warning) == 1
    warning = at.warning[0].value
    assert "x0='left' is not a number" in warning and "optimizers: newton is not one of" in warning
    assert at.session_state[S.key("surface")] == "beale" and at.session_state[S.key("steps")] == 60
    assert at.session_state[S.key("x0")] == S["x0"].default
    assert race(at)["steps"] == 60


def test_presentation_mode_enlarges_the_race_and_hides_the_sidebar():
    at = fresh(present="1", surface="bowl")
    assert not at.exception
    picture = race(at)
    assert picture["min_px"] == 20 and picture["large"]                   # components/descent.js: 20 px text
    css = " ".join(m.value for m in at.markdown if m.value.startswith("<style>"))
    assert "[data-testid=stSidebar]" in css and "display: none" in css
    assert link(at)["present"] == "1"
    at.toggle(key="presentation_mode").set_value(False).run()
    assert race(at)["min_px"] == 16 and "present" not in link(at)
