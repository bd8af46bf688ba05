# Python numbers stay Python numbers until they meet a tensor; then TensorFlow converts them.
import tensorflow as tf
y = 1.0
one_minus = 1 - y
learning_rate = 1 / 100
big = 2 ** 31
bigger = 2 ** 100
t = tf.constant(3.0)
mixed = 1 - t
scaled = learning_rate * t
i = tf.constant(2)
int_times = i * 3
ratio = 7 / 2
floor = 7 // 2
as_float = float(t)
as_int = int(i)
as_big = tf.constant(big)
print(one_minus, learning_rate, big, bigger % 1000, mixed, scaled, int_times, ratio, floor, as_float, as_int)
print(as_big.dtype, tf.constant(1.5) + 2, 2 ** t, t ** 2)
print("%d steps at %.3f" % (10, learning_rate), "{:>8.2e}".format(12345.678), f"{big:,}", f"{t:.1f}")
print("a,b,c".split(","), " x ".strip(), "-".join(["w", "b"]), "Loss".upper(), "ab".replace("a", "z"))
