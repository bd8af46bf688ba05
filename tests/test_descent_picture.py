"""The race as the browser's picture receives it (explorer.descent_picture), and the lab's kept results
(explorer.descent_lab): numbers checked by hand on the quadratic bowl and against Keras used directly."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from explorer import descent as gd
from explorer import descent_lab as lab
from explorer import descent_plots as plots
from explorer import descent_settings as ds
from explorer import palette
from explorer.descent_picture import race_picture
from tests.test_descent import keras_directly

JS = Path(__file__).resolve().parents[1] / "app_pages" / "components" / "descent.js"


def pairs(flat: list) -> np.ndarray:
    return np.array(flat, dtype=float).reshape(-1, 2)


def test_the_bowl_by_hand():
    """f = x² + y² from (-2.5, 2): ∇f = (2x, 2y) = (-5, 4). SGD at lr 0.1 multiplies the point by
    1 - 2·0.1 = 0.8 each step; −∇f points along (5, -4), at atan2(-4, 5) = -38.66°. Keras's momentum SGD
    (lr 0.05, momentum 0.9) starts with no velocity and carries m₁ = −0.05·∇f = (0.25, -0.2) after its first
    step: the same direction."""
    s = gd.SURFACES["bowl"]
    paths = gd.race(s, [("sgd", {"learning_rate": 0.1}), ("momentum", {"learning_rate": 0.05})], (-2.5, 2.0), 10)
    picture = race_picture(s, paths)
    sgd, momentum = picture["paths"]
    xy = pairs(sgd["xy"])
    assert len(xy) == 11
    np.testing.assert_allclose(xy[:3], [[-2.5, 2.0], [-2.0, 1.6], [-1.6, 1.28]], atol=1e-4)
    np.testing.assert_allclose(xy[10], [-2.5 * 0.8 ** 10, 2.0 * 0.8 ** 10], atol=1e-4)
    assert sgd["down"][0] == -39 and sgd["velocity"] is None                  # round(-38.66)
    assert all(d == -39 for d in sgd["down"])                                 # straight at the minimum
    velocity = pairs(momentum["velocity"])
    assert velocity[0, 0] is None or np.isnan(velocity[0, 0])                 # no velocity yet
    assert velocity[1, 0] == -39
    # its length as a share of the largest on the path: |m_k| with m_k = 0.9 m_(k-1) − 0.05 ∇f(p_k)
    p, m, sizes = np.array([-2.5, 2.0]), np.zeros(2), [0.0]
    for _ in range(10):
        m = 0.9 * m - 0.05 * 2 * p
        p = p + m
        sizes.append(float(np.linalg.norm(m)))
    np.testing.assert_allclose(velocity[1:, 1], np.round(100 * np.array(sizes[1:]) / max(sizes)), atol=1)
    assert picture["steps"] == 10 and picture["x"] == [-3.0, 3.0] and picture["minima"] == [[0.0, 0.0]]
    assert picture["title"] == "Quadratic bowl: f(x, y) = x**2 + y**2"
    assert sgd["note"] == "still descending"              # 0.8^10 of the way: (-0.27, 0.21), still moving


def test_every_point_of_a_long_race_is_sent_as_keras_made_it():
    s = gd.SURFACES["rosenbrock"]
    paths = gd.race(s, ["adam", "momentum"], steps=1000)
    picture = race_picture(s, paths)
    for lane, name in zip(picture["paths"], ["adam", "momentum"]):
        xy = pairs(lane["xy"])
        assert len(xy) == 1001 and len(lane["down"]) == 1001
        np.testing.assert_allclose(xy[:31], keras_directly(s, name, s.learning_rate(name), s.start, 30), atol=6e-5)
    assert picture["paths"][0]["note"] == "reached (1, 1)"


def test_a_diverged_path_is_still_valid_json():
    s = gd.SURFACES["bowl"]
    path = gd.optimize(s, "sgd", learning_rate=1.5, steps=200)        # x_k = (-2)^k x_0: leaves 10^6
    picture = race_picture(s, [path])
    text = json.dumps(picture, allow_nan=False)                       # what the browser can parse
    lane = json.loads(text)["paths"][0]
    assert lane["diverged_at"] == path.diverged_at and len(lane["xy"]) == 2 * (path.diverged_at + 1)
    assert lane["note"].startswith("diverged")


def test_the_picture_is_smaller_than_the_plotly_figure_it_replaces():
    s = gd.SURFACES["rosenbrock"]
    paths = gd.race(s, list(gd.OPTIMIZERS))
    picture = len(json.dumps(race_picture(s, paths)).encode()) / 1024
    assert picture < 0.6 * plots.payload_kb(plots.race_contour(s, paths)) and picture < 250


def test_colours_come_from_the_palette():
    s = gd.SURFACES["ravine"]
    picture = race_picture(s, gd.race(s, list(gd.OPTIMIZERS), steps=20))
    named = {v for k, v in vars(palette).items() if k.isupper() and isinstance(v, str)}
    assert {p["color"] for p in picture["paths"]} <= set(palette.SERIES)
    assert set(picture["colors"].values()) <= named
    assert not re.findall(r"#[0-9a-fA-F]{3,6}\b|rgba?\(", JS.read_text())      # none typed in the JavaScript


def test_a_new_setting_keeps_the_other_paths_and_compiles_no_more_than_one_optimizer():
    s = gd.SURFACES["himmelblau"]
    values = {**ds.SETTINGS.defaults(), **ds.surface_defaults("himmelblau"), "optimizers": ["sgd", "momentum", "adam"]}
    start, steps = (values["x0"], values["y0"]), 40
    before = lab.race(s, ds.optimizer_configs(values), start, steps)
    loops = set(gd._COMPILED)
    # a learning rate is an input of the compiled loop: nothing new is compiled
    after = lab.race(s, ds.optimizer_configs({**values, "lr_adam": 0.0123}), start, steps)
    assert after[0] is before[0] and after[1] is before[1] and after[2] is not before[2]
    assert set(gd._COMPILED) == loops
    np.testing.assert_allclose(after[2].points, keras_directly(s, "adam", 0.0123, start, steps), rtol=1e-6, atol=1e-6)
    # a new momentum: a loop for that optimizer alone
    again = lab.race(s, ds.optimizer_configs({**values, "momentum_momentum": 0.5}), start, steps)
    assert again[0] is before[0] and again[2] is before[2]
    assert set(gd._COMPILED) - loops == {("race", "himmelblau", s.formula, (("momentum", (("momentum", 0.5),)),))}
    expected = gd.optimize(s, "momentum", start, steps, learning_rate=values["lr_momentum"], momentum=0.5)
    np.testing.assert_array_equal(again[1].points, expected.points)


def test_kept_values_are_made_once_and_the_gate_is_held_only_to_make_them():
    kept, made, gated = lab.Kept(size=2), [], []

    class Gate:
        def __enter__(self):
            gated.append(1)

        def __exit__(self, *exc):
            return False

    assert kept.get(("a",), lambda: made.append("a") or 1, gate=Gate) == 1
    assert kept.get(("a",), lambda: made.append("again") or 2, gate=Gate) == 1
    kept.get(("b",), lambda: 2)
    kept.get(("c",), lambda: 3)                                       # size 2: "a", the oldest, goes
    assert kept.peek(("a",)) == (False, None) and made == ["a"] and gated == [1]
    assert kept.get(("d",), lambda report: report, progress="bar") == "bar"   # make(progress)


@pytest.mark.parametrize("key", list(gd.SURFACES))
def test_every_surface_preset_has_a_picture(key):
    s = gd.SURFACES[key]
    picture = race_picture(s, gd.race(s, list(gd.OPTIMIZERS), steps=5))
    assert picture["image"].startswith("data:image/png;base64,") and len(picture["paths"]) == 6
    assert picture["x"] == list(s.x_range) and picture["y"] == list(s.y_range)
