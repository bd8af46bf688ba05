# SGD toward x_f = 4 with the update written out, as the lab writes it, 500 iterations.
import tensorflow as tf
import matplotlib.pyplot as plt

x = tf.Variable([tf.random.normal([1])])
print("Initializing x={}".format(x.numpy()))

learning_rate = 1e-2
history = []
x_f = 4

for i in range(500):
  with tf.GradientTape() as tape:
    '''the loss: how far x is from the target'''
    loss = (x - x_f)**2

  grad = tape.gradient(loss, x)
  new_x = x - learning_rate*grad
  x.assign(new_x)
  history.append(x.numpy()[0])

plt.plot(history)
plt.plot([0, 500],[x_f,x_f])
plt.legend(('Predicted', 'True'))
plt.xlabel('Iteration')
plt.ylabel('x value')
