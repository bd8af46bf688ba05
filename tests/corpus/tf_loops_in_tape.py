# A loop inside one tape (unrolled into one graph), and a tape inside a loop (one recording each).
import tensorflow as tf
x = tf.Variable(1.5)
with tf.GradientTape() as tape:
    y = x
    for _ in range(4):
        y = y * x + 1.0
dy_dx = tape.gradient(y, x)

w = tf.Variable([0.5, -0.5])
data = tf.constant([[1.0, 2.0], [2.0, 1.0], [0.0, 1.0]])
target = tf.constant([1.0, 0.0, 0.5])
losses = []
step = 0
while step < 30:
    with tf.GradientTape() as tape:
        pred = tf.linalg.matvec(data, w)
        loss = tf.reduce_mean((pred - target) ** 2)
    grad = tape.gradient(loss, w)
    w.assign_sub(0.1 * grad)
    losses.append(float(loss))
    step += 1
print(y, dy_dx, w.numpy(), losses[0] > losses[-1])
