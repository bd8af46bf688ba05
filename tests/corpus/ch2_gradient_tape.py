# GradientTape on a scalar, a matrix and an affine map with a list of sources.
import tensorflow as tf
x = tf.Variable(0.)
with tf.GradientTape() as tape:
    y = 2 * x + 3
grad_of_y_wrt_x = tape.gradient(y, x)

x2 = tf.Variable(tf.random.uniform((2, 2)))
with tf.GradientTape() as tape:
    y2 = 2 * x2 + 3
grad_of_y2_wrt_x2 = tape.gradient(y2, x2)

W = tf.Variable(tf.random.uniform((2, 2)))
b = tf.Variable(tf.zeros((2,)))
x3 = tf.random.uniform((2, 2))
with tf.GradientTape() as tape:
    y3 = tf.matmul(x3, W) + b
grad_of_y3_wrt_W_and_b = tape.gradient(y3, [W, b])
print(grad_of_y_wrt_x, grad_of_y3_wrt_W_and_b[1])
