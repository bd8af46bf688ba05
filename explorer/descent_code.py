"""The plain TensorFlow a student copies from the descent page into a notebook: one template per tab.

Each snippet reproduces the page's own numbers (the same start, seed, optimizer settings and step
count); tests/test_descent_code.py runs every one with real TensorFlow and compares.
"""

from __future__ import annotations

from .descent import DIVERGED, OPTIMIZERS, Surface


def _optimizer_call(name: str, learning_rate, params: dict) -> str:
    spec = OPTIMIZERS[name]
    kwargs = {**spec.defaults, **{k: v for k, v in params.items() if k in spec.defaults}}
    args = ", ".join([f"learning_rate={learning_rate}"] + [f"{k}={v!r}" for k, v in kwargs.items()])
    return f"tf.keras.optimizers.{spec.keras_class}({args})"


def _surface(s: Surface) -> list[str]:
    return ["import tensorflow as tf", "", "", "def f(x, y):", f"    return {s.formula}", ""]


def race_code(s: Surface, configs: tuple, start: tuple, steps: int) -> str:
    """The race: one loop per optimizer; `paths[title]` holds each one's points."""
    lines = _surface(s) + ["paths = {}"]
    for name, params in configs:
        params = dict(params)
        lines += [f"xy = tf.Variable([{float(start[0])!r}, {float(start[1])!r}])",
                  f"opt = {_optimizer_call(name, params.get('learning_rate', s.learning_rate(name)), params)}",
                  "path = [xy.numpy()]", f"for step in range({int(steps)}):",
                  "    with tf.GradientTape() as tape:", "        loss = f(xy[0], xy[1])",
                  "    grad = tape.gradient(loss, xy)", "    opt.apply_gradients([(grad, xy)])",
                  "    path.append(xy.numpy())", f"paths[{OPTIMIZERS[name].title!r}] = path", ""]
    return "\n".join(lines)


def sweep_code(s: Surface, optimizer: str, params: dict, rates, start: tuple, steps: int) -> str:
    """One optimizer at several learning rates: where each ends, and the step at which a run diverged
    (a coordinate, the loss or the gradient not finite, or a coordinate beyond 10⁶, as the page counts)."""
    call = _optimizer_call(optimizer, "lr", {k: v for k, v in dict(params).items() if k != "learning_rate"})
    return "\n".join(_surface(s) + [
        "final, diverged_at = {}, {}",
        f"for lr in {[float(r) for r in rates]}:",
        f"    xy = tf.Variable([{float(start[0])!r}, {float(start[1])!r}])",
        f"    opt = {call}",
        f"    for step in range({int(steps)} + 1):",
        "        with tf.GradientTape() as tape:",
        "            loss = f(xy[0], xy[1])",
        "        grad = tape.gradient(loss, xy)",
        "        finite = tf.math.is_finite(loss) & tf.reduce_all(tf.math.is_finite(xy)) \\",
        "            & tf.reduce_all(tf.math.is_finite(grad))",
        f"        if not finite or tf.reduce_max(tf.abs(xy)) > {DIVERGED:g}:",
        "            diverged_at[lr] = step",
        "            break",
        f"        if step < {int(steps)}:",
        "            opt.apply_gradients([(grad, xy)])",
        "    final[lr] = xy.numpy()",
        "    print(f\"lr={lr}: ends at {final[lr]}\" + (f\", diverged at step {diverged_at[lr]}\" "
        "if lr in diverged_at else \"\"))",
        ""])


def one_d_code(formula: str, learning_rate: float, steps: int, seed: int) -> str:
    """The MIT lab's loop, x.assign(x - lr * grad), from the page's seeded start."""
    return f"""import numpy as np
import tensorflow as tf

# The MIT lab draws x = tf.Variable([tf.random.normal([1])]); a seeded NumPy draw gives the page's start.
x = tf.Variable(np.random.default_rng({int(seed)}).normal(), dtype=tf.float32)
learning_rate = {float(learning_rate)!r}
history = []
for i in range({int(steps)}):
    with tf.GradientTape() as tape:
        loss = {formula.strip()}
    grad = tape.gradient(loss, x)
    new_x = x - learning_rate * grad
    x.assign(new_x)
    history.append(x.numpy())
"""


CLASSIFIER_LOSSES = {"square": "tf.reduce_mean(tf.square(targets - predictions))",
                     "logistic": "tf.reduce_mean(tf.math.softplus(predictions) - targets * predictions)"}


def classifier_code(loss: str, learning_rate: float, steps: int, seed: int, n: int = 1000) -> str:
    """Chollet's linear classifier from scratch (Deep Learning with Python, 3.5.3), seeded as the page is."""
    return f"""import numpy as np
import tensorflow as tf

num_samples_per_class = {int(n)}
rng = np.random.default_rng({int(seed)})
negative_samples = rng.multivariate_normal([0, 3], [[1, 0.5], [0.5, 1]], size=num_samples_per_class)
positive_samples = rng.multivariate_normal([3, 0], [[1, 0.5], [0.5, 1]], size=num_samples_per_class)
inputs = np.vstack((negative_samples, positive_samples)).astype(np.float32)
targets = np.vstack((np.zeros((num_samples_per_class, 1), dtype="float32"),
                     np.ones((num_samples_per_class, 1), dtype="float32")))

# The book draws W = tf.Variable(tf.random.uniform(shape=(2, 1))); a seeded NumPy draw gives the page's.
W = tf.Variable(np.random.default_rng({int(seed) + 1}).uniform(0, 1, size=(2, 1)).astype("float32"))
b = tf.Variable(tf.zeros(shape=(1,)))
learning_rate = {float(learning_rate)!r}


def training_step(inputs, targets):
    with tf.GradientTape() as tape:
        predictions = tf.matmul(inputs, W) + b
        loss = {CLASSIFIER_LOSSES[loss]}
    grad_loss_wrt_W, grad_loss_wrt_b = tape.gradient(loss, [W, b])
    W.assign_sub(grad_loss_wrt_W * learning_rate)
    b.assign_sub(grad_loss_wrt_b * learning_rate)
    return loss


losses = []
for step in range({int(steps)}):
    loss = training_step(inputs, targets)
    losses.append(float(loss))
    print(f"Loss at step {{step}}: {{loss:.4f}}")
"""
