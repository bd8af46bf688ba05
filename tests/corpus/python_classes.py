# Classes: inheritance, super(), properties with setters, class attributes, static and class methods,
# operator methods (a scalar autodiff value in the style of micrograd), iteration and containers.
import math

class Value:
    count = 0

    def __init__(self, data, children=(), op=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(children)
        self._op = op
        Value.count += 1

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")
        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")
        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k):
        out = Value(self.data ** k, (self,), f"**{k}")
        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")
        def _backward():
            self.grad += (1 - t ** 2) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo, visited = [], set()
        def build(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)
        build(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other ** -1

    def __repr__(self):
        return f"Value(data={self.data:.4f}, grad={self.grad:.4f})"


a = Value(2.0)
b = Value(-3.0)
c = a * b + 10
d = (c * c + a ** 3).tanh() + 2 * a - b / 4
d.backward()
print(a, b, round(d.data, 6), Value.count > 5)


class Shape:
    sides = 0

    def __init__(self, name):
        self._name = name

    @property
    def name(self):
        return self._name.title()

    @name.setter
    def name(self, value):
        self._name = value.lower()

    def describe(self):
        return f"{self.name} with {self.sides} sides"

    @staticmethod
    def unit():
        return 1

    @classmethod
    def make(cls, name):
        return cls(name)


class Square(Shape):
    sides = 4

    def __init__(self, side):
        super().__init__("square")
        self.side = side

    def area(self):
        return self.side ** 2

    def describe(self):
        return super().describe() + f", area {self.area()}"


class Bag:
    def __init__(self, *items):
        self.items = list(items)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]

    def __iter__(self):
        return iter(self.items)

    def __contains__(self, x):
        return x in self.items


s = Square(3)
s.name = "SQUARE"
t = Shape.make("triangle")
bag = Bag(1, 2, 3)
print(s.describe(), t.describe(), Shape.unit(), isinstance(s, Shape), issubclass(Square, Shape))
print(len(bag), bag[1], [x * 2 for x in bag], 2 in bag, type(s).__name__)
