# Tensors as NumPy arrays: scalars to rank 3, ndim, shape, dtype, slicing a batch out of a data set.
import numpy as np
x = np.array(12)
print(x, x.ndim)
v = np.array([12, 3, 6, 14, 7])
print(v.ndim, v.shape)
m = np.array([[5, 78, 2, 34, 0],
              [6, 79, 3, 35, 1],
              [7, 80, 4, 36, 2]])
print(m.ndim, m.shape, m.dtype)
cube = np.array([[[5, 78, 2], [6, 79, 3]],
                 [[7, 80, 4], [8, 81, 5]]])
print(cube.ndim)
images = np.random.randint(0, 256, size=(200, 28, 28)).astype("uint8")
labels = np.random.randint(0, 10, size=(200,))
print(images.ndim, images.shape, images.dtype, len(labels))
digit = images[4]
plt.imshow(digit, cmap=plt.cm.binary)
plt.show()
batch = images[10:100]
also = images[10:100, :, :]
same = images[10:100, 0:28, 0:28]
corner = images[:, 14:, 14:]
center = images[:, 7:-7, 7:-7]
n = 3
third = images[128 * n:128 * (n + 1)]
print(batch.shape, also.shape == same.shape, corner.shape, center.shape, third.shape)
flat = images.reshape((200, 28 * 28)).astype("float32") / 255
print(flat.shape, flat.dtype, round(float(flat.max()), 3))
