# A plain tensor is not watched: its gradient is None (the 3rd edition's example).
import tensorflow as tf
x = tf.zeros(shape=())
with tf.GradientTape() as tape:
    y = 2 * x + 3
grad_of_y_wrt_x = tape.gradient(y, x)
print(grad_of_y_wrt_x)
