# The dot product three ways: NumPy's, @, and loops; and its shape rule.
import numpy as np
x = np.random.random((32,))
y = np.random.random((32,))
z = np.dot(x, y)
z2 = x @ y
z3 = np.matmul(x, y)

def naive_vector_dot(x, y):
    assert len(x.shape) == 1
    assert x.shape[0] == y.shape[0]
    z = 0.
    for i in range(x.shape[0]):
        z += x[i] * y[i]
    return z

def naive_matrix_vector_dot(x, y):
    z = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i] += x[i, j] * y[j]
    return z

def naive_matrix_vector_dot_rows(x, y):
    z = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        z[i] = naive_vector_dot(x[i, :], y)
    return z

def naive_matrix_dot(x, y):
    assert len(x.shape) == 2
    assert len(y.shape) == 2
    assert x.shape[1] == y.shape[0]
    z = np.zeros((x.shape[0], y.shape[1]))
    for i in range(x.shape[0]):
        for j in range(y.shape[1]):
            row_x = x[i, :]
            column_y = y[:, j]
            z[i, j] = naive_vector_dot(row_x, column_y)
    return z

A = np.random.random((5, 32))
B = np.random.random((32, 4))
print(np.isclose(naive_vector_dot(x, y), z), np.isclose(z2, z3))
print(np.allclose(naive_matrix_vector_dot(A, y), A @ y), np.allclose(naive_matrix_vector_dot_rows(A, y), np.dot(A, y)))
C = naive_matrix_dot(A, B)
print(C.shape, np.allclose(C, A @ B))
