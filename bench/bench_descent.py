"""Descent lab hot path: six Keras optimizers × 500 steps on Rosenbrock, as the lab runs them (side by side
in one compiled tf.function loop, reused across page reruns) against the same loop written eagerly with
the same Keras classes; and what each race picture sends to the browser (the default view is the race
drawn by the page's own component; the 3-D view and the loss curves are Plotly)."""

from __future__ import annotations

import json
import time

import keras
import numpy as np
import tensorflow as tf

from bench.bench_graph import median_seconds
from explorer import descent as gd
from explorer import descent_plots as plots
from explorer.descent_picture import race_picture

STEPS = 500


def eager_race(s: gd.Surface) -> None:
    for name, spec in gd.OPTIMIZERS.items():
        opt = getattr(keras.optimizers, spec.keras_class)(learning_rate=s.learning_rate(name), **spec.defaults)
        xy = tf.Variable(np.array(s.start, np.float32))
        for _ in range(STEPS):
            with tf.GradientTape() as tape:
                loss = s.fn(xy[0], xy[1])
            opt.apply_gradients([(tape.gradient(loss, xy), xy)])


def lab_race(s: gd.Surface) -> None:
    gd.race(s, list(gd.OPTIMIZERS), steps=STEPS)


def main() -> None:
    s = gd.SURFACES["rosenbrock"]
    start = time.perf_counter()
    lab_race(s)                                   # first call: traces the race's one loop
    first = time.perf_counter() - start
    lab = median_seconds(lambda: lab_race(s), 7)
    eager = median_seconds(lambda: eager_race(s), 3)
    paths = gd.race(s, list(gd.OPTIMIZERS))
    sizes = {"race picture": len(json.dumps(race_picture(s, paths)).encode()) / 1024,
             **{name: plots.payload_kb(fig) for name, fig in (
                 ("3-D", plots.race_surface3d(s, paths)), ("loss", plots.loss_chart(paths)),
                 ("(the Plotly contour it replaced)", plots.race_contour(s, paths)))}}
    print(f"descent lab: 6 optimizers x {STEPS} steps on Rosenbrock (medians)")
    print(f"  compiled loops {lab * 1e3:.1f} ms vs eager Keras loop {eager * 1e3:.0f} ms: {eager / lab:.1f}x faster "
          f"(first call, tracing included: {first * 1e3:.0f} ms, {eager / first:.1f}x)")
    print("  payload per view (one is sent at a time): " + ", ".join(f"{k} {v:.0f} KB" for k, v in sizes.items()))


if __name__ == "__main__":
    main()
