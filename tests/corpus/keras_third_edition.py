# corpus: float64=no
import keras
from keras import ops
import math
from sklearn.datasets import load_digits
keras.utils.set_random_seed(0)

class NaiveDense:
    def __init__(self, input_size, output_size, activation=None):
        self.activation = activation
        self.W = keras.Variable(shape=(input_size, output_size), initializer="uniform")
        self.b = keras.Variable(shape=(output_size,), initializer="zeros")

    def __call__(self, inputs):
        x = ops.matmul(inputs, self.W)
        x = x + self.b
        if self.activation is not None:
            x = self.activation(x)
        return x

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
    NaiveDense(input_size=64, output_size=32, activation=ops.relu),
    NaiveDense(input_size=32, output_size=10, activation=ops.softmax),
])
from keras import optimizers
optimizer = optimizers.SGD(learning_rate=1e-1)
import tensorflow as tf
digits = load_digits()
images = digits.data.astype("float32") / 16
labels = digits.target
def one_training_step(model, images_batch, labels_batch):
    with tf.GradientTape() as tape:
        predictions = model(images_batch)
        loss = ops.sparse_categorical_crossentropy(labels_batch, predictions)
        average_loss = ops.mean(loss)
    gradients = tape.gradient(average_loss, model.weights)
    optimizer.apply_gradients(zip(gradients, model.weights))
    return average_loss
for i in range(5):
    l = one_training_step(model, images[i*128:(i+1)*128], labels[i*128:(i+1)*128])
predictions = model(images[:200])
predicted_labels = ops.argmax(predictions, axis=1)
