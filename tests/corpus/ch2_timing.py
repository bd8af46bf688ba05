# corpus: output=any
# Timing vectorised against naive code with time.time and str.format with an index and a spec.
import time
import numpy as np
x = np.random.random((20, 100))
y = np.random.random((20, 100))
t0 = time.time()
for _ in range(100):
    z = x + y
    z = np.maximum(z, 0.)
print("Took: {0:.2f} s".format(time.time() - t0))
