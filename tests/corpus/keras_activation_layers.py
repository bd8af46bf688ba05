# corpus: float64=no
# Activation layers on their own and in a Sequential over images, with Flatten
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

keras.utils.set_random_seed(4)
x = tf.constant([[-2.0, -0.5, 0.0, 1.5, 3.0]])
capped = layers.ReLU(max_value=1.0)(x)
leaky = layers.ReLU(negative_slope=0.1)(x)
leaky2 = layers.LeakyReLU(negative_slope=0.2)(x)
soft = layers.Softmax()(x)
tanh = layers.Activation("tanh")(x)
sig = layers.Activation(keras.activations.sigmoid)(x)

images = np.random.uniform(size=(6, 3, 3)).astype("float32")
model = keras.Sequential([layers.Flatten(), layers.Dense(4), layers.ReLU(), layers.Dense(2), layers.Softmax()])
probabilities = model(images)
drop = layers.Dropout(0.5)
same_at_inference = drop(x)
print(probabilities.shape, [l.name for l in model.layers])
