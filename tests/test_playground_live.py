"""The live playground's server half: frames computed in one compiled call are Keras's numbers, Pause lands
exactly on a shown frame, settings change while training, and the conversation with the browser
(explorer.playground_live.Live) does what each request asks."""

import base64
import threading
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

from explorer import playground as pg
from explorer import playground_live as pl


def circle_trainer(**spec) -> pg.Trainer:
    data = pg.make_dataset("circle", 200, 0.1, seed=0)
    return pg.Trainer(pg.NetworkSpec(**{"hidden": (4, 2), **spec}), *pg.split(data, 0.5, 0), split=(0.5, 0))


def plain_model(trainer: pg.Trainer, weights: list[np.ndarray], activation: str | None = None) -> keras.Model:
    """A Keras model with a named activation (no switch), holding the given weights."""
    spec = trainer.spec if activation is None else pg.replace(trainer.spec, activation=activation)
    model = pg.build_model(spec, trainer.outputs)
    model.set_weights(weights)
    return model


def batch_rows(trainer: pg.Trainer, step: int) -> np.ndarray:
    """The rows of mini-batch `step`, drawn as the compiled loop draws them (TensorFlow's stateless RNG)."""
    idx = tf.random.stateless_uniform([pg.MAX_BATCH], seed=tf.constant([trainer.spec.seed, step], tf.int64),
                                      maxval=trainer.ntr, dtype=tf.int32).numpy()
    return idx[:trainer.spec.batch_size]


# ---- a frame is what Keras computes -----------------------------------------------------------------------

def test_a_frame_is_kerass_output_losses_thumbnails_and_gradients():
    trainer = circle_trainer(activation="tanh")
    frame = trainer.frames(3)[-1]
    model = plain_model(trainer, frame.weights)
    x = pg.features(trainer.train_data.x, trainer.spec.features)
    y = trainer.train_data.y.reshape(-1, 1).astype(np.float32)
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    assert frame.train_loss == pytest.approx(float(bce(y, model(x))), rel=1e-5)
    xt = pg.features(trainer.test_data.x, trainer.spec.features)
    yt = trainer.test_data.y.reshape(-1, 1).astype(np.float32)
    assert frame.test_loss == pytest.approx(float(bce(yt, model(xt))), rel=1e-5)
    assert frame.test_accuracy == pytest.approx(float(np.mean((model(xt).numpy() > 0) == yt)))
    grid = pg.features(pg.plane_grid(pg.GRID_N), trainer.spec.features)
    p = tf.sigmoid(model(grid)).numpy().reshape(pg.GRID_N, pg.GRID_N)
    np.testing.assert_allclose(frame.output, p, atol=2e-6)
    # every neuron's thumbnail: that layer's output over the thumbnail grid, row 0 at x2 = -6
    thumbs = pg.plane_grid(pg.THUMB_N)
    h = pg.features(thumbs, trainer.spec.features)
    for layer, got in zip(model.layers, frame.neurons):
        h = layer(h).numpy()
        np.testing.assert_allclose(got, h.T.reshape(-1, pg.THUMB_N, pg.THUMB_N), atol=2e-6)
    assert thumbs[0].tolist() == [-6, -6] and thumbs[pg.THUMB_N].tolist()[1] > -6
    # the gradients on the next mini-batch, from a tape over the same rows
    rows = batch_rows(trainer, frame.step)
    with tf.GradientTape() as tape:
        loss = bce(y[rows], model(x[rows]))
    for got, want in zip(frame.gradients, tape.gradient(loss, model.trainable_variables)):
        np.testing.assert_allclose(got, want.numpy(), rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "rmsprop", "adam"])
def test_the_compiled_steps_are_a_keras_training_loop(optimizer):
    trainer = circle_trainer(optimizer=optimizer, batch_size=7, learning_rate=0.03, regularization="l2",
                             regularization_rate=0.001)
    model = plain_model(trainer, trainer.last_frame().weights)
    opt = pg.make_optimizer(trainer.spec)
    x = pg.features(trainer.train_data.x, trainer.spec.features)
    y = trainer.train_data.y.reshape(-1, 1).astype(np.float32)
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    for step in range(25):                                   # Keras's own loop, eagerly, on the same batches
        rows = batch_rows(trainer, step)
        with tf.GradientTape() as tape:
            loss = bce(y[rows], model(x[rows], training=True)) + sum(
                keras.regularizers.L2(0.001)(layer.kernel) for layer in model.layers)
        opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
    trainer.frames(1, 10)
    frame = trainer.frames(1, 15)[-1]
    for got, want in zip(frame.weights, model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=2e-4, atol=2e-6)
    assert frame.step == 25 and trainer.epoch == pytest.approx(25 * 7 / 100)


def test_steps_per_frame_are_two_and_a_half_epochs_of_batches_at_most_250():
    assert pg.EPOCHS_PER_FRAME * pl.FPS >= 50                  # 50 epochs a second, as the issue asks
    trainer = circle_trainer(batch_size=10)
    assert trainer.ntr == 100 and trainer.steps_per_frame() == 25
    frame = trainer.frames(1)[-1]
    assert frame.step == 25 and frame.epoch == pytest.approx(2.5)
    trainer.tune(batch_size=1)
    assert trainer.steps_per_frame() == 250
    assert circle_trainer(batch_size=1).steps_per_frame() <= pg.MAX_STEPS_PER_FRAME


# ---- Pause lands on the frame shown -------------------------------------------------------------------------

@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_rewind_returns_exactly_to_a_shown_frame_and_training_goes_on_as_if_never_ahead(optimizer):
    ahead = circle_trainer(optimizer=optimizer)
    frames = ahead.frames(10)
    shown = frames[3]
    assert ahead.rewind(shown.step) is not None
    assert ahead.step == shown.step and ahead.epoch == shown.epoch and ahead.history.steps[-1] == shown.step
    for w, value in zip(ahead.model.weights, shown.weights):
        np.testing.assert_array_equal(w.numpy(), value)
    for v, value in zip(ahead.optimizer.variables, shown.optimizer):
        np.testing.assert_array_equal(v.numpy(), value)
    assert [s for s, _, _ in ahead.snapshots][-1] == shown.step
    after = ahead.frames(1, 1)[0]
    never = circle_trainer(optimizer=optimizer)             # the same training, never ahead
    never.frames(4)
    again = never.frames(1, 1)[0]
    assert after.step == again.step == shown.step + 1
    for a, b in zip(after.weights, again.weights):
        np.testing.assert_array_equal(a, b)
    assert ahead.rewind(10 ** 9) is None


def test_frames_kept_for_pause_are_bounded():
    trainer = circle_trainer()
    trainer.frames(pg.KEEP_FRAMES + 20, steps=1)
    assert len(trainer.kept) == pg.KEEP_FRAMES and trainer.kept[-1].step == trainer.step
    assert len(trainer.snapshots) <= pg.SNAPSHOTS + 1 and len(trainer.history.steps) <= pg.HISTORY_POINTS + 1


# ---- settings change while training -------------------------------------------------------------------------

def test_tune_changes_the_learning_rate_batch_penalty_and_activation_keeping_the_training():
    trainer = circle_trainer(activation="tanh")
    trainer.frames(2)
    weights, step = [w.numpy() for w in trainer.model.weights], trainer.step
    trainer.tune(learning_rate=0.3, batch_size=4, regularization="l1", regularization_rate=0.01, activation="relu")
    assert trainer.step == step and all(np.array_equal(a, w.numpy()) for a, w in zip(weights, trainer.model.weights))
    assert trainer.spec.learning_rate == 0.3 and trainer.spec.batch_size == 4 and trainer.spec.activation == "relu"
    assert float(trainer.l1) == pytest.approx(0.01) and float(trainer.l2) == 0
    # the next step is Keras's SGD step with the new settings, from the same weights and batch
    model = plain_model(trainer, weights, "relu")
    x = pg.features(trainer.train_data.x, trainer.spec.features)
    y = trainer.train_data.y.reshape(-1, 1).astype(np.float32)
    rows = batch_rows(trainer, step)
    with tf.GradientTape() as tape:
        loss = keras.losses.BinaryCrossentropy(from_logits=True)(y[rows], model(x[rows])) + sum(
            keras.regularizers.L1(0.01)(layer.kernel) for layer in model.layers)
    keras.optimizers.SGD(0.3).apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                                                  model.trainable_variables))
    frame = trainer.frames(1, 1)[0]
    for got, want in zip(frame.weights, model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    grid = pg.features(pg.plane_grid(pg.GRID_N), trainer.spec.features)
    np.testing.assert_allclose(frame.output.ravel(), tf.sigmoid(model(grid)).numpy().ravel(), atol=2e-6)
    assert trainer.keras_model().layers[0].activation.__name__ == "relu"


# ---- what travels to the browser --------------------------------------------------------------------------

def test_frames_encode_as_the_browser_decodes_them():
    trainer = circle_trainer()
    frames = trainer.frames(3)
    enc = pl.encode_frames(trainer, frames, gradients=True)
    assert enc["n"] == 3 and enc["step"] == [f.step for f in frames]
    out = np.frombuffer(base64.b64decode(enc["out"]), np.uint8).reshape(3, pg.GRID_N, pg.GRID_N)
    np.testing.assert_allclose(out / 255, np.stack([f.output for f in frames]), atol=0.5 / 255 + 1e-6)
    units = sum(n.shape[0] for n in frames[0].neurons)
    thumbs = np.frombuffer(base64.b64decode(enc["thumbs"]), np.uint8).reshape(3, units, pg.THUMB_N, pg.THUMB_N)
    first = np.concatenate(frames[0].neurons)
    lim = np.abs(first).max(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose((thumbs[0].astype(float) - 128) / 127, first / lim, atol=0.5 / 127 + 1e-6)
    w = np.frombuffer(base64.b64decode(enc["w"]), np.float32).reshape(3, -1)
    kernels = np.concatenate([k.ravel() for k in frames[2].weights[0::2]])
    np.testing.assert_array_equal(w[2], kernels)
    assert w.shape[1] == 2 * 4 + 4 * 2 + 2 * 1                     # one value per edge of the 2-4-2-1 network
    g = np.frombuffer(base64.b64decode(enc["g"]), np.float32).reshape(3, -1)
    np.testing.assert_array_equal(g[0], np.concatenate([k.ravel() for k in frames[0].gradients[0::2]]))


def test_regression_and_multiclass_outputs_as_bytes():
    blobs = pg.make_dataset("blobs", 150, 0.0, seed=1, classes=4)
    trainer = pg.Trainer(pg.NetworkSpec(hidden=(3,)), *pg.split(blobs))
    q, _ = pl.output_bytes(trainer, trainer.last_frame().output)
    assert set(np.unique(q)) <= {0, 1, 2, 3}
    plane = pg.make_dataset("plane", 150, 0.0, seed=1)
    trainer = pg.Trainer(pg.NetworkSpec(hidden=(3,)), *pg.split(plane))
    z = trainer.last_frame().output
    q, lim = pl.output_bytes(trainer, z)
    assert lim == pytest.approx(np.abs(z).max())
    np.testing.assert_allclose((q.astype(float) - 128) / 127 * lim, z, atol=lim / 127)


# ---- the conversation ---------------------------------------------------------------------------------------

DEFAULTS = {s.name: s.default for s in pg.SETTINGS.table}


def live(**values) -> pl.Live:
    session = pl.Live()
    session.configure({**DEFAULTS, **values}, warm=False)
    assert session.error is None
    return session


def test_play_more_pause_step_reset():
    s = live()
    gen, first = s.gen, s.message(False, False, False)
    assert first["frames"]["step"] == [0] and not first["playing"] and first["static"]["layers"] == [2, 4, 2, 1]
    assert s.handle({"do": "play", "gen": gen, "at": 0, "have": 0, "id": 1, "want": 20}) is None
    m = s.message(False, False, False, full=False)
    per = s.trainer.steps_per_frame()
    assert m["playing"] and m["ack"] == 1 and m["frames"]["step"] == [per * k for k in range(1, 21)]
    assert m["static"] is None or s.client_static != s.static_version
    # the browser has 20 frames and shows the 5th: more frames follow the last it has, none twice
    s.handle({"do": "more", "gen": gen, "at": 5 * per, "have": 20 * per, "id": 2, "want": 10, "sv": s.static_version})
    m = s.message(False, False, False, full=False)
    assert m["frames"]["step"] == [per * k for k in range(21, 31)] and m["static"] is None
    # Pause on the 7th frame: the trainer goes back there, what was trained ahead is dropped
    assert s.handle({"do": "pause", "gen": gen, "at": 7 * per, "have": 7 * per, "id": 3}) == "page"
    m = s.message(False, False, False)
    assert not m["playing"] and m["frames"]["step"] == [7 * per] and s.trainer.step == 7 * per
    assert m["history"]["step"][-1] <= 7 * per
    assert s.handle({"do": "step", "gen": gen, "at": 7 * per, "have": 7 * per, "id": 4}) == "page"
    assert s.message(False, False, False)["frames"]["step"] == [7 * per + 1]
    assert s.handle({"do": "reset", "gen": gen, "at": 7 * per + 1, "id": 5}) == "page"
    m = s.message(False, False, False)
    assert s.gen != gen and m["gen"] == s.gen and m["frames"]["step"] == [0] and s.trainer.generation == 1


def test_a_pause_from_an_old_network_stops_but_moves_nothing_and_frames_need_the_current_one():
    s = live()
    s.handle({"do": "play", "gen": s.gen, "at": 0, "have": 0, "id": 1, "want": 5})
    step = s.trainer.step
    s.handle({"do": "more", "gen": s.gen - 1, "at": 0, "have": 0, "id": 2, "want": 5})
    assert s.trainer.step == step and s.playing
    s.handle({"do": "pause", "gen": s.gen - 1, "at": 0, "id": 3})
    assert not s.playing and s.trainer.step == step


def test_a_clicked_point_joins_the_training_and_training_goes_on():
    s = live()
    s.handle({"do": "play", "gen": s.gen, "at": 0, "have": 0, "id": 1, "want": 3})
    step, version = s.trainer.step, s.static_version
    assert s.handle({"do": "add", "x1": 1.5, "x2": -2.0, "id": 2}, add_class=1) == "page"
    assert s.playing and s.trainer.step == step and s.trainer.added == [(1.5, -2.0, 1)]
    m = s.message(False, False, False, full=False)
    assert s.static_version != version and m["static"]["train"]["x"][-1] == 1.5 and m["static"]["train"]["label"][-1] == 1


def test_configure_tunes_restarts_or_rebuilds_as_little_as_the_settings_need():
    s = live()
    s.handle({"do": "play", "gen": s.gen, "at": 0, "have": 0, "id": 1, "want": 3})
    gen, trainer, step = s.gen, s.trainer, s.trainer.step
    s.configure({**DEFAULTS, "lr": 0.1, "activation": "relu", "batch": 4})         # tuned: training goes on
    assert (s.gen, s.trainer, s.trainer.step) == (gen, trainer, step) and s.playing
    assert trainer.spec.learning_rate == 0.1 and trainer.spec.activation == "relu" and trainer.spec.batch_size == 4
    s.handle({"do": "add", "x1": 0.0, "x2": 0.0, "id": 2}, add_class=1)
    s.configure({**DEFAULTS, "lr": 0.1, "activation": "relu", "batch": 4, "layers": [3]})  # a new network ...
    assert s.gen != gen and s.trainer is not trainer and s.trainer.step == 0 and s.playing
    assert s.trainer.added == [(0.0, 0.0, 1)]                                      # ... on the same data
    s.configure({**DEFAULTS, "lr": 0.1, "activation": "relu", "batch": 4, "layers": [3], "data": "xor"})
    assert s.trainer.added == [] and s.trainer.train_data.name == "xor"            # new data: the clicks go
    s.configure({**DEFAULTS, "data": "csv"})
    assert s.trainer is None and "upload a CSV" in str(s.error) and not s.playing


def test_sessions_of_one_shape_get_a_second_engine_that_computes_the_same_numbers():
    spec = pg.NetworkSpec(hidden=(3, 3), activation="relu")          # a shape no other test trains
    engines = pg.engines_for(spec, "classification", 1)
    if engines.most < 2:
        pytest.skip("one CPU: one engine per shape")
    data = pg.split(pg.make_dataset("moons", 200, 0.1, seed=2), 0.5, 2)
    first, second = pg.Trainer(spec, *data), pg.Trainer(spec, *data)
    first.frames(1)                                                   # compiles the first engine
    with engines.first.lock:                                          # another session is training on it
        waiting = threading.Thread(target=second.frames, args=(1,))
        waiting.start()
        for _ in range(600):                                          # ... so a second engine is compiled
            if len(engines.all) == 2:
                break
            time.sleep(0.1)
        assert len(engines.all) == 2
    waiting.join()
    with engines.first.lock:                                          # busy again: this one trains on the second
        on_second = pg.Trainer(spec, *data).frames(3)
    on_first = pg.Trainer(spec, *data).frames(3)
    for a, b in zip(on_second[-1].weights + [on_second[-1].output], on_first[-1].weights + [on_first[-1].output]):
        np.testing.assert_array_equal(a, b)
