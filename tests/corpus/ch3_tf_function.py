# corpus: output=any
# tf.function as a decorator, with and without arguments, on a layer and on a training step.
import tensorflow as tf

@tf.function
def dense(inputs, W, b):
    return tf.nn.relu(tf.matmul(inputs, W) + b)

@tf.function(jit_compile=True)
def training_step(inputs, targets, W, b):
    with tf.GradientTape() as tape:
        predictions = tf.matmul(inputs, W) + b
        loss = tf.reduce_mean(tf.square(targets - predictions))
    grad_loss_wrt_W, grad_loss_wrt_b = tape.gradient(loss, [W, b])
    W.assign_sub(grad_loss_wrt_W * 0.1)
    b.assign_sub(grad_loss_wrt_b * 0.1)
    return loss

W = tf.Variable(tf.random.uniform((3, 1)))
b = tf.Variable(tf.zeros((1,)))
inputs = tf.random.normal((8, 3))
targets = tf.reduce_sum(inputs, axis=1, keepdims=True)
for step in range(5):
    loss = training_step(inputs, targets, W, b)
    print(f"Loss at step {step}: {loss:.4f}")
out = dense(inputs, W, b)
