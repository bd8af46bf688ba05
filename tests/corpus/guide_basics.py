# The basics guide: ops, softmax, conversions, a device check, variables, a function and its gradient,
# a small model fitted with a loop over shuffled batches and its losses plotted.
import tensorflow as tf
x = tf.constant([[1., 2., 3.],
                 [4., 5., 6.]])
print(x)
print(x.shape)
print(x.dtype)
print(x + x)
print(5 * x)
print(x @ tf.transpose(x))
print(tf.concat([x, x, x], axis=0))
print(tf.nn.softmax(x, axis=-1))
print(tf.reduce_sum(x))
print(tf.convert_to_tensor([1,2,3]))
print(tf.reduce_sum([1,2,3]))
if tf.config.list_physical_devices('GPU'):
  print("TensorFlow **IS** using the GPU")
else:
  print("TensorFlow **IS NOT** using the GPU")
var = tf.Variable([0.0, 0.0, 0.0])
var.assign([1, 2, 3])
var.assign_add([1, 1, 1])
print(var)

x = tf.Variable(1.0)
def f(x):
  y = x**2 + 2*x - 5
  return y
print(f(x))
with tf.GradientTape() as tape:
  y = f(x)
g_x = tape.gradient(y, x)
print(g_x)

x = tf.linspace(-2, 2, 201)
x = tf.cast(x, tf.float32)
def f(x):
  y = x**2 + 2*x - 5
  return y
y = f(x) + tf.random.normal(shape=[201])
plt.plot(x.numpy(), y.numpy(), '.', label='Data')
plt.plot(x, f(x), label='Ground truth')
plt.legend();

class Model:
  def __init__(self):
    rand_init = tf.random.uniform(shape=[3], minval=0., maxval=5., seed=22)
    self.w_q = tf.Variable(rand_init[0])
    self.w_l = tf.Variable(rand_init[1])
    self.b = tf.Variable(rand_init[2])

  def __call__(self, x):
    return self.w_q * (x**2) + self.w_l * x + self.b

  @property
  def variables(self):
    return [self.w_q, self.w_l, self.b]

quad_model = Model()

def mse_loss(y_pred, y):
  return tf.reduce_mean(tf.square(y_pred - y))

batch_size = 32
epochs = 20
learning_rate = 0.01
losses = []
indices = tf.random.shuffle(tf.range(201))
for epoch in range(epochs):
  for start in range(0, 201, batch_size):
    idx = indices[start:start + batch_size]
    x_batch = tf.gather(x, idx)
    y_batch = tf.gather(y, idx)
    with tf.GradientTape() as tape:
      batch_loss = mse_loss(quad_model(x_batch), y_batch)
    grads = tape.gradient(batch_loss, quad_model.variables)
    for g, v in zip(grads, quad_model.variables):
      v.assign_sub(learning_rate*g)
  loss = mse_loss(quad_model(x), y)
  losses.append(loss)
  if epoch % 10 == 0:
    print(f'Mean squared error for step {epoch}: {loss.numpy():0.3f}')
plt.plot(range(epochs), losses)
plt.xlabel("Epoch")
plt.ylabel("Mean Squared Error (MSE)")
plt.title('MSE loss vs training iterations');
