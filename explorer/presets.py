"""Worked examples from Chollet's Deep Learning with Python (ch. 2-3) and MIT 6.S191 lab 1.

Each is a program exactly as a student would paste it; tests/test_presets.py checks the books' numbers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    title: str
    source: str
    note: str


PRESETS: list[Preset] = [
    Preset("x² at 3 (Chollet 3.5)", """\
x = tf.Variable(3.0)
with tf.GradientTape() as tape:
    y = x * x
grad = tape.gradient(y, x)
""", "dy/dx = 2x = 6 at x = 3."),
    Preset("Chain rule on a computation graph (Chollet 2.4.4)", """\
w = tf.Variable(3.)
b = tf.Variable(1.)
x = tf.constant(2.)
y_true = tf.constant(4.)
with tf.GradientTape() as tape:
    x1 = w*x
    x2 = x1 + b
    loss_val = tf.abs(y_true - x2)
grad_w, grad_b, grad_x1, grad_x2 = tape.gradient(loss_val, [w, b, x1, x2])
""", "Forward: x1 = 6, x2 = 7, loss_val = 3. Backward: grad_w = 1·1·2 = 2, grad_b = 1·1 = 1."),
    Preset("Bare expression", "x = 3.0; y = 2.0; x**2 * y + tf.sin(x)",
           "Numbers bound to names become variables; the last expression is differentiated."),
    Preset("Watched constant (Chollet 3.10)", """\
input_const = tf.constant(3.)
other = tf.constant(3.)
with tf.GradientTape() as tape:
    tape.watch(input_const)
    result = tf.square(input_const) + tf.square(other)
gradients = tape.gradient(result, [input_const, other])
""", "Constants are not watched unless you ask: d/dc c² = 6 for the watched one, None for the other."),
    Preset("Persistent tape, two gradients", """\
x = tf.Variable(2.0)
with tf.GradientTape(persistent=True) as tape:
    y = x ** 3
    z = tf.exp(y / 8.)
dy_dx = tape.gradient(y, x)
dz_dx = tape.gradient(z, x)
""", "A persistent tape answers several gradient calls: dy/dx = 3x² = 12, dz/dx = e^(x³/8)·3x²/8."),
    Preset("Second derivative with nested tapes (Chollet 3.11)", """\
time = tf.Variable(0.)
with tf.GradientTape() as outer_tape:
    with tf.GradientTape() as inner_tape:
        position = 4.9 * time ** 2
    speed = inner_tape.gradient(position, time)
acceleration = outer_tape.gradient(speed, time)
""", "speed = 9.8·t = 0 at t = 0, acceleration = 9.8."),
    Preset("MIT 6.S191: e = (a + b)(b - 1)", """\
a = tf.Variable(1.5)
b = tf.Variable(2.5)
with tf.GradientTape() as tape:
    c = tf.add(a, b)
    d = tf.subtract(b, 1)
    e = tf.multiply(c, d)
de_da, de_db = tape.gradient(e, [a, b])
""", "e = 4 · 1.5 = 6; b feeds two ops, so its gradient is a sum: de/db = d + c = 1.5 + 4 = 5.5."),
    Preset("Affine map y = 2x + 3 on a matrix (Chollet 3.12)", """\
x = tf.Variable(tf.zeros((2, 2)))
with tf.GradientTape() as tape:
    y = 2 * x + 3
grad_of_y_wrt_x = tape.gradient(y, x)
""", "The gradient is a (2, 2) tensor of 2s."),
    Preset("Dense layer sigmoid(x @ W + b)", """\
x = tf.constant([[1., 2.], [3., 4.]])
W = tf.Variable([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]])
b = tf.Variable([[0.0, 0.1, -0.1]])
with tf.GradientTape() as tape:
    z = x @ W + b
    y = tf.sigmoid(z)
    loss = tf.reduce_mean(tf.square(y))
grad_W, grad_b = tape.gradient(loss, [W, b])
""", "MIT's custom Dense layer; dW = xᵀ·dz, db sums dz over the batch (broadcasting)."),
    Preset("Softmax cross-entropy", """\
logits = tf.Variable([[2.0, 1.0, 0.1]])
labels = tf.constant([[1.0, 0.0, 0.0]])
with tf.GradientTape() as tape:
    probs = tf.nn.softmax(logits)
    loss = -tf.reduce_sum(labels * tf.math.log(probs))
grad = tape.gradient(loss, logits)
""", "The gradient of cross-entropy through softmax is probs − labels."),
    Preset("Two-layer network, one step (Chollet 2.5)", """\
inputs = tf.constant([[0.5, -1.0]])
W1 = tf.Variable([[0.2, -0.3, 0.4], [0.1, 0.6, -0.5]])
b1 = tf.Variable([0.0, 0.1, 0.0])
W2 = tf.Variable([[0.3, -0.2], [0.5, 0.1], [-0.4, 0.2]])
b2 = tf.Variable([0.0, 0.0])
y_true = tf.constant([[0.0, 1.0]])
with tf.GradientTape() as tape:
    hidden = tf.nn.relu(tf.matmul(inputs, W1) + b1)
    probs = tf.nn.softmax(tf.matmul(hidden, W2) + b2)
    loss = -tf.reduce_sum(y_true * tf.math.log(probs))
grad_W1, grad_b1, grad_W2, grad_b2 = tape.gradient(loss, [W1, b1, W2, b2])
""", "loss(y_true, softmax(dot(relu(dot(inputs, W1) + b1), W2) + b2))."),
    Preset("2-2-2 sigmoid network, scalars (step-by-step backpropagation)", """\
i1 = tf.constant(0.05)
i2 = tf.constant(0.10)
w1 = tf.Variable(0.15)
w2 = tf.Variable(0.20)
w3 = tf.Variable(0.25)
w4 = tf.Variable(0.30)
b1 = tf.Variable(0.35)
w5 = tf.Variable(0.40)
w6 = tf.Variable(0.45)
w7 = tf.Variable(0.50)
w8 = tf.Variable(0.55)
b2 = tf.Variable(0.60)
target_o1 = tf.constant(0.01)
target_o2 = tf.constant(0.99)
with tf.GradientTape() as tape:
    net_h1 = w1 * i1 + w2 * i2 + b1
    out_h1 = tf.sigmoid(net_h1)
    net_h2 = w3 * i1 + w4 * i2 + b1
    out_h2 = tf.sigmoid(net_h2)
    net_o1 = w5 * out_h1 + w6 * out_h2 + b2
    out_o1 = tf.sigmoid(net_o1)
    net_o2 = w7 * out_h1 + w8 * out_h2 + b2
    out_o2 = tf.sigmoid(net_o2)
    E_total = 0.5 * (target_o1 - out_o1) ** 2 + 0.5 * (target_o2 - out_o2) ** 2
dw1, dw2, dw3, dw4, dw5, dw6, dw7, dw8 = tape.gradient(E_total, [w1, w2, w3, w4, w5, w6, w7, w8])
learning_rate = 0.5
w1.assign_sub(learning_rate * dw1)
w2.assign_sub(learning_rate * dw2)
w3.assign_sub(learning_rate * dw3)
w4.assign_sub(learning_rate * dw4)
w5.assign_sub(learning_rate * dw5)
w6.assign_sub(learning_rate * dw6)
w7.assign_sub(learning_rate * dw7)
w8.assign_sub(learning_rate * dw8)
""", "The well-known step-by-step example: inputs 0.05/0.10, targets 0.01/0.99, one update with "
         "learning rate 0.5 (biases shared per layer and not updated, as there)."),
    Preset("2-2-2 sigmoid network, matrices (step-by-step backpropagation)", """\
x = tf.constant([[0.05, 0.10]])
W1 = tf.Variable([[0.15, 0.25], [0.20, 0.30]])
b1 = tf.Variable(0.35)
W2 = tf.Variable([[0.40, 0.50], [0.45, 0.55]])
b2 = tf.Variable(0.60)
y_true = tf.constant([[0.01, 0.99]])
with tf.GradientTape() as tape:
    h = tf.sigmoid(x @ W1 + b1)
    y = tf.sigmoid(h @ W2 + b2)
    E_total = tf.reduce_sum(0.5 * (y_true - y) ** 2)
dW1, dW2 = tape.gradient(E_total, [W1, W2])
W1.assign_sub(0.5 * dW1)
W2.assign_sub(0.5 * dW2)
""", "The same network with tf.matmul: column j of W1 holds the weights into hidden unit j."),
]


def by_title(title: str) -> Preset:
    for p in PRESETS:
        if p.title == title:
            return p
    raise KeyError(title)
