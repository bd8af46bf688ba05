# Second order and Jacobians through functions, as the guides compute Hessians.
import tensorflow as tf

def f(x, y):
    return x ** 2 * y + tf.sin(x) * y ** 3

x = tf.Variable(1.0)
y = tf.Variable(2.0)
with tf.GradientTape(persistent=True) as outer:
    with tf.GradientTape() as inner:
        z = f(x, y)
    dz = inner.gradient(z, [x, y])
    dzdx, dzdy = dz
hxx = outer.gradient(dzdx, x)
hxy = outer.gradient(dzdx, y)
hyy = outer.gradient(dzdy, y)
v = tf.Variable([1.0, 2.0, 3.0])
with tf.GradientTape() as tape:
    w = tf.stack([v[0] * v[1], v[1] * v[2], v[2] ** 2])
J = tape.jacobian(w, v)
print(z, dzdx, dzdy, hxx, hxy, hyy, J)
