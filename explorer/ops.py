"""The differentiable operations the program language knows.

Each op's forward rule (the TensorFlow function that computes it) stands next to its backward rule as
taught: the scalar local derivative of the output with respect to each input, and for tensors the
vector-Jacobian product. The numbers are never taken from these texts: TensorFlow computes them
(see graph.py). The texts are what the backward graph and the walkthrough print beside the numbers.

Placeholders in the texts: {a}, {b} the inputs of a binary op, {x} the input of a unary op,
{z} the output; they are replaced by the names the program uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import tensorflow as tf


@dataclass(frozen=True)
class OpSpec:
    op: str                          # short name, also the node's default id ("mul", "matmul")
    fn: Callable[..., Any]           # forward rule: fn(*tensor_args, **static_args) -> tf.Tensor
    params: tuple[str, ...]          # positional parameter names, tensor parameters first
    n_tensors: int                   # how many leading params are tensors (graph inputs)
    local: tuple[str, ...]           # scalar local derivative d out / d input, one per tensor input
    vjp: tuple[str, ...]             # vector-Jacobian product rule, one per tensor input
    elementwise: bool = False        # out[i] depends on in[i] only (Jacobian diagonal, no broadcast)
    defaults: dict[str, Any] = field(default_factory=dict)
    symbol: str | None = None        # infix symbol when written as an operator


def _spec(op, fn, params, n, local, vjp, elementwise=False, defaults=None, symbol=None) -> OpSpec:
    return OpSpec(op, fn, tuple(params), n, tuple(local), tuple(vjp), elementwise, defaults or {}, symbol)


def _unary(op, fn, local, vjp=None):
    return _spec(op, fn, ["x"], 1, [local], [vjp or f"d{{x}} = d{{z}} ⊙ {local}"], elementwise=True)


_BCAST = " (summed over broadcast axes)"

SPECS: dict[str, OpSpec] = {}


def _add(spec: OpSpec, *names: str) -> None:
    for name in names:
        SPECS[name] = spec


_add(_spec("add", tf.add, ["x", "y"], 2, ["1", "1"], ["d{a} = d{z}" + _BCAST, "d{b} = d{z}" + _BCAST],
           True, symbol="+"), "tf.add", "tf.math.add")
_add(_spec("sub", tf.subtract, ["x", "y"], 2, ["1", "-1"],
           ["d{a} = d{z}" + _BCAST, "d{b} = -d{z}" + _BCAST], True, symbol="-"),
     "tf.subtract", "tf.math.subtract")
_add(_spec("mul", tf.multiply, ["x", "y"], 2, ["{b}", "{a}"],
           ["d{a} = d{z} ⊙ {b}" + _BCAST, "d{b} = d{z} ⊙ {a}" + _BCAST], True, symbol="*"),
     "tf.multiply", "tf.math.multiply")
_add(_spec("div", tf.divide, ["x", "y"], 2, ["1/{b}", "-{a}/{b}²"],
           ["d{a} = d{z} / {b}" + _BCAST, "d{b} = -d{z} ⊙ {a} / {b}²" + _BCAST], True, symbol="/"),
     "tf.divide", "tf.math.divide", "tf.truediv", "tf.math.truediv")
_add(_spec("pow", tf.pow, ["x", "y"], 2, ["{b}·{a}^({b}-1)", "{z}·ln({a})"],
           ["d{a} = d{z} ⊙ {b}·{a}^({b}-1)" + _BCAST, "d{b} = d{z} ⊙ {z}·ln({a})" + _BCAST], True,
           symbol="**"), "tf.pow", "tf.math.pow")
_add(_spec("maximum", tf.maximum, ["x", "y"], 2, ["1 if {a} ≥ {b} else 0", "1 if {b} > {a} else 0"],
           ["d{a} = d{z} where {a} ≥ {b}", "d{b} = d{z} where {b} > {a}"], True),
     "tf.maximum", "tf.math.maximum")
_add(_spec("minimum", tf.minimum, ["x", "y"], 2, ["1 if {a} ≤ {b} else 0", "1 if {b} < {a} else 0"],
           ["d{a} = d{z} where {a} ≤ {b}", "d{b} = d{z} where {b} < {a}"], True),
     "tf.minimum", "tf.math.minimum")
_add(_spec("squared_difference", tf.math.squared_difference, ["x", "y"], 2, ["2({a}-{b})", "-2({a}-{b})"],
           ["d{a} = 2 d{z} ⊙ ({a}-{b})" + _BCAST, "d{b} = -2 d{z} ⊙ ({a}-{b})" + _BCAST], True),
     "tf.math.squared_difference", "tf.squared_difference")
_add(_spec("matmul", tf.linalg.matmul, ["a", "b", "transpose_a", "transpose_b"], 2, ["{b}ᵀ", "{a}ᵀ"],
           ["d{a} = d{z} · {b}ᵀ", "d{b} = {a}ᵀ · d{z}"],
           defaults={"transpose_a": False, "transpose_b": False}, symbol="@"),
     "tf.matmul", "tf.linalg.matmul")

_add(_unary("neg", tf.negative, "-1", "d{x} = -d{z}"), "tf.negative", "tf.math.negative")
_add(_unary("square", tf.square, "2{x}"), "tf.square", "tf.math.square")
_add(_unary("sqrt", tf.sqrt, "1/(2{z})"), "tf.sqrt", "tf.math.sqrt")
_add(_unary("rsqrt", tf.math.rsqrt, "-{z}³/2"), "tf.math.rsqrt", "tf.rsqrt")
_add(_unary("reciprocal", tf.math.reciprocal, "-{z}²"), "tf.math.reciprocal", "tf.reciprocal")
_add(_unary("exp", tf.exp, "{z}"), "tf.exp", "tf.math.exp")
_add(_unary("log", tf.math.log, "1/{x}"), "tf.math.log", "tf.log")
_add(_unary("log1p", tf.math.log1p, "1/(1+{x})"), "tf.math.log1p")
_add(_unary("abs", tf.abs, "sign({x})"), "tf.abs", "tf.math.abs")
_add(_unary("sin", tf.sin, "cos({x})"), "tf.sin", "tf.math.sin")
_add(_unary("cos", tf.cos, "-sin({x})"), "tf.cos", "tf.math.cos")
_add(_unary("tan", tf.tan, "1+{z}²"), "tf.tan", "tf.math.tan")
_add(_unary("tanh", tf.tanh, "1-{z}²"), "tf.tanh", "tf.math.tanh", "tf.nn.tanh")
_add(_unary("sigmoid", tf.sigmoid, "{z}(1-{z})"), "tf.sigmoid", "tf.math.sigmoid", "tf.nn.sigmoid")
_add(_unary("relu", tf.nn.relu, "1 if {x} > 0 else 0"), "tf.nn.relu")
_add(_unary("relu6", tf.nn.relu6, "1 if 0 < {x} < 6 else 0"), "tf.nn.relu6")
_add(_unary("softplus", tf.math.softplus, "sigmoid({x})"), "tf.nn.softplus", "tf.math.softplus")
_add(_unary("elu", tf.nn.elu, "1 if {x} > 0 else {z}+1"), "tf.nn.elu")
_add(_unary("selu", tf.nn.selu, "selu'({x})"), "tf.nn.selu")
_add(_unary("silu", tf.nn.silu, "σ({x})(1+{x}(1-σ({x})))"), "tf.nn.silu", "tf.nn.swish")
_add(_unary("gelu", tf.nn.gelu, "Φ({x}) + {x}φ({x})"), "tf.nn.gelu")
_add(_spec("leaky_relu", tf.nn.leaky_relu, ["features", "alpha"], 1, ["1 if {x} > 0 else alpha"],
           ["d{x} = d{z} ⊙ (1 if {x} > 0 else alpha)"], True, defaults={"alpha": 0.2}), "tf.nn.leaky_relu")
_add(_unary("identity", tf.identity, "1", "d{x} = d{z}"), "tf.identity")
_add(_unary("stop_gradient", tf.stop_gradient, "0 (stopped)", "d{x} = 0: the gradient is stopped"),
     "tf.stop_gradient")

_SOFTMAX_VJP = "d{x} = {z} ⊙ (d{z} − Σ(d{z} ⊙ {z}))"
_add(_spec("softmax", tf.nn.softmax, ["logits", "axis"], 1, ["{z}(δ − {z}ᵀ)"], [_SOFTMAX_VJP],
           defaults={"axis": -1}), "tf.nn.softmax", "tf.math.softmax")
_add(_spec("log_softmax", tf.nn.log_softmax, ["logits", "axis"], 1, ["δ − softmax({x})"],
           ["d{x} = d{z} − softmax({x}) Σ d{z}"], defaults={"axis": -1}), "tf.nn.log_softmax")
_add(_spec("softmax_xent", tf.nn.softmax_cross_entropy_with_logits, ["labels", "logits", "axis"], 2,
           ["-log softmax({b})", "softmax({b}) − {a}"],
           ["d{a} = -d{z} ⊙ log softmax({b})", "d{b} = d{z} ⊙ (softmax({b}) − {a})"], defaults={"axis": -1}),
     "tf.nn.softmax_cross_entropy_with_logits")
_add(_spec("sigmoid_xent", tf.nn.sigmoid_cross_entropy_with_logits, ["labels", "logits"], 2,
           ["-{b}", "σ({b}) − {a}"], ["d{a} = -d{z} ⊙ {b}", "d{b} = d{z} ⊙ (σ({b}) − {a})"], True),
     "tf.nn.sigmoid_cross_entropy_with_logits")

_add(_spec("transpose", tf.transpose, ["a", "perm"], 1, ["permutation"], ["d{x} = transpose(d{z}) back"],
           defaults={"perm": None}), "tf.transpose", "tf.linalg.matrix_transpose")
_add(_spec("reshape", tf.reshape, ["tensor", "shape"], 1, ["1"], ["d{x} = reshape(d{z}, {x}.shape)"]),
     "tf.reshape")
_add(_spec("squeeze", tf.squeeze, ["input", "axis"], 1, ["1"], ["d{x} = reshape(d{z}, {x}.shape)"],
           defaults={"axis": None}), "tf.squeeze")
_add(_spec("expand_dims", tf.expand_dims, ["input", "axis"], 1, ["1"], ["d{x} = reshape(d{z}, {x}.shape)"]),
     "tf.expand_dims")

_RED_DEFAULTS = {"axis": None, "keepdims": False}
_add(_spec("reduce_sum", tf.reduce_sum, ["input_tensor", "axis", "keepdims"], 1, ["1"],
           ["d{x} = broadcast d{z} back to {x}.shape"], defaults=_RED_DEFAULTS),
     "tf.reduce_sum", "tf.math.reduce_sum")
_add(_spec("reduce_mean", tf.reduce_mean, ["input_tensor", "axis", "keepdims"], 1, ["1/n"],
           ["d{x} = broadcast d{z} back to {x}.shape, divided by n"], defaults=_RED_DEFAULTS),
     "tf.reduce_mean", "tf.math.reduce_mean")
_add(_spec("reduce_max", tf.reduce_max, ["input_tensor", "axis", "keepdims"], 1, ["1 at the max, else 0"],
           ["d{x} = d{z} at the maximum entries, 0 elsewhere"], defaults=_RED_DEFAULTS),
     "tf.reduce_max", "tf.math.reduce_max")
_add(_spec("reduce_min", tf.reduce_min, ["input_tensor", "axis", "keepdims"], 1, ["1 at the min, else 0"],
           ["d{x} = d{z} at the minimum entries, 0 elsewhere"], defaults=_RED_DEFAULTS),
     "tf.reduce_min", "tf.math.reduce_min")
_add(_spec("reduce_prod", tf.reduce_prod, ["input_tensor", "axis", "keepdims"], 1, ["{z}/{x}"],
           ["d{x} = d{z} ⊙ {z} / {x}"], defaults=_RED_DEFAULTS),
     "tf.reduce_prod", "tf.math.reduce_prod")


def _keras_activation(name: str):
    # Looked up once at import from a fixed list, never from user text.
    return getattr(tf.keras.activations, name)


for _name, _base in [("relu", "relu"), ("sigmoid", "sigmoid"), ("tanh", "tanh"), ("softplus", "softplus"),
                     ("elu", "elu"), ("selu", "selu"), ("gelu", "gelu"), ("silu", "silu"),
                     ("swish", "silu"), ("exponential", "exp"), ("linear", "identity")]:
    _b = next(s for s in SPECS.values() if s.op == _base)
    _add(OpSpec(f"keras_{_name}", _keras_activation(_name), _b.params, 1, _b.local, _b.vjp, _b.elementwise,
                _b.defaults), f"tf.keras.activations.{_name}")
_add(OpSpec("keras_softmax", _keras_activation("softmax"), SPECS["tf.nn.softmax"].params, 1,
            SPECS["tf.nn.softmax"].local, SPECS["tf.nn.softmax"].vjp, False, {"axis": -1}),
     "tf.keras.activations.softmax")

SLICE = _spec("slice", lambda x, key: x[key], ["x", "key"], 1, ["1 at the picked entries"],
              ["d{x} = zeros of {x}.shape with d{z} scattered into the slice"])

CAST = _spec("cast", tf.cast, ["x", "dtype"], 1, ["1"], ["d{x} = cast(d{z}) back to {x}.dtype"], True)

BINARY_OPERATORS = {"Add": "tf.add", "Sub": "tf.subtract", "Mult": "tf.multiply", "Div": "tf.divide",
                    "Pow": "tf.pow", "MatMult": "tf.matmul"}
UNARY_OPERATORS = {"USub": "tf.negative"}


def fill(template: str, names: dict[str, str]) -> str:
    """Put the program's names into a rule text."""
    out = template
    for key, value in names.items():
        out = out.replace("{" + key + "}", value)
    return out
