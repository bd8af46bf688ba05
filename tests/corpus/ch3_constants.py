# Constant tensors, random tensors, NumPy arrays are assignable, tensors are not.
import tensorflow as tf
import numpy as np
x = tf.ones(shape=(2, 1))
print(x)
x = tf.zeros(shape=(2, 1))
print(x)
x = tf.random.normal(shape=(3, 1), mean=0., stddev=1.)
print(x)
x = tf.random.uniform(shape=(3, 1), minval=0., maxval=1.)
print(x)
c = tf.constant([1, 2, 3], dtype="float32")
print(c.dtype)
a = np.ones(shape=(2, 2))
a[0, 0] = 0.
print(a)
