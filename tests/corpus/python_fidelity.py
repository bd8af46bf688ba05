# What course cells do beside the maths: a tf.function with Python arguments, sorting with a builtin key,
# type checks on variables and tensors, named results unpacked, exceptions of one's own, matplotlib's axes.
import tensorflow as tf
import matplotlib.pyplot as plt


@tf.function
def affine(x):
    return 2 * x + 1


small = affine(2)                 # a Python int in, a tensor out (int32)
half = affine(2.5)                # a Python float in, float32 out
print(small, half)
print(small.numpy() + 1)

words = ["gradient", "of", "the", "loss"]
print(sorted(words, key=len), sorted([3, -5, 1], key=abs), max(words, key=len))

v = tf.Variable([1.0, 2.0])
t = tf.constant([1.0, 2.0])
checks = [isinstance(v, tf.Variable), isinstance(t, tf.Variable), isinstance(t, tf.Tensor),
          isinstance(v, tf.Tensor), isinstance(3, (float, int))]
print(checks)

scores = tf.constant([0.1, 0.7, 0.2, 0.9])
top_values, top_indices = tf.math.top_k(scores, k=2)
print(top_values.numpy(), top_indices.numpy())
mean, variance = tf.nn.moments(scores, axes=[0])


class ShapeMismatch(ValueError):
    def __init__(self, expected, got):
        super().__init__(f"expected {expected}, got {got}")
        self.expected = expected


class Quiet(Exception):
    pass


try:
    raise ShapeMismatch((2, 2), (3,))
except ValueError as e:
    caught = str(e)
    print("caught:", e, e.args, e.expected)
try:
    raise Quiet("no details")
except Quiet as e:
    print(repr(e), e)
try:
    {}["missing"]
except KeyError as e:
    print("key", e)

fig, ax = plt.subplots()
ax.plot([0, 1, 2], [0, 1, 4], label="x squared")
ax.set_title("squares")
ax.set_xlabel("x")
ax.legend()


class Vec:
    def __init__(self, x):
        self.x = x

    def __mul__(self, k):
        return Vec(self.x * k)

    __rmul__ = __mul__

    def __repr__(self):
        return f"Vec({self.x})"


class Named(Vec):
    def __repr__(self):
        return "Named:" + super().__repr__()

    def __str__(self):
        return super().__str__()


print(3 * Vec(2), Named(1), str(Named(5)))
print(hex(255), bin(5), oct(8), issubclass(bool, int), issubclass(int, (str, float)))


class Score:
    def __init__(self, value):
        self.value = value

    def __lt__(self, other):
        return self.value < other.value

    def __repr__(self):
        return f"Score({self.value})"


ranked = sorted([Score(3), Score(1), Score(2)])
best = max([Score(2), Score(5)])
print(ranked, best, sorted([Score(3), Score(1)], reverse=True))
names = ["beta", "Alpha", "gamma"]
print(sorted(names, key=str.lower), list(map(str.upper, names)), dict.fromkeys(["w", "b"], 0.0))


class Shown:
    def __repr__(self):
        return "Shown()"

    def describe(self):
        return "I am " + self.__repr__()


weights = tf.Variable([1, 2], name="weights")
print(Shown().describe(), "%s" % weights, "%d items at %.2f" % (3, 1.5))
