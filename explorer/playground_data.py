"""The network playground's data: TensorFlow Playground's data sets, a curve typed in the program language,
your own CSV, the train/test split and the input features.

Each data set is one small function of (n, noise, seed) using only NumPy and scikit-learn, so the
exported Keras code (explorer.playground_export) can carry the function's own source and rebuild the
very same points outside the app.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import tensorflow as tf
from sklearn import datasets as skd

from .expressions import expression
from .higher import replay

DOMAIN = 6.0            # inputs live in [-6, 6]², as in TensorFlow Playground
MAX_ROWS = 5000
FEATURES = {"x1": "X₁", "x2": "X₂", "x1sq": "X₁²", "x2sq": "X₂²", "x1x2": "X₁X₂", "sinx1": "sin X₁",
            "sinx2": "sin X₂"}


@dataclass(frozen=True)
class DataSpec:
    """How a data set was made: enough to make it again, in the app or in the exported code."""
    name: str = "circle"
    n: int = 400
    noise: float = 0.0              # 0 to 0.5, as in TensorFlow Playground
    seed: int = 0
    classes: int = 3                # blobs only
    formula: str = ""               # curve only: y = f(x) in the program language


@dataclass
class Dataset:
    x: np.ndarray                   # (n, 2) float32
    y: np.ndarray                   # (n,) int32 class labels, or float32 targets for regression
    kind: str                       # "classification" or "regression"
    classes: int = 2                # classification only
    name: str = ""
    spec: DataSpec | None = None    # how to make it again; None for a CSV

    @property
    def n(self) -> int:
        return len(self.x)


# ---- the data sets: (x, y) from (n, noise, seed) -----------------------------------------------------

def circle(n, noise, seed):
    x, y = skd.make_circles(n, noise=noise * 0.5, factor=0.45, random_state=seed)
    return x * 5, y


def xor(n, noise, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-5, 5, size=(n, 2))
    x += np.sign(x) * 0.3                                      # a small margin around the axes
    y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(int)
    return x + rng.normal(0, noise * 2, size=x.shape), y


def gauss(n, noise, seed):
    return skd.make_blobs(n, centers=[[2, 2], [-2, -2]], cluster_std=0.6 + noise * 4, random_state=seed)


def spiral(n, noise, seed):
    rng = np.random.default_rng(seed)
    half = n // 2
    t = np.sqrt(rng.uniform(0, 1, size=half)) * 3 * np.pi / 1.2
    r = t * 5 / (3 * np.pi / 1.2)
    arms = [np.stack([r * np.sin(t + delta), r * np.cos(t + delta)], axis=1) for delta in (0.0, np.pi)]
    return np.vstack(arms) + rng.normal(0, noise * 1.5, size=(2 * half, 2)), np.repeat([0, 1], half)


def moons(n, noise, seed):
    x, y = skd.make_moons(n, noise=noise * 0.6, random_state=seed)
    return (x - [0.5, 0.25]) * 3.5, y


def blobs(n, noise, seed, classes=3):
    if not 3 <= classes <= 5:
        raise ValueError("blobs has 3 to 5 classes")
    angles = np.linspace(0, 2 * np.pi, classes, endpoint=False)
    centers = np.stack([3.2 * np.cos(angles), 3.2 * np.sin(angles)], axis=1)
    return skd.make_blobs(n, centers=centers, cluster_std=0.7 + noise * 4, random_state=seed)


def plane(n, noise, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-DOMAIN, DOMAIN, size=(n, 2))
    return x, (x[:, 0] + x[:, 1]) / 12 + rng.normal(0, noise, size=n)


def multigauss(n, noise, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-DOMAIN, DOMAIN, size=(n, 2))
    centers = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    y = sum(s * np.exp(-((x[:, 0] - cx) ** 2 + (x[:, 1] - cy) ** 2) / 2) for cx, cy, s in centers)
    return x, y + rng.normal(0, noise, size=n)


def curve(n, noise, seed, f):
    """Points above (class 1) and below (class 0) the curve y = f(x)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-DOMAIN, DOMAIN, size=(n, 2)).astype(np.float32)
    y = (x[:, 1] > f(x[:, 0])).astype(np.int32)
    flip = rng.uniform(size=n) < noise * 0.5
    y[flip] = 1 - y[flip]
    return x, y


CLASSIFICATION_SETS = {"circle": circle, "xor": xor, "gauss": gauss, "spiral": spiral, "moons": moons, "blobs": blobs}
REGRESSION_SETS = {"plane": plane, "multigauss": multigauss}


def tidy(x, y, regression=False):
    """Float32 inputs inside the plane; float32 targets or int32 labels."""
    if regression:
        return x.astype(np.float32), y.astype(np.float32)
    return np.clip(x, -DOMAIN, DOMAIN).astype(np.float32), np.asarray(y, np.int32)


def make_dataset(name: str, n: int = 400, noise: float = 0.0, seed: int = 0, classes: int = 3) -> Dataset:
    """A data set by name: classification circle, xor, gauss, spiral, moons, blobs (3-5 classes);
    regression plane, multigauss. `noise` is 0-0.5 as in TensorFlow Playground; inputs in [-6, 6]²."""
    spec = DataSpec(name, n, noise, seed, classes if name == "blobs" else 3)
    if name in REGRESSION_SETS:
        x, y = tidy(*REGRESSION_SETS[name](n, noise, seed), regression=True)
        return Dataset(x, y, "regression", 0, name, spec)
    if name not in CLASSIFICATION_SETS:
        raise ValueError(f"unknown data set {name!r}")
    x, y = tidy(*(blobs(n, noise, seed, classes) if name == "blobs" else CLASSIFICATION_SETS[name](n, noise, seed)))
    return Dataset(x, y, "classification", int(np.max(y)) + 1, name, spec)


def curve_dataset(formula: str, n: int = 400, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Points above (class 1) and below (class 0) the curve y = f(x), f typed in the program language."""
    x, y = curve(n, noise, seed, function_of_x(formula))
    return Dataset(x, y, "classification", 2, f"y = {formula.strip()}", DataSpec("curve", n, noise, seed, 3, formula))


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


def split_indices(n, train_ratio, seed):
    """The rows of the training set and of the test set: a seeded shuffle, cut at the ratio."""
    order = np.random.default_rng(seed).permutation(n)
    k = max(1, min(n - 1, int(round(n * train_ratio))))
    return order[:k], order[k:]


def split(data: Dataset, train_ratio: float = 0.5, seed: int = 0) -> tuple[Dataset, Dataset]:
    train, test = split_indices(data.n, train_ratio, seed)
    take = lambda idx: replace(data, x=data.x[idx], y=data.y[idx])  # noqa: E731
    return take(train), take(test)


def features(x, names):
    """The network's input columns, computed from the points (x1, x2)."""
    cols = {"x1": x[:, 0], "x2": x[:, 1], "x1sq": x[:, 0] ** 2, "x2sq": x[:, 1] ** 2, "x1x2": x[:, 0] * x[:, 1],
            "sinx1": np.sin(x[:, 0]), "sinx2": np.sin(x[:, 1])}
    return np.stack([cols[n] for n in names], axis=1).astype(np.float32)
