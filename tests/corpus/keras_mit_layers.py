# corpus: float64=no
import tensorflow as tf

# MIT lab 1: a dense layer written as a Keras Layer with build and call
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
        return tf.sigmoid(z)


tf.random.set_seed(1)
layer = OurDenseLayer(3)
layer.build((1, 2))
x_input = tf.constant([[1, 2.]], shape=(1, 2))
y = layer.call(x_input)
W_value = layer.W.numpy()
print(y.numpy().shape, len(layer.trainable_weights))

# the same layer from Keras, in a Sequential model
n_output_nodes = 3
model = tf.keras.Sequential()
dense_layer = tf.keras.layers.Dense(n_output_nodes, activation="sigmoid")
model.add(dense_layer)
x_input2 = tf.constant([[1, 2.]], shape=(1, 2))
model_output = model(x_input2).numpy()
kernel = dense_layer.kernel.numpy()
print(model_output.shape, dense_layer.units)


# a subclassed Model, and one whose call takes a flag
class SubclassModel(tf.keras.Model):
    def __init__(self, n_output_nodes):
        super(SubclassModel, self).__init__()
        self.dense_layer = tf.keras.layers.Dense(n_output_nodes, activation="sigmoid")

    def call(self, inputs):
        return self.dense_layer(inputs)


class IdentityModel(tf.keras.Model):
    def __init__(self, n_output_nodes):
        super(IdentityModel, self).__init__()
        self.dense_layer = tf.keras.layers.Dense(n_output_nodes, activation="sigmoid")

    def call(self, inputs, isidentity=False):
        x = self.dense_layer(inputs)
        if isidentity:
            return inputs
        return x


sub = SubclassModel(3)
sub_out = sub(x_input)
identity = IdentityModel(3)
out_activate = identity.call(x_input)
out_identity = identity.call(x_input, isidentity=True)
out_flag = identity(x_input, isidentity=True)
print("Network output with activation: {}; network identity output: {}".format(out_activate.numpy(),
                                                                                out_identity.numpy()))
n_sub_weights = len(sub.trainable_variables)
