# Broadcasting: expanding a vector, repeating it, and the naive loop that adds it to each row.
import numpy as np
X = np.random.random((32, 10))
y = np.random.random((10,))
y2 = np.expand_dims(y, axis=0)
Y = np.concatenate([y2] * 32, axis=0)
Y3 = np.tile(y, (32, 1))
print(Y.shape, np.array_equal(Y, Y3))

def naive_add_matrix_and_vector(x, y):
    assert len(x.shape) == 2
    assert len(y.shape) == 1
    assert x.shape[1] == y.shape[0]
    x = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] += y[j]
    return x

S = naive_add_matrix_and_vector(X, y)
print(np.allclose(S, X + y))
a = np.random.random((64, 3, 32, 10))
b = np.random.random((32, 10))
c = np.maximum(a, b)
print(c.shape)
