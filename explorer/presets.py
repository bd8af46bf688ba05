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
    float64: bool = True      # False: the program fixes float32 itself (`.astype("float32")`, Keras layers)


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
    Preset("MIT 6.S191: a custom Keras layer with build and call", """\
import tensorflow as tf

class OurDenseLayer(tf.keras.layers.Layer):
    def __init__(self, n_output_nodes):
        super(OurDenseLayer, self).__init__()
        self.n_output_nodes = n_output_nodes

    def build(self, input_shape):
        d = int(input_shape[-1])
        self.W = self.add_weight(name="weight", shape=[d, self.n_output_nodes])
        self.b = self.add_weight(name="bias", shape=[1, self.n_output_nodes])

    def call(self, x):
        z = tf.matmul(x, self.W) + self.b
        y = tf.sigmoid(z)
        return y

tf.random.set_seed(1)
layer = OurDenseLayer(3)
layer.build((1, 2))
x_input = tf.constant([[1, 2.]], shape=(1, 2))
with tf.GradientTape() as tape:
    y = layer.call(x_input)
print(y.numpy())
dy_dW, dy_db = tape.gradient(y, [layer.W, layer.b])
""",
           "y = sigmoid(x @ W + b): the layer's weights are named as the layer names them (our_dense_layer/weight); "
           "its ops form a cluster you can collapse to one box.", float64=False),
    Preset("Chapter 2 network from scratch, trained on digits (Chollet 2.5)", """\
# Chapter 2's network from scratch, trained on scikit-learn's bundled 8×8 digits (MNIST needs a download)
import math
from sklearn.datasets import load_digits
import tensorflow as tf
from tensorflow import keras

digits = load_digits()
images = digits.images.reshape((1797, 64)).astype("float32") / 16
labels = digits.target
train_images, train_labels = images[:1500], labels[:1500]
test_images, test_labels = images[1500:], labels[1500:]


class NaiveDense:
    def __init__(self, input_size, output_size, activation):
        self.activation = activation
        w_shape = (input_size, output_size)
        w_initial_value = tf.random.uniform(w_shape, minval=0, maxval=1e-1)
        self.W = tf.Variable(w_initial_value)
        b_shape = (output_size,)
        b_initial_value = tf.zeros(b_shape)
        self.b = tf.Variable(b_initial_value)

    def __call__(self, inputs):
        return self.activation(tf.matmul(inputs, self.W) + self.b)

    @property
    def weights(self):
        return [self.W, self.b]


class NaiveSequential:
    def __init__(self, layers):
        self.layers = layers

    def __call__(self, inputs):
        x = inputs
        for layer in self.layers:
            x = layer(x)
        return x

    @property
    def weights(self):
        weights = []
        for layer in self.layers:
            weights += layer.weights
        return weights


model = NaiveSequential([
    NaiveDense(input_size=64, output_size=128, activation=tf.nn.relu),
    NaiveDense(input_size=128, output_size=10, activation=tf.nn.softmax),
])


class BatchGenerator:
    def __init__(self, images, labels, batch_size=128):
        assert len(images) == len(labels)
        self.index = 0
        self.images = images
        self.labels = labels
        self.batch_size = batch_size
        self.num_batches = math.ceil(len(images) / batch_size)

    def next(self):
        images = self.images[self.index : self.index + self.batch_size]
        labels = self.labels[self.index : self.index + self.batch_size]
        self.index += self.batch_size
        return images, labels


optimizer = keras.optimizers.SGD(learning_rate=0.5)


def update_weights(gradients, weights):
    optimizer.apply_gradients(zip(gradients, weights))


def one_training_step(model, images_batch, labels_batch):
    with tf.GradientTape() as tape:
        predictions = model(images_batch)
        per_sample_losses = keras.losses.sparse_categorical_crossentropy(labels_batch, predictions)
        average_loss = tf.reduce_mean(per_sample_losses)
    gradients = tape.gradient(average_loss, model.weights)
    update_weights(gradients, model.weights)
    return average_loss


def fit(model, images, labels, epochs, batch_size=128):
    for epoch_counter in range(epochs):
        print(f"Epoch {epoch_counter}")
        batch_generator = BatchGenerator(images, labels, batch_size)
        for batch_counter in range(batch_generator.num_batches):
            images_batch, labels_batch = batch_generator.next()
            loss = one_training_step(model, images_batch, labels_batch)
        print(f"loss at the last batch: {loss:.2f}")


fit(model, train_images, train_labels, epochs=10, batch_size=128)

predictions = model(test_images).numpy()
predicted_labels = predictions.argmax(axis=1)
matches = predicted_labels == test_labels
print(f"accuracy: {matches.mean():.2f}")
""",
           "NaiveDense, NaiveSequential, a batch generator and one training step under a GradientTape, trained "
           "on scikit-learn's 8×8 digits: the loss falls epoch by epoch. The graph shows the last training step.", float64=False),
    Preset("Keras Sequential on digits: compile, fit, evaluate (Chollet 2.1)", """\
# Chapter 2's first network with Keras, on scikit-learn's bundled 8×8 digits (MNIST needs a download)
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
import numpy as np
import matplotlib.pyplot as plt
from tensorflow import keras
from tensorflow.keras import layers

digits = load_digits()
images = digits.images.reshape((1797, 8 * 8)).astype("float32") / 16
labels = digits.target
train_images, test_images, train_labels, test_labels, train_pictures, test_pictures = train_test_split(
    images, labels, digits.images, test_size=0.25, random_state=0)

model = keras.Sequential([
    layers.Dense(512, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="rmsprop",
              loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
# shuffle=False: the same batches a notebook makes (train_test_split has shuffled the digits already), so
# the exported code gives the same numbers
history = model.fit(train_images, train_labels, epochs=15, batch_size=128, shuffle=False)

test_loss, test_acc = model.evaluate(test_images, test_labels)
train_loss, train_acc = model.evaluate(train_images, train_labels, verbose=0)
print(f"train accuracy: {train_acc:.3f}   test accuracy: {test_acc:.3f}")
if train_acc - test_acc > 0.02:
    print("The model does better on the digits it trained on than on new ones: that gap is overfitting.")

predictions = model.predict(test_images[:10])
for i in range(10):
    print(f"test digit {i}: predicted {predictions[i].argmax()} with probability {predictions[i].max():.2f}, "
          f"label {test_labels[i]}")
# the ten test digits side by side, each with its predicted class
strip = np.hstack(test_pictures[:10])
plt.imshow(strip, cmap="binary")
plt.title("predicted: " + "  ".join(f"{p.argmax()} ({p.max():.2f})" for p in predictions))
plt.show()

plt.plot(history.history["loss"], label="loss")
plt.plot(history.history["accuracy"], label="accuracy")
plt.xlabel("epoch")
plt.legend()
plt.show()
""",
           "Dense(512, relu) then Dense(10, softmax), rmsprop and sparse categorical cross-entropy: test accuracy "
           "above 0.95, ten test digits with their predicted class, and the training history.", float64=False),
]


def by_title(title: str) -> Preset:
    for p in PRESETS:
        if p.title == title:
            return p
    raise KeyError(title)
