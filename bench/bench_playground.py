"""Playground hot path: training steps per second for a 2→8→8→1 tanh network, batch 10, in the
playground's compiled loop against Keras `model.fit` on the same model and data in the same process;
and the seconds to compute 60 boundary frames at 100×100."""

from __future__ import annotations

import time

import keras
import numpy as np
import tensorflow as tf

from bench.bench_graph import median_seconds
from explorer import playground as pg

STEPS = 2000


def main() -> None:
    data = pg.make_dataset("circle", 400, 0.1, seed=0)
    train, test = pg.split(data, 0.5, 0)
    spec = pg.NetworkSpec(hidden=(8, 8), activation="tanh", learning_rate=0.03, batch_size=10)
    trainer = pg.Trainer(spec, train, test)
    trainer.steps(100)                                          # trace once
    first, count = tf.constant(trainer.step, tf.int64), tf.constant(STEPS, tf.int64)
    batch, seed = tf.constant(spec.batch_size, tf.int64), tf.constant(spec.seed, tf.int64)
    ours = median_seconds(lambda: trainer._train_steps(first, count, trainer.xtr, trainer.ytr, batch, seed), 5)

    model = pg.build_model(spec, 1)
    model.compile(optimizer=keras.optimizers.SGD(0.03), loss=keras.losses.BinaryCrossentropy(from_logits=True))
    x, y = pg.features(train.x, spec.features), train.y.reshape(-1, 1).astype(np.float32)
    model.fit(x, y, batch_size=10, epochs=1, verbose=0)         # build and trace once
    epochs = STEPS * 10 // len(x)                               # the same number of batch steps
    fit = median_seconds(lambda: model.fit(x, y, batch_size=10, epochs=epochs, verbose=0, shuffle=True), 3)

    for _ in range(59):
        trainer.steps(50)
    start = time.perf_counter()
    frames = trainer.boundary_frames(100, 60)
    frame_time = time.perf_counter() - start
    print(f"playground: 2→8→8→1 tanh, batch 10, {STEPS} steps (medians)")
    print(f"  compiled loop {STEPS / ours:,.0f} steps/s vs Keras fit {STEPS / fit:,.0f} steps/s: "
          f"{fit / ours:.1f}x faster; {len(frames)} boundary frames at 100×100 in {frame_time:.2f} s")


if __name__ == "__main__":
    main()
