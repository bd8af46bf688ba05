"""The TensorFlow callables a program may use: one row per function, its forward rule beside its backward
rule as taught.

A row names the function (and its aliases), the parameters that take tensors (`data`: Python numbers,
lists and NumPy arrays given there become literal nodes of the graph), whether the op is elementwise, and
the texts the backward graph and the walkthrough print: the scalar local derivative of the output with
respect to each data input, and for tensors the vector-Jacobian product. The numbers are never taken from
these texts: TensorFlow computes them (see backward.py). Everything else about a call (its signature, its
defaults, its dtype conversions and its errors) is TensorFlow's own: the interpreter calls the function
itself. Adding a TensorFlow function is one row here; the language's whitelist is derived from this table.

Placeholders in the texts: {a}, {b} the first two inputs, {x} the first input, {z} the output; they are
replaced by the names the program uses.
"""

from __future__ import annotations

import inspect
import operator
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import tensorflow as tf

_BCAST = " (summed over broadcast axes)"


@dataclass(eq=False)
class OpSpec:
    op: str                          # short name: the node's default id and the symbolic rule's key
    fn: Callable[..., Any]           # TensorFlow's function (operators: the Python operator)
    data: tuple[str, ...]            # parameters that take tensors; Python values there become literals
    local: tuple[str, ...] = ()      # scalar local derivative, one per data parameter
    vjp: tuple[str, ...] = ()        # vector-Jacobian product rule, one per data parameter
    elementwise: bool = False        # out[i] depends on in[i] only
    kind: str = "op"                 # "op"; "constant", "random", "variable": leaves; "python": not recorded
    lists: tuple[str, ...] = ()      # data parameters that take a list of tensors (tf.concat's values)
    groups: dict[str, str] | None = None   # data parameters whose dtypes differ (tf.where's condition)
    float_default: str = ""                # parameters the run's float fills: "dtype" when absent, others
    #                                        where they hold Python floats (the page's float64 switch)
    differentiable: bool = True      # False: edges into it carry no gradient (tf.constant copies)
    symbol: str | None = None        # infix symbol when written as an operator
    cost: Callable[[dict], tuple[int, int]] | None = None   # (output elements, multiply-adds) before running
    name: str = ""                   # the first dotted name it is reachable by
    params: tuple[str, ...] = ()     # derived from the signature
    varargs: str | None = None
    required: frozenset = frozenset()
    positional: bool = False         # the function takes its parameters by position only (operator.add)

    def __post_init__(self):
        try:
            sig = inspect.signature(tf.Variable.__init__ if self.fn is tf.Variable else self.fn)
        except (TypeError, ValueError):
            return
        params, required = [], set()
        for p in sig.parameters.values():
            if p.name == "self":
                continue
            if p.kind is inspect.Parameter.VAR_POSITIONAL:
                self.varargs = p.name
                continue
            if p.kind is inspect.Parameter.VAR_KEYWORD:
                continue
            params.append(p.name)
            if p.kind is inspect.Parameter.POSITIONAL_ONLY:
                self.positional = True
            if p.default is inspect.Parameter.empty:
                required.add(p.name)
        self.params, self.required = tuple(params), frozenset(required)
        # a data parameter is named as in TensorFlow's docs; where the function calls it otherwise
        # (tf.nn.relu's `features`), take the parameter in the same place
        self.data = tuple(d if d in params or d == self.varargs or i >= len(params) else params[i]
                          for i, d in enumerate(self.data))

    def bind(self, args: tuple, kwargs: dict) -> dict:
        """The arguments by parameter name, with Python's own errors for a wrong call."""
        title = self.name or self.op
        names = self.params
        if self.varargs is not None:
            lead = [p for p in names if p in self.required][:1] if names else []
            bound = dict(zip(lead, args))
            bound[self.varargs] = tuple(args[len(lead):])
        else:
            if len(args) > len(names):
                raise TypeError(f"{title}() takes at most {len(names)} positional arguments "
                                f"({len(args)} given)")
            bound = dict(zip(names, args))
        for k, v in kwargs.items():
            if k in bound:
                raise TypeError(f"{title}() got multiple values for argument '{k}'")
            if k not in names and not (self.varargs and k == "optimize"):
                raise TypeError(f"{title}() got an unexpected keyword argument '{k}'")
            bound[k] = v
        missing = [n for n in names if n in self.required and n not in bound]
        if missing:
            raise TypeError(f"{title}() missing required argument{'s' if len(missing) > 1 else ''}: "
                            + ", ".join(f"'{m}'" for m in missing))
        return bound

    def call(self, bound: dict) -> Any:
        if self.varargs is not None:
            rest = dict(bound)
            extra = rest.pop(self.varargs, ())
            lead = [rest.pop(p) for p in self.params if p in self.required and p in rest][:1]
            return self.fn(*lead, *extra, **rest)
        if self.positional:
            return self.fn(*(bound[p] for p in self.params if p in bound))
        return self.fn(**bound)

    def text(self, kind: str, param: str, index: int) -> str:
        """The local-derivative or VJP text for the input that fills `param`."""
        texts = self.local if kind == "local" else self.vjp
        if param in self.data:
            i = self.data.index(param)
            if i < len(texts):
                return texts[i]
        if kind == "local":
            return f"∂{{z}}/∂{{x}} (TensorFlow's gradient of {self.op})"
        return f"d(input) = VJP of {self.op} (TensorFlow's registered gradient)"


SPECS: dict[str, OpSpec] = {}


def _add(names: str, spec: OpSpec) -> OpSpec:
    for name in names.split():
        SPECS[name] = spec
    spec.name = spec.name or names.split()[0]
    return spec


def _op(names: str, fn, data: str = "x", local=(), vjp=(), *, ew: bool = False, op: str | None = None,
        **kw) -> OpSpec:
    short = op or names.split()[0].split(".")[-1]
    return _add(names, OpSpec(short, fn, tuple(data.split()), tuple(local), tuple(vjp), ew, **kw))


def _unary(names: str, fn, local: str, vjp: str | None = None, op: str | None = None, data: str = "x") -> OpSpec:
    return _op(names, fn, data, [local], [vjp or f"d{{x}} = d{{z}} ⊙ {local}"], ew=True, op=op)


def _generic(names: str, fn, data: str = "x", *, ew: bool = False, **kw) -> OpSpec:
    """An op whose rule the pages show as TensorFlow's registered gradient."""
    return _op(names, fn, data, ew=ew, **kw)


# ---- costs: what an op would allocate, known before it runs ---------------------------------------------

def _shape_of(v: Any) -> tuple[int, ...] | None:
    shape = getattr(v, "shape", None)
    if shape is not None:
        try:
            dims = tuple(shape.as_list()) if hasattr(shape, "as_list") else tuple(shape)
            return tuple(int(d) if d is not None else 1 for d in dims)
        except (TypeError, ValueError):
            return None
    if isinstance(v, (list, tuple)):
        try:
            return np.shape(np.asarray(v, dtype=object)) if v and not isinstance(v[0], (list, tuple)) \
                else np.shape(v)
        except (ValueError, TypeError):
            return None
    return ()


def _size(shape) -> int:
    return int(np.prod(shape, dtype=np.float64)) if shape else 1


def _dims(value: Any) -> list[int] | None:
    """A shape argument as whole numbers, or None where it is not one (TensorFlow will say why)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return [int(value)]
    if isinstance(value, tf.TensorShape):
        return [d if d is not None else 1 for d in value.as_list()] if value.rank is not None else None
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        return None
    if arr.dtype.kind not in "iu" or arr.ndim > 1:
        return None
    return [int(d) for d in arr.reshape(-1)]


def _cost_shape(param: str, extra: Callable[[dict], int] | None = None):
    def cost(bound: dict) -> tuple[int, int]:
        dims = _dims(bound.get(param))
        n = _size([max(d, 0) for d in dims]) if dims is not None else 0
        return (n * (extra(bound) if extra else 1), 0)
    return cost


def _cost_matmul(bound: dict) -> tuple[int, int]:
    a, b = _shape_of(bound.get("a")), _shape_of(bound.get("b"))
    if not a or not b or len(a) < 2 or len(b) < 2:
        return (0, 0)
    m = a[-1] if bound.get("transpose_a") or bound.get("adjoint_a") else a[-2]
    k = a[-2] if bound.get("transpose_a") or bound.get("adjoint_a") else a[-1]
    n = b[-2] if bound.get("transpose_b") or bound.get("adjoint_b") else b[-1]
    try:
        batch = _size(np.broadcast_shapes(a[:-2], b[:-2]))
    except ValueError:
        batch = max(_size(a[:-2]), _size(b[:-2]))
    return (batch * m * n, batch * m * k * n)


def _cost_tile(bound: dict) -> tuple[int, int]:
    shape, mult = _shape_of(bound.get("input")), _dims(bound.get("multiples"))
    if shape is None or mult is None:
        return (0, 0)
    return (_size(shape) * _size([max(m, 0) for m in mult]), 0)


def _cost_range(bound: dict) -> tuple[int, int]:
    try:
        start, limit, delta = bound.get("start"), bound.get("limit"), bound.get("delta", 1)
        if limit is None:
            start, limit = 0, start
        n = (float(limit) - float(start)) / float(delta)
        return (int(max(0, np.ceil(n))) if np.isfinite(n) else 0, 0)
    except (TypeError, ValueError, ZeroDivisionError):
        return (0, 0)


def _cost_one_hot(bound: dict) -> tuple[int, int]:
    shape = _shape_of(bound.get("indices"))
    try:
        depth = int(bound.get("depth"))
    except (TypeError, ValueError):
        return (0, 0)
    return (_size(shape or ()) * max(depth, 0), 0)


def _cost_repeat(bound: dict) -> tuple[int, int]:
    shape, reps = _shape_of(bound.get("input")), _dims(bound.get("repeats"))
    if shape is None or reps is None:
        return (0, 0)
    return (_size(shape) * max(max(reps, default=1), 1), 0)


def _cost_broadcast(bound: dict) -> tuple[int, int]:
    dims = _dims(bound.get("shape"))
    return (_size([max(d, 0) for d in dims]) if dims else 0, 0)


def _cost_einsum(bound: dict) -> tuple[int, int]:
    eq = bound.get("equation")
    inputs = bound.get("inputs", ())
    if not isinstance(eq, str) or "..." in eq:
        return (0, 0)
    lhs, _, rhs = eq.replace(" ", "").partition("->")
    sizes: dict[str, int] = {}
    for term, x in zip(lhs.split(","), inputs):
        shape = _shape_of(x)
        if shape is None or len(shape) != len(term):
            return (0, 0)
        for letter, d in zip(term, shape):
            sizes[letter] = max(sizes.get(letter, 1), d)
    out = rhs if _ else "".join(sorted(c for c in sizes if lhs.count(c) == 1))
    return (_size([sizes.get(c, 1) for c in out]), _size(list(sizes.values())))


def _cost_tensordot(bound: dict) -> tuple[int, int]:
    a, b, axes = _shape_of(bound.get("a")), _shape_of(bound.get("b")), bound.get("axes")
    if a is None or b is None or not isinstance(axes, (int, np.integer)):
        return (0, 0)
    k = int(axes)
    out = _size(a[:len(a) - k]) * _size(b[k:])
    return (out, out * _size(a[len(a) - k:]))


def _cost_meshgrid(bound: dict) -> tuple[int, int]:
    sizes = [_size(_shape_of(x) or ()) for x in bound.get("args", ())]
    return (_size(sizes) * max(len(sizes), 1), 0)


def _cost_pad(bound: dict) -> tuple[int, int]:
    shape, pads = _shape_of(bound.get("tensor")), bound.get("paddings")
    try:
        p = np.asarray(pads, dtype=np.int64).reshape(-1, 2)
    except (ValueError, TypeError):
        return (0, 0)
    if shape is None or len(p) != len(shape):
        return (0, 0)
    return (_size([d + int(a) + int(b) for d, (a, b) in zip(shape, p)]), 0)


# ---- arithmetic -------------------------------------------------------------------------------------------

_op("tf.add tf.math.add", tf.add, "x y", ["1", "1"], ["d{a} = d{z}" + _BCAST, "d{b} = d{z}" + _BCAST],
    ew=True, symbol="+")
_op("tf.subtract tf.math.subtract", tf.subtract, "x y", ["1", "-1"],
    ["d{a} = d{z}" + _BCAST, "d{b} = -d{z}" + _BCAST], ew=True, symbol="-", op="sub")
_op("tf.multiply tf.math.multiply", tf.multiply, "x y", ["{b}", "{a}"],
    ["d{a} = d{z} ⊙ {b}" + _BCAST, "d{b} = d{z} ⊙ {a}" + _BCAST], ew=True, symbol="*", op="mul")
_op("tf.divide tf.math.divide tf.truediv tf.math.truediv tf.realdiv", tf.divide, "x y", ["1/{b}", "-{a}/{b}²"],
    ["d{a} = d{z} / {b}" + _BCAST, "d{b} = -d{z} ⊙ {a} / {b}²" + _BCAST], ew=True, symbol="/", op="div")
_op("tf.pow tf.math.pow", tf.pow, "x y", ["{b}·{a}^({b}-1)", "{z}·ln({a})"],
    ["d{a} = d{z} ⊙ {b}·{a}^({b}-1)" + _BCAST, "d{b} = d{z} ⊙ {z}·ln({a})" + _BCAST], ew=True, symbol="**")
_op("tf.maximum tf.math.maximum", tf.maximum, "x y", ["1 if {a} ≥ {b} else 0", "1 if {b} > {a} else 0"],
    ["d{a} = d{z} where {a} ≥ {b}", "d{b} = d{z} where {b} > {a}"], ew=True)
_op("tf.minimum tf.math.minimum", tf.minimum, "x y", ["1 if {a} ≤ {b} else 0", "1 if {b} < {a} else 0"],
    ["d{a} = d{z} where {a} ≤ {b}", "d{b} = d{z} where {b} < {a}"], ew=True)
_op("tf.math.squared_difference", tf.math.squared_difference, "x y", ["2({a}-{b})", "-2({a}-{b})"],
    ["d{a} = 2 d{z} ⊙ ({a}-{b})" + _BCAST, "d{b} = -2 d{z} ⊙ ({a}-{b})" + _BCAST], ew=True)
_op("tf.matmul tf.linalg.matmul", tf.linalg.matmul, "a b", ["{b}ᵀ", "{a}ᵀ"],
    ["d{a} = d{z} · {b}ᵀ", "d{b} = {a}ᵀ · d{z}"], symbol="@", cost=_cost_matmul)
_op("tf.math.floordiv tf.floor_div", tf.math.floordiv, "x y", ["0 (piecewise constant)", "0 (piecewise constant)"],
    ew=True, op="floordiv")
_op("tf.math.floormod tf.math.mod tf.truncatemod", tf.math.floormod, "x y", ["1", "-floor({a}/{b})"], ew=True,
    op="floormod")
_generic("tf.truncatediv", tf.truncatediv, "x y", ew=True)
_generic("tf.math.divide_no_nan", tf.math.divide_no_nan, "x y", ew=True)
_generic("tf.math.multiply_no_nan", tf.math.multiply_no_nan, "x y", ew=True)
_generic("tf.math.xlogy", tf.math.xlogy, "x y", ew=True)
_generic("tf.math.xdivy", tf.math.xdivy, "x y", ew=True)
_generic("tf.math.xlog1py", tf.math.xlog1py, "x y", ew=True)
_generic("tf.math.atan2 tf.atan2", tf.math.atan2, "y x", ew=True)
_op("tf.add_n tf.math.add_n", tf.add_n, "inputs", ["1"], ["d(each input) = d{z}"], lists=("inputs",))
_op("tf.scalar_mul tf.math.scalar_mul", tf.math.scalar_mul, "scalar x", ["{b}", "{a}"],
    ["d{a} = Σ d{z} ⊙ {b}", "d{b} = {a} · d{z}"])
_generic("tf.math.polyval", tf.math.polyval, "coeffs x", lists=("coeffs",))

# ---- elementwise functions -------------------------------------------------------------------------------

_unary("tf.negative tf.math.negative", tf.negative, "-1", "d{x} = -d{z}", op="neg")
_unary("tf.square tf.math.square", tf.square, "2{x}")
_unary("tf.sqrt tf.math.sqrt", tf.sqrt, "1/(2{z})")
_unary("tf.math.rsqrt", tf.math.rsqrt, "-{z}³/2", op="rsqrt")
_unary("tf.math.reciprocal", tf.math.reciprocal, "-{z}²", op="reciprocal")
_unary("tf.exp tf.math.exp", tf.exp, "{z}")
_unary("tf.math.expm1", tf.math.expm1, "{z}+1")
_unary("tf.math.log", tf.math.log, "1/{x}", op="log")
_unary("tf.math.log1p", tf.math.log1p, "1/(1+{x})")
_unary("tf.math.log_sigmoid", tf.math.log_sigmoid, "1 − σ({x})")
_unary("tf.abs tf.math.abs", tf.abs, "sign({x})")
_unary("tf.sign tf.math.sign", tf.sign, "0")
_unary("tf.sin tf.math.sin", tf.sin, "cos({x})")
_unary("tf.cos tf.math.cos", tf.cos, "-sin({x})")
_unary("tf.tan tf.math.tan", tf.tan, "1+{z}²")
_unary("tf.asin tf.math.asin", tf.math.asin, "1/√(1-{x}²)")
_unary("tf.acos tf.math.acos", tf.math.acos, "-1/√(1-{x}²)")
_unary("tf.atan tf.math.atan", tf.math.atan, "1/(1+{x}²)")
_unary("tf.sinh tf.math.sinh", tf.math.sinh, "cosh({x})")
_unary("tf.cosh tf.math.cosh", tf.math.cosh, "sinh({x})")
_unary("tf.asinh tf.math.asinh", tf.math.asinh, "1/√({x}²+1)")
_unary("tf.acosh tf.math.acosh", tf.math.acosh, "1/√({x}²-1)")
_unary("tf.atanh tf.math.atanh", tf.math.atanh, "1/(1-{x}²)")
_unary("tf.tanh tf.math.tanh tf.nn.tanh", tf.tanh, "1-{z}²")
_unary("tf.sigmoid tf.math.sigmoid tf.nn.sigmoid", tf.sigmoid, "{z}(1-{z})")
_unary("tf.math.erf", tf.math.erf, "2/√π·e^(−{x}²)")
_unary("tf.math.erfc", tf.math.erfc, "−2/√π·e^(−{x}²)")
_unary("tf.floor tf.math.floor", tf.floor, "0 (piecewise constant)")
_unary("tf.math.ceil", tf.math.ceil, "0 (piecewise constant)")
_unary("tf.round tf.math.round tf.math.rint", tf.round, "0 (piecewise constant)")
_unary("tf.nn.relu", tf.nn.relu, "1 if {x} > 0 else 0")
_unary("tf.nn.relu6", tf.nn.relu6, "1 if 0 < {x} < 6 else 0")
_unary("tf.nn.softplus tf.math.softplus", tf.math.softplus, "sigmoid({x})")
_unary("tf.nn.softsign tf.math.softsign", tf.nn.softsign, "1/(1+|{x}|)²")
_unary("tf.nn.elu", tf.nn.elu, "1 if {x} > 0 else {z}+1")
_unary("tf.nn.selu", tf.nn.selu, "selu'({x})")
_unary("tf.nn.silu tf.nn.swish", tf.nn.silu, "σ({x})(1+{x}(1-σ({x})))", data="features")
_op("tf.nn.gelu", tf.nn.gelu, "features", ["Φ({x}) + {x}φ({x})"], ["d{x} = d{z} ⊙ (Φ({x}) + {x}φ({x}))"], ew=True)
_op("tf.nn.leaky_relu", tf.nn.leaky_relu, "features", ["1 if {x} > 0 else alpha"],
    ["d{x} = d{z} ⊙ (1 if {x} > 0 else alpha)"], ew=True)
_op("tf.identity", tf.identity, "input", ["1"], ["d{x} = d{z}"], ew=True)
_op("tf.stop_gradient", tf.stop_gradient, "input", ["0 (stopped)"], ["d{x} = 0: the gradient is stopped"], ew=True)
_op("tf.clip_by_value", tf.clip_by_value, "t clip_value_min clip_value_max",
    ["1 if min < {x} < max else 0", "1 where clipped below", "1 where clipped above"],
    ["d{x} = d{z} where {x} is inside the range"], ew=True)
_generic("tf.clip_by_norm", tf.clip_by_norm, "t clip_norm")
_op("tf.where", tf.where, "condition x y", ["0", "1 where condition", "1 where not condition"],
    ["no gradient (boolean)", "d{x} = d{z} where condition, else 0", "d(y) = d{z} where not condition, else 0"],
    groups={"condition": "c", "x": "v", "y": "v"})
_op("tf.cast tf.dtypes.cast", tf.cast, "x", ["1"], ["d{x} = cast(d{z}) back to {x}.dtype"], ew=True)
_generic("tf.saturate_cast tf.dtypes.saturate_cast", tf.dtypes.saturate_cast, "value", ew=True)

# ---- comparisons and logic (boolean outputs: no gradient) -------------------------------------------------

for _names, _fn in [("tf.equal tf.math.equal", tf.equal), ("tf.not_equal tf.math.not_equal", tf.not_equal),
                    ("tf.less tf.math.less", tf.less), ("tf.less_equal tf.math.less_equal", tf.less_equal),
                    ("tf.greater tf.math.greater", tf.greater),
                    ("tf.greater_equal tf.math.greater_equal", tf.greater_equal)]:
    _generic(_names, _fn, "x y", ew=True)
_generic("tf.logical_and tf.math.logical_and", tf.logical_and, "x y", ew=True)
_generic("tf.logical_or tf.math.logical_or", tf.logical_or, "x y", ew=True)
_generic("tf.math.logical_xor", tf.math.logical_xor, "x y", ew=True)
_generic("tf.logical_not tf.math.logical_not", tf.logical_not, "x", ew=True)
_generic("tf.math.is_nan", tf.math.is_nan, "x", ew=True)
_generic("tf.math.is_inf", tf.math.is_inf, "x", ew=True)
_generic("tf.math.is_finite", tf.math.is_finite, "x", ew=True)
_generic("tf.math.count_nonzero", tf.math.count_nonzero, "input")

# ---- reductions -------------------------------------------------------------------------------------------

_op("tf.reduce_sum tf.math.reduce_sum", tf.reduce_sum, "input_tensor", ["1"],
    ["d{x} = broadcast d{z} back to {x}.shape"])
_op("tf.reduce_mean tf.math.reduce_mean", tf.reduce_mean, "input_tensor", ["1/n"],
    ["d{x} = broadcast d{z} back to {x}.shape, divided by n"])
_op("tf.reduce_max tf.math.reduce_max", tf.reduce_max, "input_tensor", ["1 at the max, else 0"],
    ["d{x} = d{z} at the maximum entries, 0 elsewhere"])
_op("tf.reduce_min tf.math.reduce_min", tf.reduce_min, "input_tensor", ["1 at the min, else 0"],
    ["d{x} = d{z} at the minimum entries, 0 elsewhere"])
_op("tf.reduce_prod tf.math.reduce_prod", tf.reduce_prod, "input_tensor", ["{z}/{x}"], ["d{x} = d{z} ⊙ {z} / {x}"])
_op("tf.reduce_logsumexp tf.math.reduce_logsumexp", tf.reduce_logsumexp, "input_tensor", ["softmax({x})"],
    ["d{x} = d{z} ⊙ softmax({x})"])
_generic("tf.math.reduce_std", tf.math.reduce_std, "input_tensor")
_generic("tf.math.reduce_variance", tf.math.reduce_variance, "input_tensor")
_generic("tf.math.reduce_euclidean_norm", tf.math.reduce_euclidean_norm, "input_tensor")
_generic("tf.reduce_all tf.math.reduce_all", tf.reduce_all, "input_tensor")
_generic("tf.reduce_any tf.math.reduce_any", tf.reduce_any, "input_tensor")
_op("tf.norm tf.linalg.norm", tf.norm, "tensor", ["{x}/{z}"], ["d{x} = d{z} ⊙ {x} / {z} (euclidean)"])
_generic("tf.math.l2_normalize tf.nn.l2_normalize tf.linalg.l2_normalize", tf.math.l2_normalize, "x")
_generic("tf.math.cumsum tf.cumsum", tf.math.cumsum, "x")
_generic("tf.math.cumprod", tf.math.cumprod, "x")
_generic("tf.argmax tf.math.argmax", tf.argmax, "input")
_generic("tf.argmin tf.math.argmin", tf.argmin, "input")
_generic("tf.sort", tf.sort, "values")
_generic("tf.argsort", tf.argsort, "values")
_generic("tf.math.top_k tf.nn.top_k", tf.math.top_k, "input")
_generic("tf.math.segment_sum", tf.math.segment_sum, "data")
_generic("tf.math.segment_mean", tf.math.segment_mean, "data")
_generic("tf.math.unsorted_segment_sum", tf.math.unsorted_segment_sum, "data")
_generic("tf.math.bincount", tf.math.bincount, "arr")
_generic("tf.math.confusion_matrix", tf.math.confusion_matrix, "labels predictions",
         groups={"labels": "l", "predictions": "p"})
_generic("tf.math.in_top_k tf.nn.in_top_k", tf.math.in_top_k, "targets predictions",
         groups={"targets": "t", "predictions": "p"})

# ---- shapes, slices and joins -----------------------------------------------------------------------------

_op("tf.transpose", tf.transpose, "a", ["permutation"], ["d{x} = transpose(d{z}) back"])
_op("tf.linalg.matrix_transpose tf.linalg.adjoint", tf.linalg.matrix_transpose, "a", ["permutation"],
    ["d{x} = d{z} with its last two axes swapped back"])
_op("tf.reshape", tf.reshape, "tensor", ["1"], ["d{x} = reshape(d{z}, {x}.shape)"])
_op("tf.squeeze", tf.squeeze, "input", ["1"], ["d{x} = reshape(d{z}, {x}.shape)"])
_op("tf.expand_dims", tf.expand_dims, "input", ["1"], ["d{x} = reshape(d{z}, {x}.shape)"])
_op("tf.concat", tf.concat, "values", ["1"], ["d(each input) = its slice of d{z}"], lists=("values",))
_op("tf.stack", tf.stack, "values", ["1"], ["d(each input) = its slice of d{z}"], lists=("values",))
_op("tf.parallel_stack", tf.parallel_stack, "values", ["1"], ["d(each input) = its slice of d{z}"],
    lists=("values",))
_op("tf.unstack", tf.unstack, "value", ["1"], ["d{x} = d{z} put back in its slice"])
_op("tf.split", tf.split, "value", ["1"], ["d{x} = d{z} put back in its slice"])
_op("tf.tile", tf.tile, "input", ["1"], ["d{x} = d{z} summed over the copies"], cost=_cost_tile)
_op("tf.repeat", tf.repeat, "input", ["1"], ["d{x} = d{z} summed over the repeats"], cost=_cost_repeat)
_op("tf.broadcast_to", tf.broadcast_to, "input", ["1"], ["d{x} = d{z} summed over the broadcast axes"],
    cost=_cost_broadcast)
_op("tf.gather", tf.gather, "params", ["1 at the gathered entries"],
    ["d{x} = zeros of {x}.shape with d{z} added at the gathered indices"])
_op("tf.gather_nd", tf.gather_nd, "params", ["1 at the gathered entries"],
    ["d{x} = zeros of {x}.shape with d{z} added at the gathered indices"])
_op("tf.boolean_mask", tf.boolean_mask, "tensor", ["1 at the kept entries"],
    ["d{x} = zeros of {x}.shape with d{z} put back where the mask is true"])
_op("tf.slice", tf.slice, "input_", ["1 at the picked entries"], ["d{x} = zeros with d{z} scattered into the slice"])
_op("tf.pad", tf.pad, "tensor", ["1"], ["d{x} = d{z} without the padding"], cost=_cost_pad)
_op("tf.reverse", tf.reverse, "tensor", ["1"], ["d{x} = d{z} reversed back"])
_op("tf.roll", tf.roll, "input", ["1"], ["d{x} = d{z} rolled back"])
_op("tf.one_hot", tf.one_hot, "indices", ["0"], ["no gradient (integer indices)"], cost=_cost_one_hot,
    float_default="dtype")
_generic("tf.shape", tf.shape, "input")
_generic("tf.size", tf.size, "input")
_generic("tf.rank", tf.rank, "input")
_generic("tf.unique", tf.unique, "x")
_generic("tf.meshgrid", tf.meshgrid, "args", lists=("args",), cost=_cost_meshgrid)
_generic("tf.tensor_scatter_nd_update", tf.tensor_scatter_nd_update, "tensor updates")
_generic("tf.tensor_scatter_nd_add", tf.tensor_scatter_nd_add, "tensor updates")
_generic("tf.scatter_nd", tf.scatter_nd, "updates", cost=_cost_shape("shape"))
_generic("tf.sequence_mask", tf.sequence_mask, "lengths")
_generic("tf.ensure_shape", tf.ensure_shape, "x")
_op("tf.einsum tf.linalg.einsum", tf.einsum, "inputs", ["the other operands"], ["d(each input) = einsum of d{z} with the others"],
    lists=("inputs",), cost=_cost_einsum)
_op("tf.tensordot tf.linalg.tensordot", tf.tensordot, "a b", ["{b}", "{a}"],
    ["d{a} = tensordot(d{z}, {b})", "d{b} = tensordot({a}, d{z})"], cost=_cost_tensordot)

# ---- linear algebra ---------------------------------------------------------------------------------------

_op("tf.linalg.matvec", tf.linalg.matvec, "a b", ["{b}ᵀ", "{a}ᵀ"], ["d{a} = d{z} ⊗ {b}", "d{b} = {a}ᵀ · d{z}"],
    cost=lambda b: (0, _size(_shape_of(b.get("a")) or ())))
for _name in ["det", "inv", "solve", "trace", "diag", "diag_part", "cholesky", "logdet", "slogdet", "pinv",
              "cross", "qr", "svd", "eigh", "eigvalsh", "band_part", "lstsq", "triangular_solve", "expm",
              "matrix_rank", "global_norm", "normalize", "set_diag", "sqrtm"]:
    _fn = getattr(tf.linalg, _name)
    _data = " ".join(p for p in list(inspect.signature(_fn).parameters)[:2]
                     if p in ("input", "matrix", "a", "b", "rhs", "x", "tensor", "diagonal", "t_list",
                              "matrices", "chol"))
    _generic(f"tf.linalg.{_name}", _fn, _data or "input")
SPECS["tf.linalg.global_norm"].lists = ("t_list",)
SPECS["tf.linalg.global_norm"].data = ("t_list",)
_generic("tf.clip_by_global_norm", tf.clip_by_global_norm, "t_list", lists=("t_list",))

# ---- neural-network pieces --------------------------------------------------------------------------------

_SOFTMAX_VJP = "d{x} = {z} ⊙ (d{z} − Σ(d{z} ⊙ {z}))"
_op("tf.nn.softmax tf.math.softmax", tf.nn.softmax, "logits", ["{z}(δ − {z}ᵀ)"], [_SOFTMAX_VJP])
_op("tf.nn.log_softmax tf.math.log_softmax", tf.nn.log_softmax, "logits", ["δ − softmax({x})"],
    ["d{x} = d{z} − softmax({x}) Σ d{z}"])
_op("tf.nn.softmax_cross_entropy_with_logits", tf.nn.softmax_cross_entropy_with_logits, "labels logits",
    ["-log softmax({b})", "softmax({b}) − {a}"],
    ["d{a} = -d{z} ⊙ log softmax({b})", "d{b} = d{z} ⊙ (softmax({b}) − {a})"], op="softmax_xent")
_op("tf.nn.sparse_softmax_cross_entropy_with_logits", tf.nn.sparse_softmax_cross_entropy_with_logits,
    "labels logits", ["0 (integer labels)", "softmax({b}) − onehot({a})"],
    ["no gradient (integer labels)", "d{b} = d{z} ⊙ (softmax({b}) − onehot({a}))"], op="sparse_softmax_xent",
    groups={"labels": "labels", "logits": "logits"})
_op("tf.nn.sigmoid_cross_entropy_with_logits", tf.nn.sigmoid_cross_entropy_with_logits, "labels logits",
    ["-{b}", "σ({b}) − {a}"], ["d{a} = -d{z} ⊙ {b}", "d{b} = d{z} ⊙ (σ({b}) − {a})"], ew=True,
    op="sigmoid_xent")
_generic("tf.nn.weighted_cross_entropy_with_logits", tf.nn.weighted_cross_entropy_with_logits, "labels logits")
_op("tf.nn.bias_add", tf.nn.bias_add, "value bias", ["1", "1"], ["d{a} = d{z}", "d{b} = d{z} summed over the batch"])
_op("tf.nn.l2_loss", tf.nn.l2_loss, "t", ["{x}"], ["d{x} = d{z} ⊙ {x}"])
_generic("tf.nn.moments", tf.nn.moments, "x")
_generic("tf.nn.batch_normalization", tf.nn.batch_normalization, "x mean variance offset scale")
_generic("tf.nn.embedding_lookup", tf.nn.embedding_lookup, "params")
_generic("tf.nn.compute_average_loss", tf.nn.compute_average_loss, "per_example_loss")

# ---- Keras's activation functions, as functions -----------------------------------------------------------

for _name, _base in [("relu", "tf.nn.relu"), ("sigmoid", "tf.sigmoid"), ("tanh", "tf.tanh"),
                     ("softplus", "tf.nn.softplus"), ("softsign", "tf.nn.softsign"), ("elu", "tf.nn.elu"),
                     ("selu", "tf.nn.selu"), ("gelu", "tf.nn.gelu"), ("silu", "tf.nn.silu"), ("swish", "tf.nn.silu"),
                     ("exponential", "tf.exp"), ("linear", "tf.identity"), ("softmax", "tf.nn.softmax"),
                     ("leaky_relu", "tf.nn.leaky_relu"), ("relu6", "tf.nn.relu6"), ("log_softmax", "tf.nn.log_softmax")]:
    _b = SPECS[_base]
    _add(f"tf.keras.activations.{_name}", OpSpec(f"keras_{_name}", getattr(tf.keras.activations, _name), ("x",),
                                                 _b.local, _b.vjp, _b.elementwise))


# ---- constructors: leaves of the graph --------------------------------------------------------------------

_add("tf.constant", OpSpec("constant", tf.constant, ("value",), kind="constant", float_default="dtype",
                           differentiable=False))
_add("tf.convert_to_tensor", OpSpec("convert", tf.convert_to_tensor, ("value",), ("1",), ("d{x} = d{z}",),
                                    True, float_default="dtype"))
_add("tf.zeros", OpSpec("zeros", tf.zeros, (), kind="constant", float_default="dtype", cost=_cost_shape("shape")))
_add("tf.ones", OpSpec("ones", tf.ones, (), kind="constant", float_default="dtype", cost=_cost_shape("shape")))
_add("tf.fill", OpSpec("fill", tf.fill, ("value",), ("Σ over the copies",), ("d{x} = Σ d{z}",),
                       kind="constant", float_default="value", cost=_cost_shape("dims")))
_add("tf.zeros_like", OpSpec("zeros_like", tf.zeros_like, ("input",), kind="constant", differentiable=False))
_add("tf.ones_like", OpSpec("ones_like", tf.ones_like, ("input",), kind="constant", differentiable=False))
_add("tf.eye tf.linalg.eye", OpSpec(
    "eye", tf.eye, (), kind="constant", float_default="dtype",
    cost=lambda b: (_size([b.get("num_rows") or 0, b.get("num_columns") or b.get("num_rows") or 0]
                          + list(_dims(b.get("batch_shape")) or [])) if isinstance(b.get("num_rows"), int) else 0, 0)))
_add("tf.linspace tf.lin_space", OpSpec("linspace", tf.linspace, ("start", "stop"), kind="constant",
                                         float_default="start",
                                         cost=lambda b: (int(b.get("num")) if isinstance(b.get("num"), int) else 0, 0)))
_add("tf.range", OpSpec("range", tf.range, (), kind="constant", cost=_cost_range))
_add("tf.Variable", OpSpec("variable", tf.Variable, ("initial_value",), kind="variable", differentiable=False))

# ---- random: drawn by the run's own seed stream (explorer.randomness), never TensorFlow's global one --------

for _name, _fn in [("normal", tf.random.normal), ("uniform", tf.random.uniform),
                   ("truncated_normal", tf.random.truncated_normal)]:
    _add(f"tf.random.{_name}", OpSpec(_name, _fn, (), kind="random", float_default="dtype",
                                      cost=_cost_shape("shape")))
_add("tf.random.shuffle", OpSpec("shuffle", tf.random.shuffle, ("value",), kind="random"))
_add("tf.random.categorical", OpSpec("categorical", tf.random.categorical, ("logits",), kind="random",
                                     cost=lambda b: (_size((_shape_of(b.get("logits")) or (1,))[:1])
                                                     * int(b.get("num_samples") or 0)
                                                     if isinstance(b.get("num_samples"), int) else 0, 0)))

# ---- strings (harmless, no gradients) ---------------------------------------------------------------------

for _name in ["as_string", "split", "to_number", "length", "upper", "lower", "join", "strip", "bytes_split",
              "unicode_split", "unicode_decode", "regex_replace", "format", "reduce_join", "substr"]:
    _generic(f"tf.strings.{_name}", getattr(tf.strings, _name),
             "inputs" if _name in ("join", "format") else "input", lists=("inputs",) if _name == "join" else ())
SPECS["tf.strings.format"].lists = ("inputs",)
SPECS["tf.as_string"] = SPECS["tf.strings.as_string"]


# ---- Python's operators on tensors ------------------------------------------------------------------------

def _operator(op: str, fn, base: str | None, symbol: str, ew: bool = True) -> OpSpec:
    """An infix operator: the same texts as its tf function, called through Python's operator so that
    TensorFlow's own __add__/__radd__ conversion rules apply."""
    b = SPECS[base] if base else None
    return OpSpec(op, fn, ("x", "y"), b.local if b else (), b.vjp if b else (), ew, symbol=symbol,
                  name=f"the `{symbol}` operator")


BINARY_OPERATORS: dict[str, OpSpec] = {
    "Add": _operator("add", operator.add, "tf.add", "+"),
    "Sub": _operator("sub", operator.sub, "tf.subtract", "-"),
    "Mult": _operator("mul", operator.mul, "tf.multiply", "*"),
    "Div": _operator("div", operator.truediv, "tf.divide", "/"),
    "Pow": _operator("pow", operator.pow, "tf.pow", "**"),
    "MatMult": _operator("matmul", operator.matmul, "tf.matmul", "@", ew=False),
    "FloorDiv": _operator("floordiv", operator.floordiv, "tf.math.floordiv", "//"),
    "Mod": _operator("floormod", operator.mod, "tf.math.floormod", "%"),
    "BitAnd": _operator("logical_and", operator.and_, None, "&"),
    "BitOr": _operator("logical_or", operator.or_, None, "|"),
    "BitXor": _operator("logical_xor", operator.xor, None, "^"),
}
BINARY_OPERATORS["MatMult"].cost = _cost_matmul
COMPARE_OPERATORS: dict[str, OpSpec] = {
    "Lt": _operator("less", operator.lt, None, "<"), "LtE": _operator("less_equal", operator.le, None, "<="),
    "Gt": _operator("greater", operator.gt, None, ">"), "GtE": _operator("greater_equal", operator.ge, None, ">="),
    "Eq": _operator("equal", operator.eq, None, "=="), "NotEq": _operator("not_equal", operator.ne, None, "!="),
}
for _s in COMPARE_OPERATORS.values():
    _s.local = ("0", "0")
    _s.vjp = ("no gradient (boolean output)", "no gradient (boolean output)")
UNARY_OPERATORS: dict[str, OpSpec] = {
    "USub": OpSpec("neg", operator.neg, ("x",), ("-1",), ("d{x} = -d{z}",), True, symbol="-", name="unary minus"),
    "UAdd": OpSpec("pos", operator.pos, ("x",), ("1",), ("d{x} = d{z}",), True, symbol="+", name="unary plus"),
    "Invert": OpSpec("logical_not", operator.invert, ("x",), ("0",), ("no gradient",), True, symbol="~",
                     name="the `~` operator"),
}
ABS = OpSpec("abs", abs, ("x",), ("sign({x})",), ("d{x} = d{z} ⊙ sign({x})",), True, name="abs()")

SLICE = OpSpec("slice", lambda x, key: x[key], ("x",), ("1 at the picked entries",),
               ("d{x} = zeros of {x}.shape with d{z} scattered into the slice",), name="slicing")
READ = OpSpec("read", lambda x: x, ("x",), ("1",), ("d{x} = d{z}",), True, name="read_value")
PACK = OpSpec("pack", tf.convert_to_tensor, ("value",), ("1",), ("d(each entry) = its entry of d{z}",),
              name="a list of tensors", lists=("value",))


def fill(template: str, names: dict[str, str]) -> str:
    """Put the program's names into a rule text."""
    out = template
    for key, value in names.items():
        out = out.replace("{" + key + "}", value)
    return out


def dotted_names() -> set[str]:
    """Every dotted TensorFlow function name the language accepts (for the checker and the docs)."""
    return set(SPECS)


__all__ = ["OpSpec", "SPECS", "BINARY_OPERATORS", "COMPARE_OPERATORS", "UNARY_OPERATORS", "ABS", "SLICE",
           "READ", "PACK", "fill"]
