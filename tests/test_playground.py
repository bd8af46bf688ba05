"""The network playground's data, training, reproducibility and the views built on it."""

import io
import json
import subprocess
import sys
import threading

import keras
import numpy as np
import pytest
import tensorflow as tf

import explorer
from explorer import playground as pg
from explorer.palette import NEGATIVE, POSITIVE


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


# ---- export: the Keras script runs as it is and rebuilds the page's data and network -----------------

EXPORT_CHECK = """
import json, runpy, sys
import numpy as np
out = {}
for path in sys.argv[1:]:
    g = runpy.run_path(path, run_name="imported")       # everything but the training under __main__
    m = g["model"]
    out[path] = dict(x_train=g["x_train"].tolist(), y_train=g["y_train"].tolist(), x_test=g["x_test"].tolist(),
                     y_test=g["y_test"].tolist(), inputs=g["inputs_train"].tolist(), dtype=str(g["x_train"].dtype),
                     weights=[w.tolist() for w in m.get_weights()], params=m.count_params(),
                     loss=type(m.loss).__name__)
print(json.dumps(out))
"""


def exported_trainers() -> dict[str, pg.Trainer]:
    xor = pg.train(pg.NetworkSpec(hidden=(3, 2), seed=3, regularization="l2", regularization_rate=0.001),
                   pg.make_dataset("xor", 200, 0.1, seed=3), 300).trainer
    xor.add_point(1.25, -2.5, 1)                                  # clicked on: joins the training set
    curve = pg.Trainer(pg.NetworkSpec(features=("x1", "x2", "x1sq"), hidden=(4,), activation="relu", seed=2),
                       *pg.split(pg.curve_dataset("0.05 * x**3 - tf.sin(x)", 300, 0.2, seed=2), 0.7, 2),
                       split=(0.7, 2))
    blobs = pg.train(pg.NetworkSpec(hidden=(5,), optimizer="adam", seed=1), pg.make_dataset("blobs", 450, 0.1, 1, 4),
                     20).trainer
    plane = pg.train(pg.NetworkSpec(hidden=(2,), optimizer="rmsprop", seed=4), pg.make_dataset("plane", 100, 0.1, 4),
                     10, train_ratio=0.3).trainer
    csv = pg.Trainer(pg.NetworkSpec(hidden=(), optimizer="momentum"),
                     *pg.split(pg.load_csv(b"x1,x2,label\n1.5,-2,0\n0,3,1\n-1,1,2\n0.1,0.2,1\n"), 0.5, 0))
    return {"xor": xor, "curve": curve, "blobs": blobs, "plane": plane, "csv": csv}


def test_exported_keras_code_runs_as_it_is_and_trains(tmp_path):
    trainer = exported_trainers()["xor"]
    path = tmp_path / "playground.py"
    path.write_text(trainer.keras_code())
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"Epoch {round(trainer.epoch)}/{round(trainer.epoch)}" in done.stdout      # as many epochs as the page
    loss, accuracy = json.loads(done.stdout.strip().splitlines()[-1])
    assert 0 <= accuracy <= 1 and loss > 0


def test_exported_keras_code_rebuilds_the_same_data_and_network(tmp_path):
    trainers = exported_trainers()
    paths = []
    for name, trainer in trainers.items():
        path = tmp_path / f"{name}.py"
        path.write_text(trainer.keras_code())
        paths.append(str(path))
    done = subprocess.run([sys.executable, "-c", EXPORT_CHECK, *paths], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert "np.array(" not in trainers["xor"].keras_code().split("# points added")[0]    # generated, not pasted
    assert "def curve(" in trainers["curve"].keras_code() and "x1,x2" not in trainers["csv"].keras_code()
    for (name, trainer), path in zip(trainers.items(), paths):
        g = got[path]
        assert g["dtype"] == "float32", name
        np.testing.assert_array_equal(np.array(g["x_train"], np.float32), trainer.train_data.x, err_msg=name)
        np.testing.assert_array_equal(np.array(g["y_train"]), trainer.train_data.y, err_msg=name)
        np.testing.assert_array_equal(np.array(g["x_test"], np.float32), trainer.test_data.x, err_msg=name)
        np.testing.assert_array_equal(np.array(g["y_test"]), trainer.test_data.y, err_msg=name)
        np.testing.assert_array_equal(np.array(g["inputs"], np.float32), trainer.xtr.numpy()[:trainer.ntr], err_msg=name)
        assert g["params"] == trainer.model.count_params(), name
        # the same initial weights: the page's network before its first step, layer by layer
        initial = pg.build_model(trainer.spec, trainer.outputs).get_weights()
        assert [np.shape(w) for w in g["weights"]] == [w.shape for w in initial], name
        for a, b in zip(g["weights"], initial):
            np.testing.assert_array_equal(np.array(a, np.float32), b, err_msg=name)
        assert g["loss"] == type(trainer.loss_fn).__name__, name
    assert trainers["xor"].added == [(1.25, -2.5, 1)] and trainers["xor"].train_data.n == 101


# ---- the page's needs: points added while training, one trace per trainer, figures --------------------

def test_adding_a_point_keeps_the_weights_the_step_and_the_split():
    data = pg.make_dataset("circle", 200, 0.0, seed=0)
    trainer = pg.train(pg.NetworkSpec(hidden=(4, 2), optimizer="adam"), data, 200).trainer
    weights = [w.numpy().copy() for w in trainer.model.weights]
    moments = [v.numpy().copy() for v in trainer.optimizer.variables]
    test_x, train_x, history = trainer.test_data.x.copy(), trainer.train_data.x.copy(), len(trainer.history.steps)
    trainer.add_point(0.5, 0.5, 1)
    assert trainer.step == 200 and len(trainer.history.steps) == history
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(weights, trainer.model.weights))
    assert all(np.array_equal(a, v.numpy()) for a, v in zip(moments, trainer.optimizer.variables))
    np.testing.assert_array_equal(trainer.test_data.x, test_x)                       # the split is kept
    np.testing.assert_array_equal(trainer.train_data.x[:-1], train_x)
    assert trainer.train_data.x[-1].tolist() == [0.5, 0.5] and trainer.train_data.y[-1] == 1
    assert trainer.ntr == 101 and trainer.xtr.numpy()[100].tolist() == [0.5, 0.5]
    traces = trainer.engine.advance.experimental_get_tracing_count()
    trainer.steps(50)                                                               # and training goes on
    assert trainer.step == 250 and trainer.engine.advance.experimental_get_tracing_count() == traces
    with pytest.raises(ValueError, match="class 2"):
        trainer.add_point(0.0, 0.0, 2)


def test_one_compiled_frame_whatever_the_grid_and_the_set_sizes():
    spec = pg.NetworkSpec(hidden=(3,))
    engine = pg.engine_for(spec, "classification", 1)       # shared by every trainer of this shape
    before = engine.advance.experimental_get_tracing_count()
    trainer = pg.train(spec, pg.make_dataset("moons", 200, 0.1, 0), 20, train_ratio=0.3).trainer
    assert trainer.engine is engine
    for n in (10, 24, 61, 100):
        assert trainer.output_grid(n).shape == (n, n)
    trainer.warped_grid(5, 7)
    other = pg.train(spec, pg.make_dataset("circle", 300, 0.1, 0), 20, train_ratio=0.6).trainer
    # train and test sets of 60/140 and 180/120 points are padded to one capacity: at most one trace,
    # none at all when an earlier trainer of this shape compiled it
    assert other.engine is engine and engine.advance.experimental_get_tracing_count() - before <= 1


def test_the_input_plane_is_square_and_clickable_everywhere():
    from explorer import playground_plots as plots
    trainer = pg.train(pg.NetworkSpec(), pg.make_dataset("circle", 200, 0.0, 0), 10).trainer
    fig = plots.output_figure(trainer)
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.scaleratio == 1
    clicks = next(t for t in fig.data if t.name == "click")
    assert len(clicks.x) == plots.CLICK_GRID ** 2 and clicks.marker.opacity == 0
    assert np.max(np.diff(np.unique(clicks.x))) <= 0.41 and np.min(clicks.x) == -6 and np.max(clicks.y) == 6
    # selecting a point (how a click reaches the page) fades nothing
    assert all(t.unselected.marker.opacity == t.marker.opacity for t in fig.data if t.type == "scatter")
    selection = {"selection": {"points": [{"curve_number": 1, "point_index": 7, "x": 1.2000001, "y": -3.4}]}}
    assert plots.clicked_point(selection) == (1.2, -3.4)
    assert plots.clicked_point({"selection": {"points": []}}) is None and plots.clicked_point(None) is None
    replay = plots.replay_figure(trainer, trainer.boundary_frames(20, 3))
    assert replay.layout.yaxis.scaleanchor == "x"


def test_network_figure_draws_every_weight_in_few_traces():
    from explorer import playground_plots as plots
    trainer = pg.train(pg.NetworkSpec(features=("x1", "x2", "x1x2"), hidden=(8, 8, 4)),
                       pg.make_dataset("xor", 200, 0.0, 0), 50).trainer
    fig = plots.network_figure(trainer)
    weights = sum(k.size for k, _ in trainer.weights())
    hover = fig.data[-1]
    assert len(hover.hovertext) == weights == 3 * 8 + 8 * 8 + 8 * 4 + 4
    lines = fig.data[:-1]
    assert len(lines) <= 14 and sum(len(t.x) for t in lines) == 3 * weights       # two ends and a gap each
    # width 1 to 6 by size: the largest weight is drawn 6 wide, in its sign's color
    biggest = max((float(v) for k, _ in trainer.weights() for v in k.ravel()), key=abs)
    assert {t.line.width for t in lines} <= {1, 2, 3, 4, 5, 6}
    assert (POSITIVE if biggest > 0 else NEGATIVE, 6) in {(t.line.color, t.line.width) for t in lines}
    assert len(fig.layout.images) == 3 + 8 + 8 + 4 + 1


def test_the_replay_reports_its_progress():
    trainer = pg.train(pg.NetworkSpec(), pg.make_dataset("circle", 200, 0.0, 0), 400, chunk=20).trainer
    seen = []
    frames = trainer.boundary_frames(10, 8, progress=seen.append)
    assert len(frames) == 8 and seen == [k / 8 for k in range(1, 9)]


def test_settings_describe_the_data_and_the_network():
    values = pg.SETTINGS.defaults()
    assert pg.spec_from(values) == pg.NetworkSpec()
    assert pg.data_from(values).spec == pg.DataSpec("circle", 400, 0.0, 0, 3)
    with pytest.raises(ValueError, match="upload a CSV"):
        pg.data_from(dict(values, data="csv"))
    with pytest.raises(ValueError, match="at least one feature"):
        pg.spec_from(dict(values, features=[]))
    assert pg.spec_from(dict(values, layers=[], reg="l1", rate=0.01)).regularization == "l1"
    params = pg.SETTINGS.encode(dict(values, layers=[8, 8, 1], features=["x1", "sinx2"], lr=1e-05, curve="x**2"))
    assert params == {"layers": "8,8,1", "features": "x1,sinx2", "lr": "1e-05", "curve": "x**2"}
    decoded, _, _, errors = pg.SETTINGS.decode(params)
    assert not errors and decoded == {"layers": [8, 8, 1], "features": ["x1", "sinx2"], "lr": 1e-05, "curve": "x**2"}


def test_a_restart_with_new_settings_trains_as_a_new_trainer_without_tracing_again():
    circle, xor = pg.make_dataset("circle", 300, 0.1, seed=0), pg.make_dataset("xor", 300, 0.2, seed=5)
    trainer = pg.Trainer(pg.NetworkSpec(hidden=(4, 2), optimizer="adam"), *pg.split(circle, 0.5, 0))
    trainer.steps(150)
    trainer.add_point(1.0, 1.0, 0)
    traces = trainer.engine.advance.experimental_get_tracing_count()
    for spec, data, ratio in ((pg.NetworkSpec(hidden=(4, 2), optimizer="adam", learning_rate=0.1, batch_size=3,
                                              seed=5, regularization="l2", regularization_rate=0.01), xor, 0.7),
                              (pg.NetworkSpec(hidden=(4, 2), optimizer="adam", regularization="l1",
                                              regularization_rate=0.003), circle, 0.5)):
        assert trainer.can_restart(spec, data)
        trainer.restart(spec, *pg.split(data, ratio, spec.seed), split=(ratio, spec.seed))
        fresh = pg.Trainer(spec, *pg.split(data, ratio, spec.seed), split=(ratio, spec.seed))
        assert trainer.step == 0 and trainer.added == [] and trainer.history.train_loss == fresh.history.train_loss
        for a, b in zip(trainer.model.get_weights(), fresh.model.get_weights()):
            np.testing.assert_array_equal(a, b)
        trainer.steps(200)
        fresh.steps(200)
        assert trainer.history.train_loss == fresh.history.train_loss          # bit for bit, optimizer state too
        np.testing.assert_array_equal(trainer.train_data.x, fresh.train_data.x)
    assert trainer.engine.advance.experimental_get_tracing_count() == traces
    assert trainer.generation == 2
    assert not trainer.can_restart(pg.NetworkSpec(hidden=(4, 3)), circle)
    assert not trainer.can_restart(pg.NetworkSpec(hidden=(4, 2), optimizer="adam"), pg.make_dataset("blobs", 90))
    with pytest.raises(ValueError, match="another shape"):
        trainer.restart(pg.NetworkSpec(activation="relu"), *pg.split(circle))


def test_regularization_adds_kerass_penalty_to_the_loss():
    data = pg.make_dataset("circle", 200, 0.0, seed=0)
    plain = pg.Trainer(pg.NetworkSpec(hidden=(3,)), *pg.split(data))
    kernels = [layer.kernel for layer in plain.model.layers]
    for kind, rate in (("l1", 0.01), ("l2", 0.03)):
        expected = sum(float(getattr(keras.regularizers, kind.upper())(rate)(k)) for k in kernels)
        trainer = pg.Trainer(pg.NetworkSpec(hidden=(3,), regularization=kind, regularization_rate=rate),
                             *pg.split(data))
        got = float(pg.penalty([layer.kernel for layer in trainer.model.layers], trainer.l1, trainer.l2))
        assert got == pytest.approx(expected, rel=1e-6)


def test_training_under_a_switch_stops_once_it_is_off():
    trainer = pg.Trainer(pg.NetworkSpec(), *pg.split(pg.make_dataset("circle", 100, 0.0, 0)))
    go = threading.Event()
    trainer.steps(10, only_while=go)
    assert trainer.step == 0 and len(trainer.history.steps) == 1          # off: nothing trained, nothing recorded
    go.set()
    trainer.steps(10, only_while=go)
    assert trainer.step == 10
    # whoever turns the switch off under the lock waits for a chunk already training, then no more come
    started, done = threading.Event(), []

    def refresh():
        started.wait()
        trainer.steps(10, only_while=go)
        done.append(trainer.step)

    worker = threading.Thread(target=refresh)
    with trainer.lock:
        worker.start()
        started.set()
        go.clear()
    worker.join()
    assert done == [10] and trainer.step == 10
