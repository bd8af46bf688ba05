# Variables: made from a tensor, assigned whole and by a slice, added to.
import tensorflow as tf
v = tf.Variable(initial_value=tf.random.normal(shape=(3, 1)))
print(v)
v.assign(tf.ones((3, 1)))
v[0, 0].assign(3.)
v.assign_add(tf.ones((3, 1)))
print(v.numpy())
