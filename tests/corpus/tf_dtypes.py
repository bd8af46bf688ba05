# corpus: float64=no
# Dtypes chosen on purpose: float16, float64, integers, casts, and what TensorFlow refuses.
import tensorflow as tf
h = tf.constant([0.5, 1.5], dtype=tf.float16)
d = tf.constant([0.5, 1.5], dtype=tf.float64)
i = tf.constant([1, 2], dtype=tf.int64)
v = tf.Variable(2.0, dtype=tf.float64)
with tf.GradientTape() as tape:
    y = tf.reduce_sum(v * d) + tf.cast(tf.reduce_sum(h), tf.float64)
g = tape.gradient(y, v)
c = tf.cast(i, tf.float32) / 3
k = tf.constant(10)
with tf.GradientTape() as tape:
    tape.watch(k)
    z = k * 2
gk = tape.gradient(z, k)
try:
    bad = tf.constant(1) * 2.5
except TypeError as e:
    refused = str(e)
print(y, g, c, gk, refused)
