"""Gradient descent on loss surfaces with Keras's own optimizers, and the textbooks' training loops.

Every optimizer step is `tf.keras.optimizers.X.apply_gradients`, run many steps per call inside a
`tf.function`; what a student sees is exactly what Keras does. Compiled step loops are kept per surface
and set of optimizers (their hyperparameters besides the learning rate), per 1-D formula and per
classifier loss, and reset before each use: a page rerun, a new start, learning rate or seed does not
retrace.
"""

from __future__ import annotations

import functools
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
    minima: tuple[tuple[float, float], ...] = ()   # the global minima (a textbook's), where known
    steps: int = 200
    log_color: bool = False                        # contour colors on a log scale (steep surfaces)
    learning_rates: tuple[tuple[str, float], ...] = ()   # per optimizer, where its default does not suit
    bounded_below: bool | None = True              # None: not known (your own formula)
    window_min: float | None = None                # lowest f seen on the plotted window (your own formula)

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

    probe = np.linspace(-1.3, 1.7, 4, dtype=np.float32)
    gx, gy = np.meshgrid(probe, probe[::-1])
    together = fn(tf.constant(gx), tf.constant(gy)).numpy()
    one_by_one = np.array([[float(fn(tf.constant(a), tf.constant(b))) for a, b in zip(ra, rb)]
                           for ra, rb in zip(gx, gy)])
    if together.shape != gx.shape or not np.allclose(together, one_by_one, rtol=1e-5, atol=1e-5, equal_nan=True):
        raise ProgramError("the surface must be computed entry by entry (elementwise ops only: no matmul, "
                           "reduce_*, reshape)", 1, 1)
    _, _, z = grid(Surface("custom", "", formula, fn), 41)
    floor = float(np.nanmin(z)) if np.isfinite(z).any() else None
    return Surface("custom", "Your function", formula.strip(), fn, steps=200, bounded_below=None, window_min=floor)


def lowest_value(s: Surface) -> float | None:
    """f at the surface's known global minima (a textbook's value), or None where they are not known."""
    if not s.minima:
        return None
    m = np.array(s.minima, np.float32)
    return float(np.min(s.fn(tf.constant(m[:, 0]), tf.constant(m[:, 1])).numpy()))


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
    hessian: np.ndarray | None = None   # (2, 2) at the last point
    stationary: tuple[np.ndarray, np.ndarray] | None = None   # the stationary point Newton's method finds
                                                              # from the last point, and the Hessian there


def _own(fn: Callable) -> Callable:
    """`fn` for tf.function, counted on its own: TensorFlow's retracing warning adds up the traces of
    every function with the same code, and one loop per surface is one trace each, not a retrace."""
    return functools.partial(fn)


Lane = tuple[str, tuple[tuple[str, float], ...]]   # an optimizer and its hyperparameters besides the rate


def _lane(name: str, hyper: dict[str, Any]) -> Lane:
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZERS)}")
    return name, tuple(sorted((k, float(v)) for k, v in hyper.items() if k in OPTIMIZERS[name].defaults))


class _Race:
    """One compiled step loop for several optimizers side by side on one surface (a race, or one optimizer
    at several learning rates). Every step evaluates the surface once for all their points and calls each
    Keras optimizer's apply_gradients on its own point. Learning rates, starts and the number of steps are
    inputs; the optimizers' state is reset before each call, so only the first call traces.

    Written as an explicit tf.while_loop with autograph off: autograph's conversion of the loop body was
    three quarters of the tracing time (0.8 s per optimizer), the time a new surface made a user wait."""

    CHUNK = 500        # steps per call when someone is watching the progress
    QUICK = 12_000     # optimizer steps a compiled loop runs in well under a second: no progress shown

    def __init__(self, s: Surface, lanes: tuple[Lane, ...]):
        self.lock = threading.Lock()
        self.lanes = lanes
        self.vars = [tf.Variable([0.0, 0.0], dtype=tf.float32) for _ in lanes]
        self.opts = [make_optimizer(name, 0.01, **dict(hyper)) for name, hyper in lanes]
        for opt, var in zip(self.opts, self.vars):
            opt.build([var])
        self.initial = [[v.numpy().copy() for v in opt.variables] for opt in self.opts]   # Adagrad: 0.1
        self.velocity = [next((v for v in opt.variables if "momentum" in v.path), None) if name in VELOCITY
                         else None for opt, (name, _) in zip(self.opts, lanes)]
        self.traced = False
        self.loop = tf.function(_own(self._loop), autograph=False, reduce_retracing=True)
        self.fn = s.fn

    def _points(self) -> tf.Tensor:
        return tf.stack([tf.convert_to_tensor(v) for v in self.vars])

    def _loop(self, first, last, alive):
        """Steps first … last (the point after the last update is recorded, no update after `last`)."""
        k = len(self.lanes)

        def body(i, alive, record):
            with tf.GradientTape() as tape:
                p = self._points()
                tape.watch(p)
                loss = self.fn(p[:, 0], p[:, 1]) + tf.zeros([k])    # a formula without x or y: still (k,)
                total = tf.reduce_sum(loss)                          # lanes are independent: d total/d p_j
            g = tape.gradient(total, p, unconnected_gradients=tf.UnconnectedGradients.ZERO)
            vel = tf.stack([tf.convert_to_tensor(v) if v is not None else tf.zeros(2) for v in self.velocity])
            record = record.write(i - first, tf.concat([p, loss[:, None], g, vel], 1))
            ok = (tf.reduce_all(tf.math.is_finite(p), 1) & tf.math.is_finite(loss)
                  & tf.reduce_all(tf.math.is_finite(g), 1) & (tf.reduce_max(tf.abs(p), 1) <= DIVERGED))
            alive = alive & ok

            def update():
                for j, (opt, var) in enumerate(zip(self.opts, self.vars)):
                    opt.apply_gradients([(g[j], var)])
                return tf.constant(0)

            tf.cond(i < last, update, lambda: tf.constant(0))
            return i + 1, alive, record

        record = tf.TensorArray(tf.float32, size=last - first + 1)
        _, alive, record = tf.while_loop(lambda i, alive, record: (i <= last) & tf.reduce_any(alive), body,
                                         (first, alive, record))
        return record.stack(), alive

    def __call__(self, starts, rates, steps: int, progress=None) -> np.ndarray:
        """(steps + 1, lanes, 7): x, y, loss, gradient x and y, velocity x and y, at each step; fewer rows
        if every lane left the finite world."""
        with self.lock:
            for opt, initial, rate in zip(self.opts, self.initial, rates):
                for v, value in zip(opt.variables, initial):
                    v.assign(value)
                opt.learning_rate.assign(float(rate))
            for var, start in zip(self.vars, starts):
                var.assign(np.asarray(start, np.float32))
            alive = tf.ones([len(self.lanes)], tf.bool)
            if self.traced and (steps + 1) * len(self.lanes) <= self.QUICK:
                progress = None                 # a bar flashing up for a blink says nothing
            chunk = self.CHUNK if progress is not None else steps + 1
            parts, first = [], 0
            while first <= steps:
                last = min(first + chunk - 1, steps)
                if progress is not None:
                    progress(first / (steps + 1), f"step {first:,} of {steps:,}" if self.traced else
                             f"compiling one step loop for {len(self.lanes)} optimizer"
                             f"{'s' if len(self.lanes) > 1 else ''} on this surface (once per surface)")
                record, alive = self.loop(tf.constant(first), tf.constant(last), alive)
                self.traced = True
                parts.append(record.numpy())
                if len(parts[-1]) < last - first + 1 or not bool(tf.reduce_any(alive)):
                    break
                first = last + 1
            return np.concatenate(parts)


_COMPILED: OrderedDict[tuple, Any] = OrderedDict()     # compiled loops, most recently used last
_COMPILED_LOCK = threading.Lock()
MAX_COMPILED = 64


def _compiled(key: tuple, make: Callable[[], Any]) -> Any:
    """The compiled loop for `key`, made once (tracing is the expensive part) and kept for every session."""
    with _COMPILED_LOCK:
        if key in _COMPILED:
            _COMPILED.move_to_end(key)
            return _COMPILED[key]
    made = make()
    with _COMPILED_LOCK:
        made = _COMPILED.setdefault(key, made)
        while len(_COMPILED) > MAX_COMPILED:
            _COMPILED.popitem(last=False)
    return made


def _runner(s: Surface, lanes: tuple[Lane, ...]) -> _Race:
    return _compiled(("race", s.key, s.formula, lanes), lambda: _Race(s, lanes))


def compiled(surface_or_source: Surface | str, optimizers: list[tuple[str, dict]]) -> bool:
    """Has a race of these optimizers (names and hyperparameters; learning rates do not count, they are
    inputs) on this surface its loop compiled already? Then running it costs no tracing."""
    s = surface(surface_or_source)
    lanes = tuple(_lane(name, dict(params)) for name, params in optimizers)
    key = ("race", s.key, s.formula, lanes)
    with _COMPILED_LOCK:
        return key in _COMPILED and _COMPILED[key].traced


def _derivatives_fn(s: Surface) -> Callable:
    def both(p):
        with tf.GradientTape(persistent=True) as outer:
            outer.watch(p)
            with tf.GradientTape() as inner:
                inner.watch(p)
                total = tf.reduce_sum(s.fn(p[:, 0], p[:, 1]) + tf.zeros_like(p[:, 0]))
            g = inner.gradient(total, p, unconnected_gradients=tf.UnconnectedGradients.ZERO)
            rows = [tf.reduce_sum(g[:, 0]), tf.reduce_sum(g[:, 1])]
        h = [outer.gradient(r, p, unconnected_gradients=tf.UnconnectedGradients.ZERO) for r in rows]
        return g, tf.stack(h, axis=1)

    return tf.function(_own(both), autograph=False, input_signature=[tf.TensorSpec([None, 2], tf.float32)])


def derivatives(s: Surface, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(n, 2) gradients and (n, 2, 2) Hessians of f at n points, from nested tapes (compiled per surface)."""
    fn = _compiled(("derivatives", s.key, s.formula), lambda: _derivatives_fn(s))
    g, h = fn(tf.constant(np.asarray(points, np.float32).reshape(-1, 2)))
    return g.numpy().astype(np.float64), h.numpy().astype(np.float64)


def stationary_points(s: Surface, points: np.ndarray, iterations: int = 12) -> list[tuple | None]:
    """For each point, the stationary point (gradient 0) Newton's method converges to from there and the
    Hessian at it, or None where it does not converge (singular Hessian, or still moving)."""
    p = np.asarray(points, np.float64).reshape(-1, 2).copy()
    span = max(s.x_range[1] - s.x_range[0], s.y_range[1] - s.y_range[0])
    done = np.zeros(len(p), bool)
    failed = np.zeros(len(p), bool)
    for _ in range(iterations):
        g, h = derivatives(s, p)
        det = h[:, 0, 0] * h[:, 1, 1] - h[:, 0, 1] * h[:, 1, 0]
        failed |= ~np.isfinite(det) | (np.abs(det) <= 1e-12 * np.maximum(1.0, np.abs(h).max(axis=(1, 2))) ** 2)
        safe = np.where(failed[:, None, None], np.eye(2), h)
        step = np.linalg.solve(safe, np.where(failed[:, None], 0.0, g)[..., None])[..., 0]
        p = np.where(done[:, None] | failed[:, None], p, p - step)
        done |= np.linalg.norm(step, axis=1) <= 1e-4 * span       # float32 gradients: noise below this
        if np.all(done | failed):
            break
    _, h = derivatives(s, p)
    return [(p[i], h[i]) if done[i] and not failed[i] and np.all(np.isfinite(p[i])) else None for i in range(len(p))]


def _paths(s: Surface, lanes: tuple[Lane, ...], rates: list[float], start, steps: int, progress=None) -> list[Path]:
    record = _runner(s, lanes)([start] * len(lanes), rates, steps, progress)
    out = []
    for j, ((name, hyper), lr) in enumerate(zip(lanes, rates)):
        rec = record[:, j, :].astype(np.float64)
        points, losses, grads, vels = rec[:, 0:2], rec[:, 2], rec[:, 3:5], rec[:, 5:7]
        bad = ~np.isfinite(losses) | ~np.all(np.isfinite(points), axis=1) | ~np.all(np.isfinite(grads), axis=1) \
            | (np.max(np.abs(points), axis=1) > DIVERGED)
        diverged = int(np.argmax(bad)) if bad.any() else None
        keep = len(points) if diverged is None else diverged + 1
        out.append(Path(name, describe(name, lr, **dict(hyper)), points[:keep], losses[:keep], grads[:keep],
                        vels[:keep] if name in VELOCITY else None, diverged, steps))
    ends = [p for p in out if p.diverged_at is None]
    if ends:
        last = np.array([p.points[-1] for p in ends])
        for p, h, found in zip(ends, derivatives(s, last)[1], stationary_points(s, last)):
            p.hessian, p.stationary = h, found
    return out


def _steps_and_start(s: Surface, start, steps) -> tuple[tuple[float, float], int]:
    steps = s.steps if steps is None else int(steps)
    if not 1 <= steps <= 20_000:
        raise ValueError("steps must be between 1 and 20,000")
    return (s.start if start is None else (float(start[0]), float(start[1]))), steps


def optimize(surface_or_source: Surface | str, optimizer: str = "sgd", start=None, steps: int | None = None,
             learning_rate: float | None = None, **hyperparameters) -> Path:
    """Run one Keras optimizer from `start` for `steps` steps on a surface (a name from SURFACES, a
    Surface, or an expression in x and y). The path has steps + 1 points unless it diverged."""
    s = surface(surface_or_source)
    lane = _lane(optimizer, hyperparameters)
    start, steps = _steps_and_start(s, start, steps)
    lr = s.learning_rate(optimizer) if learning_rate is None else float(learning_rate)
    return _paths(s, (lane,), [lr], start, steps)[0]


def race(surface_or_source: Surface | str, optimizers: list[tuple[str, dict]] | list[str], start=None,
         steps: int | None = None, progress: Callable[[float, str], None] | None = None) -> list[Path]:
    """Several optimizers from the same start: each item is a name or (name, {learning_rate, ...}).
    They run side by side in one compiled loop; `progress(fraction, text)` hears how far it has got."""
    s = surface(surface_or_source)
    items = [(item, {}) if isinstance(item, str) else (item[0], dict(item[1])) for item in optimizers]
    lanes = tuple(_lane(name, params) for name, params in items)
    rates = [float(params.get("learning_rate", s.learning_rate(name))) for name, params in items]
    start, steps = _steps_and_start(s, start, steps)
    return _paths(s, lanes, rates, start, steps, progress)


def sweep(surface_or_source: Surface | str, optimizer: str, learning_rates: list[float], start=None,
          steps: int | None = None, progress: Callable[[float, str], None] | None = None,
          **hyperparameters) -> list[Path]:
    """One optimizer at several learning rates, to see slow convergence, oscillation and divergence. Each
    rate runs in turn through the one compiled loop of that optimizer alone (the rate is an input), so
    adding or removing a rate compiles nothing."""
    s = surface(surface_or_source)
    lane = _lane(optimizer, hyperparameters)
    start, steps = _steps_and_start(s, start, steps)
    rates = [float(r) for r in learning_rates]
    paths = []
    for i, rate in enumerate(rates):
        report = None if progress is None else (
            lambda f, text, i=i, rate=rate: progress((i + f) / len(rates), f"learning rate {rate:g}: {text}"))
        paths += _paths(s, (lane,), [rate], start, steps, report)
    return paths


# ---- one dimension ------------------------------------------------------------------------------------

@dataclass
class Path1D:
    xs: np.ndarray            # (steps + 1,)
    losses: np.ndarray
    slopes: np.ndarray        # dL/dx at each x, the tangent's slope
    learning_rate: float
    formula: str


class _Descent1D:
    """The MIT lab's loop for one formula, compiled once: x and the learning rate are variables."""

    def __init__(self, formula: str):
        trace, (ix,), target = expression(formula, ("x",))
        self.lock = threading.Lock()
        self.x = tf.Variable(0.0, dtype=tf.float32)
        self.lr = tf.Variable(0.0, dtype=tf.float32)

        def body(i, n, xs, ls, gs):
            with tf.GradientTape() as tape:
                tape.watch(self.x)
                loss = tf.reshape(replay(trace, target, {ix: self.x.read_value()}), [])
            grad = tape.gradient(loss, self.x, unconnected_gradients=tf.UnconnectedGradients.ZERO)
            xs, ls, gs = xs.write(i, self.x.read_value()), ls.write(i, loss), gs.write(i, grad)
            tf.cond(i < n, lambda: self.x.assign(self.x - self.lr * grad).read_value(), lambda: self.x.read_value())
            return i + 1, n, xs, ls, gs

        def loop(n):
            arrays = [tf.TensorArray(tf.float32, size=n + 1) for _ in range(3)]
            out = tf.while_loop(lambda i, n, *_: i <= n, body, (tf.constant(0), n, *arrays))
            return [a.stack() for a in out[2:]]

        self.loop = tf.function(_own(loop), autograph=False)

    def __call__(self, start: float, learning_rate: float, steps: int):
        with self.lock:
            self.x.assign(float(start))
            self.lr.assign(float(learning_rate))
            return [t.numpy().astype(np.float64) for t in self.loop(tf.constant(int(steps)))]


def descend_1d(formula: str = "(x - 4)**2", start: float | None = None, learning_rate: float = 0.01,
               steps: int = 500, seed: int = 0) -> Path1D:
    """SGD on a function of one variable written in the program language, the update written as the MIT
    lab writes it: x.assign(x - lr * grad), inside one tf.function. Without a start, x is drawn from a
    standard normal with the seed."""
    if start is None:
        start = float(np.random.default_rng(seed).normal())
    if not 1 <= int(steps) <= 20_000:
        raise ValueError("steps must be between 1 and 20,000")
    run = _compiled(("1d", formula.strip()), lambda: _Descent1D(formula))
    xs, ls, gs = run(start, learning_rate, steps)
    return Path1D(xs, ls, gs, float(learning_rate), formula.strip())


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
    W0 = np.random.default_rng(seed + 1).uniform(0, 1, size=(2, 1)).astype(np.float32)
    run = _compiled(("classifier", loss), lambda: _Classifier(loss))
    Ws, bs, ls, acc = run(inputs, targets, W0, learning_rate, steps)
    return Classifier(inputs, targets, Ws, bs, ls, acc, loss, run.threshold, seed)


class _Classifier:
    """The book's training step for one loss, compiled once: W, b and the learning rate are variables,
    the data an input."""

    def __init__(self, loss: str):
        self.lock = threading.Lock()
        self.W = tf.Variable(tf.zeros((2, 1)))
        self.b = tf.Variable(tf.zeros((1,)))
        self.lr = tf.Variable(0.0)
        self.threshold = 0.5 if loss == "square" else 0.0
        W, b, lr, threshold = self.W, self.b, self.lr, self.threshold

        def loss_fn(y, pred):
            if loss == "square":
                return tf.reduce_mean(tf.square(y - pred))
            return tf.reduce_mean(tf.math.softplus(pred) - y * pred)     # log(1 + e^o) - y·o

        def loop(x, y, k):
            def body(i, *arrays):
                with tf.GradientTape() as tape:
                    pred = tf.matmul(x, W) + b
                    value = loss_fn(y, pred)
                grad_W, grad_b = tape.gradient(value, [W, b])
                accuracy = tf.reduce_mean(tf.cast(tf.cast(pred > threshold, tf.float32) == y, tf.float32))
                arrays = [a.write(i, v) for a, v in zip(arrays, (W.read_value(), b.read_value(), value, accuracy))]

                def update():
                    W.assign_sub(grad_W * lr)
                    b.assign_sub(grad_b * lr)
                    return tf.constant(0)

                tf.cond(i < k, update, lambda: tf.constant(0))
                return (i + 1, *arrays)

            arrays = [tf.TensorArray(tf.float32, size=k + 1) for _ in range(4)]
            out = tf.while_loop(lambda i, *_: i <= k, body, (tf.constant(0), *arrays))
            return [a.stack() for a in out[1:]]

        self.loop = tf.function(_own(loop), autograph=False, reduce_retracing=True)

    def __call__(self, inputs, targets, W0, learning_rate: float, steps: int):
        with self.lock:
            self.W.assign(W0)
            self.b.assign(np.zeros((1,), np.float32))
            self.lr.assign(float(learning_rate))
            return [t.numpy() for t in self.loop(tf.constant(inputs), tf.constant(targets), tf.constant(int(steps)))]


def decision_line(W: np.ndarray, b: np.ndarray, threshold: float, xs: np.ndarray) -> np.ndarray:
    """y on the line W0 x + W1 y + b = threshold: y = -W0/W1 x + (threshold - b)/W1."""
    w0, w1 = float(W[0, 0]), float(W[1, 0])
    return -w0 / w1 * xs + (threshold - float(b[0])) / w1
