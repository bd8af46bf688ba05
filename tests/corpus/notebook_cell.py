# A notebook cell as pasted: an install line, a license banner, 2-space indentation, a bare last line.
!pip install mitdeeplearning --quiet
#@title Copyright 2026 (our own cell)
import tensorflow as tf
import numpy as np

def scale(v, by=2):
  return v * by

values = np.arange(6).reshape(2, 3)
t = tf.constant(values)
scale(t, by=3)
