"""Playground trainer: mini-batch steps per second for a 2→8→8→1 tanh network, batch 10, on the circle data,
in one run against the strongest peers that run here:

- the playground's trainer (`Trainer.frames`: Keras layers, loss and optimizer in one XLA-compiled call);
- a straightforward NumPy loop of the same network, loss and SGD (its first step checked against Keras);
- TensorFlow Playground's own trainer, its `src/nn.ts` run in node by bench/nn_ts_trainer.js, training as its
  page does (every example forward and back, the weights updated every 10), when GE_PLAYGROUND_NN_JS names a
  CommonJS build of that file (nothing of TensorFlow Playground is in this repository);
- Keras `model.fit` on the same model and data.

Medians of 5 timed runs of STEPS steps each, after a warm-up; plus the seconds for 60 boundary frames.

Then the server's side of the live picture alone (no browser): N sessions in N threads, each asking for
frames the way its browser does (more when under 0.5 s is left), with the answer encoded as the page sends
it; per session, the frames a second it got and its slowest answer. A browser needs FPS frames a second.
"""

from __future__ import annotations

import json
import os
import threading
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from bench.bench_graph import median_seconds
from explorer import playground as pg
from explorer import playground_live as pl

STEPS = 20_000
SPEC = pg.NetworkSpec(hidden=(8, 8), activation="tanh", learning_rate=0.03, batch_size=10)
HARNESS = Path(__file__).with_name("nn_ts_trainer.js")


def data():
    return pg.split(pg.make_dataset("circle", 400, 0.1, seed=0), 0.5, 0)


class NumpyNet:
    """2→8→8→1 tanh, sigmoid cross-entropy on the logit, plain SGD: the loop anyone would write."""

    def __init__(self, weights: list[np.ndarray], x: np.ndarray, y: np.ndarray, lr: float, batch: int, seed: int):
        self.w = [w.astype(np.float32).copy() for w in weights]
        self.x, self.y, self.lr, self.batch = x, y.reshape(-1, 1).astype(np.float32), np.float32(lr), batch
        self.rng = np.random.default_rng(seed)

    def step(self, rows: np.ndarray) -> None:
        w1, b1, w2, b2, w3, b3 = self.w
        xb, yb = self.x[rows], self.y[rows]
        h1 = np.tanh(xb @ w1 + b1)
        h2 = np.tanh(h1 @ w2 + b2)
        z = h2 @ w3 + b3
        dz = (1 / (1 + np.exp(-z)) - yb) / len(rows)
        dh2 = (dz @ w3.T) * (1 - h2 * h2)
        dh1 = (dh2 @ w2.T) * (1 - h1 * h1)
        grads = (xb.T @ dh1, dh1.sum(0), h1.T @ dh2, dh2.sum(0), h2.T @ dz, dz.sum(0))
        for w, g in zip(self.w, grads):
            w -= self.lr * g

    def train(self, steps: int) -> None:
        for _ in range(steps):
            self.step(self.rng.integers(0, len(self.x), self.batch))


def numpy_agrees_with_keras(weights, x, y) -> None:
    """The NumPy loop's step is Keras's: one step from the same weights on the same rows."""
    rows = np.arange(10)
    net = NumpyNet(weights, x, y, SPEC.learning_rate, 10, 0)
    net.step(rows)
    model = pg.build_model(SPEC, 1)
    model.set_weights(weights)
    with tf.GradientTape() as tape:
        loss = keras.losses.BinaryCrossentropy(from_logits=True)(y[rows].reshape(-1, 1).astype(np.float32), model(x[rows]))
    keras.optimizers.SGD(SPEC.learning_rate).apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                                                                 model.trainable_variables))
    for a, b in zip(net.w, model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def nn_ts(x: np.ndarray, y: np.ndarray) -> list[float] | str:
    """TensorFlow Playground's trainer in node: steps per second, or why it was not measured."""
    build = os.environ.get("GE_PLAYGROUND_NN_JS")
    if not build or not Path(build).exists():
        return "not measured: set GE_PLAYGROUND_NN_JS to a CommonJS build of TensorFlow Playground's src/nn.ts"
    if shutil.which("node") is None:
        return "not measured: no node"
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp, "data.json")
        spec.write_text(json.dumps({"x": x.tolist(), "y": (y * 2 - 1).tolist(), "hidden": list(SPEC.hidden),
                                    "batch": SPEC.batch_size, "rate": SPEC.learning_rate, "steps": STEPS,
                                    "repeats": 5}))
        done = subprocess.run(["node", str(HARNESS), str(Path(build).resolve()), str(spec)], capture_output=True,
                              text=True, timeout=600)
    if done.returncode:
        return f"not measured: node failed: {done.stderr.strip()[-300:]}"
    return json.loads(done.stdout)["steps_per_s"]


def sessions(n: int, seconds: float = 6.0) -> list[tuple[float, float]]:
    """n sessions playing the default network at once, each pulling frames as its browser would:
    (frames per second received, slowest answer in seconds) for each."""
    defaults = {s.name: s.default for s in pg.SETTINGS.table}
    lives = []
    for _ in range(n):
        live = pl.Live()
        live.configure(defaults, warm=False)
        lives.append(live)
    lives[0].trainer.frames(1)                                   # the shape's engine compiled once
    results: list[tuple[float, float]] = [(0.0, 0.0)] * n

    def play(i: int) -> None:
        live, received, slowest, event = lives[i], 0, 0.0, 1
        start = time.perf_counter()
        have = shown = 0
        live.handle({"do": "play", "gen": live.gen, "at": 0, "have": 0, "id": event, "want": 2 * pl.AHEAD})
        while time.perf_counter() - start < seconds:
            frames = live.message(False, False, False, full=False)["frames"]
            if frames["n"]:
                have = max(have, frames["step"][-1])
                received += sum(1 for s in frames["step"] if s > shown)
                shown = max(shown, frames["step"][-1])
            # the browser shows FPS frames a second; it asks again when half a second is left
            time.sleep(max(0.0, (received - pl.FPS / 2) / pl.FPS - (time.perf_counter() - start)))
            event += 1
            asked = time.perf_counter()
            json.dumps(live.message(False, False, False, full=False))    # what Streamlit would serialize
            live.handle({"do": "more", "gen": live.gen, "at": shown, "have": have, "id": event, "want": 2 * pl.AHEAD})
            slowest = max(slowest, time.perf_counter() - asked)
        results[i] = (received / (time.perf_counter() - start), slowest)

    threads = [threading.Thread(target=play, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def main() -> None:
    train, test = data()
    x, y = pg.features(train.x, SPEC.features), train.y
    trainer = pg.Trainer(SPEC, train, test)
    numpy_agrees_with_keras(trainer.model.get_weights(), x, y)
    trainer.frames(1, 100)                                                   # compile once
    ours = median_seconds(lambda: trainer.frames(1, STEPS), 5)

    net = NumpyNet(pg.build_model(SPEC, 1).get_weights(), x, y, SPEC.learning_rate, SPEC.batch_size, 0)
    net.train(200)
    plain = median_seconds(lambda: net.train(STEPS), 5)

    playground = nn_ts(x, y)

    model = pg.build_model(SPEC, 1)
    model.compile(optimizer=keras.optimizers.SGD(0.03), loss=keras.losses.BinaryCrossentropy(from_logits=True))
    yy = y.reshape(-1, 1).astype(np.float32)
    model.fit(x, yy, batch_size=10, epochs=1, verbose=0)                     # build and trace once
    fit_steps = 2000
    fit = median_seconds(lambda: model.fit(x, yy, batch_size=10, epochs=fit_steps * 10 // len(x), verbose=0), 3)

    for _ in range(59):
        trainer.frames(1, 50)
    start = time.perf_counter()
    frames = trainer.boundary_frames(100, 60)
    frame_time = time.perf_counter() - start

    rate = STEPS / ours
    print(f"playground trainer: 2→8→8→1 tanh, batch 10, circle (200 training points), {STEPS:,} steps (medians)")
    print(f"  playground (Keras in one XLA call)   {rate:10,.0f} steps/s")
    print(f"  NumPy loop (same network and SGD)    {STEPS / plain:10,.0f} steps/s   ours {rate * plain / STEPS:.2f}x")
    if isinstance(playground, str):
        print(f"  TensorFlow Playground's nn.ts        {playground}")
    else:
        peer = statistics.median(playground)
        print(f"  TensorFlow Playground's nn.ts (node) {peer:10,.0f} steps/s   ours {rate / peer:.2f}x  "
              f"(its runs {min(playground):,.0f}–{max(playground):,.0f})")
    print(f"  Keras model.fit                      {fit_steps / fit:10,.0f} steps/s   ours {rate * fit / fit_steps:.1f}x")
    print(f"  {len(frames)} boundary frames at 100×100 in {frame_time:.2f} s")
    print(f"live picture, the server's side alone (each browser needs {pl.FPS} frames a second):")
    for n in (1, 5, 10, 20):
        got = sessions(n)
        rates = sorted(r for r, _ in got)
        print(f"  {n:2d} sessions at once: frames/s per session median {statistics.median(rates):5.1f}, "
              f"lowest {rates[0]:5.1f}; slowest answer {max(s for _, s in got) * 1000:4.0f} ms")


if __name__ == "__main__":
    main()
