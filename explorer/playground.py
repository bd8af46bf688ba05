"""The network playground: TensorFlow Playground's data sets, features and networks, trained with Keras
layers, losses and optimizers in a compiled loop, plus what its users ask for (optimizers, multiclass,
gradients on the weights, one point traced through the graph model, how each layer bends space, your
own data, export).

Each Trainer owns its model, optimizer, data and random streams: no global seed or Keras session is
touched, so two sessions training at once get exactly what each would get alone.
"""

from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

import keras
import numpy as np
import tensorflow as tf

from .limits import MAX_SEED
from .playground_data import (CLASSIFICATION_SETS, DOMAIN, FEATURES, MAX_ROWS, REGRESSION_SETS,  # noqa: F401
                              DataSpec, Dataset, add_point, curve_dataset, features, function_of_x, load_csv,
                              make_dataset, split, split_indices)
from .settings import Setting, Settings

CLASSIFICATION = tuple(CLASSIFICATION_SETS)
REGRESSION = tuple(REGRESSION_SETS)
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")


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
    output layer giving logits (classification) or the value (regression). The L1 / L2 penalty on the
    kernels is added by the training step (`penalty`), so a new rate needs no new model."""
    layers = [keras.Input((len(spec.features),))]
    for i, units in enumerate(spec.hidden):
        layers.append(keras.layers.Dense(units, activation=spec.activation, name=f"hidden_{i + 1}",
                                         kernel_initializer=keras.initializers.GlorotUniform(seed=spec.seed * 101 + i)))
    layers.append(keras.layers.Dense(outputs, name="output",
                                     kernel_initializer=keras.initializers.GlorotUniform(seed=spec.seed * 101 + 99)))
    return keras.Sequential(layers)


def penalty(kernels, l1, l2):
    """Keras's L1 and L2 regularizers on the kernels: l1·Σ|w| + l2·Σw²."""
    return tf.add_n([tf.constant(0.0)] + [l1 * tf.reduce_sum(tf.abs(k)) + l2 * tf.reduce_sum(tf.square(k))
                                          for k in kernels])


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
    are drawn from a stateless generator seeded by (seed, step), so results depend on the seed only.
    `split` says how train and test were cut from `train.spec`'s data set, (ratio, seed), for the export.

    `restart` starts again with new settings of the same shape of network (learning rate, batch, seed,
    regularization, data with as many classes): the compiled functions are kept, so nothing is traced
    again. `generation` counts the starts."""

    def __init__(self, spec: NetworkSpec, train: Dataset, test: Dataset, split: tuple[float, int] | None = None):
        self.kind = train.kind
        self.outputs = (1 if train.classes == 2 else train.classes) if self.kind == "classification" else 1
        self.model = build_model(spec, self.outputs)
        # Keras's losses, on logits for classification (the sigmoid / softmax is inside the loss)
        self.loss_fn = (keras.losses.MeanSquaredError() if self.kind == "regression" else
                        keras.losses.BinaryCrossentropy(from_logits=True) if self.outputs == 1 else
                        keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        self.optimizer = make_optimizer(spec)
        self.optimizer.build(self.model.trainable_variables)
        self.l1, self.l2 = tf.Variable(0.0, trainable=False), tf.Variable(0.0, trainable=False)
        self.lock = threading.Lock()
        self.generation = 0
        self._shape = self.shape_of(spec, train)
        self._start(spec, train, test, split)
        self._compile()
        self._record()

    @staticmethod
    def shape_of(spec: NetworkSpec, train: Dataset) -> tuple:
        """What the compiled functions depend on; settings beyond it change numbers, not the graph."""
        outputs = (1 if train.classes == 2 else train.classes) if train.kind == "classification" else 1
        return spec.features, spec.hidden, spec.activation, spec.optimizer, train.kind, outputs

    def can_restart(self, spec: NetworkSpec, train: Dataset) -> bool:
        return self.shape_of(spec, train) == self._shape

    def restart(self, spec: NetworkSpec, train: Dataset, test: Dataset, split: tuple[float, int] | None = None) -> None:
        """As a new Trainer(spec, train, test, split) would be, without tracing anything again."""
        if not self.can_restart(spec, train):
            raise ValueError("a network of another shape needs a new Trainer")
        with self.lock:
            self._start(spec, train, test, split)
            self.generation += 1
            fresh = build_model(spec, self.outputs)      # the seeded initial weights, as a new model has them
            for w, value in zip(self.model.weights, fresh.get_weights()):
                w.assign(value)
            for v in self.optimizer.variables:
                v.assign(tf.zeros_like(v))
            self.optimizer.learning_rate = spec.learning_rate
            self._record()

    def _start(self, spec: NetworkSpec, train: Dataset, test: Dataset, split) -> None:
        self.spec, self.train_data, self.test_data, self.split = spec, train, test, split
        self.added: list[tuple[float, float, float]] = []      # points clicked onto the plane, in order
        self.l1.assign(spec.regularization_rate if spec.regularization == "l1" else 0.0)
        self.l2.assign(spec.regularization_rate if spec.regularization == "l2" else 0.0)
        self._set_data()
        self.step = 0
        self.history = History()
        self.snapshots: list[tuple[int, list[np.ndarray]]] = []

    def _set_data(self) -> None:
        train, test, names = self.train_data, self.test_data, self.spec.features
        self.xtr = tf.constant(features(train.x, names))
        self.ytr = tf.constant(self._targets(train.y))
        self.xte = tf.constant(features(test.x, names)) if test.n else self.xtr
        self.yte = tf.constant(self._targets(test.y)) if test.n else self.ytr

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
        """One trace of each function per trainer: the data are arguments of any length, so a point
        added to the training set does not retrace, and grids of every size share one trace."""
        model, opt, spec = self.model, self.optimizer, self.spec
        x_spec = tf.TensorSpec([None, len(spec.features)], tf.float32)
        y_spec = tf.TensorSpec([None, 1], tf.float32) if self.ytr.dtype == tf.float32 else \
            tf.TensorSpec([None], tf.int32)
        scalar = tf.TensorSpec([], tf.int64)
        kernels = [layer.kernel for layer in model.layers]

        @tf.function(input_signature=[scalar, scalar, x_spec, y_spec, scalar, scalar])
        def train_steps(first, count, x, y, batch_size, seed):
            n = tf.shape(x)[0]
            batch = tf.reshape(tf.minimum(tf.cast(batch_size, tf.int32), n), [1])
            total = tf.constant(0.0)
            for k in tf.range(count):
                idx = tf.random.stateless_uniform(batch, seed=tf.stack([seed, first + k]), maxval=n, dtype=tf.int32)
                xb, yb = tf.gather(x, idx), tf.gather(y, idx)
                with tf.GradientTape() as tape:
                    out = model(xb, training=True)
                    loss = self._loss(out, yb) + penalty(kernels, self.l1, self.l2)
                grads = tape.gradient(loss, model.trainable_variables)
                opt.apply_gradients(zip(grads, model.trainable_variables))
                total += loss
            return total / tf.cast(tf.maximum(count, 1), tf.float32)

        @tf.function(input_signature=[x_spec, y_spec])
        def evaluate(xs, ys):
            out = model(xs, training=False)
            return self._loss(out, ys), self._accuracy(out, ys)

        @tf.function(input_signature=[x_spec])
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

    def steps(self, count: int, only_while: threading.Event | None = None) -> None:
        """Train `count` steps and record. With `only_while`, only if that switch is on when the lock is
        taken: whoever turns it off under `lock` knows no more training is on its way."""
        with self.lock:
            if only_while is not None and not only_while.is_set():
                return
            if count > 0:
                self._train_steps(tf.constant(self.step, tf.int64), tf.constant(int(count), tf.int64), self.xtr,
                                  self.ytr, tf.constant(self.spec.batch_size, tf.int64),
                                  tf.constant(self.spec.seed, tf.int64))
                self.step += int(count)
            self._record()

    def add_point(self, x1: float, x2: float, label: float) -> None:
        """A point clicked onto the plane joins the training set. Training goes on from where it is: the
        weights, the optimizer's state, the step and the train/test split are kept."""
        with self.lock:
            if self.kind == "classification" and not 0 <= int(label) < max(2, self.train_data.classes):
                raise ValueError(f"class {label} is not one of this data set's classes")
            self.train_data = add_point(self.train_data, x1, x2, label)
            self.added.append((float(x1), float(x2), label))
            self._set_data()

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

    def boundary_frames(self, n: int = 100, frames: int = 60,
                        progress: Callable[[float], None] | None = None) -> list[tuple[int, np.ndarray]]:
        """The output grid at up to `frames` recorded moments of training, for the replay animation;
        `progress(fraction done)` after each."""
        return self._at_snapshots(frames, lambda: self.output_grid(n), progress)

    def _at_snapshots(self, frames: int, compute, progress=None) -> list[tuple[int, Any]]:
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
                    if progress is not None:
                        progress(len(out) / len(picks))
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
        """A Keras script that runs as it is and rebuilds this data and network (explorer.playground_export)."""
        from .playground_export import keras_code
        return keras_code(self)


def _lit(a: np.ndarray) -> str:
    return repr(np.round(np.asarray(a, dtype=np.float64), 6).tolist())


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
    trainer = Trainer(spec, tr, te, split=(train_ratio, spec.seed))
    done = 0
    while done < steps:
        k = min(chunk, steps - done)
        trainer.steps(k)
        done += k
    return TrainResult(trainer.history, trainer.model, trainer.boundary_frames(grid, frames) if frames else [],
                       trainer)


# ---- the page's settings ----------------------------------------------------------------------------------

DATASETS = {"circle": "Circle", "xor": "Exclusive or", "gauss": "Gaussian", "spiral": "Spiral", "moons": "Two moons",
            "blobs": "Blobs (3-5 classes)", "curve": "Above / below y = f(x)", "csv": "Your CSV",
            "plane": "Plane (regression)", "multigauss": "Multi-Gaussian (regression)"}
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
REGULARIZATIONS = ("none", "l1", "l2")
REGULARIZATION_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "SGD + momentum", "rmsprop": "RMSprop", "adam": "Adam"}
CURVE = "3 * tf.sin(x)"

SETTINGS = Settings("playground", "pg_", (
    Setting("data", "choice", "circle", "Data set", tuple(DATASETS)),
    Setting("curve", "text", CURVE, "y = f(x) (the curve data set)"),
    Setting("classes", "int", 3, "Classes (blobs)", low=3, high=5),
    Setting("noise", "int", 0, "Noise (%)", low=0, high=50),
    Setting("ratio", "int", 50, "Training data (%)", low=10, high=90),
    Setting("seed", "int", 0, "Seed", low=0, high=MAX_SEED),
    Setting("features", "list", ["x1", "x2"], "Features", tuple(FEATURES)),
    # not "hidden": app_pages/_links keeps the teacher's hide list under the prefix + "hidden"
    Setting("layers", "list", [4, 2], "Hidden layers (neurons in each)", tuple(range(1, 9))),
    Setting("activation", "choice", "tanh", "Activation", ACTIVATIONS),
    Setting("lr", "choice", 0.03, "Learning rate", LEARNING_RATES),
    Setting("opt", "choice", "sgd", "Optimizer", OPTIMIZERS),
    Setting("batch", "int", 10, "Batch size", low=1, high=30),
    Setting("reg", "choice", "none", "Regularization", REGULARIZATIONS),
    Setting("rate", "choice", 0.0, "Regularization rate", REGULARIZATION_RATES),
    Setting("show_test", "bool", False, "Show test data"),
    Setting("discretize", "bool", False, "Discretize output"),
    Setting("grads", "bool", False, "Gradients on the weights"),
    Setting("add_class", "int", 0, "Class of a clicked point", low=0, high=4),
    Setting("point", "int", 0, "Training point to trace", low=0, high=MAX_ROWS),
), controls=("regenerate", "export"))


def spec_from(values: dict) -> NetworkSpec:
    """The network a page's settings describe (ValueError saying what to change if none)."""
    if not values["features"]:
        raise ValueError("choose at least one feature")
    return NetworkSpec(tuple(values["features"]), tuple(int(h) for h in values["layers"]), values["activation"],
                       float(values["lr"]), int(values["batch"]), values["opt"],
                       None if values["reg"] == "none" else values["reg"], float(values["rate"]), int(values["seed"]))


def data_from(values: dict, csv: Dataset | None = None) -> Dataset:
    """The data set a page's settings describe; `csv` is the uploaded file's (ValueError if there is none)."""
    name, noise, seed = values["data"], values["noise"] / 100, int(values["seed"])
    if name == "csv":
        if csv is None:
            raise ValueError("upload a CSV file with columns x1, x2, label to train on your own points")
        return csv
    if name == "curve":
        return curve_dataset(values["curve"], 400, noise, seed)
    return make_dataset(name, 450 if name == "blobs" else 400, noise, seed, int(values["classes"]))
