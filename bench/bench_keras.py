"""The chapter-2 network from scratch (NaiveDense, NaiveSequential, a batch generator, one training step
under a GradientTape, an SGD optimizer's update, a fit loop), trained 2 epochs on scikit-learn's digits,
through explorer.run against the same code in plain eager TensorFlow in the same process. A second pair
does the same for Keras's own compile/fit (explorer's fit loop records each step; Keras's runs compiled).
Each pair is checked to give the same weights before it is timed."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import random  # noqa: E402

import numpy as np  # noqa: E402

import explorer  # noqa: E402
from bench.bench_graph import median_seconds  # noqa: E402
from explorer.codegen import tensorflow_code  # noqa: E402
from explorer.presets import by_title  # noqa: E402

SCRATCH = by_title("Chapter 2 network from scratch, trained on digits (Chollet 2.5)").source.replace(
    "epochs=10", "epochs=2")
KERAS_FIT = """
from sklearn.datasets import load_digits
from tensorflow import keras
from tensorflow.keras import layers
digits = load_digits()
images = digits.images.reshape((1797, 64)).astype("float32") / 16
model = keras.Sequential([layers.Dense(512, activation="relu"), layers.Dense(10, activation="softmax")])
model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(images, digits.target, epochs=2, batch_size=128, shuffle=False, verbose=0)
kernel = model.layers[1].kernel.numpy()
"""


def plain(source: str, name: str):
    code = compile(tensorflow_code(source, "float32", 0), "<bench>", "exec")   # our own presets

    def run():
        random.seed(0)
        namespace: dict = {}
        import contextlib
        import io
        with contextlib.redirect_stdout(io.StringIO()):
            exec(code, namespace)
        w = namespace[name]
        return w.numpy() if hasattr(w, "numpy") else np.asarray(w)
    return run


def ours(source: str, name: str):
    def run():
        return np.asarray(explorer.run(source).values[name])
    return run


def compare(title: str, source: str, name: str) -> None:
    a, b = ours(source, name), plain(source, name)
    np.testing.assert_allclose(a(), b(), rtol=2e-4, atol=1e-5)       # the same numbers, or no timing
    t_ex = median_seconds(a, 5)
    t_tf = median_seconds(b, 5)
    print(f"  {title}: explorer {t_ex * 1e3:.0f} ms · plain TensorFlow {t_tf * 1e3:.0f} ms · "
          f"ratio {t_ex / t_tf:.2f}x")


def main() -> None:
    print("Keras and the book's from-scratch network, 2 epochs on the 8×8 digits (medians of 5)")
    compare("chapter-2 network from scratch, fit 2 epochs (24 steps)", SCRATCH, "predictions")
    compare("keras Sequential compile/fit 2 epochs (30 steps; Keras runs them compiled)", KERAS_FIT, "kernel")
    compare("the same, 15 epochs (225 steps: Keras's tracing is paid off)", KERAS_FIT.replace("epochs=2", "epochs=15"),
            "kernel")


if __name__ == "__main__":
    main()
