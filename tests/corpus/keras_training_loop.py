# corpus: float64=no
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

keras.utils.set_random_seed(7)
x = np.random.normal(size=(64, 4)).astype("float32")
labels = (x[:, 0] + x[:, 1] > 0).astype("int64")

# a subclassed model trained by hand: Keras loss, optimizer and metric under a GradientTape
class Classifier(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(8, activation="relu", kernel_initializer=keras.initializers.HeNormal())
        self.out = layers.Dense(2)

    def call(self, inputs):
        return self.out(self.hidden(inputs))


model = Classifier()
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
optimizer = keras.optimizers.Adam(learning_rate=0.01)
accuracy = keras.metrics.SparseCategoricalAccuracy()
losses = []
for step in range(5):
    with tf.GradientTape() as tape:
        logits = model(x)
        loss = loss_fn(labels, logits)
    grads = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))
    accuracy.update_state(labels, logits)
    losses.append(float(loss))
acc = float(accuracy.result())
hidden_kernel = model.hidden.kernel.numpy()

# Sequential with Flatten, an activation layer, a softmax output and the function form of a loss
seq = keras.Sequential([layers.Flatten(), layers.Dense(6), layers.Activation("tanh"),
                        layers.Dense(3, activation="softmax")])
images = np.random.uniform(size=(10, 2, 2)).astype("float32")
targets = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
sgd = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
for step in range(3):
    with tf.GradientTape() as tape:
        probs = seq(images)
        per_sample = keras.losses.sparse_categorical_crossentropy(targets, probs)
        seq_loss = tf.reduce_mean(per_sample)
    grads = tape.gradient(seq_loss, seq.trainable_weights)
    sgd.apply_gradients(zip(grads, seq.trainable_weights))
seq_weights = [w.numpy() for w in seq.weights]

# mean squared error, RMSprop and a one-hot target with categorical cross-entropy
reg = layers.Dense(1, kernel_initializer=keras.initializers.RandomNormal(stddev=0.05))
y_reg = np.sum(x, axis=1, keepdims=True)
mse = keras.losses.MeanSquaredError()
rms = keras.optimizers.RMSprop(learning_rate=0.01)
for step in range(4):
    with tf.GradientTape() as tape:
        reg_loss = mse(y_reg, reg(x))
    rms.apply_gradients(zip(tape.gradient(reg_loss, reg.trainable_weights), reg.trainable_weights))
one_hot = keras.utils.to_categorical(targets, 3)
cce = keras.losses.CategoricalCrossentropy()(one_hot, seq(images))
print(len(losses), round(float(reg_loss), 3) >= 0)
