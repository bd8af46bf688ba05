"""What the descent lab says happened, checked against what the textbooks know about each surface
(issue 11, defect 8): Rosenbrock has one stationary point, its minimum at (1, 1); x² − y² + y⁴/4 has a
saddle at the origin; Rastrigin's local minima sit near the integer points, its global one at (0, 0);
x² − y² is unbounded below along the y axis."""

import numpy as np
import pytest

from explorer import descent as gd
from explorer import descent_plots as plots
from explorer.descent_verdicts import verdict

ROSENBROCK = gd.SURFACES["rosenbrock"]


def rosenbrock_gradient_and_hessian(x: float, y: float) -> tuple[np.ndarray, np.ndarray]:
    """By hand: f = (1 - x)² + 100 (y - x²)²."""
    g = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
    h = np.array([[2 - 400 * (y - x * x) + 800 * x * x, -400 * x], [-400 * x, 200.0]])
    return g, h


def ending_at(point, gradient, hessian, losses) -> gd.Path:
    """A path that ends at `point`, with the gradient and Hessian a person worked out there."""
    n = len(losses)
    points = np.linspace([-1.5, 2.0], point, n)
    grads = np.tile(gradient, (n, 1))
    return gd.Path("sgd", "SGD (lr=0.001)", points, np.asarray(losses, float), grads, None, None, n - 1,
                   np.asarray(hessian, float))


def test_rosenbrocks_valley_floor_is_not_a_local_minimum():
    """The issue's case: gradient small against the start's, Hessian positive definite, yet (1, 1) is the
    only minimum. On the floor y = x² at x = 0.5: g = (-1, 0), H = [[202, -200], [-200, 200]]."""
    g, h = rosenbrock_gradient_and_hessian(0.5, 0.25)
    np.testing.assert_allclose(g, [-1, 0])
    np.testing.assert_allclose(h, [[202, -200], [-200, 200]])
    assert np.all(np.linalg.eigvalsh(h) > 0)
    path = ending_at((0.5, 0.25), g, h, np.linspace(300, 0.25, 50))
    assert verdict(path, ROSENBROCK).kind == "descending"


def test_rosenbrock_run_that_used_to_say_local_minimum():
    path = gd.optimize(ROSENBROCK, "sgd", start=(1.8, -0.5), steps=1000, learning_rate=0.001)
    assert np.hypot(*(path.points[-1] - [1, 1])) > 0.3               # nowhere near the minimum yet
    g, h = rosenbrock_gradient_and_hessian(*path.points[-1])
    np.testing.assert_allclose(path.gradients[-1], g, rtol=1e-3, atol=1e-3)   # TensorFlow's, checked by hand
    np.testing.assert_allclose(path.hessian, h, rtol=1e-3, atol=1e-2)
    v = verdict(path, ROSENBROCK)
    assert v.kind == "descending" and "local minimum" not in v.text


@pytest.mark.parametrize("start", [(-1.5, 2.0), (1.8, -0.5), (-1.5, 3.0), (0.0, 0.0)])
def test_on_rosenbrock_only_1_1_is_ever_called_a_minimum(start):
    for name in gd.OPTIMIZERS:
        for path in gd.sweep(ROSENBROCK, name, [0.0001, 0.001, 0.003, 0.01], start=start, steps=1500):
            v = verdict(path, ROSENBROCK)
            assert v.kind not in ("local minimum", "saddle", "flat", "unbounded"), (path.label, v.text)
            if v.kind == "minimum":
                assert np.hypot(*(path.points[-1] - [1, 1])) < 0.05 and v.text == "reached the minimum (1, 1)"


def test_a_saddle_point_is_called_a_saddle_point():
    """x² − y² + y⁴/4: at the origin g = 0 and H = diag(2, −2). Started on y = 0 the y-gradient is 0,
    so plain gradient descent slides into the saddle and stays."""
    s = gd.SURFACES["saddle"]
    path = gd.optimize(s, "sgd", start=(-1.5, 0.0), steps=150, learning_rate=0.05)
    np.testing.assert_allclose(path.points[-1], [0, 0], atol=1e-5)
    np.testing.assert_allclose(path.hessian, [[2, 0], [0, -2]], atol=1e-4)
    v = verdict(path, s)
    assert v.kind == "saddle" and v.text == "stuck at a saddle point near (0, 0)"
    # from just off the axis it rolls down to a minimum (0, ±√2), where f = -1
    off = gd.optimize(s, "sgd", start=(-1.5, 0.01), steps=150, learning_rate=0.05)
    assert verdict(off, s).text == "reached a minimum (0, 1.414)" and off.losses[-1] == pytest.approx(-1, abs=1e-4)


def test_rastrigins_local_minimum_is_named_with_the_global_one():
    """Near (3, -3): 2x + 20π sin(2πx) = 0 gives x ≈ 3 - 3/(10π · 2π) ... ≈ 2.985."""
    s = gd.SURFACES["rastrigin"]
    path = gd.optimize(s, "sgd", steps=300)
    x = 3.0
    for _ in range(20):                                      # Newton on f'(x) = 2x + 20π sin 2πx
        x -= (2 * x + 20 * np.pi * np.sin(2 * np.pi * x)) / (2 + 40 * np.pi ** 2 * np.cos(2 * np.pi * x))
    assert x == pytest.approx(2.985, abs=5e-4)
    v = verdict(path, s)
    assert v.kind == "local minimum"
    assert v.text == f"stuck in a local minimum near ({x:.3f}, {-x:.3f}); the lowest is at (0, 0)"


def test_himmelblaus_four_minima_are_each_a_minimum():
    s = gd.SURFACES["himmelblau"]
    ends = {}
    for start in [(0.0, 0.0), (4.0, -3.0), (-4.0, 4.0), (-4.0, -4.0)]:
        path = gd.optimize(s, "adam", start=start, steps=600, learning_rate=0.05)
        v = verdict(path, s)
        assert v.kind == "minimum" and v.text.startswith("reached a minimum ("), v.text
        ends[v.text] = path.losses[-1]
    assert len(ends) == 4 and max(ends.values()) < 1e-3           # f = 0 at all four


def test_an_unbounded_surface_is_called_unbounded_not_slow():
    """The issue's case: f = x² − y² falls to −∞ along y; RMSprop is at −17 and falling after 200 steps."""
    s = gd.custom_surface("x**2 - y**2")
    paths = {p.optimizer: p for p in gd.race(s, list(gd.OPTIMIZERS))}
    rms = paths["rmsprop"]
    assert -18 < rms.losses[-1] < -16 and np.all(np.diff(rms.losses[-50:]) < 0)
    v = verdict(rms, s)
    assert v.kind == "unbounded" and "unbounded below" in v.text and "slow" not in v.text
    momentum = verdict(paths["momentum"], s)                    # grows until a coordinate passes 10^6
    assert paths["momentum"].diverged_at is not None
    assert momentum.kind == "unbounded" and momentum.text.startswith("diverged to −∞ at step")
    assert {verdict(p, s).kind for p in paths.values()} == {"unbounded"}


SLOW = [(name, {"learning_rate": gd.SURFACES["rosenbrock"].learning_rate(name)}) for name in gd.OPTIMIZERS]


@pytest.mark.parametrize("formula", ["x**2 - y**2 + 0.3*tf.sin(4*x*y)", "x - y"])
def test_unbounded_with_a_wiggle_or_a_constant_slope(formula):
    s = gd.custom_surface(formula)
    for path in gd.race(s, list(gd.OPTIMIZERS), start=(-2, 2), steps=200):
        assert verdict(path, s).kind == "unbounded", (path.label, verdict(path, s).text)


@pytest.mark.parametrize("formula, minimum", [("(x - 10)**2 + y**2", (10, 0)),
                                              ("(x-6)**2 + (y+5)**2 + tf.sin(5*x)", None)])
def test_a_minimum_outside_the_window_is_not_called_unbounded(formula, minimum):
    """Both are bounded below, their minima outside the plotted window: paths heading there fall below
    everything the window shows, but their slope eases off."""
    s = gd.custom_surface(formula)
    for configs, steps in ((list(gd.OPTIMIZERS), 200), (SLOW, 1000)):
        for path in gd.race(s, configs, start=(-1.5, 2.0), steps=steps):
            v = verdict(path, s)
            assert v.kind in ("descending", "local minimum"), (path.label, v.text)
            if v.kind == "local minimum" and minimum:
                assert v.text == "reached a minimum near (10, 0) (maybe not the lowest)"


def test_a_bowl_blows_up_when_the_step_is_too_large():
    s = gd.SURFACES["bowl"]
    slow, fine, wild, too_big = gd.sweep(s, "sgd", [0.001, 0.1, 0.95, 1.5], steps=100)
    assert verdict(slow, s).kind == "descending"          # (1 - 2·0.001)^100 = 0.82 of the way left
    assert verdict(fine, s).text == "reached the minimum (0, 0)"
    assert verdict(wild, s).text == "reached the minimum (0, 0)"     # |1 - 2·0.95| = 0.9: flips, converges
    assert np.all(np.sign(wild.points[1:6, 0]) != np.sign(wild.points[:5, 0]))
    v = verdict(too_big, s)
    assert v.kind == "diverged" and v.text == f"diverged at step {too_big.diverged_at}"   # bounded: not −∞


def test_the_sweeps_loss_chart_clips_diverged_curves_and_keeps_its_axis_readable():
    """Rosenbrock, SGD at 0.003 and 0.01 diverges: the axis used to run to 10^36 with the 'diverged at'
    labels printed over each other."""
    rates = [0.0001, 0.001, 0.003, 0.01]
    paths = gd.sweep(ROSENBROCK, "sgd", rates, steps=1000)
    diverged = [p for p in paths if p.diverged_at is not None]
    assert len(diverged) >= 2 and max(np.nanmax(np.abs(p.losses[np.isfinite(p.losses)])) for p in diverged) > 1e20
    fig = plots.loss_chart(paths, labels=[f"lr = {r:g}" for r in rates])
    lowest = min(np.nanmin(p.losses[np.isfinite(p.losses)]) for p in paths)
    start = paths[0].losses[0] - lowest
    lo, hi = fig.layout.yaxis.range
    assert hi <= np.log10(start) + plots.CLIP_DECADES + 1e-9         # the axis ends two decades above the start
    assert not fig.layout.annotations                                   # nothing printed over anything
    for trace in fig.data:
        assert max(trace.y) <= 10 ** hi * (1 + 1e-9)
    names = [t.name for t in fig.data if t.showlegend is not False]
    for p, r in zip(paths, rates):
        name = next(n for n in names if n.startswith(f"lr = {r:g}"))
        assert ("diverged at step" in name) == (p.diverged_at is not None)
        if p.diverged_at is not None:
            assert name.endswith(f"diverged at step {p.diverged_at}")
    marks = [t for t in fig.data if t.mode == "markers"]                 # ✕ where each diverged curve leaves
    assert len(marks) == len(diverged) and all(m.y[0] == pytest.approx(10 ** hi, rel=1e-3) for m in marks)
