# corpus: float64=no floats=float32 fit=graph
# Chapter 3: a linear classifier in Keras, compiled with objects rather than strings, with validation data
import numpy as np
import keras

keras.utils.set_random_seed(3)
n = 300
negatives = np.random.multivariate_normal(mean=[0, 3], cov=[[1, 0.5], [0.5, 1]], size=n)
positives = np.random.multivariate_normal(mean=[3, 0], cov=[[1, 0.5], [0.5, 1]], size=n)
inputs = np.vstack((negatives, positives)).astype(np.float32)
targets = np.vstack((np.zeros((n, 1), dtype="float32"), np.ones((n, 1), dtype="float32")))
order = np.random.permutation(len(inputs))
inputs, targets = inputs[order], targets[order]
split = int(0.3 * len(inputs))
val_inputs, val_targets = inputs[:split], targets[:split]
train_inputs, train_targets = inputs[split:], targets[split:]


class SimpleDense(keras.Layer):
    def __init__(self, units, activation=None):
        super().__init__()
        self.units = units
        self.activation = activation

    def build(self, input_shape):
        batch_dim, input_dim = input_shape
        self.W = self.add_weight(shape=(input_dim, self.units), initializer="random_normal")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        y = keras.ops.matmul(inputs, self.W) + self.b
        if self.activation is not None:
            y = self.activation(y)
        return y


model = keras.Sequential([SimpleDense(4, activation=keras.ops.relu), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.1),
              loss=keras.losses.MeanSquaredError(),
              metrics=[keras.metrics.BinaryAccuracy()])
history = model.fit(train_inputs, train_targets, epochs=4, batch_size=64, shuffle=False, verbose=0,
                    validation_data=(val_inputs, val_targets))
print(sorted(history.history))
loss_and_metrics = model.evaluate(val_inputs, val_targets, batch_size=64, verbose=0)
predictions = model.predict(val_inputs[:5], batch_size=64, verbose=0)
weight_names = [w.name for w in model.weights]
print(weight_names, [w.path for w in model.weights])
first_layer = model.layers[0]
print(first_layer.name, first_layer.units, len(first_layer.weights))
