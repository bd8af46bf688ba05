"""A training loop as the MIT lab writes it (500 SGD steps toward x_f = 4, one GradientTape per step)
through explorer.run, against the same loop in plain eager TensorFlow (the baseline) in the same process.
The explorer interprets the Python, records every op, keeps the first and last recordings and the
series for the charts; the ratio is what that costs over TensorFlow doing the arithmetic alone."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

import explorer  # noqa: E402
from bench.bench_graph import median_seconds  # noqa: E402

ITERATIONS = 500
SOURCE = f"""
x = tf.Variable([tf.random.normal([1])])
learning_rate = 1e-2
history = []
x_f = 4
for i in range({ITERATIONS}):
    with tf.GradientTape() as tape:
        loss = (x - x_f)**2
    grad = tape.gradient(loss, x)
    new_x = x - learning_rate*grad
    x.assign(new_x)
    history.append(x.numpy()[0])
"""


def plain_tensorflow() -> float:
    tf.random.set_seed(0)
    x = tf.Variable([tf.random.normal([1])])
    learning_rate = 1e-2
    history = []
    x_f = 4
    for _ in range(ITERATIONS):
        with tf.GradientTape() as tape:
            loss = (x - x_f) ** 2
        grad = tape.gradient(loss, x)
        new_x = x - learning_rate * grad
        x.assign(new_x)
        history.append(x.numpy()[0])
    return history[-1].item()


def through_explorer() -> float:
    run = explorer.run(SOURCE)
    return run.values["history"][-1].item()


def main() -> None:
    assert abs(through_explorer() - plain_tensorflow()) < 1e-6       # the same numbers, or no timing
    t_ex = median_seconds(through_explorer, 7)
    t_tf = median_seconds(plain_tensorflow, 7)
    print(f"MIT lab loop ({ITERATIONS} iterations): explorer.run vs the same loop in plain eager TensorFlow (medians)")
    print(f"  explorer {t_ex * 1e3:.0f} ms · plain TensorFlow {t_tf * 1e3:.0f} ms · ratio {t_ex / t_tf:.2f}x · "
          f"{t_ex / ITERATIONS * 1e6:.0f} µs per iteration")


if __name__ == "__main__":
    main()
