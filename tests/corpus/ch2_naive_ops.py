# Element-wise operations written out with loops (small sizes), as the book does before NumPy.
import numpy as np

def naive_relu(x):
    assert len(x.shape) == 2
    x = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] = max(x[i, j], 0)
    return x

def naive_add(x, y):
    assert len(x.shape) == 2
    assert x.shape == y.shape
    x = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] += y[i, j]
    return x

x = np.random.random((4, 5)) - 0.5
y = np.random.random((4, 5))
z1 = naive_relu(naive_add(x, y))
z2 = np.maximum(x + y, 0.)
print(np.allclose(z1, z2))
