"""Gradient descent on loss surfaces with Keras's own optimizers, and the textbooks' training loops.

Every optimizer step is `tf.keras.optimizers.X.apply_gradients`, run many steps per call inside a
`tf.function`; what a student sees is exactly what Keras does. Compiled step loops are kept per
(surface, optimizer, hyperparameters) and reset before each use, so a page rerun does not retrace.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable

import keras
import numpy as np
import tensorflow as tf

from .errors import ProgramError
from .expressions import expression
from .higher import replay

DIVERGED = 1e6          # |coordinate| or loss beyond this (or not finite) counts as diverged


# ---- surfaces -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Surface:
    key: str
    title: str
    formula: str                                   # the program-language expression in x and y
    fn: Callable[[tf.Tensor, tf.Tensor], tf.Tensor] = field(compare=False, repr=False)
    x_range: tuple[float, float] = (-3.0, 3.0)
    y_range: tuple[float, float] = (-3.0, 3.0)
    start: tuple[float, float] = (-2.0, 2.0)
    minima: tuple[tuple[float, float], ...] = ()
    steps: int = 200
    log_color: bool = False                        # contour colors on a log scale (steep surfaces)
    learning_rates: tuple[tuple[str, float], ...] = ()   # per optimizer, where its default does not suit

    def learning_rate(self, optimizer: str) -> float:
        return dict(self.learning_rates).get(optimizer, OPTIMIZERS[optimizer].learning_rate)


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2


def _himmelblau(x, y):
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


def _rastrigin(x, y):
    two_pi = 2 * np.pi
    return 20 + x ** 2 - 10 * tf.cos(two_pi * x) + y ** 2 - 10 * tf.cos(two_pi * y)


SURFACES: dict[str, Surface] = {s.key: s for s in [
    Surface("bowl", "Quadratic bowl", "x**2 + y**2", lambda x, y: x ** 2 + y ** 2,
            start=(-2.5, 2.0), minima=((0.0, 0.0),), steps=100,
            learning_rates=(("sgd", 0.1), ("momentum", 0.05), ("nesterov", 0.05), ("rmsprop", 0.05),
                            ("adam", 0.1))),
    Surface("ravine", "Elongated ravine", "0.1 * x**2 + 4 * y**2", lambda x, y: 0.1 * x ** 2 + 4 * y ** 2,
            (-5.0, 5.0), (-2.0, 2.0), (-4.5, 1.5), ((0.0, 0.0),), 150,
            learning_rates=(("sgd", 0.2), ("momentum", 0.05), ("nesterov", 0.05), ("rmsprop", 0.05),
                            ("adam", 0.1))),
    Surface("saddle", "Saddle", "x**2 - y**2 + 0.25 * y**4", lambda x, y: x ** 2 - y ** 2 + 0.25 * y ** 4,
            (-2.0, 2.0), (-2.5, 2.5), (-1.5, 0.01), ((0.0, 2 ** 0.5), (0.0, -2 ** 0.5)), 150,
            learning_rates=(("sgd", 0.05), ("momentum", 0.02), ("nesterov", 0.02), ("rmsprop", 0.02))),
    Surface("rosenbrock", "Rosenbrock", "(1 - x)**2 + 100 * (y - x**2)**2", _rosenbrock,
            (-2.0, 2.0), (-1.0, 3.0), (-1.5, 2.0), ((1.0, 1.0),), 1000, True,
            (("sgd", 0.001), ("momentum", 0.0002), ("nesterov", 0.0002), ("rmsprop", 0.005),
             ("adam", 0.05))),
    Surface("beale", "Beale",
            "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2", _beale,
            (-4.5, 4.5), (-4.5, 4.5), (1.0, 1.4), ((3.0, 0.5),), 1000, True,
            (("sgd", 0.01), ("momentum", 0.002), ("nesterov", 0.002))),
    Surface("himmelblau", "Himmelblau", "(x**2 + y - 11)**2 + (x + y**2 - 7)**2", _himmelblau,
            (-5.0, 5.0), (-5.0, 5.0), (0.0, 0.0),
            ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)), 300, True),
    Surface("rastrigin", "Rastrigin", "20 + x**2 - 10*tf.cos(2*3.141592653589793*x) + y**2 "
            "- 10*tf.cos(2*3.141592653589793*y)", _rastrigin,
            (-5.12, 5.12), (-5.12, 5.12), (3.2, -2.7), ((0.0, 0.0),), 300,
            learning_rates=(("sgd", 0.002), ("momentum", 0.002), ("nesterov", 0.002), ("adam", 0.1))),
]}


def custom_surface(formula: str) -> Surface:
    """A surface from an expression in x and y typed in the program language (never Python)."""
    trace, (ix, iy), target = expression(formula, ("x", "y"))

    def fn(x, y):
        x = tf.cast(x, tf.float32)
        y = tf.cast(y, tf.float32)
        return replay(trace, target, {ix: x, iy: y})

    grid = np.linspace(-1.3, 1.7, 4, dtype=np.float32)
    gx, gy = np.meshgrid(grid, grid[::-1])
    together = fn(tf.constant(gx), tf.constant(gy)).numpy()
    one_by_one = np.array([[float(fn(tf.constant(a), tf.constant(b))) for a, b in zip(ra, rb)]
                           for ra, rb in zip(gx, gy)])
    if together.shape != gx.shape or not np.allclose(together, one_by_one, rtol=1e-5, atol=1e-5, equal_nan=True):
        raise ProgramError("the surface must be computed entry by entry (elementwise ops only: no matmul, "
                           "reduce_*, reshape)", 1, 1)
    return Surface("custom", "Your function", formula.strip(), fn, steps=200)


def surface(surface_or_source: Surface | str) -> Surface:
    if isinstance(surface_or_source, Surface):
        return surface_or_source
    if surface_or_source in SURFACES:
        return SURFACES[surface_or_source]
    return custom_surface(surface_or_source)


def grid(s: Surface, n: int = 80) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs = np.linspace(*s.x_range, n, dtype=np.float32)
    ys = np.linspace(*s.y_range, n, dtype=np.float32)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.asarray(s.fn(tf.constant(gx), tf.constant(gy)).numpy(), dtype=np.float64)


# ---- optimizers -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OptimizerSpec:
    name: str                      # "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"
    title: str
    keras_class: str
    defaults: dict[str, float]     # hyperparameters besides the learning rate
    learning_rate: float


OPTIMIZERS: dict[str, OptimizerSpec] = {o.name: o for o in [
    OptimizerSpec("sgd", "SGD", "SGD", {}, 0.01),
    OptimizerSpec("momentum", "SGD + momentum", "SGD", {"momentum": 0.9}, 0.01),
    OptimizerSpec("nesterov", "Nesterov", "SGD", {"momentum": 0.9, "nesterov": True}, 0.01),
    OptimizerSpec("adagrad", "Adagrad", "Adagrad", {"initial_accumulator_value": 0.1, "epsilon": 1e-7}, 0.5),
    OptimizerSpec("rmsprop", "RMSprop", "RMSprop", {"rho": 0.9, "momentum": 0.0, "epsilon": 1e-7}, 0.01),
    OptimizerSpec("adam", "Adam", "Adam", {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}, 0.05),
]}

VELOCITY = {"momentum", "nesterov"}      # optimizers whose state is a velocity worth drawing


def make_optimizer(name: str, learning_rate: float, **hyper) -> keras.optimizers.Optimizer:
    spec = OPTIMIZERS[name]
    params = {**spec.defaults, **{k: v for k, v in hyper.items() if k in spec.defaults}}
    cls = {"SGD": keras.optimizers.SGD, "Adagrad": keras.optimizers.Adagrad,
           "RMSprop": keras.optimizers.RMSprop, "Adam": keras.optimizers.Adam}[spec.keras_class]
    return cls(learning_rate=learning_rate, **params)


def describe(name: str, learning_rate: float, **hyper) -> str:
    spec = OPTIMIZERS[name]
    params = {**spec.defaults, **{k: v for k, v in hyper.items() if k in spec.defaults}}
    shown = ", ".join(f"{k}={v}" for k, v in params.items() if k not in ("epsilon", "nesterov"))
    return f"{spec.title} (lr={learning_rate:g}" + (f", {shown}" if shown else "") + ")"


@dataclass
class Path:
    optimizer: str
    label: str                       # the optimizer and its settings, for legends
    points: np.ndarray               # (steps + 1, 2): the start, then each step; shorter if it diverged
    losses: np.ndarray               # (len(points),)
    gradients: np.ndarray            # (len(points), 2): the gradient at each point
    velocities: np.ndarray | None    # momentum methods: the optimizer's velocity after each step
    diverged_at: int | None          # the step at which it left the finite world, or None
    steps: int                       # steps asked for


class _Runner:
    """One compiled step loop for one (surface, optimizer, hyperparameters): Keras optimizer state and
    the point are reset before each call, so only the first call traces."""

    def __init__(self, s: Surface, name: str, hyper: dict[str, Any]):
        self.lock = threading.Lock()
        self.var = tf.Variable([0.0, 0.0], dtype=tf.float32)
        self.opt = make_optimizer(name, 0.01, **hyper)
        self.opt.build([self.var])
        self.initial = [v.numpy().copy() for v in self.opt.variables]   # e.g. Adagrad starts its sums at 0.1
        self.velocity = next((v for v in self.opt.variables if "momentum" in v.path), None) \
            if name in VELOCITY else None
        fn, var, opt, velocity = s.fn, self.var, self.opt, self.velocity

        @tf.function(reduce_retracing=True)
        def loop(n):
            points = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
            losses = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
            grads = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
            vels = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
            for i in tf.range(n + 1):
                with tf.GradientTape() as tape:
                    loss = fn(var[0], var[1])
                g = tape.gradient(loss, var)
                points = points.write(i, var.read_value())
                losses = losses.write(i, loss)
                grads = grads.write(i, g)
                vels = vels.write(i, tf.convert_to_tensor(velocity) if velocity is not None else tf.zeros(2))
                finite = tf.reduce_all(tf.math.is_finite(var)) & tf.math.is_finite(loss) \
                    & tf.reduce_all(tf.math.is_finite(g))
                big = tf.reduce_max(tf.abs(var)) > DIVERGED
                if not finite or big:
                    break
                if i < n:
                    opt.apply_gradients([(g, var)])
            return points.stack(), losses.stack(), grads.stack(), vels.stack()

        self.loop = loop

    def __call__(self, start, learning_rate: float, steps: int):
        with self.lock:
            for v, value in zip(self.opt.variables, self.initial):
                v.assign(value)
            self.opt.learning_rate.assign(learning_rate)
            self.var.assign(tf.constant(start, tf.float32))
            return [t.numpy() for t in self.loop(tf.constant(int(steps)))]


_RUNNERS: OrderedDict[tuple, _Runner] = OrderedDict()
_RUNNERS_LOCK = threading.Lock()
MAX_RUNNERS = 64


def _runner(s: Surface, name: str, hyper: dict[str, Any]) -> _Runner:
    key = (s.key, s.formula, name, tuple(sorted((k, float(v)) for k, v in hyper.items()
                                                 if k in OPTIMIZERS[name].defaults)))
    with _RUNNERS_LOCK:
        if key in _RUNNERS:
            _RUNNERS.move_to_end(key)
            return _RUNNERS[key]
    r = _Runner(s, name, hyper)
    with _RUNNERS_LOCK:
        _RUNNERS[key] = r
        while len(_RUNNERS) > MAX_RUNNERS:
            _RUNNERS.popitem(last=False)
    return r


def optimize(surface_or_source: Surface | str, optimizer: str = "sgd", start=None, steps: int | None = None,
             learning_rate: float | None = None, **hyperparameters) -> Path:
    """Run one Keras optimizer from `start` for `steps` steps on a surface (a name from SURFACES, a
    Surface, or an expression in x and y). The path has steps + 1 points unless it diverged."""
    s = surface(surface_or_source)
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose from {', '.join(OPTIMIZERS)}")
    lr = s.learning_rate(optimizer) if learning_rate is None else float(learning_rate)
    steps = s.steps if steps is None else int(steps)
    if not 1 <= steps <= 20_000:
        raise ValueError("steps must be between 1 and 20,000")
    start = s.start if start is None else (float(start[0]), float(start[1]))
    points, losses, grads, vels = _runner(s, optimizer, hyperparameters)(start, lr, steps)
    bad = ~np.isfinite(losses) | ~np.all(np.isfinite(points), axis=1) | (np.max(np.abs(points), axis=1) > DIVERGED)
    diverged = int(np.argmax(bad)) if bad.any() else None
    if diverged is None and len(points) < steps + 1:
        diverged = len(points) - 1
    return Path(optimizer, describe(optimizer, lr, **hyperparameters), points.astype(np.float64),
                losses.astype(np.float64), grads.astype(np.float64),
                vels.astype(np.float64) if optimizer in VELOCITY else None, diverged, steps)


def race(surface_or_source: Surface | str, optimizers: list[tuple[str, dict]] | list[str], start=None,
         steps: int | None = None) -> list[Path]:
    """Several optimizers from the same start: each item is a name or (name, {learning_rate, ...})."""
    out = []
    for item in optimizers:
        name, params = (item, {}) if isinstance(item, str) else item
        out.append(optimize(surface_or_source, name, start, steps, **params))
    return out


def sweep(surface_or_source: Surface | str, optimizer: str, learning_rates: list[float], start=None,
          steps: int | None = None, **hyperparameters) -> list[Path]:
    """One optimizer at several learning rates, to see slow convergence, oscillation and divergence."""
    return [optimize(surface_or_source, optimizer, start, steps, learning_rate=lr, **hyperparameters)
            for lr in learning_rates]


def race_code(s: Surface, configs: tuple, start: tuple, steps: int) -> str:
    """The race as plain TensorFlow and Keras: one loop per optimizer, to paste into a notebook."""
    lines = ["import tensorflow as tf", "", "def f(x, y):",
             f"    return {s.formula}",
             "", "paths = {}"]
    for name, params in configs:
        params = dict(params)
        spec = OPTIMIZERS[name]
        kwargs = {**spec.defaults, **{k: v for k, v in params.items() if k in spec.defaults}}
        args = ", ".join([f"learning_rate={params.get('learning_rate', s.learning_rate(name))}"]
                         + [f"{k}={v!r}" for k, v in kwargs.items()])
        lines += [f"xy = tf.Variable([{start[0]}, {start[1]}])",
                  f"opt = tf.keras.optimizers.{spec.keras_class}({args})",
                  "path = [xy.numpy()]", f"for step in range({steps}):",
                  "    with tf.GradientTape() as tape:", "        loss = f(xy[0], xy[1])",
                  "    grad = tape.gradient(loss, xy)", "    opt.apply_gradients([(grad, xy)])",
                  "    path.append(xy.numpy())", f"paths[{spec.title!r}] = path", ""]
    return "\n".join(lines)


def verdict(path: Path, minima: tuple[tuple[float, float], ...] = ()) -> str:
    """What happened, in words: diverged, reached a known minimum, stopped where the gradient vanishes,
    oscillating, or still descending."""
    if path.diverged_at is not None:
        return f"diverged at step {path.diverged_at}"
    losses = path.losses
    if len(losses) < 2:
        return "not started"
    end = path.points[-1]
    if any(np.hypot(end[0] - mx, end[1] - my) < 0.05 for mx, my in minima):
        return "reached the minimum"
    g0, g1 = (float(np.linalg.norm(path.gradients[i])) for i in (0, -1))
    rises = float(np.mean(np.diff(losses) > 1e-9 * max(1.0, abs(losses[0]))))
    if g1 <= 1e-3 * max(1.0, g0):
        return "stopped: gradient ≈ 0" + (" (a local minimum)" if minima else "")
    if rises > 0.3:
        return "oscillating"
    return "still descending (slow)"


# ---- one dimension ------------------------------------------------------------------------------------

@dataclass
class Path1D:
    xs: np.ndarray            # (steps + 1,)
    losses: np.ndarray
    slopes: np.ndarray        # dL/dx at each x, the tangent's slope
    learning_rate: float
    formula: str


def descend_1d(formula: str = "(x - 4)**2", start: float | None = None, learning_rate: float = 0.01,
               steps: int = 500, seed: int = 0) -> Path1D:
    """SGD on a function of one variable written in the program language, the update written as the MIT
    lab writes it: x.assign(x - lr * grad), inside one tf.function. Without a start, x is drawn from a
    standard normal with the seed."""
    trace, (ix,), target = expression(formula, ("x",))
    if start is None:
        start = float(np.random.default_rng(seed).normal())
    x = tf.Variable(float(start), dtype=tf.float32)
    lr = tf.constant(float(learning_rate), tf.float32)

    @tf.function
    def loop(n):
        xs = tf.TensorArray(tf.float32, size=n + 1)
        ls = tf.TensorArray(tf.float32, size=n + 1)
        gs = tf.TensorArray(tf.float32, size=n + 1)
        for i in tf.range(n + 1):
            with tf.GradientTape() as tape:
                loss = replay(trace, target, {ix: x.read_value()})
            grad = tape.gradient(loss, x)
            grad = tf.zeros_like(x) if grad is None else grad
            xs = xs.write(i, x.read_value())
            ls = ls.write(i, loss)
            gs = gs.write(i, grad)
            if i < n:
                x.assign(x - lr * grad)
        return xs.stack(), ls.stack(), gs.stack()

    xs, ls, gs = loop(tf.constant(int(steps)))
    return Path1D(xs.numpy().astype(np.float64), ls.numpy().astype(np.float64), gs.numpy().astype(np.float64),
                  float(learning_rate), formula.strip())


def curve_1d(formula: str, lo: float, hi: float, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    trace, (ix,), target = expression(formula, ("x",))
    xs = np.linspace(lo, hi, n, dtype=np.float32)
    ys = replay(trace, target, {ix: tf.constant(xs)}).numpy()
    return xs.astype(np.float64), np.broadcast_to(ys, xs.shape).astype(np.float64)


# ---- the linear classifier from scratch (Chollet 3.5.3) -----------------------------------------------

@dataclass
class Classifier:
    inputs: np.ndarray        # (2n, 2)
    targets: np.ndarray       # (2n, 1): 0 for the first cloud, 1 for the second
    W: np.ndarray             # (steps + 1, 2, 1)
    b: np.ndarray             # (steps + 1, 1)
    losses: np.ndarray        # (steps + 1,): the loss at W[k], b[k]
    accuracy: np.ndarray      # (steps + 1,)
    loss: str
    threshold: float          # 0.5 for the square loss, 0 for the logistic loss
    seed: int


def two_clouds(n: int = 1000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The book's data: n points per class from normals with means (0, 3) and (3, 0) and covariance
    [[1, 0.5], [0.5, 1]]."""
    rng = np.random.default_rng(seed)
    cov = [[1, 0.5], [0.5, 1]]
    negative = rng.multivariate_normal([0, 3], cov, size=n)
    positive = rng.multivariate_normal([3, 0], cov, size=n)
    inputs = np.vstack([negative, positive]).astype(np.float32)
    targets = np.vstack([np.zeros((n, 1)), np.ones((n, 1))]).astype(np.float32)
    return inputs, targets


def linear_classifier(loss: str = "square", learning_rate: float = 0.1, steps: int = 40, n: int = 1000,
                      seed: int = 0) -> Classifier:
    """The book's loop: predictions = inputs @ W + b, W -= lr * dL/dW, b -= lr * dL/db, full batch, with
    W drawn uniformly from [0, 1) and b zero; every step recorded."""
    if loss not in ("square", "logistic"):
        raise ValueError("loss must be 'square' or 'logistic'")
    inputs, targets = two_clouds(n, seed)
    rng = np.random.default_rng(seed + 1)
    W = tf.Variable(rng.uniform(0, 1, size=(2, 1)).astype(np.float32))
    b = tf.Variable(np.zeros((1,), np.float32))
    x, y = tf.constant(inputs), tf.constant(targets)
    lr = tf.constant(float(learning_rate), tf.float32)
    threshold = 0.5 if loss == "square" else 0.0

    def loss_fn(pred):
        if loss == "square":
            return tf.reduce_mean(tf.square(y - pred))
        return tf.reduce_mean(tf.math.softplus(pred) - y * pred)     # log(1 + e^o) - y·o

    @tf.function
    def loop(k):
        Ws = tf.TensorArray(tf.float32, size=k + 1)
        bs = tf.TensorArray(tf.float32, size=k + 1)
        ls = tf.TensorArray(tf.float32, size=k + 1)
        acc = tf.TensorArray(tf.float32, size=k + 1)
        for i in tf.range(k + 1):
            with tf.GradientTape() as tape:
                pred = tf.matmul(x, W) + b
                value = loss_fn(pred)
            grad_W, grad_b = tape.gradient(value, [W, b])
            Ws = Ws.write(i, W.read_value())
            bs = bs.write(i, b.read_value())
            ls = ls.write(i, value)
            acc = acc.write(i, tf.reduce_mean(tf.cast(tf.cast(pred > threshold, tf.float32) == y, tf.float32)))
            if i < k:
                W.assign_sub(grad_W * lr)
                b.assign_sub(grad_b * lr)
        return Ws.stack(), bs.stack(), ls.stack(), acc.stack()

    Ws, bs, ls, acc = loop(tf.constant(int(steps)))
    return Classifier(inputs, targets, Ws.numpy(), bs.numpy(), ls.numpy(), acc.numpy(), loss, threshold, seed)


def decision_line(W: np.ndarray, b: np.ndarray, threshold: float, xs: np.ndarray) -> np.ndarray:
    """y on the line W0 x + W1 y + b = threshold: y = -W0/W1 x + (threshold - b)/W1."""
    w0, w1 = float(W[0, 0]), float(W[1, 0])
    return -w0 / w1 * xs + (threshold - float(b[0])) / w1
