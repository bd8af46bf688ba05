"""The network playground: TensorFlow Playground's data sets, features and networks, trained with Keras
layers, losses and optimizers in a compiled loop, plus what its users ask for (optimizers, multiclass,
gradients on the weights, one point traced through the graph model, how each layer bends space, your
own data, export).

Each Trainer owns its model, optimizer, data and random streams: no global seed or Keras session is
touched, so two sessions training at once get exactly what each would get alone.
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import keras
import numpy as np
import pandas as pd
import tensorflow as tf
from sklearn import datasets as skd

from .expressions import expression
from .higher import replay

CLASSIFICATION = ("circle", "xor", "gauss", "spiral", "moons", "blobs")
REGRESSION = ("plane", "multigauss")
FEATURES = {"x1": "X₁", "x2": "X₂", "x1sq": "X₁²", "x2sq": "X₂²", "x1x2": "X₁X₂", "sinx1": "sin X₁",
            "sinx2": "sin X₂"}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
MAX_ROWS = 5000
DOMAIN = 6.0            # inputs live in [-6, 6]², as in TensorFlow Playground


@dataclass
class Dataset:
    x: np.ndarray                   # (n, 2) float32
    y: np.ndarray                   # (n,) int32 class labels, or float32 targets for regression
    kind: str                       # "classification" or "regression"
    classes: int = 2                # classification only
    name: str = ""

    @property
    def n(self) -> int:
        return len(self.x)


# ---- data ---------------------------------------------------------------------------------------------

def make_dataset(name: str, n: int = 400, noise: float = 0.0, seed: int = 0, classes: int = 3) -> Dataset:
    """A data set by name: classification circle, xor, gauss, spiral, moons, blobs (3-5 classes);
    regression plane, multigauss. `noise` is 0-0.5 as in TensorFlow Playground; inputs in [-6, 6]²."""
    rng = np.random.default_rng(seed)
    if name == "circle":
        x, y = skd.make_circles(n, noise=noise * 0.5, factor=0.45, random_state=seed)
        x = x * 5
    elif name == "moons":
        x, y = skd.make_moons(n, noise=noise * 0.6, random_state=seed)
        x = (x - [0.5, 0.25]) * 3.5
    elif name == "gauss":
        x, y = skd.make_blobs(n, centers=[[2, 2], [-2, -2]], cluster_std=0.6 + noise * 4, random_state=seed)
    elif name == "blobs":
        if not 3 <= classes <= 5:
            raise ValueError("blobs has 3 to 5 classes")
        angles = np.linspace(0, 2 * np.pi, classes, endpoint=False)
        centers = np.stack([3.2 * np.cos(angles), 3.2 * np.sin(angles)], axis=1)
        x, y = skd.make_blobs(n, centers=centers, cluster_std=0.7 + noise * 4, random_state=seed)
    elif name == "xor":
        x = rng.uniform(-5, 5, size=(n, 2))
        x += np.sign(x) * 0.3                                      # a small margin around the axes
        y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(int)
        x = x + rng.normal(0, noise * 2, size=x.shape)
    elif name == "spiral":
        half = n // 2
        t = np.sqrt(rng.uniform(0, 1, size=half)) * 3 * np.pi / 1.2
        arms = []
        for k, delta in enumerate((0.0, np.pi)):
            r = t * 5 / (3 * np.pi / 1.2)
            arms.append(np.stack([r * np.sin(t + delta), r * np.cos(t + delta)], axis=1))
        x = np.vstack(arms) + rng.normal(0, noise * 1.5, size=(2 * half, 2))
        y = np.repeat([0, 1], half)
    elif name == "plane":
        x = rng.uniform(-DOMAIN, DOMAIN, size=(n, 2))
        y = (x[:, 0] + x[:, 1]) / 12 + rng.normal(0, noise, size=n)
        return Dataset(x.astype(np.float32), y.astype(np.float32), "regression", 0, name)
    elif name == "multigauss":
        x = rng.uniform(-DOMAIN, DOMAIN, size=(n, 2))
        centers = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
        y = sum(s * np.exp(-((x[:, 0] - cx) ** 2 + (x[:, 1] - cy) ** 2) / 2) for cx, cy, s in centers)
        y = y + rng.normal(0, noise, size=n)
        return Dataset(x.astype(np.float32), y.astype(np.float32), "regression", 0, name)
    else:
        raise ValueError(f"unknown data set {name!r}")
    x = np.clip(x, -DOMAIN, DOMAIN)
    return Dataset(x.astype(np.float32), np.asarray(y, np.int32), "classification", int(np.max(y)) + 1, name)


def curve_dataset(formula: str, n: int = 400, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Points above (class 1) and below (class 0) the curve y = f(x), f typed in the program language."""
    f = function_of_x(formula)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-DOMAIN, DOMAIN, size=(n, 2)).astype(np.float32)
    boundary = f(x[:, 0])
    y = (x[:, 1] > boundary).astype(np.int32)
    flip = rng.uniform(size=n) < noise * 0.5
    y[flip] = 1 - y[flip]
    return Dataset(x, y, "classification", 2, f"y = {formula.strip()}")


def function_of_x(formula: str):
    trace, (ix,), target = expression(formula, ("x",))

    def f(xs: np.ndarray) -> np.ndarray:
        out = replay(trace, target, {ix: tf.constant(np.asarray(xs, np.float32))}).numpy()
        return np.broadcast_to(out, np.shape(xs)).astype(np.float32)

    return f


def load_csv(data: bytes | str, kind: str = "classification") -> Dataset:
    """A CSV with columns x1, x2, label. Every problem is a ValueError that says what to fix."""
    try:
        frame = pd.read_csv(io.StringIO(data.decode("utf-8") if isinstance(data, bytes) else data))
    except UnicodeDecodeError:
        raise ValueError("the file is not UTF-8 text: save it as CSV") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise ValueError(f"not a readable CSV: {str(e).splitlines()[0]}") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in ("x1", "x2", "label") if c not in frame.columns]
    if missing:
        raise ValueError(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}: the header must "
                         f"be x1,x2,label (found {', '.join(frame.columns) or 'none'})")
    if len(frame) == 0:
        raise ValueError("the file has a header but no rows")
    if len(frame) > MAX_ROWS:
        raise ValueError(f"{len(frame):,} rows: the limit is {MAX_ROWS:,}")
    for col in ("x1", "x2", "label"):
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.astype(float))
        if bad.any():
            row = int(np.argmax(bad.values))
            raise ValueError(f"row {row + 2}, column {col}: {frame[col].iloc[row]!r} is not a number")
        frame[col] = values
    x = frame[["x1", "x2"]].to_numpy(np.float32)
    if kind == "regression":
        return Dataset(x, frame["label"].to_numpy(np.float32), "regression", 0, "your CSV")
    labels = frame["label"].to_numpy()
    if not np.all(labels == np.round(labels)) or labels.min() < 0:
        raise ValueError("labels must be whole numbers 0, 1, … for classification")
    classes = int(labels.max()) + 1
    if classes < 2 or classes > 5:
        raise ValueError(f"{classes} classes: use 2 to 5 (labels 0 to 4)")
    return Dataset(x, labels.astype(np.int32), "classification", classes, "your CSV")


def add_point(data: Dataset, x1: float, x2: float, label: float) -> Dataset:
    y = np.append(data.y, np.asarray(label, data.y.dtype))
    classes = max(data.classes, int(label) + 1) if data.kind == "classification" else 0
    return replace(data, x=np.vstack([data.x, [[x1, x2]]]).astype(np.float32), y=y, classes=classes)


def split(data: Dataset, train_ratio: float = 0.5, seed: int = 0) -> tuple[Dataset, Dataset]:
    order = np.random.default_rng(seed).permutation(data.n)
    k = max(1, min(data.n - 1, int(round(data.n * train_ratio))))
    take = lambda idx: replace(data, x=data.x[idx], y=data.y[idx])  # noqa: E731
    return take(order[:k]), take(order[k:])


def features(x: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    cols = {"x1": x[:, 0], "x2": x[:, 1], "x1sq": x[:, 0] ** 2, "x2sq": x[:, 1] ** 2, "x1x2": x[:, 0] * x[:, 1],
            "sinx1": np.sin(x[:, 0]), "sinx2": np.sin(x[:, 1])}
    return np.stack([cols[n] for n in names], axis=1).astype(np.float32)


# ---- the network --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NetworkSpec:
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    learning_rate: float = 0.03
    batch_size: int = 10
    optimizer: str = "sgd"
    regularization: str | None = None       # None, "l1" or "l2"
    regularization_rate: float = 0.0
    seed: int = 0

    def __post_init__(self):
        if not self.features or any(f not in FEATURES for f in self.features):
            raise ValueError(f"features must be some of {', '.join(FEATURES)}")
        if len(self.hidden) > 6 or any(not 1 <= h <= 8 for h in self.hidden):
            raise ValueError("0 to 6 hidden layers of 1 to 8 neurons")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}")
        if self.regularization not in (None, "l1", "l2"):
            raise ValueError("regularization must be None, 'l1' or 'l2'")


def build_model(spec: NetworkSpec, outputs: int) -> keras.Sequential:
    """Dense layers with seeded Glorot initializers (no global seed), the chosen activation, and an
    output layer giving logits (classification) or the value (regression)."""
    reg = None
    if spec.regularization == "l1":
        reg = keras.regularizers.L1(spec.regularization_rate)
    elif spec.regularization == "l2":
        reg = keras.regularizers.L2(spec.regularization_rate)
    layers = [keras.Input((len(spec.features),))]
    for i, units in enumerate(spec.hidden):
        layers.append(keras.layers.Dense(units, activation=spec.activation, kernel_regularizer=reg,
                                         kernel_initializer=keras.initializers.GlorotUniform(seed=spec.seed * 101 + i),
                                         name=f"hidden_{i + 1}"))
    layers.append(keras.layers.Dense(outputs, kernel_regularizer=reg, name="output",
                                     kernel_initializer=keras.initializers.GlorotUniform(seed=spec.seed * 101 + 99)))
    return keras.Sequential(layers)


def make_optimizer(spec: NetworkSpec) -> keras.optimizers.Optimizer:
    lr = spec.learning_rate
    return {"sgd": lambda: keras.optimizers.SGD(lr), "momentum": lambda: keras.optimizers.SGD(lr, momentum=0.9),
            "rmsprop": lambda: keras.optimizers.RMSprop(lr), "adam": lambda: keras.optimizers.Adam(lr)}[spec.optimizer]()


@dataclass
class History:
    steps: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)


class Trainer:
    """One network on one data set. `steps(n)` trains n mini-batch steps in one compiled call; batches
    are drawn from a stateless generator seeded by (seed, step), so results depend on the seed only."""

    def __init__(self, spec: NetworkSpec, train: Dataset, test: Dataset):
        self.spec, self.train_data, self.test_data = spec, train, test
        self.kind = train.kind
        self.outputs = (1 if train.classes == 2 else train.classes) if self.kind == "classification" else 1
        self.model = build_model(spec, self.outputs)
        # Keras's losses, on logits for classification (the sigmoid / softmax is inside the loss)
        self.loss_fn = (keras.losses.MeanSquaredError() if self.kind == "regression" else
                        keras.losses.BinaryCrossentropy(from_logits=True) if self.outputs == 1 else
                        keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        self.optimizer = make_optimizer(spec)
        self.optimizer.build(self.model.trainable_variables)
        self.xtr = tf.constant(features(train.x, spec.features))
        self.ytr = tf.constant(self._targets(train.y))
        self.xte = tf.constant(features(test.x, spec.features)) if test.n else self.xtr
        self.yte = tf.constant(self._targets(test.y)) if test.n else self.ytr
        self.step = 0
        self.history = History()
        self.snapshots: list[tuple[int, list[np.ndarray]]] = []
        self.lock = threading.Lock()
        self._compile()
        self._record()

    def _targets(self, y: np.ndarray) -> np.ndarray:
        if self.kind == "regression":
            return y.reshape(-1, 1).astype(np.float32)
        if self.outputs == 1:
            return y.reshape(-1, 1).astype(np.float32)
        return y.astype(np.int32)

    def _loss(self, out, y):
        return self.loss_fn(y, out)

    def _accuracy(self, out, y):
        if self.kind == "regression":
            return tf.constant(float("nan"))
        if self.outputs == 1:
            return tf.reduce_mean(tf.cast(tf.cast(out > 0, tf.float32) == y, tf.float32))
        return tf.reduce_mean(tf.cast(tf.cast(tf.argmax(out, axis=1), tf.int32) == y, tf.float32))

    def _compile(self) -> None:
        model, opt, spec = self.model, self.optimizer, self.spec
        x, y, n = self.xtr, self.ytr, int(self.xtr.shape[0])
        batch = max(1, min(spec.batch_size, n))
        seed = spec.seed

        @tf.function(reduce_retracing=True)
        def train_steps(first, count):
            total = tf.constant(0.0)
            for k in tf.range(count):
                idx = tf.random.stateless_uniform([batch], seed=tf.stack([tf.cast(seed, tf.int64),
                                                                          tf.cast(first + k, tf.int64)]),
                                                  maxval=n, dtype=tf.int32)
                xb, yb = tf.gather(x, idx), tf.gather(y, idx)
                with tf.GradientTape() as tape:
                    out = model(xb, training=True)
                    loss = self._loss(out, yb) + tf.add_n([tf.constant(0.0)] + model.losses)
                grads = tape.gradient(loss, model.trainable_variables)
                opt.apply_gradients(zip(grads, model.trainable_variables))
                total += loss
            return total / tf.cast(tf.maximum(count, 1), tf.float32)

        @tf.function(reduce_retracing=True)
        def evaluate(xs, ys):
            out = model(xs, training=False)
            return self._loss(out, ys), self._accuracy(out, ys)

        @tf.function(reduce_retracing=True)
        def layer_outputs(xs):
            outs, h = [], xs
            for layer in model.layers:
                h = layer(h)
                outs.append(h)
            return outs

        self._train_steps, self._evaluate, self._layer_outputs = train_steps, evaluate, layer_outputs

    @property
    def epoch(self) -> float:
        return self.step * min(self.spec.batch_size, int(self.xtr.shape[0])) / int(self.xtr.shape[0])

    def steps(self, count: int) -> None:
        with self.lock:
            if count > 0:
                self._train_steps(tf.constant(self.step, tf.int64), tf.constant(int(count), tf.int64))
                self.step += int(count)
            self._record()

    def _record(self) -> None:
        tl, ta = (float(v) for v in self._evaluate(self.xtr, self.ytr))
        vl, va = (float(v) for v in self._evaluate(self.xte, self.yte))
        h = self.history
        h.steps.append(self.step)
        h.train_loss.append(tl)
        h.test_loss.append(vl)
        h.train_accuracy.append(ta)
        h.test_accuracy.append(va)
        self.snapshots.append((self.step, [w.numpy().copy() for w in self.model.weights]))
        if len(self.snapshots) > 120:                    # keep an even spread for the replay
            self.snapshots = self.snapshots[::2] + ([self.snapshots[-1]] if len(self.snapshots) % 2 == 0 else [])

    # -- what the page draws -------------------------------------------------------------------------

    def grid(self, n: int = 60) -> tuple[np.ndarray, np.ndarray]:
        axis = np.linspace(-DOMAIN, DOMAIN, n, dtype=np.float32)
        gx, gy = np.meshgrid(axis, axis)
        return axis, np.stack([gx.ravel(), gy.ravel()], axis=1)

    def output_grid(self, n: int = 60) -> np.ndarray:
        """The network's answer over the input plane, (n, n): P(class 1), the winning class, or the value."""
        axis, pts = self.grid(n)
        out = self._layer_outputs(tf.constant(features(pts, self.spec.features)))[-1].numpy()
        return self._answer(out).reshape(n, n)

    def _answer(self, out: np.ndarray) -> np.ndarray:
        if self.kind == "regression":
            return out[:, 0]
        if self.outputs == 1:
            return 1 / (1 + np.exp(-out[:, 0]))
        return np.argmax(out, axis=1).astype(np.float32)

    def neuron_grids(self, n: int = 24) -> list[np.ndarray]:
        """Every neuron's output over the input plane: per layer an array (units, n, n)."""
        _, pts = self.grid(n)
        outs = self._layer_outputs(tf.constant(features(pts, self.spec.features)))
        return [o.numpy().T.reshape(-1, n, n) for o in outs]

    def boundary_frames(self, n: int = 100, frames: int = 60) -> list[tuple[int, np.ndarray]]:
        """The output grid at up to `frames` recorded moments of training, for the replay animation."""
        return self._at_snapshots(frames, lambda: self.output_grid(n))

    def _at_snapshots(self, frames: int, compute) -> list[tuple[int, Any]]:
        """`compute()` with the weights of up to `frames` evenly spread recorded moments, then the
        current weights put back; under the lock, so a training refresh never sees the swapped weights."""
        with self.lock:
            picks = self.snapshots if len(self.snapshots) <= frames else \
                [self.snapshots[i] for i in np.linspace(0, len(self.snapshots) - 1, frames).round().astype(int)]
            current = [w.numpy() for w in self.model.weights]
            out = []
            try:
                for step, weights in picks:
                    for w, value in zip(self.model.weights, weights):
                        w.assign(value)
                    out.append((step, compute()))
            finally:
                for w, value in zip(self.model.weights, current):
                    w.assign(value)
            return out

    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(kernel, bias) per layer, input layer first."""
        return [(layer.kernel.numpy(), layer.bias.numpy()) for layer in self.model.layers]

    def weight_gradients(self, batch: int | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """d loss / d each weight on the next mini-batch the training would draw."""
        n = int(self.xtr.shape[0])
        size = max(1, min(batch or self.spec.batch_size, n))
        idx = tf.random.stateless_uniform([size], seed=tf.constant([self.spec.seed, self.step], tf.int64),
                                          maxval=n, dtype=tf.int32)
        xb, yb = tf.gather(self.xtr, idx), tf.gather(self.ytr, idx)
        with tf.GradientTape() as tape:
            loss = self._loss(self.model(xb, training=False), yb)
        grads = tape.gradient(loss, self.model.trainable_variables)
        return [(grads[2 * i].numpy(), grads[2 * i + 1].numpy()) for i in range(len(grads) // 2)]

    def warped_grid(self, lines: int = 13, points: int = 60, seed: int = 7) -> list[list[np.ndarray]]:
        """How each layer bends space: straight lines of the input plane, carried through each hidden
        layer; per layer a list of (points, 2) polylines. Layers wider than 2 are seen through a fixed
        random orthonormal projection to 2-D (seeded, so frames are comparable)."""
        ticks = np.linspace(-DOMAIN, DOMAIN, lines, dtype=np.float32)
        run = np.linspace(-DOMAIN, DOMAIN, points, dtype=np.float32)
        polylines = [np.stack([np.full_like(run, t), run], 1) for t in ticks] + \
                    [np.stack([run, np.full_like(run, t)], 1) for t in ticks]
        pts = np.concatenate(polylines)
        outs = self._layer_outputs(tf.constant(features(pts, self.spec.features)))[:-1]
        rng = np.random.default_rng(seed)
        result = []
        for o in outs:
            h = o.numpy()
            if h.shape[1] == 1:
                h = np.concatenate([h, np.zeros_like(h)], axis=1)
            elif h.shape[1] > 2:
                q, _ = np.linalg.qr(rng.normal(size=(h.shape[1], 2)))
                h = h @ q
            result.append([h[i * points:(i + 1) * points] for i in range(len(polylines))])
        return result

    def warp_frames(self, frames: int = 12, lines: int = 9, points: int = 30) -> list[tuple[int, list]]:
        """warped_grid at up to `frames` recorded moments of training, for the animated view."""
        return self._at_snapshots(frames, lambda: self.warped_grid(lines, points))

    # -- one point through the graph model ------------------------------------------------------------

    def point_program(self, index: int = 0) -> str:
        """One training point's forward and backward pass as a program of the safe language, with the
        network's current weights: the Graph and Backprop pages draw and step through it."""
        xs = features(self.train_data.x[index:index + 1], self.spec.features)
        label = self.train_data.y[index]
        act = {"relu": "tf.nn.relu", "tanh": "tf.tanh", "sigmoid": "tf.sigmoid", "linear": ""}[self.spec.activation]
        lines = [f"x = tf.constant({_lit(xs)})"]
        names = []
        for i, (kernel, bias) in enumerate(self.weights()):
            k = i + 1
            lines += [f"W{k} = tf.Variable({_lit(kernel)})", f"b{k} = tf.Variable({_lit(bias)})"]
            names += [f"W{k}", f"b{k}"]
        if self.kind == "regression":
            lines.append(f"y_true = tf.constant([[{float(label)!r}]])")
        elif self.outputs == 1:
            lines.append(f"y_true = tf.constant([[{float(label)!r}]])")
        else:
            onehot = [[1.0 if c == int(label) else 0.0 for c in range(self.outputs)]]
            lines.append(f"y_true = tf.constant({onehot})")
        lines.append("with tf.GradientTape() as tape:")
        prev = "x"
        for i in range(len(self.spec.hidden)):
            k = i + 1
            expr = f"{prev} @ W{k} + b{k}"
            lines.append(f"    h{k} = {act}({expr})" if act else f"    h{k} = {expr}")
            prev = f"h{k}"
        out = len(self.spec.hidden) + 1
        lines.append(f"    out = {prev} @ W{out} + b{out}")
        if self.kind == "regression":
            lines.append("    loss = tf.reduce_mean(tf.square(out - y_true))")
        elif self.outputs == 1:
            lines.append("    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y_true, "
                         "logits=out))")
        else:
            lines.append("    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_true, "
                         "logits=out))")
        lines.append(f"grads = tape.gradient(loss, [{', '.join(names)}])")
        return "\n".join(lines)

    # -- export ---------------------------------------------------------------------------------------

    def keras_file(self) -> bytes:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "playground.keras")
            self.model.save(path)
            with open(path, "rb") as f:
                return f.read()

    def keras_code(self) -> str:
        s = self.spec
        reg = "" if not s.regularization else f", kernel_regularizer=keras.regularizers.{s.regularization.upper()}" \
                                                f"({s.regularization_rate!r})"
        layers = "\n".join(f"    keras.layers.Dense({u}, activation={s.activation!r}{reg})," for u in s.hidden)
        if self.kind == "regression":
            loss, out = '"mse"', "keras.layers.Dense(1)"
        elif self.outputs == 1:
            loss, out = "keras.losses.BinaryCrossentropy(from_logits=True)", "keras.layers.Dense(1)"
        else:
            loss, out = "keras.losses.SparseCategoricalCrossentropy(from_logits=True)", \
                f"keras.layers.Dense({self.outputs})"
        opt = {"sgd": f"keras.optimizers.SGD({s.learning_rate!r})",
               "momentum": f"keras.optimizers.SGD({s.learning_rate!r}, momentum=0.9)",
               "rmsprop": f"keras.optimizers.RMSprop({s.learning_rate!r})",
               "adam": f"keras.optimizers.Adam({s.learning_rate!r})"}[s.optimizer]
        feats = ", ".join(s.features)
        return f"""import keras
import numpy as np

# inputs: the columns {feats} computed from (x1, x2); targets: the labels
model = keras.Sequential([
    keras.Input(({len(s.features)},)),
{layers}
    {out},
])
model.compile(optimizer={opt}, loss={loss}{', metrics=["accuracy"]' if self.kind == "classification" else ''})
model.fit(inputs, targets, batch_size={s.batch_size}, epochs={max(1, int(round(self.epoch)))})
"""


def _lit(a: np.ndarray) -> str:
    return repr(np.round(np.asarray(a, dtype=np.float64), 6).tolist())


def spec_dict(spec: NetworkSpec) -> dict:
    return asdict(spec)


@dataclass
class TrainResult:
    history: History
    model: keras.Model
    frames: list[tuple[int, np.ndarray]]
    trainer: Trainer


def train(spec: NetworkSpec, data: Dataset, steps: int, train_ratio: float = 0.5, chunk: int = 100,
          frames: int = 0, grid: int = 100) -> TrainResult:
    """Train for `steps` mini-batch steps, recording losses every `chunk` steps; with `frames`, also the
    output over a `grid`×`grid` plane at up to that many recorded moments."""
    tr, te = split(data, train_ratio, spec.seed)
    trainer = Trainer(spec, tr, te)
    done = 0
    while done < steps:
        k = min(chunk, steps - done)
        trainer.steps(k)
        done += k
    return TrainResult(trainer.history, trainer.model, trainer.boundary_frames(grid, frames) if frames else [],
                       trainer)
