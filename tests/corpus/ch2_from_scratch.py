# The two-layer network from scratch: a dense layer class, a sequential container, a batch generator,
# one training step under a tape, the update by assign_sub, a fit loop, and the accuracy.
import math
import numpy as np
import tensorflow as tf

class NaiveDense:
    def __init__(self, input_size, output_size, activation=None):
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
    NaiveDense(input_size=16, output_size=24, activation=tf.nn.relu),
    NaiveDense(input_size=24, output_size=4, activation=tf.nn.softmax),
])
assert len(model.weights) == 4


class BatchGenerator:
    def __init__(self, images, labels, batch_size=32):
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


def one_training_step(model, images_batch, labels_batch):
    with tf.GradientTape() as tape:
        predictions = model(images_batch)
        per_sample_losses = -tf.math.log(tf.gather(predictions, labels_batch, axis=1, batch_dims=1))
        average_loss = tf.reduce_mean(per_sample_losses)
    gradients = tape.gradient(average_loss, model.weights)
    update_weights(gradients, model.weights)
    return average_loss


learning_rate = 1e-1


def update_weights(gradients, weights):
    for g, w in zip(gradients, weights):
        w.assign_sub(g * learning_rate)


def fit(model, images, labels, epochs, batch_size=32):
    for epoch_counter in range(epochs):
        print(f"Epoch {epoch_counter}")
        batch_generator = BatchGenerator(images, labels, batch_size)
        for batch_counter in range(batch_generator.num_batches):
            images_batch, labels_batch = batch_generator.next()
            loss = one_training_step(model, images_batch, labels_batch)
            if batch_counter % 4 == 0:
                print(f"loss at batch {batch_counter}: {loss:.2f}")


train_images = np.random.random((160, 16)).astype("float32")
train_labels = (train_images[:, 0] * 4).astype("int64")
fit(model, train_images, train_labels, epochs=3)
predictions = model(train_images)
predictions = predictions.numpy()
predicted_labels = np.argmax(predictions, axis=1)
matches = predicted_labels == train_labels
print(f"accuracy: {matches.mean():.2f}")
