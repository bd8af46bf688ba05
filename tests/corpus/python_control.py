# Python's control flow as course code uses it, and the rest a student may write.
import math
total = 0
for i, value in enumerate([3, 1, 4, 1, 5], start=1):
    if value == 1:
        continue
    elif value > 4:
        total += 10 * i
    else:
        total += value
n = 0
while True:
    n += 1
    if n >= 7:
        break
else_ran = False
for k in range(3):
    pass
else:
    else_ran = True
parity = ["even" if k % 2 == 0 else "odd" for k in range(5)]
squares = {k: k * k for k in range(4)}
evens = {k for k in range(10) if k % 2 == 0}
pairs = [(a, b) for a in range(3) for b in range(a)]
gen_total = sum(x * x for x in range(10))
names = list(zip(["w", "b"], [1.0, 2.0]))
mapped = list(map(lambda v: v + 1, [1, 2, 3]))
kept = list(filter(lambda v: v > 1, [0, 1, 2, 3]))
ordered = sorted([(2, "b"), (1, "a"), (3, "c")], key=lambda p: -p[0])
first, *middle, last = [1, 2, 3, 4, 5]
(a, b), (c, d) = (1, 2), (3, 4)
found = 3 in [1, 2, 3] and "w" not in {"b": 1}
print(total, n, else_ran, parity, squares, sorted(evens), pairs, gen_total)
print(names, mapped, kept, ordered, first, middle, last, a + b + c + d, found)
print(math.ceil(7 / 2), math.floor(-0.5), math.sqrt(16), round(math.pi, 3), abs(-3), min(3, 1, 2), max([4, 9, 2]))
print(any(x > 3 for x in [1, 5]), all([]), divmod(17, 5), pow(2, 10), 7 // 2, -7 % 3, 2 ** -1)
if (m := len(parity)) > 3:
    print("walrus", m)
