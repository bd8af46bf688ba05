"""Keras inside programs (explorer.keras): what the corpus cannot compare by name — graph clusters, names,
seeds kept to the run, limits at their line, progress, minimize, and messages."""

import random

import numpy as np
import pytest
import tensorflow as tf

import explorer
from explorer.presets import by_title

MIT_LAYER = by_title("MIT 6.S191: a custom Keras layer with build and call").source


def test_custom_layer_graph_is_sigmoid_of_x_W_plus_b_in_a_named_cluster():
    run = explorer.run(MIT_LAYER)
    g = run.graph
    assert g.layers == ["our_dense_layer"]
    ops = [(n.op, n.name) for n in g.nodes if n.kind == "op"]
    assert [op for op, _ in ops] == ["matmul", "add", "sigmoid"]
    names = {n.name for n in g.nodes if n.kind == "variable"}
    assert names == {"our_dense_layer/weight", "our_dense_layer/bias"}
    dot = g.to_dot("forward")
    assert 'label="our_dense_layer · OurDenseLayer"' in dot
    # the sigmoid's output by hand from the layer's own weights
    w = next(n.value for n in g.nodes if n.name == "our_dense_layer/weight")
    b = next(n.value for n in g.nodes if n.name == "our_dense_layer/bias")
    expected = 1 / (1 + np.exp(-(np.array([[1, 2.]]) @ w + b)))
    np.testing.assert_allclose(run.values["y"], expected, rtol=1e-6)
    # gradients of y's sum: dy/dW[i, j] = x_i σ'(z_j)
    s = expected * (1 - expected)
    np.testing.assert_allclose(run.values["dy_dW"], np.array([[1.], [2.]]) * s, rtol=1e-5)


def test_collapsed_layer_is_one_box_with_its_weights_and_edges_drawn_once():
    g = explorer.run(MIT_LAYER).graph
    dot = g.to_dot("forward", collapsed={"our_dense_layer"})
    assert "cluster" not in dot
    box = [line for line in dot.splitlines() if "box3d" in line]
    assert len(box) == 1 and "weight 2×3" in box[0] and "bias 1×3" in box[0] and "out 1×3" in box[0]
    edges = [line.strip() for line in dot.splitlines() if "->" in line]
    assert len(edges) == len(set(edges))
    assert "∂y/∂weight" in g.to_dot("backward", collapsed={"our_dense_layer"})


def test_keras_seeds_only_the_run_never_the_process():
    random.seed(7)
    tf.random.set_seed(7)
    expected = (random.random(), float(tf.random.uniform(())))
    random.seed(7)
    tf.random.set_seed(7)
    explorer.run("from tensorflow import keras\nkeras.utils.set_random_seed(1)\ntf.random.set_seed(1)\n"
                 "d = keras.layers.Dense(3)\ny = d(tf.ones((1, 2)))\n")
    assert (random.random(), float(tf.random.uniform(()))) == expected


def test_the_same_seed_gives_the_same_weights_and_another_seed_others():
    source = "layer = tf.keras.layers.Dense(3)\ny = layer(tf.ones((1, 2)))\nk = layer.kernel.numpy()\n"
    a, b, c = (explorer.run(source, seed=s).values["k"] for s in (0, 0, 1))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    limit = np.sqrt(6 / (2 + 3))                          # Glorot uniform's bound for a 2×3 kernel
    assert np.abs(a).max() <= limit


def test_mnist_says_what_to_use_instead_at_its_line():
    with pytest.raises(explorer.ProgramError) as e:
        explorer.run("from tensorflow import keras\nx = 1\n(train, labels), _ = keras.datasets.mnist.load_data()")
    assert e.value.line == 3 and "load_digits" in str(e.value) and "network" in str(e.value)


@pytest.mark.parametrize("source, line, says", [
    ("m = tf.keras.Sequential([tf.keras.layers.Dense(3000)])\nm.build((None, 1000))", 2, "parameters"),
    ("m = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nm.compile(loss='mse')\nx = np.zeros((5000, 2))\n"
     "h = m.fit(x, np.zeros(5000), epochs=10, batch_size=4, verbose=0)", 4, "training steps"),
    ("m = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nm.fit(np.ones((2, 2)), np.ones(2))", 2, "compile"),
    ("m = tf.keras.Model(inputs=1, outputs=2)", 1, "functional API"),
    ("d = tf.keras.layers.Dense(-3)", 1, "units"),
    ("d = tf.keras.layers.Dense(3, activation='relux')", 1, "relux"),
    ("d = tf.keras.layers.Dense(3, colour='red')", 1, "colour"),
])
def test_keras_errors_are_clear_and_at_their_line(source, line, says):
    with pytest.raises(explorer.ProgramError) as e:
        explorer.run(source)
    assert e.value.line == line and says in str(e.value), str(e.value)


def test_fit_reports_progress_and_keeps_only_the_steps_one_can_look_at():
    source = ("m = tf.keras.Sequential([tf.keras.layers.Dense(4, activation='relu'), tf.keras.layers.Dense(1)])\n"
              "m.compile(optimizer='sgd', loss='mse')\n"
              "h = m.fit(np.ones((40, 3)), np.zeros(40), epochs=3, batch_size=8, verbose=0)\n")
    seen = []
    run = explorer.run(source, progress=lambda f, text: seen.append((f, text)))
    assert len(seen) == 15 and seen[-1][0] == 1.0 and "epoch 3/3, batch 5/5" in seen[-1][1]
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)
    assert len(run.recordings) == 15 and run.recording == 15      # one recording per training step
    assert run.default_target == "loss"
    assert run.fits[0]["history"]["loss"][0] > run.fits[0]["history"]["loss"][-1]
    again = explorer.run(source, recording=1)                     # any step can be looked at again
    assert again.recording == 1 and again.default_target == "loss"


def test_minimize_takes_one_sgd_step_as_tensorflow_2_did():
    run = explorer.run("x = tf.Variable(0.)\nopt = tf.keras.optimizers.SGD(learning_rate=0.1)\n"
                       "opt.minimize(lambda: (x - 4.) ** 2, [x])\nv = x.numpy()\n")
    assert run.values["v"] == pytest.approx(0.8)                  # 0 - 0.1 · 2 (0 - 4)
    with_tape = explorer.run("x = tf.Variable(0.)\nopt = tf.keras.optimizers.SGD(learning_rate=0.1)\n"
                             "with tf.GradientTape() as tape:\n    loss = (x - 4.) ** 2\n"
                             "opt.minimize(loss, [x], tape=tape)\nv = x.numpy()\n")
    assert with_tape.values["v"] == pytest.approx(0.8)


def test_optimizer_updates_are_drawn_from_the_variable_and_its_gradient():
    run = explorer.run("w = tf.Variable([1., 2.])\nopt = tf.keras.optimizers.Adam(0.1)\n"
                       "with tf.GradientTape() as tape:\n    loss = tf.reduce_sum(w * w)\n"
                       "g = tape.gradient(loss, [w])\nopt.apply_gradients(zip(g, [w]))\n")
    updates = [n for n in run.trace.nodes if n.op == "assign"]
    assert len(updates) == 1 and updates[0].text == "Adam.apply_gradients"
    assert [run.trace.nodes[i].op for i in updates[0].inputs] == ["variable", "gradient"]
    # Adam's first step moves each entry by the learning rate, against the gradient's sign
    np.testing.assert_allclose(updates[0].value, [0.9, 1.9], rtol=1e-5)


def test_summary_counts_parameters():
    run = explorer.run("m = tf.keras.Sequential([tf.keras.Input((64,)), tf.keras.layers.Dense(512, activation='relu'),"
                       " tf.keras.layers.Dense(10, activation='softmax')])\nm.summary()\nn = m.count_params()\n")
    assert run.values["n"] == 64 * 512 + 512 + 512 * 10 + 10
    assert any("Total params: 38,410" in line for line in run.output)


def test_digits_network_preset_reaches_its_accuracy():
    run = explorer.run(by_title("Keras Sequential on digits: compile, fit, evaluate (Chollet 2.1)").source)
    assert run.values["test_acc"] >= 0.95
    history = run.fits[0]["history"]
    assert history["loss"] == sorted(history["loss"], reverse=True)
    assert len(run.figures) == 2


def test_from_scratch_preset_loss_falls():
    run = explorer.run(by_title("Chapter 2 network from scratch, trained on digits (Chollet 2.5)").source)
    losses = [float(line.split(": ")[1]) for line in run.output if line.startswith("loss at the last batch")]
    assert len(losses) == 10 and losses[-1] < losses[0] / 3
    assert float(run.output[-1].split(": ")[1]) > 0.8


def test_a_long_fit_records_its_first_and_last_step_and_compiles_the_rest():
    source = ("m = tf.keras.Sequential([tf.keras.layers.Dense(4, activation='relu'), tf.keras.layers.Dense(1)])\n"
              "m.compile(optimizer='sgd', loss='mse')\n"
              "x = np.linspace(-1, 1, 240).reshape(-1, 1).astype('float32')\n"
              "h = m.fit(x, x ** 2, epochs=3, batch_size=8, shuffle=False, verbose=0)\n")
    run = explorer.run(source)
    assert len(run.recordings) == 2                        # 90 steps: the first and the last are drawn
    assert run.default_target == "loss"
    assert len(run.fits[0]["history"]["loss"]) == 3
    # a layer of the program's own runs in the interpreter every step, so every step is a recording
    own = source.replace("tf.keras.layers.Dense(1)]", "Twice()]").replace(
        "m = ", "class Twice(tf.keras.layers.Layer):\n    def call(self, x):\n        return 2. * x\nm = ", 1)
    assert len(explorer.run(own).recordings) == 90


def test_fit_shuffles_without_touching_the_programs_numpy_draws():
    source = ("np.random.seed(1)\nm = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nm.compile(loss='mse')\n"
              "h = m.fit(np.ones((64, 2)), np.ones(64), epochs=2, verbose=0)\nafter = np.random.permutation(10)\n")
    np.random.seed(1)
    assert list(explorer.run(source).values["after"]) == list(np.random.permutation(10))
