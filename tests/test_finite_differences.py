"""Random programs: TensorFlow's gradients (via the explorer) against central finite differences,
and every node's chain-rule sum against TensorFlow, in float64."""

import numpy as np
import pytest

import explorer

UNARY = ["tf.sin({})", "tf.cos({})", "tf.tanh({})", "tf.sigmoid({})", "tf.square({})", "tf.exp({} / 4.)",
         "tf.math.log(1. + tf.square({}))", "tf.sqrt(1. + tf.square({}))"]
BINARY = ["{} + {}", "{} - {}", "{} * {}", "{} / (1. + tf.square({}))", "tf.maximum({}, {})"]


def random_program(seed: int, tensor: bool) -> tuple[str, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    shape = (3,) if tensor else ()
    values = {name: np.asarray(rng.uniform(-1.5, 1.5, size=shape)).round(3) for name in ("a", "b", "c")}
    lines = [f"{k} = tf.Variable({v.tolist()})" for k, v in values.items()]
    lines.append("with tf.GradientTape() as tape:")
    names = list(values)
    for i in range(int(rng.integers(4, 9))):
        if rng.random() < 0.4:
            expr = UNARY[rng.integers(len(UNARY))].format(names[rng.integers(len(names))])
        else:
            x, y = rng.choice(names, size=2)
            expr = BINARY[rng.integers(len(BINARY))].format(x, y, y)
        names.append(f"t{i}")
        lines.append(f"    t{i} = {expr}")
    lines.append(f"    loss = tf.reduce_sum({names[-1]} * {names[-2]})" if tensor else
                 f"    loss = {names[-1]} * {names[-2]} + {names[-1]}")
    lines.append("grads = tape.gradient(loss, [a, b, c])")
    return "\n".join(lines), values


def loss_at(source: str, values: dict, name: str, value: np.ndarray) -> float:
    line = f"{name} = tf.Variable({values[name].tolist()})"
    changed = source.replace(line, f"{name} = tf.Variable({value.tolist()})")
    return float(explorer.run(changed, dtype="float64").values["loss"])


@pytest.mark.parametrize("tensor", [False, True], ids=["scalar", "tensor"])
@pytest.mark.parametrize("seed", range(10))
def test_random_program_gradients_match_finite_differences(seed, tensor):
    source, values = random_program(seed, tensor)
    run = explorer.run(source, dtype="float64")
    assert run.graph.chain_rule_ok, source
    h = 1e-6
    for name, grad in zip("abc", run.values["grads"]):
        base = np.array(values[name], dtype=float)
        fd = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            up, down = base.copy(), base.copy()
            up[idx] += h
            down[idx] -= h
            fd[idx] = (loss_at(source, values, name, up) - loss_at(source, values, name, down)) / (2 * h)
        got = np.zeros_like(base) if grad is None else grad
        np.testing.assert_allclose(got, fd, rtol=1e-5, atol=1e-6, err_msg=f"d loss / d {name}\n{source}")
