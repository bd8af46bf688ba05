# Functions: defaults, keywords, *args and **kwargs, closures, nonlocal and global, recursion, lambdas.
import tensorflow as tf
from tensorflow import keras
from math import sqrt, pi as PI

def affine(x, w=2.0, b=0.0, *, clip=None):
    y = w * x + b
    if clip is not None:
        y = tf.minimum(y, clip)
    return y

def total(*values, scale=1.0):
    return scale * sum(values)

def describe(**options):
    return ", ".join(f"{k}={v}" for k, v in sorted(options.items()))

def forward(f, *args, **kwargs):
    return f(*args, **kwargs)

def make_counter():
    count = 0
    def step():
        nonlocal count
        count += 1
        return count
    return step

calls = 0
def tracked(x):
    global calls
    calls += 1
    return x * x

def factorial(n):
    return 1 if n <= 1 else n * factorial(n - 1)

def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

x = tf.Variable(3.0)
with tf.GradientTape() as tape:
    y = affine(x, b=1.0) + forward(affine, x, w=3.0, clip=5.0) + tracked(x)
dy_dx = tape.gradient(y, x)
counter = make_counter()
counter()
counter()
square = lambda v: v ** 2
print(y, dy_dx, total(1, 2, 3, scale=0.5), describe(lr=0.1, epochs=3), counter(), calls, factorial(10), fib(15))
print(square(tf.constant(4.0)), (lambda a, b=2: a * b)(3), keras.activations.relu(tf.constant([-1.0, 2.0])), sqrt(PI))
