"""The descent lab against Keras used directly, the MIT lab, the book's linear classifier and sympy."""

import json
import threading

import keras
import numpy as np
import pytest
import tensorflow as tf

import explorer
from explorer import descent as gd
from explorer import descent_plots as plots


def keras_directly(surface: gd.Surface, name: str, lr: float, start, steps: int) -> np.ndarray:
    """The textbook loop, eagerly: a tf.Variable, a tape, and the Keras optimizer's apply_gradients."""
    spec = gd.OPTIMIZERS[name]
    opt = getattr(keras.optimizers, spec.keras_class)(learning_rate=lr, **spec.defaults)
    xy = tf.Variable(np.array(start, np.float32))
    points = [xy.numpy().copy()]
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = surface.fn(xy[0], xy[1])
        opt.apply_gradients([(tape.gradient(loss, xy), xy)])
        points.append(xy.numpy().copy())
    return np.array(points)


@pytest.mark.parametrize("name", list(gd.OPTIMIZERS))
@pytest.mark.parametrize("surface", ["rosenbrock", "himmelblau", "beale"])
def test_first_20_points_equal_keras_used_directly(name, surface):
    s = gd.SURFACES[surface]
    lr = s.learning_rate(name)
    path = gd.optimize(s, name, steps=20)
    expected = keras_directly(s, name, lr, s.start, 20)
    np.testing.assert_allclose(path.points[:21], expected, rtol=1e-6, atol=1e-6)


def test_mit_lab_reaches_the_target():
    # minimise (x - x_f)^2 with x_f = 4, learning rate 0.01, 500 steps, x from a random normal
    for seed in range(3):
        path = gd.descend_1d("(x - 4)**2", learning_rate=0.01, steps=500, seed=seed)
        assert abs(path.xs[-1] - 4) < 1e-3
        x0 = path.xs[0]
        assert path.xs[1] == pytest.approx(x0 - 0.01 * 2 * (x0 - 4), rel=1e-6)   # x.assign(x - lr * grad)
        assert path.slopes[0] == pytest.approx(2 * (x0 - 4), rel=1e-6)


@pytest.mark.parametrize("loss", ["square", "logistic"])
def test_linear_classifier_learns_the_two_clouds(loss):
    c = gd.linear_classifier(loss, learning_rate=0.1, steps=40, seed=0)
    assert c.accuracy[-1] >= 0.97
    assert c.losses[-1] < c.losses[0]
    # the data: 1000 points per class around (0, 3) and (3, 0)
    assert np.allclose(c.inputs[:1000].mean(axis=0), [0, 3], atol=0.1)
    assert np.allclose(c.inputs[1000:].mean(axis=0), [3, 0], atol=0.1)
    # every point on the decision line has W·x + b = threshold
    xs = np.array([-1.0, 4.0])
    ys = gd.decision_line(c.W[-1], c.b[-1], c.threshold, xs)
    on_line = np.stack([xs, ys], axis=1) @ c.W[-1] + c.b[-1]
    np.testing.assert_allclose(on_line.ravel(), [c.threshold] * 2, atol=1e-4)


def test_linear_classifier_first_step_is_the_books_update():
    c = gd.linear_classifier("square", learning_rate=0.1, steps=1, n=50, seed=3)
    x, y, W, b = c.inputs.astype(np.float64), c.targets.astype(np.float64), c.W[0].astype(np.float64), c.b[0]
    pred = x @ W + b
    grad_W = -2 * x.T @ (y - pred) / len(x)          # d/dW mean((y - xW - b)^2)
    grad_b = -2 * np.mean(y - pred, axis=0)
    np.testing.assert_allclose(c.W[1], W - 0.1 * grad_W, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c.b[1], b - 0.1 * grad_b, rtol=1e-5, atol=1e-6)
    assert c.losses[0] == pytest.approx(np.mean((y - pred) ** 2), rel=1e-5)


def test_adam_reaches_rosenbrocks_minimum_in_its_default_budget():
    path = gd.optimize("rosenbrock", "adam")
    assert len(path.points) == gd.SURFACES["rosenbrock"].steps + 1
    assert np.hypot(*(path.points[-1] - [1.0, 1.0])) < 0.05


def test_divergence_is_reported_not_a_crash():
    path = gd.optimize("bowl", "sgd", learning_rate=1.5, steps=200)   # |1 - 2·1.5| = 2 > 1: grows
    assert path.diverged_at is not None and len(path.points) == path.diverged_at + 1
    assert np.all(np.isfinite(path.points[:path.diverged_at]))
    # x_k = (1 - 2·1.5)^k x_0 = (-2)^k x_0 leaves |x| <= 10^6 at the first k with 2^k · 2.5 > 10^6
    assert path.diverged_at == int(np.ceil(np.log2(1e6 / 2.5)))
    fig = plots.race_contour(gd.SURFACES["bowl"], [path])
    assert "diverged" in fig.data[1].name


def test_a_race_runs_each_optimizer_as_it_runs_alone():
    """Six optimizers side by side in one loop, one of them diverging, give each the path it has alone."""
    s = gd.SURFACES["rosenbrock"]
    configs = [(name, {"learning_rate": s.learning_rate(name)}) for name in gd.OPTIMIZERS]
    configs[0] = ("sgd", {"learning_rate": 0.01})              # diverges on Rosenbrock
    together = gd.race(s, configs, steps=300)
    assert together[0].diverged_at is not None
    for (name, params), path in zip(configs, together):
        alone = gd.optimize(s, name, steps=300, **params)
        assert path.diverged_at == alone.diverged_at
        np.testing.assert_array_equal(path.points, alone.points)
        np.testing.assert_array_equal(path.losses, alone.losses)


def test_a_rerun_with_new_rates_starts_and_steps_does_not_retrace():
    s = gd.SURFACES["himmelblau"]
    gd.race(s, ["sgd", "adam"], steps=50)
    loop = gd._runner(s, (gd._lane("sgd", {}), gd._lane("adam", {}))).loop
    traced = loop.experimental_get_tracing_count()
    gd.race(s, [("sgd", {"learning_rate": 0.002}), ("adam", {"learning_rate": 0.3})], start=(1.0, 1.0), steps=70)
    gd.race(s, ["sgd", "adam"], start=(-2.0, 0.5), steps=500, progress=lambda f, t: None)
    assert loop.experimental_get_tracing_count() == traced


def test_progress_is_reported_while_a_race_runs():
    heard = []
    gd.race(gd.custom_surface("x**2 + 3*y**2 + tf.cos(x*y)"), list(gd.OPTIMIZERS), steps=1200,
            progress=lambda f, text: heard.append((f, text)))
    assert "compiling" in heard[0][1] and "6 optimizers" in heard[0][1]
    assert [t for _, t in heard[1:]] == ["step 500 of 1,200", "step 1,000 of 1,200"]
    assert [f for f, _ in heard] == sorted(f for f, _ in heard) and heard[-1][0] < 1


def test_custom_surface_gradients_match_the_formula():
    s = gd.custom_surface("x**2 + 3*y**2 + tf.sin(x)")
    path = gd.optimize(s, "sgd", start=(1.0, 2.0), steps=1, learning_rate=0.1)
    np.testing.assert_allclose(path.gradients[0], [2 + np.cos(1.0), 12.0], rtol=1e-6)
    np.testing.assert_allclose(path.points[1], [1 - 0.1 * (2 + np.cos(1.0)), 2 - 1.2], rtol=1e-6)


@pytest.mark.parametrize("formula, message", [
    ("x**2 + np.sin(y)", "tf.sin"),
    ("x**2 + z", "z"),
    ("tf.reduce_sum(x) * y", "elementwise"),
    ("__import__('os')", ""),
])
def test_custom_surface_refuses_clearly(formula, message):
    with pytest.raises(explorer.ProgramError) as e:
        gd.custom_surface(formula)
    assert message in str(e.value)


def test_race_starts_every_optimizer_at_the_same_point_and_keeps_their_settings():
    paths = gd.race("himmelblau", ["sgd", ("adam", {"learning_rate": 0.2, "beta_1": 0.5})], start=(1.0, -1.0),
                    steps=30)
    assert [p.optimizer for p in paths] == ["sgd", "adam"]
    assert all(np.array_equal(p.points[0], [1.0, -1.0]) for p in paths)
    assert paths[1].label == "Adam (lr=0.2, beta_1=0.5, beta_2=0.999)"
    expected = keras_directly(gd.SURFACES["himmelblau"], "adam", 0.2, (1.0, -1.0), 0)
    assert np.allclose(paths[1].points[0], expected[0])


def test_momentum_velocity_is_kerass_momentum_buffer():
    path = gd.optimize("bowl", "momentum", start=(1.0, 1.0), steps=3, learning_rate=0.1)
    # Keras SGD with momentum: v <- m·v - lr·g, x <- x + v
    v, x = np.zeros(2), np.array([1.0, 1.0])
    for k in range(3):
        v = 0.9 * v - 0.1 * 2 * x
        x = x + v
        np.testing.assert_allclose(path.velocities[k + 1], v, rtol=1e-5)
        np.testing.assert_allclose(path.points[k + 1], x, rtol=1e-5)


def test_two_threads_get_what_each_gets_alone():
    alone = [gd.optimize("rosenbrock", "adam", learning_rate=lr, steps=300).points for lr in (0.01, 0.05)]
    together: dict[float, np.ndarray] = {}

    def work(lr):
        together[lr] = gd.optimize("rosenbrock", "adam", learning_rate=lr, steps=300).points

    threads = [threading.Thread(target=work, args=(lr,)) for lr in (0.01, 0.05)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_array_equal(together[0.01], alone[0])
    np.testing.assert_array_equal(together[0.05], alone[1])


def test_the_race_views_payload_is_under_1_5_mb():
    from explorer.descent_picture import race_picture
    s = gd.SURFACES["rosenbrock"]
    paths = gd.race(s, list(gd.OPTIMIZERS))
    total = len(json.dumps(race_picture(s, paths)).encode()) / 1024 + sum(
        plots.payload_kb(f) for f in (plots.race_surface3d(s, paths), plots.loss_chart(paths)))
    assert total < 1.5 * 1024


def test_animation_frames_hold_every_path():
    s = gd.SURFACES["ravine"]
    paths = gd.race(s, ["sgd", "momentum"], steps=150)
    fig = plots.race_contour(s, paths)
    frames = json.loads(fig.to_json())["frames"]           # what the browser receives
    assert len(frames) == len(plots.frame_steps(150)) and frames[-1]["name"] == "f150"
    last = frames[-1]
    # sgd: trail, point, gradient arrow; momentum: the same plus its velocity arrow
    assert len(last["data"]) == 3 + 4 and len(last["traces"]) == 7
    np.testing.assert_allclose([last["data"][1]["x"][0], last["data"][1]["y"][0]], np.round(paths[0].points[-1], 4))
    assert fig.layout.sliders[0].steps[-1].label == "150"


def test_higher_order_snippet_runs():
    from explorer.codegen import HIGHER_ORDER_CODE
    namespace: dict = {}
    exec(compile(HIGHER_ORDER_CODE, "<snippet>", "exec"), namespace)
    assert float(namespace["second_derivative"]) == pytest.approx(9.8)
    assert float(namespace["finite_difference"]) == pytest.approx(9.8, rel=1e-6)


def test_one_dimension_and_classifier_loops_are_compiled_once():
    gd.descend_1d("(x - 4)**2", learning_rate=0.01, steps=50, seed=0)
    gd.linear_classifier("logistic", learning_rate=0.1, steps=5, seed=0)
    one_d = gd._COMPILED[("1d", "(x - 4)**2")].loop
    classifier = gd._COMPILED[("classifier", "logistic")].loop
    counts = one_d.experimental_get_tracing_count(), classifier.experimental_get_tracing_count()
    path = gd.descend_1d("(x - 4)**2", learning_rate=0.1, steps=80, seed=5)
    c = gd.linear_classifier("logistic", learning_rate=0.5, steps=9, seed=3)
    assert (one_d.experimental_get_tracing_count(), classifier.experimental_get_tracing_count()) == counts
    # and the new settings took effect: x_k - 4 = (1 - 2·lr)^k (x_0 - 4); W starts from seed + 1's draw
    assert path.xs[80] - 4 == pytest.approx(0.8 ** 80 * (path.xs[0] - 4), rel=1e-4, abs=1e-6)
    np.testing.assert_allclose(c.W[0], np.random.default_rng(4).uniform(0, 1, size=(2, 1)), rtol=1e-6)
    assert len(c.losses) == 10


def test_long_formulas_wrap_at_their_outermost_sums():
    text = f"Beale: f(x, y) = {gd.SURFACES['beale'].formula}"
    lines = plots.wrap(text).split("<br>")
    assert lines == ["Beale: f(x, y) = (1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2", "+ (2.625 - x + x*y**3)**2"]
    assert " ".join(lines) == text
    assert plots.wrap("Bowl: f(x, y) = x**2 + y**2") == "Bowl: f(x, y) = x**2 + y**2"
    fig = plots.race_contour(gd.SURFACES["rastrigin"], gd.race("rastrigin", ["sgd"], steps=5))
    assert fig.layout.title.text.count("<br>") == 2 and fig.layout.margin.t >= 3 * 20
