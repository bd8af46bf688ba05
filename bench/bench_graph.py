"""Graph explorer hot path: trace + all gradients + both DOT views, against the same ops run eagerly
under a plain tf.GradientTape (the baseline), for generated programs of 10, 100 and 1000 ops."""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import explorer  # noqa: E402

UNARY = {"tf.sin": tf.sin, "tf.tanh": tf.tanh, "tf.square": tf.square}
BINARY = {"+": tf.add, "*": tf.multiply, "-": tf.subtract}


def program(n_ops: int, seed: int = 0) -> tuple[str, list[tuple]]:
    """The same computation as program text and as a list of (fn, input names, output name)."""
    rng = np.random.default_rng(seed)
    names = ["a", "b", "c"]
    lines = ["a = tf.Variable(0.5)", "b = tf.Variable(-0.3)", "c = tf.Variable(0.8)",
             "with tf.GradientTape() as tape:"]
    ops = []
    for i in range(n_ops):
        out = f"t{i}"
        recent = names[-8:]
        if i % 3 == 2:
            name = list(UNARY)[rng.integers(len(UNARY))]
            x = recent[rng.integers(len(recent))]
            lines.append(f"    {out} = {name}({x})")
            ops.append((UNARY[name], [x], out))
        else:
            sym = list(BINARY)[rng.integers(len(BINARY))]
            x, y = (recent[k] for k in rng.integers(len(recent), size=2))
            lines.append(f"    {out} = {x} {sym} {y}")
            ops.append((BINARY[sym], [x, y], out))
        names.append(out)
    lines.append(f"grads = tape.gradient({names[-1]}, [a, b, c])")
    return "\n".join(lines), ops


def baseline(ops: list[tuple]) -> None:
    env = {"a": tf.Variable(0.5), "b": tf.Variable(-0.3), "c": tf.Variable(0.8)}
    with tf.GradientTape() as tape:
        for fn, inputs, out in ops:
            env[out] = fn(*(env[k] for k in inputs))
    tape.gradient(env[ops[-1][2]], [env["a"], env["b"], env["c"]])


def explorer_path(source: str) -> None:
    run = explorer.run(source)
    graph = run.graph
    graph.to_dot("forward")
    graph.to_dot("backward")


def median_seconds(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    print("graph explorer: trace + gradients + DOT vs plain eager GradientTape (medians)")
    print(f"{'ops':>6} {'explorer ms':>12} {'eager ms':>10} {'ratio':>7} {'ms/op':>7}")
    for n, repeats in ((10, 21), (100, 11), (1000, 5)):
        source, ops = program(n)
        t_explorer = median_seconds(lambda: explorer_path(source), repeats)
        t_eager = median_seconds(lambda: baseline(ops), repeats)
        print(f"{n:>6} {t_explorer * 1e3:>12.1f} {t_eager * 1e3:>10.1f} {t_explorer / t_eager:>6.2f}x "
              f"{t_explorer * 1e3 / n:>7.2f}")


    source, ops = program(100)
    trace = median_seconds(lambda: explorer.run(source), 11)
    gradients = median_seconds(lambda: explorer.run(source).graph, 11) - trace
    full = median_seconds(lambda: explorer_path(source), 11)
    eager = median_seconds(lambda: baseline(ops), 11)
    print(f"100 ops, where the time goes (medians, as multiples of eager {eager * 1e3:.1f} ms): "
          f"parse + trace {trace / eager:.2f}x, all gradients + edge derivatives + checks "
          f"{gradients / eager:.2f}x, both DOT views {(full - trace - gradients) / eager:.2f}x")


if __name__ == "__main__":
    main()
