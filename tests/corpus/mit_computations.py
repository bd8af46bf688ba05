# Computations on tensors, a function of Python floats, the gradient of x squared.
import tensorflow as tf
a = tf.constant(15)
b = tf.constant(61)
c1 = tf.add(a,b)
c2 = a + b
print(c1)
print(c2)

def func(a,b):
  c = tf.add(a, b)
  d = tf.subtract(b, 1)
  e = tf.multiply(c, d)
  return e

a, b = 1.5, 2.5
e_out = func(a,b)
print(e_out)

x = tf.Variable(3.0)
with tf.GradientTape() as tape:
  y = x * x
dy_dx = tape.gradient(y, x)
assert dy_dx.numpy() == 6.0
