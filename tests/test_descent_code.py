"""The TensorFlow code the descent page shows students, run with real TensorFlow in a fresh namespace:
each snippet must reproduce the page's own numbers (and, where there is one, the closed form)."""

import numpy as np
import pytest

from explorer import descent as gd
from explorer import descent_code as code


def run(snippet: str) -> dict:
    namespace: dict = {"__name__": "__snippet__"}
    exec(compile(snippet, "<snippet>", "exec"), namespace)     # the snippet is ours, built from the page's state
    return namespace


def test_race_snippet_gives_the_pages_paths():
    s = gd.SURFACES["himmelblau"]
    configs = (("adam", (("beta_1", 0.5), ("learning_rate", 0.1))),
               ("momentum", (("learning_rate", 0.01), ("momentum", 0.8))),
               ("adagrad", (("initial_accumulator_value", 0.3), ("learning_rate", 0.4))))
    ns = run(code.race_code(s, configs, (1.0, -1.0), 15))
    page = gd.race(s, [(name, dict(params)) for name, params in configs], start=(1.0, -1.0), steps=15)
    for path, title in zip(page, ["Adam", "SGD + momentum", "Adagrad"]):
        np.testing.assert_allclose(np.array(ns["paths"][title]), path.points, rtol=1e-5, atol=1e-5)


def test_race_snippet_on_your_own_surface():
    s = gd.custom_surface("x**2 + 3*y**2 + tf.sin(3*x)")
    configs = (("sgd", (("learning_rate", 0.05),)),)
    ns = run(code.race_code(s, configs, (1.0, 0.5), 3))
    # by hand: grad = (2x + 3 cos 3x, 6y); one step of SGD at lr 0.05 from (1, 0.5)
    first = np.array([1 - 0.05 * (2 + 3 * np.cos(3.0)), 0.5 - 0.05 * 3.0])
    np.testing.assert_allclose(ns["paths"]["SGD"][1], first, rtol=1e-5)
    np.testing.assert_allclose(np.array(ns["paths"]["SGD"]), gd.race(s, [("sgd", {"learning_rate": 0.05})],
                                                                     (1.0, 0.5), 3)[0].points, rtol=1e-5)


def test_sweep_snippet_ends_and_diverges_where_the_page_does():
    s = gd.SURFACES["bowl"]
    rates = [0.1, 0.45, 1.5]                      # converges, flips sides, grows as 2^k and diverges
    ns = run(code.sweep_code(s, "sgd", {}, rates, (-2.5, 2.0), 60))
    page = gd.sweep(s, "sgd", rates, start=(-2.5, 2.0), steps=60)
    assert set(ns["diverged_at"]) == {1.5} and ns["diverged_at"][1.5] == page[2].diverged_at == 19
    for lr, path in zip(rates, page):
        np.testing.assert_allclose(ns["final"][lr], path.points[-1], rtol=1e-5, atol=1e-6)
    # closed form for SGD on x² + y²: each coordinate is multiplied by (1 - 2 lr) per step
    np.testing.assert_allclose(ns["final"][0.1], np.array([-2.5, 2.0]) * 0.8 ** 60, rtol=1e-4)


def test_sweep_snippet_keeps_the_optimizers_other_settings():
    s = gd.SURFACES["rosenbrock"]
    ns = run(code.sweep_code(s, "momentum", {"momentum": 0.5}, [0.0001, 0.0002], s.start, 40))
    page = gd.sweep(s, "momentum", [0.0001, 0.0002], steps=40, momentum=0.5)
    for lr, path in zip([0.0001, 0.0002], page):
        np.testing.assert_allclose(ns["final"][lr], path.points[-1], rtol=1e-5)
    assert "momentum=0.5" in code.sweep_code(s, "momentum", {"momentum": 0.5}, [0.0001], s.start, 40)


@pytest.mark.parametrize("formula", ["(x - 4)**2", "tf.abs(x - 1.5) + 0.1 * x**2"])
def test_one_dimension_snippet_gives_the_pages_steps(formula):
    ns = run(code.one_d_code(formula, 0.01, 500, 3))
    path = gd.descend_1d(formula, learning_rate=0.01, steps=500, seed=3)
    history = np.array(ns["history"], dtype=np.float64).ravel()
    np.testing.assert_allclose(history, path.xs[1:], rtol=1e-5, atol=1e-6)
    if formula == "(x - 4)**2":      # the MIT lab's closed form: x_k - 4 = 0.98^k (x_0 - 4)
        x0 = np.random.default_rng(3).normal()
        assert history[-1] - 4 == pytest.approx(0.98 ** 500 * (x0 - 4), rel=1e-3)


@pytest.mark.parametrize("loss", ["square", "logistic"])
def test_classifier_snippet_gives_the_pages_losses(loss, capsys):
    ns = run(code.classifier_code(loss, 0.1, 12, 5))
    c = gd.linear_classifier(loss, learning_rate=0.1, steps=12, seed=5)
    np.testing.assert_allclose(ns["losses"], c.losses[:12], rtol=1e-5)
    np.testing.assert_array_equal(ns["inputs"], c.inputs)
    # the first loss from the snippet's own data and W, b = 0, by hand in NumPy
    o = ns["inputs"].astype(np.float64) @ np.random.default_rng(6).uniform(0, 1, size=(2, 1))
    y = ns["targets"]
    first = np.mean((y - o) ** 2) if loss == "square" else np.mean(np.log1p(np.exp(o)) - y * o)
    assert ns["losses"][0] == pytest.approx(first, rel=1e-5)
    assert "Loss at step 11:" in capsys.readouterr().out
