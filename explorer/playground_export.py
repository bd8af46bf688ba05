"""The playground as a plain Keras script a student can run as it is: the same data (the data set's own
generator function, copied from explorer.playground_data, or the points themselves), the same split,
features and network (same layers, initializers and seeds, so the same initial weights), compiled with
the same loss and optimizer, then trained with `model.fit`."""

from __future__ import annotations

import ast
import inspect
from typing import TYPE_CHECKING

import numpy as np

from . import playground_data as data

if TYPE_CHECKING:
    from .playground import Trainer

OPTIMIZER_CODE = {"sgd": "keras.optimizers.SGD({lr!r})", "momentum": "keras.optimizers.SGD({lr!r}, momentum=0.9)",
                  "rmsprop": "keras.optimizers.RMSprop({lr!r})", "adam": "keras.optimizers.Adam({lr!r})"}


def _source(*functions) -> str:
    return "\n\n".join(inspect.getsource(f).rstrip() for f in functions)


def _array(a: np.ndarray, dtype: str) -> str:
    # float32 values written as their exact float64 repr come back as the same float32
    return f"np.array({np.asarray(a, np.float64).tolist()!r}, np.{dtype})"


def _formula_ok(formula: str) -> bool:
    """A curve formula goes into the script as a Python expression only if it is one."""
    try:
        ast.parse(formula.strip(), mode="eval")
        return "\n" not in formula.strip()
    except SyntaxError:
        return False


def _generated(spec: data.DataSpec, regression: bool) -> tuple[list[str], str, str]:
    """(imports, definitions, the line making x and y) for a data set made from its spec."""
    if spec.name == "curve":
        f = (f'def f(x):\n    """The curve typed on the page: y = {spec.formula.strip()}."""\n'
             f"    x = tf.constant(x)\n    return np.broadcast_to(np.asarray({spec.formula.strip()}, np.float32), "
             f"tuple(x.shape))")
        return ["import tensorflow as tf"], f + "\n\n\n" + _source(data.curve, data.tidy), \
            f"x, y = tidy(*curve({spec.n}, {spec.noise!r}, {spec.seed}, f))"
    generator = getattr(data, spec.name)
    uses_sklearn = "skd." in inspect.getsource(generator)
    args = f"{spec.n}, {spec.noise!r}, {spec.seed}" + (f", {spec.classes}" if spec.name == "blobs" else "")
    make = f"x, y = tidy(*{spec.name}({args})" + (", regression=True)" if regression else ")")
    return (["from sklearn import datasets as skd"] if uses_sklearn else []), _source(generator, data.tidy), make


def _data_code(trainer: Trainer) -> tuple[list[str], str]:
    """(imports, code defining x_train, y_train, x_test, y_test as the page has them)."""
    train, test = trainer.train_data, trainer.test_data
    spec = train.spec
    label_dtype = "float32" if trainer.kind == "regression" else "int32"
    if spec is None or trainer.split is None or (spec.name == "curve" and not _formula_ok(spec.formula)):
        return [], ("# the points, as the page had them\n"
                    f"x_train = {_array(train.x, 'float32')}\ny_train = {_array(train.y, label_dtype)}\n"
                    f"x_test = {_array(test.x, 'float32')}\ny_test = {_array(test.y, label_dtype)}")
    imports, definitions, make = _generated(spec, trainer.kind == "regression")
    ratio, seed = trainer.split
    lines = [definitions, "", _source(data.split_indices), "", "",
             f"# {train.name}: {spec.n} points, noise {spec.noise:g}, seed {spec.seed}", make,
             f"train, test = split_indices(len(x), {ratio!r}, {seed})",
             "x_train, y_train, x_test, y_test = x[train], y[train], x[test], y[test]"]
    if trainer.added:
        added = np.array([(a, b) for a, b, _ in trainer.added], np.float32)
        labels = np.array([label for _, _, label in trainer.added])
        lines += ["# points added by clicking on the output join the training set",
                  f"x_train = np.concatenate([x_train, {_array(added, 'float32')}])",
                  f"y_train = np.concatenate([y_train, {_array(labels, label_dtype)}])"]
    return imports, "\n".join(lines)


def _model_code(trainer: Trainer) -> str:
    s = trainer.spec
    reg = "" if not s.regularization else \
        f", kernel_regularizer=keras.regularizers.{s.regularization.upper()}({s.regularization_rate!r})"
    init = "kernel_initializer=keras.initializers.GlorotUniform(seed={})"
    layers = [f"    keras.Input(({len(s.features)},)),"]
    layers += [f"    keras.layers.Dense({u}, activation={s.activation!r}{reg}, {init.format(s.seed * 101 + i)}, "
               f"name='hidden_{i + 1}')," for i, u in enumerate(s.hidden)]
    layers.append(f"    keras.layers.Dense({trainer.outputs}{reg}, {init.format(s.seed * 101 + 99)}, name='output'),")
    if trainer.kind == "regression":
        loss, metrics = "keras.losses.MeanSquaredError()", ""
    elif trainer.outputs == 1:
        loss, metrics = "keras.losses.BinaryCrossentropy(from_logits=True)", \
            ", metrics=[keras.metrics.BinaryAccuracy(threshold=0.0)]"
    else:
        loss, metrics = "keras.losses.SparseCategoricalCrossentropy(from_logits=True)", ', metrics=["accuracy"]'
    return "\n".join(["model = keras.Sequential([", *layers, "])",
                      f"model.compile(optimizer={OPTIMIZER_CODE[s.optimizer].format(lr=s.learning_rate)}, "
                      f"loss={loss}{metrics})"])


def keras_code(trainer: Trainer) -> str:
    """The script: run it as it is (`python playground.py`) to rebuild the data and the network and train
    it with Keras's own `fit`; import it (runpy) to get the data and the untrained model."""
    s = trainer.spec
    imports, data_code = _data_code(trainer)
    if trainer.kind == "regression":
        targets = "y_train.reshape(-1, 1), y_test.reshape(-1, 1)"
    elif trainer.outputs == 1:
        targets = "y_train.reshape(-1, 1).astype(np.float32), y_test.reshape(-1, 1).astype(np.float32)"
    else:
        targets = "y_train, y_test"
    features = ", ".join(repr(f) for f in s.features)
    header = (f'"""The Network playground\'s data and network in plain Keras: {trainer.train_data.name or "data"}, '
              f"features {', '.join(s.features)}, hidden layers {list(s.hidden)}, {s.activation}, "
              f"{s.optimizer} at learning rate {s.learning_rate:g}, batch {s.batch_size}.\n\n"
              "Run it as it is: python playground.py\n"
              "The page draws each mini-batch at random with replacement; model.fit shuffles each epoch instead,\n"
              'so the trained weights differ while the data, the network and its initial weights are the same.\n"""')
    epochs = max(1, int(round(trainer.epoch)))
    return "\n".join([
        header, "", "import keras", "import numpy as np", *imports, "", f"DOMAIN = {data.DOMAIN!r}", "", "",
        data_code, "", "",
        _source(data.features), "", "",
        f"FEATURES = ({features},)",
        "inputs_train, inputs_test = features(x_train, FEATURES), features(x_test, FEATURES)",
        f"targets_train, targets_test = {targets}",
        "",
        _model_code(trainer),
        "",
        'if __name__ == "__main__":',
        f"    keras.utils.set_random_seed({s.seed})     # model.fit's shuffling, reproducible",
        f"    model.fit(inputs_train, targets_train, batch_size={s.batch_size}, epochs={epochs}, "
        "validation_data=(inputs_test, targets_test), verbose=2)",
        "    print(model.evaluate(inputs_test, targets_test, verbose=0))",
        ""])
