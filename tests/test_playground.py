"""The network playground's data, training, reproducibility and the views built on it."""

import io
import threading

import keras
import numpy as np
import pytest
import tensorflow as tf

import explorer
from explorer import playground as pg


def accuracy_after(spec: pg.NetworkSpec, data: pg.Dataset, steps: int) -> float:
    return pg.train(spec, data, steps).history.test_accuracy[-1]


def test_xor_with_two_tanh_layers_of_four():
    data = pg.make_dataset("xor", 400, 0.0, seed=1)
    assert accuracy_after(pg.NetworkSpec(hidden=(4, 4), activation="tanh", learning_rate=0.03, seed=1), data,
                          3000) >= 0.95


def test_spiral_with_features_and_a_deeper_net():
    data = pg.make_dataset("spiral", 400, 0.0, seed=2)
    spec = pg.NetworkSpec(features=tuple(pg.FEATURES), hidden=(8, 8, 6), activation="tanh", learning_rate=0.03,
                          optimizer="adam", seed=2)
    assert accuracy_after(spec, data, 4000) >= 0.90


def test_a_linear_network_cannot_learn_xor():
    data = pg.make_dataset("xor", 400, 0.0, seed=1)
    for hidden in ((), (4, 4)):
        spec = pg.NetworkSpec(hidden=hidden, activation="linear", learning_rate=0.03, seed=1)
        assert accuracy_after(spec, data, 2000) <= 0.65      # stacked affine maps are one affine map


def test_same_seed_same_history_and_different_seed_different():
    data = pg.make_dataset("circle", 300, 0.1, seed=0)
    spec = pg.NetworkSpec(hidden=(4, 2), seed=5)
    a, b = pg.train(spec, data, 500, chunk=50).history, pg.train(spec, data, 500, chunk=50).history
    assert a.train_loss == b.train_loss and a.test_loss == b.test_loss
    c = pg.train(pg.NetworkSpec(hidden=(4, 2), seed=6), data, 500, chunk=50).history
    assert c.train_loss != a.train_loss


def test_two_threads_training_at_once_match_sequential():
    data = pg.make_dataset("moons", 300, 0.1, seed=3)
    specs = [pg.NetworkSpec(hidden=(6, 3), optimizer="adam", learning_rate=0.01, seed=s) for s in (1, 2)]
    alone = [pg.train(s, data, 400, chunk=40).history.train_loss for s in specs]
    together = {}

    def work(i):
        together[i] = pg.train(specs[i], data, 400, chunk=40).history.train_loss

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert together[0] == alone[0] and together[1] == alone[1]


@pytest.mark.parametrize("name", pg.CLASSIFICATION + pg.REGRESSION)
def test_every_data_set(name):
    d = pg.make_dataset(name, 200, 0.2, seed=4)
    assert d.x.shape == (200, 2) and np.all(np.abs(d.x) <= pg.DOMAIN)
    if name in pg.REGRESSION:
        assert d.kind == "regression" and d.y.dtype == np.float32
    else:
        assert d.kind == "classification" and set(np.unique(d.y)) == set(range(d.classes))
    assert np.array_equal(d.x, pg.make_dataset(name, 200, 0.2, seed=4).x)        # reproducible


def test_blobs_have_three_to_five_classes_and_train_with_softmax():
    for k in (3, 4, 5):
        assert pg.make_dataset("blobs", 300, 0.0, seed=0, classes=k).classes == k
    data = pg.make_dataset("blobs", 450, 0.0, seed=0, classes=4)
    r = pg.train(pg.NetworkSpec(hidden=(6,), optimizer="adam", learning_rate=0.03), data, 1500)
    assert r.model.layers[-1].units == 4 and r.history.test_accuracy[-1] >= 0.9


def test_regression_learns_the_plane():
    data = pg.make_dataset("plane", 300, 0.0, seed=0)
    h = pg.train(pg.NetworkSpec(hidden=(3,), learning_rate=0.01), data, 1500).history
    assert h.test_loss[-1] < 0.01 * max(h.test_loss[0], 1e-9) or h.test_loss[-1] < 1e-3


def test_curve_data_is_above_and_below_the_typed_function():
    d = pg.curve_dataset("3 * tf.sin(x)", 300, 0.0, seed=0)
    np.testing.assert_array_equal(d.y, (d.x[:, 1] > 3 * np.sin(d.x[:, 0])).astype(int))
    with pytest.raises(explorer.ProgramError, match="np.sin"):
        pg.curve_dataset("np.sin(x)")


@pytest.mark.parametrize("text, message", [
    ("a,b,label\n1,2,0\n", "missing columns x1, x2"),
    ("x1,x2,label\n1,2,0\n1,oops,1\n", "row 3, column x2: 'oops' is not a number"),
    ("x1,x2,label\n1,2,0.5\n", "whole numbers"),
    ("x1,x2,label\n", "no rows"),
    ("x1,x2,label\n" + "1,2,0\n" * 5001, "5,001 rows"),
    ("x1,x2,label\n1,2,7\n", "8 classes"),
])
def test_bad_csv_says_what_is_wrong(text, message):
    with pytest.raises(ValueError) as e:
        pg.load_csv(text.encode())
    assert message in str(e.value)


def test_good_csv_and_added_points():
    d = pg.load_csv(b"x1,x2,label\n1.5,-2,0\n0,3,1\n-1,1,2\n")
    assert d.classes == 3 and d.x.shape == (3, 2) and list(d.y) == [0, 1, 2]
    d2 = pg.add_point(d, 4.0, 4.0, 1)
    assert d2.n == 4 and d2.y[-1] == 1 and d.n == 3


def test_one_point_program_gives_kerass_gradients():
    data = pg.make_dataset("xor", 200, 0.0, seed=0)
    r = pg.train(pg.NetworkSpec(hidden=(3, 2), activation="tanh"), data, 200)
    trainer = r.trainer
    run = explorer.run(trainer.point_program(5))
    x = tf.constant(pg.features(trainer.train_data.x[5:6], trainer.spec.features))
    y = tf.constant([[float(trainer.train_data.y[5])]])
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=trainer.model(x)))
    expected = tape.gradient(loss, trainer.model.trainable_variables)
    assert run.values["loss"] == pytest.approx(float(loss), rel=1e-4)
    for got, want in zip(run.values["grads"], expected):
        np.testing.assert_allclose(got, want.numpy(), rtol=1e-3, atol=1e-5)
    assert run.graph.chain_rule_ok


def test_multiclass_point_program_runs():
    data = pg.make_dataset("blobs", 300, 0.0, seed=0, classes=3)
    trainer = pg.train(pg.NetworkSpec(hidden=(4,), activation="relu"), data, 50).trainer
    run = explorer.run(trainer.point_program(0))
    assert np.shape(run.values["out"]) == (1, 3) and run.graph.chain_rule_ok


def test_saved_model_predicts_the_same():
    data = pg.make_dataset("circle", 200, 0.0, seed=0)
    trainer = pg.train(pg.NetworkSpec(hidden=(4, 2)), data, 100).trainer
    path = io.BytesIO(trainer.keras_file())
    import tempfile, os
    with tempfile.TemporaryDirectory() as d:
        f = os.path.join(d, "m.keras")
        with open(f, "wb") as out:
            out.write(path.getvalue())
        model = keras.models.load_model(f)
    np.testing.assert_allclose(model(trainer.xtr).numpy(), trainer.model(trainer.xtr).numpy(), rtol=1e-6)
    assert "keras.layers.Dense(4, activation='tanh')" in trainer.keras_code()


def test_views_of_the_network():
    data = pg.make_dataset("xor", 200, 0.0, seed=0)
    trainer = pg.train(pg.NetworkSpec(hidden=(2, 5), activation="tanh"), data, 300, chunk=30).trainer
    grids = trainer.neuron_grids(10)
    assert [g.shape for g in grids] == [(2, 10, 10), (5, 10, 10), (1, 10, 10)]
    warped = trainer.warped_grid(lines=5, points=7)
    assert len(warped) == 2 and all(len(layer) == 10 for layer in warped)
    # a 2-unit layer is drawn as it is: the first vertical line x1 = -6 through layer 1
    line = np.stack([np.full(7, -6.0), np.linspace(-6, 6, 7)], 1).astype(np.float32)
    direct = trainer.model.layers[0](pg.features(line, trainer.spec.features)).numpy()
    np.testing.assert_allclose(warped[0][0], direct, rtol=1e-5, atol=1e-6)
    before = [w.numpy().copy() for w in trainer.model.weights]
    frames = trainer.boundary_frames(20, 5)
    assert len(frames) == 5 and frames[0][0] == 0 and frames[-1][0] == trainer.step
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(before, trainer.model.weights))   # restored
    grads = trainer.weight_gradients()
    assert [g.shape for g, _ in grads] == [w.shape for w, _ in trainer.weights()]


def test_spec_is_checked():
    with pytest.raises(ValueError, match="0 to 6 hidden layers"):
        pg.NetworkSpec(hidden=(9,))
    with pytest.raises(ValueError, match="features"):
        pg.NetworkSpec(features=("x3",))


def test_layer_warp_is_animated_over_training():
    from explorer import playground_plots as plots
    data = pg.make_dataset("circle", 200, 0.0, seed=0)
    trainer = pg.train(pg.NetworkSpec(hidden=(3, 2), activation="tanh", learning_rate=0.1), data, 400,
                       chunk=40).trainer
    moments = trainer.warp_frames(frames=5, lines=4, points=6)
    assert [m[0] for m in moments][0] == 0 and moments[-1][0] == trainer.step and len(moments) == 5
    now = trainer.warped_grid(4, 6)
    np.testing.assert_allclose(moments[-1][1][1][0], now[1][0], rtol=1e-6)      # restored afterwards too
    assert not np.allclose(moments[0][1][1][0], now[1][0])                      # training bent it
    fig = plots.warp_figure(trainer, frames=5)
    assert len(fig.frames) == 5 and fig.frames[-1].name == f"f{trainer.step}"
