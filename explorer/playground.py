"""The network playground: TensorFlow Playground's data sets, features and networks, trained with Keras
layers, losses and optimizers in frames (one XLA-compiled call each: training steps and what the page
draws), plus what its users ask for (optimizers, multiclass, gradients on the weights, one point traced
through the graph model, how each layer bends space, your own data, export).

Each Trainer owns its model, optimizer, data and random streams: no global seed or Keras session is
touched, so two sessions training at once get exactly what each would get alone. The compiled function is
an Engine's, shared by the trainers of one network shape (their state is copied in and out under its lock).
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections import deque
from dataclasses import dataclass, field, replace
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


def build_model(spec: NetworkSpec, outputs: int, activation=None) -> keras.Sequential:
    """Dense layers with seeded Glorot initializers (no global seed), the chosen activation, and an
    output layer giving logits (classification) or the value (regression). The L1 / L2 penalty on the
    kernels is added by the training step (`penalty`), so a new rate needs no new model. `activation`
    replaces the spec's named one (the Trainer's switchable activation)."""
    layers = [keras.Input((len(spec.features),))]
    for i, units in enumerate(spec.hidden):
        layers.append(keras.layers.Dense(units, activation=activation or spec.activation, name=f"hidden_{i + 1}",
                                         kernel_initializer=keras.initializers.GlorotUniform(seed=spec.seed * 101 + i)))
    layers.append(keras.layers.Dense(outputs, name="output",
                                     kernel_initializer=keras.initializers.GlorotUniform(seed=spec.seed * 101 + 99)))
    return keras.Sequential(layers)


class SwitchableActivation:
    """The hidden layers' activation chosen by a variable: Keras's own relu, tanh, sigmoid or linear,
    so a new activation while training needs neither a new network nor a new compiled loop. The four
    are weighted by a one-hot variable: adding 0 × the others leaves the chosen one's value and
    gradient exactly as they are, and XLA compiles it in a fraction of a branch's time."""

    def __init__(self, name: str):
        self.onehot = tf.Variable(self.weights_for(name), trainable=False)

    @staticmethod
    def weights_for(name: str) -> np.ndarray:
        return np.eye(len(ACTIVATIONS), dtype=np.float32)[ACTIVATIONS.index(name)]

    def set(self, name: str) -> None:
        self.onehot.assign(self.weights_for(name))

    def __call__(self, x):
        w = self.onehot
        return (w[0] * keras.activations.relu(x) + w[1] * keras.activations.tanh(x)
                + w[2] * keras.activations.sigmoid(x) + w[3] * keras.activations.linear(x))

    @property
    def __name__(self) -> str:
        return ACTIVATIONS[int(np.argmax(self.onehot.numpy()))]


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
    epochs: list[float] = field(default_factory=list)

    def keep_until(self, step: int) -> None:
        """Forget what was recorded after `step` (training went back there)."""
        k = next((i for i, s in enumerate(self.steps) if s > step), len(self.steps))
        for series in (self.steps, self.train_loss, self.test_loss, self.train_accuracy, self.test_accuracy,
                       self.epochs):
            del series[k:]

    def thin(self, most: int) -> None:
        """Every other entry but the last, once there are more than `most`: an even spread for the charts."""
        if len(self.steps) <= most:
            return
        keep = list(range(0, len(self.steps) - 1, 2)) + [len(self.steps) - 1]
        for series in (self.steps, self.train_loss, self.test_loss, self.train_accuracy, self.test_accuracy,
                       self.epochs):
            series[:] = [series[i] for i in keep]


# ---- what the picture shows at one moment of training ---------------------------------------------------

GRID_N = 48             # the output over the plane: a value every 0.26 of [-6, 6]
THUMB_N = 16            # each neuron's thumbnail
MAX_BATCH = 30          # the batch-size control's top: a smaller batch masks the rest of a drawn batch
EPOCHS_PER_FRAME = 2.5  # training shown per frame (TensorFlow Playground trains one epoch per frame at ~60/s)
MAX_STEPS_PER_FRAME = 250
KEEP_FRAMES = 600       # the states of the last frames, so Pause lands exactly on the one on screen
HISTORY_POINTS = 2000   # loss-curve entries kept (an even spread)
SNAPSHOTS = 120         # weights kept for the replay (an even spread)


@dataclass
class Frame:
    """One moment of training as the page draws it, and the state to return to it exactly."""
    step: int
    epoch: float
    train_loss: float
    test_loss: float
    train_accuracy: float
    test_accuracy: float
    output: np.ndarray            # (GRID_N, GRID_N): P(class 1), the winning class or the value; row 0 at x₂ = −6
    neurons: list[np.ndarray]     # per layer after the input, (units, THUMB_N, THUMB_N): each neuron's output
    weights: list[np.ndarray]     # model.weights, in order
    gradients: list[np.ndarray]   # d loss / d each trainable variable on the next mini-batch
    optimizer: list[np.ndarray]   # the optimizer's variables (its step count, momenta, ...)
    activation: str


def plane_grid(n: int) -> np.ndarray:
    """n×n points of [-6, 6]², row-major with x₂ rising by row (row 0 at the bottom)."""
    axis = np.linspace(-DOMAIN, DOMAIN, n, dtype=np.float32)
    gx, gy = np.meshgrid(axis, axis)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def _capacity(n: int) -> int:
    """Rows the compiled loop is given: a power of two from 512, so added points rarely mean a new shape."""
    return max(512, 1 << (max(n, 1) - 1).bit_length())


def _padded(a: np.ndarray, rows: int) -> np.ndarray:
    out = np.zeros((rows,) + a.shape[1:], a.dtype)
    out[:len(a)] = a
    return out


class Engine:
    """The compiled frame for one shape of network, shared by every Trainer of that shape in the process:
    compiling takes seconds, and a class's networks come in a few shapes. A Trainer's state (weights,
    optimizer variables, activation, penalty) is copied in before its frames and out after, under the
    engine's lock; the data are arguments. One frame is one XLA-compiled call: `count` mini-batch steps
    (batches drawn inside the call from a stateless generator seeded by (seed, step)), then what the page
    draws (the losses, the output over the plane, every neuron's thumbnail, the gradients on the next
    batch), all with Keras's own layers, losses and optimizer."""

    def __init__(self, spec: NetworkSpec, kind: str, outputs: int):
        self.kind, self.outputs = kind, outputs
        self.activation = SwitchableActivation(spec.activation)
        self.model = build_model(spec, outputs, self.activation)
        self.optimizer = make_optimizer(spec)
        self.optimizer.build(self.model.trainable_variables)
        self.l1, self.l2 = tf.Variable(0.0, trainable=False), tf.Variable(0.0, trainable=False)
        self.loss_fn = loss_function(kind, outputs)
        self.lock = threading.Lock()
        self._grid = tf.constant(features(plane_grid(GRID_N), spec.features))
        self._thumbs = tf.constant(features(plane_grid(THUMB_N), spec.features))
        kernels = [layer.kernel for layer in self.model.layers]
        variables = self.model.trainable_variables

        @tf.function(jit_compile=True)
        def advance(first, count, size, seed, xtr, ytr, ntr, xte, yte, nte):
            def train_one(k):
                xb, yb, mask = draw_batch(xtr, ytr, ntr, size, seed, first + tf.cast(k, tf.int64))
                with tf.GradientTape() as tape:
                    loss = self.mean_loss(self.model(xb, training=True), yb, mask) + penalty(kernels, self.l1, self.l2)
                grads = tape.gradient(loss, variables)
                self.optimizer.apply_gradients(zip(grads, variables))
                return (k + 1,)
            tf.while_loop(lambda k: k < count, train_one, (tf.constant(0),))
            return self.measure(self.model, first + tf.cast(count, tf.int64), size, seed, xtr, ytr, ntr, xte, yte, nte)

        self.advance = advance

    def mean_loss(self, out, y, mask):
        per = tf.reshape(self.loss_fn(y, out), [-1])
        return tf.reduce_sum(per * mask) / tf.maximum(tf.reduce_sum(mask), 1.0)

    def accuracy(self, out, y, mask):
        if self.kind == "regression":
            return tf.constant(float("nan"))
        if self.outputs == 1:
            right = tf.cast(tf.cast(out[:, 0] > 0, tf.float32) == y[:, 0], tf.float32)
        else:
            right = tf.cast(tf.cast(tf.argmax(out, axis=1), tf.int32) == y, tf.float32)
        return tf.reduce_sum(right * mask) / tf.maximum(tf.reduce_sum(mask), 1.0)

    def measure(self, model, step, size, seed, xtr, ytr, ntr, xte, yte, nte):
        """What a frame shows, from `model`'s weights as they are (the engine's inside the compiled call, or
        a trainer's own, eagerly). One pass of the layers over every point it needs (training and test
        rows, the output's grid, the thumbnails' grid) keeps the compiled program small."""
        rows = [xtr.shape[0], xte.shape[0], GRID_N * GRID_N, THUMB_N * THUMB_N]
        outs = layer_outputs(model, tf.concat([xtr, xte, self._grid, self._thumbs], axis=0))
        out_tr, out_te, out_grid, _ = tf.split(outs[-1], rows)
        mask_tr = tf.cast(tf.range(rows[0]) < ntr, tf.float32)
        mask_te = tf.cast(tf.range(rows[1]) < nte, tf.float32)
        xb, yb, mask = draw_batch(xtr, ytr, ntr, size, seed, step)
        with tf.GradientTape() as tape:
            batch_loss = self.mean_loss(model(xb, training=False), yb, mask)
        grads = tape.gradient(batch_loss, model.trainable_variables)
        return (tf.stack([self.mean_loss(out_tr, ytr, mask_tr), self.mean_loss(out_te, yte, mask_te),
                          self.accuracy(out_tr, ytr, mask_tr), self.accuracy(out_te, yte, mask_te)]),
                answer(self.kind, self.outputs, out_grid), [o[-rows[3]:] for o in outs], grads)

    def load(self, trainer: "Trainer") -> None:
        for mine, theirs in zip(self.model.weights + self.optimizer.variables,
                                trainer.model.weights + trainer.optimizer.variables):
            mine.assign(theirs)
        self.activation.set(trainer.spec.activation)
        self.l1.assign(trainer.l1)
        self.l2.assign(trainer.l2)

    def state(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        return [w.numpy() for w in self.model.weights], [v.numpy() for v in self.optimizer.variables]


class Engines:
    """The engines of one network shape. One to start; when a trainer finds every one busy (sessions of
    this shape training at the same moment), another is compiled in the background, up to the CPUs this
    process may use, so same-shaped sessions are not held to one core. Engines of one shape compute the
    same numbers (the same program, compiled alike)."""

    def __init__(self, spec: NetworkSpec, kind: str, outputs: int, most: int):
        self.spec, self.kind, self.outputs, self.most = spec, kind, outputs, max(1, most)
        self.all = [Engine(spec, kind, outputs)]
        self._lock = threading.Lock()
        self._growing = False
        self._turn = 0

    @property
    def first(self) -> Engine:
        return self.all[0]

    def acquire(self, arguments: tuple) -> Engine:
        """A free engine, its lock held (release it with its lock). `arguments` are the caller's: a new
        engine compiles for data of their sizes."""
        for engine in list(self.all):
            if engine.lock.acquire(blocking=False):
                return engine
        self._grow(arguments)
        with self._lock:
            self._turn += 1
            engine = self.all[self._turn % len(self.all)]
        engine.lock.acquire()
        return engine

    def _grow(self, arguments: tuple) -> None:
        with self._lock:
            if self._growing or len(self.all) >= self.most:
                return
            self._growing = True

        def build() -> None:
            try:
                engine = Engine(self.spec, self.kind, self.outputs)
                with engine.lock:
                    engine.advance(*arguments)           # zero steps (the caller's count is 0): compiles only
                with self._lock:
                    self.all.append(engine)
            finally:
                with self._lock:
                    self._growing = False

        threading.Thread(target=build, name="playground engine", daemon=False).start()


_ENGINES: dict[tuple, Engines] = {}        # compiled functions by their spec (see Engine); never shrinks
_ENGINES_LOCK = threading.Lock()


def engines_for(spec: NetworkSpec, kind: str, outputs: int) -> Engines:
    from .admission import usable_cpus
    key = (spec.features, spec.hidden, spec.optimizer, kind, outputs)
    with _ENGINES_LOCK:
        if key not in _ENGINES:
            _ENGINES[key] = Engines(spec, kind, outputs, usable_cpus())
        return _ENGINES[key]


def engine_for(spec: NetworkSpec, kind: str, outputs: int) -> Engine:
    """The first engine of the shape (the one every trainer of it warms and measures with)."""
    return engines_for(spec, kind, outputs).first


def loss_function(kind: str, outputs: int) -> keras.losses.Loss:
    """Keras's loss for the problem, per sample, on logits for classification (the sigmoid or softmax is
    inside the loss)."""
    if kind == "regression":
        return keras.losses.MeanSquaredError(reduction=None)
    if outputs == 1:
        return keras.losses.BinaryCrossentropy(from_logits=True, reduction=None)
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)


def draw_batch(x, y, n, size, seed, step):
    """Mini-batch `step`: MAX_BATCH rows of the first n drawn with replacement, the first `size` counting."""
    idx = tf.random.stateless_uniform([MAX_BATCH], seed=tf.stack([seed, step]), maxval=n, dtype=tf.int32)
    mask = tf.cast(tf.range(MAX_BATCH) < tf.cast(size, tf.int32), tf.float32)
    return tf.gather(x, idx), tf.gather(y, idx), mask


def layer_outputs(model: keras.Model, xs) -> list:
    outs, h = [], xs
    for layer in model.layers:
        h = layer(h)
        outs.append(h)
    return outs


def answer(kind: str, outputs: int, out):
    """What the plane shows at a point: P(class 1), the winning class, or the value."""
    if kind == "regression":
        return out[:, 0]
    if outputs == 1:
        return tf.sigmoid(out[:, 0])
    return tf.cast(tf.argmax(out, axis=1), tf.float32)


class Trainer:
    """One network on one data set, trained in frames: `frames(k)` trains k frames of mini-batch steps
    on the shared compiled Engine of its shape and returns them; each Frame is what the page draws at
    that moment. The Trainer's own Keras model and optimizer hold its state between frames (the export,
    the layer views and the point program read them). `split` says how train and test were cut from
    `train.spec`'s data set, (ratio, seed), for the export.

    The last KEEP_FRAMES frames keep their full state: `rewind(step)` returns to one exactly (weights,
    optimizer state, step, history), which is how Pause lands on the frame on screen. `tune` changes the
    learning rate, batch size, regularization or activation while training goes on; `restart` starts
    again with new settings of the same shape of network (data with as many classes, a new seed).
    `generation` counts the starts."""

    def __init__(self, spec: NetworkSpec, train: Dataset, test: Dataset, split: tuple[float, int] | None = None,
                 warm: bool = False):
        self.kind = train.kind
        self.outputs = (1 if train.classes == 2 else train.classes) if self.kind == "classification" else 1
        self.activation = SwitchableActivation(spec.activation)
        self.model = build_model(spec, self.outputs, self.activation)
        self.optimizer = make_optimizer(spec)
        self.optimizer.build(self.model.trainable_variables)
        self.l1, self.l2 = tf.Variable(0.0, trainable=False), tf.Variable(0.0, trainable=False)
        self.lock = threading.Lock()
        self.generation = 0
        self._shape = self.shape_of(spec, train)
        self.engines = engines_for(spec, self.kind, self.outputs)
        self.engine = self.engines.first
        self.loss_fn = self.engine.loss_fn
        self._start(spec, train, test, split)
        self._record(self._measure_now())
        if warm:            # compile (once per shape and data size in the process) while the page shows frame 0
            # not a daemon (a thread inherits that from the one starting it, and Streamlit runs pages in daemon
            # threads): a daemon still inside the compiler when the process exits aborts it
            threading.Thread(target=self._warm, daemon=False).start()

    @staticmethod
    def shape_of(spec: NetworkSpec, train: Dataset) -> tuple:
        """What the compiled function depends on; settings beyond it change numbers, not the graph."""
        outputs = (1 if train.classes == 2 else train.classes) if train.kind == "classification" else 1
        return spec.features, spec.hidden, spec.optimizer, train.kind, outputs

    def can_restart(self, spec: NetworkSpec, train: Dataset) -> bool:
        return self.shape_of(spec, train) == self._shape

    def restart(self, spec: NetworkSpec, train: Dataset, test: Dataset, split: tuple[float, int] | None = None) -> None:
        """As a new Trainer(spec, train, test, split) would be, on the same model objects."""
        if not self.can_restart(spec, train):
            raise ValueError("a network of another shape needs a new Trainer")
        with self.lock:
            self.generation += 1
            fresh = build_model(spec, self.outputs)      # the seeded initial weights, as a new model has them
            for w, value in zip(self.model.weights, fresh.get_weights()):
                w.assign(value)
            for v in self.optimizer.variables:
                v.assign(tf.zeros_like(v))
            self._start(spec, train, test, split)
            self._record(self._measure_now())

    def tune(self, learning_rate: float | None = None, batch_size: int | None = None,
             regularization: str | None | bool = False, regularization_rate: float | None = None,
             activation: str | None = None) -> None:
        """New settings that take effect from the next step, training kept (weights, optimizer state,
        step); `regularization` False leaves it as it is."""
        with self.lock:
            s = self.spec
            self.spec = replace(
                s, learning_rate=s.learning_rate if learning_rate is None else float(learning_rate),
                batch_size=s.batch_size if batch_size is None else int(batch_size),
                regularization=s.regularization if regularization is False else regularization,
                regularization_rate=s.regularization_rate if regularization_rate is None else float(regularization_rate),
                activation=activation or s.activation)
            self._set_settings()

    def _set_settings(self) -> None:
        s = self.spec
        self.optimizer.learning_rate = s.learning_rate
        self.l1.assign(s.regularization_rate if s.regularization == "l1" else 0.0)
        self.l2.assign(s.regularization_rate if s.regularization == "l2" else 0.0)
        self.activation.set(s.activation)

    def _start(self, spec: NetworkSpec, train: Dataset, test: Dataset, split) -> None:
        self.spec, self.train_data, self.test_data, self.split = spec, train, test, split
        self.added: list[tuple[float, float, float]] = []      # points clicked onto the plane, in order
        self._set_settings()
        self._set_data()
        self.step, self._epoch = 0, 0.0
        self.history = History()
        self.snapshots: list[tuple[int, list[np.ndarray], str]] = []
        self.kept: deque[Frame] = deque(maxlen=KEEP_FRAMES)

    def _set_data(self) -> None:
        train, test, names = self.train_data, self.test_data, self.spec.features
        if not test.n:
            test = train
        self.ntr, self.nte = train.n, test.n
        self.xtr = tf.constant(_padded(features(train.x, names), _capacity(train.n)))
        self.ytr = tf.constant(_padded(self._targets(train.y), _capacity(train.n)))
        self.xte = tf.constant(_padded(features(test.x, names), _capacity(test.n)))
        self.yte = tf.constant(_padded(self._targets(test.y), _capacity(test.n)))

    def _targets(self, y: np.ndarray) -> np.ndarray:
        if self.kind == "regression" or self.outputs == 1:
            return y.reshape(-1, 1).astype(np.float32)
        return y.astype(np.int32)

    def _arguments(self, count: int) -> tuple:
        return (tf.constant(self.step, tf.int64), tf.constant(int(count), tf.int32),
                tf.constant(self.spec.batch_size, tf.int64), tf.constant(self.spec.seed, tf.int64),
                self.xtr, self.ytr, tf.constant(self.ntr), self.xte, self.yte, tf.constant(self.nte))

    def _warm(self) -> None:
        """Compile the engine for this trainer's data sizes: zero steps on the engine's own state, so the
        trainer's lock is not needed (a restart or a new setting need not wait for the compiler)."""
        arguments = self._arguments(0)
        with self.engine.lock:
            self.engine.advance(*arguments)

    def _measure_now(self):
        """The current state's frame, computed eagerly with the trainer's own model: nothing to compile, and
        no wait for the engine (which may be compiling)."""
        measured = self.engine.measure(self.model, *(a for i, a in enumerate(self._arguments(0)) if i != 1))
        return measured + ([w.numpy() for w in self.model.weights], [v.numpy() for v in self.optimizer.variables])

    def steps_per_frame(self) -> int:
        """EPOCHS_PER_FRAME epochs of mini-batches, at most MAX_STEPS_PER_FRAME."""
        per_epoch = self.ntr / max(1, min(self.spec.batch_size, self.ntr))
        return int(min(MAX_STEPS_PER_FRAME, max(1, np.ceil(EPOCHS_PER_FRAME * per_epoch))))

    @property
    def epoch(self) -> float:
        return self._epoch

    def epoch_at(self, step: int) -> float:
        """The epoch training had reached at a recorded step (the batch size may have changed on the way)."""
        h = self.history
        if step in h.steps:
            return h.epochs[h.steps.index(step)]
        return step * min(self.spec.batch_size, self.ntr) / self.ntr

    def frames(self, count: int, steps: int | None = None, only_while: threading.Event | None = None) -> list[Frame]:
        """Train `count` frames of `steps` mini-batch steps each (steps_per_frame() by default) and return
        them. With `only_while`, only while that switch is on when the lock is taken: whoever turns it
        off under `lock` knows no more training is on its way."""
        out: list[Frame] = []
        with self.lock:
            if count <= 0 or (only_while is not None and not only_while.is_set()):
                return out
            engine = self.engines.acquire(self._arguments(0))
            try:
                engine.load(self)
                for _ in range(count):
                    k = self.steps_per_frame() if steps is None else int(steps)
                    measured = engine.advance(*self._arguments(k))
                    self.step += k
                    self._epoch += k * min(self.spec.batch_size, self.ntr) / self.ntr
                    out.append(self._record(measured + engine.state()))
            finally:
                engine.lock.release()
            self._restore(out[-1])
        return out

    def steps(self, count: int, only_while: threading.Event | None = None) -> None:
        """Train `count` mini-batch steps as one frame."""
        self.frames(1, count, only_while)

    def _record(self, measured) -> Frame:
        losses, grid, layers, grads, weights, opt = measured
        tl, vl, ta, va = (float(v) for v in losses.numpy())
        frame = Frame(self.step, self._epoch, tl, vl, ta, va, grid.numpy().reshape(GRID_N, GRID_N),
                      [o.numpy().T.reshape(-1, THUMB_N, THUMB_N) for o in layers], weights,
                      [g.numpy() for g in grads], opt, self.spec.activation)
        h = self.history
        h.steps.append(self.step)
        h.epochs.append(self._epoch)
        h.train_loss.append(tl)
        h.test_loss.append(vl)
        h.train_accuracy.append(ta)
        h.test_accuracy.append(va)
        h.thin(HISTORY_POINTS)
        self.snapshots.append((self.step, frame.weights, frame.activation))
        if len(self.snapshots) > SNAPSHOTS:                    # keep an even spread for the replay
            self.snapshots = self.snapshots[:-1:2] + [self.snapshots[-1]]
        self.kept.append(frame)
        return frame

    def last_frame(self) -> Frame:
        return self.kept[-1]

    def rewind(self, step: int) -> Frame | None:
        """Back to the kept frame at `step` (weights, optimizer state, step, epoch, history), or None when
        no kept frame has that step."""
        with self.lock:
            frame = next((f for f in reversed(self.kept) if f.step == step), None)
            if frame is None:
                return None
            self._restore(frame)
            while self.kept and self.kept[-1].step > step:
                self.kept.pop()
            self.step, self._epoch = frame.step, frame.epoch
            self.history.keep_until(step)
            self.snapshots = [s for s in self.snapshots if s[0] <= step]
            return frame

    def _restore(self, frame: Frame) -> None:
        for w, value in zip(self.model.weights, frame.weights):
            w.assign(value)
        for v, value in zip(self.optimizer.variables, frame.optimizer):
            v.assign(value)

    def add_point(self, x1: float, x2: float, label: float) -> None:
        """A point clicked onto the plane joins the training set. Training goes on from where it is: the
        weights, the optimizer's state, the step and the train/test split are kept."""
        with self.lock:
            if self.kind == "classification" and not 0 <= int(label) < max(2, self.train_data.classes):
                raise ValueError(f"class {label} is not one of this data set's classes")
            self.train_data = add_point(self.train_data, x1, x2, label)
            self.added.append((float(x1), float(x2), label))
            self._set_data()

    # -- what the page draws -------------------------------------------------------------------------

    def grid(self, n: int = 60) -> tuple[np.ndarray, np.ndarray]:
        return np.linspace(-DOMAIN, DOMAIN, n, dtype=np.float32), plane_grid(n)

    def layer_outputs(self, points: np.ndarray) -> list[np.ndarray]:
        """Each layer's output (hidden layers, then the output layer's logits or value) at the points."""
        xs = tf.constant(features(np.asarray(points, np.float32), self.spec.features))
        return [o.numpy() for o in layer_outputs(self.model, xs)]

    def output_grid(self, n: int = 60) -> np.ndarray:
        """The network's answer over the input plane, (n, n): P(class 1), the winning class, or the value."""
        out = self.layer_outputs(plane_grid(n))[-1]
        return answer(self.kind, self.outputs, tf.constant(out)).numpy().reshape(n, n)

    def neuron_grids(self, n: int = 24) -> list[np.ndarray]:
        """Every neuron's output over the input plane: per layer an array (units, n, n)."""
        return [o.T.reshape(-1, n, n) for o in self.layer_outputs(plane_grid(n))]

    def boundary_frames(self, n: int = 100, frames: int = 60,
                        progress: Callable[[float], None] | None = None) -> list[tuple[int, np.ndarray]]:
        """The output grid at up to `frames` recorded moments of training, for the replay animation;
        `progress(fraction done)` after each."""
        return self._at_snapshots(frames, lambda: self.output_grid(n), progress)

    def _at_snapshots(self, frames: int, compute, progress=None) -> list[tuple[int, Any]]:
        """`compute()` with the weights (and activation) of up to `frames` evenly spread recorded moments,
        then the current ones put back; under the lock, so training never sees the swapped weights."""
        with self.lock:
            picks = self.snapshots if len(self.snapshots) <= frames else \
                [self.snapshots[i] for i in np.linspace(0, len(self.snapshots) - 1, frames).round().astype(int)]
            current = [w.numpy() for w in self.model.weights]
            out = []
            try:
                for step, weights, activation in picks:
                    for w, value in zip(self.model.weights, weights):
                        w.assign(value)
                    self.activation.set(activation)
                    out.append((step, compute()))
                    if progress is not None:
                        progress(len(out) / len(picks))
            finally:
                for w, value in zip(self.model.weights, current):
                    w.assign(value)
                self.activation.set(self.spec.activation)
            return out

    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(kernel, bias) per layer, input layer first."""
        return [(layer.kernel.numpy(), layer.bias.numpy()) for layer in self.model.layers]

    def weight_gradients(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """d loss / d each weight on the next mini-batch the training would draw (the last frame's)."""
        grads = self.kept[-1].gradients
        return [(grads[2 * i], grads[2 * i + 1]) for i in range(len(grads) // 2)]

    def warped_grid(self, lines: int = 13, points: int = 60, seed: int = 7) -> list[list[np.ndarray]]:
        """How each layer bends space: straight lines of the input plane, carried through each hidden
        layer; per layer a list of (points, 2) polylines. Layers wider than 2 are seen through a fixed
        random orthonormal projection to 2-D (seeded, so frames are comparable)."""
        ticks = np.linspace(-DOMAIN, DOMAIN, lines, dtype=np.float32)
        run = np.linspace(-DOMAIN, DOMAIN, points, dtype=np.float32)
        polylines = [np.stack([np.full_like(run, t), run], 1) for t in ticks] + \
                    [np.stack([run, np.full_like(run, t)], 1) for t in ticks]
        outs = self.layer_outputs(np.concatenate(polylines))[:-1]
        rng = np.random.default_rng(seed)
        result = []
        for o in outs:
            h = o
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

    def keras_model(self) -> keras.Sequential:
        """The network as a plain Keras model with its named activation and the current weights."""
        with self.lock:
            model = build_model(self.spec, self.outputs)
            model.set_weights([w.numpy() for w in self.model.weights])
        return model

    def keras_file(self) -> bytes:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "playground.keras")
            self.keras_model().save(path)
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
