# Tensor math: square, sqrt, elementwise +, matmul, *=; concat of a tuple.
import tensorflow as tf
a = tf.ones((2, 2))
b = tf.square(a)
c = tf.sqrt(a)
d = b + c
e = tf.matmul(a, b)
e *= d
f = tf.concat((a, b), axis=0)
print(e, f.shape)
