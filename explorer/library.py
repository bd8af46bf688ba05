"""Everything a program can name: Python's builtins, the modules it may import (tensorflow, numpy, math,
time, random, matplotlib.pyplot), and the attributes of each kind of value.

This is the whitelist. A name or attribute that is not in these tables does not exist for a program;
the ones that would reach a file, the network, the process or Python's machinery are refused with what
to do instead. TensorFlow's functions come from the op table (explorer.ops); NumPy's, math's and
Python's are listed here, each wrapped so that sizes are checked before anything large is made.
"""

from __future__ import annotations

import math
import re
import string
import time
from typing import Any, Callable

import numpy as np
import tensorflow as tf
from tensorflow.python.framework.ops import EagerTensor

from . import limits
from .errors import ProgramError
from .ops import ABS, SPECS
from .pyplot import COLORMAPS, CONTROL_CALLS, DECORATION_CALLS, PLOT_CALLS, REFUSED, Pyplot
from .trace import TapeRef
from .values import (OBJECT, BoundMethod, Builtin, Class, ClassMethod, ExcClass, ExcValue, Function, Instance,
                     LimitError, Namespace, OpCallable, ProgramRaise, Property, StaticMethod, Super, TypeInfo,
                     _MISSING)

NOT_IMPLEMENTED = NotImplemented


class Generator:
    """A generator expression's values, made lazily, as Python makes them."""
    __slots__ = ("it",)

    def __init__(self, it):
        self.it = it

    def __iter__(self):
        return self.it

    def __next__(self):
        return next(self.it)


def _site_error(site, message: str) -> ProgramError:
    return ProgramError(message, site.line if site else None, site.col if site else None)


# ---- exceptions --------------------------------------------------------------------------------------------

EXCEPTIONS: dict[str, ExcClass] = {name: ExcClass(name, cls) for name, cls in [
    ("BaseException", BaseException), ("Exception", Exception), ("ValueError", ValueError),
    ("TypeError", TypeError), ("RuntimeError", RuntimeError), ("IndexError", IndexError), ("KeyError", KeyError),
    ("LookupError", LookupError), ("ZeroDivisionError", ZeroDivisionError), ("ArithmeticError", ArithmeticError),
    ("AssertionError", AssertionError), ("NotImplementedError", NotImplementedError),
    ("AttributeError", AttributeError), ("NameError", NameError), ("UnboundLocalError", UnboundLocalError),
    ("StopIteration", StopIteration), ("OverflowError", OverflowError), ("FloatingPointError", FloatingPointError),
]}
TF_ERRORS: dict[str, ExcClass] = {name: ExcClass(name, getattr(tf.errors, name)) for name in [
    "OpError", "InvalidArgumentError", "NotFoundError", "OutOfRangeError", "UnimplementedError", "InternalError",
    "FailedPreconditionError", "ResourceExhaustedError", "UnknownError", "AbortedError"]}


def exception_class(e: BaseException) -> ExcClass:
    for cls in type(e).__mro__:
        for table in (TF_ERRORS, EXCEPTIONS):
            for exc in table.values():
                if exc.pyclass is cls:
                    return exc
    return EXCEPTIONS["Exception"]


_HINTS = [
    (r"non-persistent GradientTape", "create it with tf.GradientTape(persistent=True) to ask it twice"),
    (r"EagerTensor' object has no attribute 'assign", "tensors are immutable: make it a tf.Variable"),
    (r"Cannot convert .* to EagerTensor of dtype int", "an integer tensor meets a float: write the number with a "
                                                       "decimal point (2.0) or cast with tf.cast"),
    (r"expected to be a (float|double|int32|int64) tensor but is a (float|double|int32|int64) tensor",
     "the two tensors have different dtypes: convert one with tf.cast(x, tf.float32)"),
]


def hint_for(type_name: str, message: str) -> str:
    for pattern, hint in _HINTS:
        if re.search(pattern, message):
            return hint
    return ""


# ---- value descriptions, str and repr ---------------------------------------------------------------------------

def type_name(v: Any) -> str:
    if isinstance(v, Instance):
        return v.cls.name
    if isinstance(v, (Function,)):
        return "function"
    if isinstance(v, BoundMethod):
        return "method"
    if isinstance(v, Class):
        return "type"
    if isinstance(v, Namespace):
        return "module"
    if isinstance(v, (Builtin, OpCallable)):
        return "builtin_function_or_method"
    if isinstance(v, TapeRef):
        return "GradientTape"
    if isinstance(v, ExcValue):
        return v.cls.name
    if isinstance(v, (TypeInfo, ExcClass)):
        return "type"
    if isinstance(v, Generator):
        return "generator"
    return type(v).__name__


def to_repr(interp, v: Any, depth: int = 0) -> str:
    t = type(v)
    if t in (int, float, bool, str, complex) or v is None:
        text = repr(v)
    elif depth > 20:
        text = "..."
    elif t is list:
        text = "[" + ", ".join(to_repr(interp, x, depth + 1) for x in v[:1000]) + (", ...]" if len(v) > 1000 else "]")
    elif t is tuple:
        inner = ", ".join(to_repr(interp, x, depth + 1) for x in v[:1000])
        text = "(" + inner + ("," if len(v) == 1 else "") + ")"
    elif t is dict:
        text = "{" + ", ".join(f"{to_repr(interp, k, depth + 1)}: {to_repr(interp, x, depth + 1)}"
                               for k, x in list(v.items())[:1000]) + "}"
    elif t is set:
        text = "{" + ", ".join(to_repr(interp, x, depth + 1) for x in list(v)[:1000]) + "}" if v else "set()"
    elif t is Instance:
        m, _ = v.cls.lookup("__repr__")
        if m is not _MISSING:
            text = _str_result(interp.call(interp._bind_attr(m, v), [], {}, None), "__repr__")
        elif "args" in v.attrs and any(isinstance(c, ExcClass) for c in v.cls.mro):
            text = _exc_instance_text(interp, v, True)
        else:
            text = native_repr(interp, v) or f"<{v.cls.name} object>"
    elif t is Function:
        text = f"<function {v.label}>"
    elif t is BoundMethod:
        text = f"<bound method {getattr(v.func, 'label', '?')}>"
    elif t is Class:
        text = f"<class '{v.name}'>"
    elif t is ExcValue:
        text = f"{v.cls.name}(" + ", ".join(to_repr(interp, a, depth + 1) for a in v.args) + ")"
    elif t is TapeRef:
        text = f"<GradientTape {v.name}>"
    elif t is Super:
        text = "<super>"
    elif t is Generator:
        text = "<generator object>"
    elif isinstance(v, tf.Variable) and _keras_lang.variable_names(interp, v) is not None:
        text = _keras_lang.variable_repr(interp, v)
    else:
        text = repr(v)
    return text if len(text) <= limits.MAX_STRING_CHARS else text[:limits.MAX_STRING_CHARS] + "..."


def to_str(interp, v: Any) -> str:
    t = type(v)
    if t is str:
        return v
    if t is Instance:
        m, _ = v.cls.lookup("__str__")
        if m is not _MISSING:
            return _str_result(interp.call(interp._bind_attr(m, v), [], {}, None), "__str__")
        if "args" in v.attrs and any(isinstance(c, ExcClass) for c in v.cls.mro):
            return _exc_instance_text(interp, v, False)
        return to_repr(interp, v)
    if t is ExcValue:
        if issubclass(v.cls.pyclass, KeyError) and len(v.args) == 1 and v.message == str(v.args[0]):
            return to_repr(interp, v.args[0])              # str(KeyError('k')) is "'k'", as in Python
        return v.message
    if t in (list, tuple, dict, set, Function, BoundMethod, Class, TapeRef, Super, Generator):
        return to_repr(interp, v)
    if isinstance(v, tf.Variable) and _keras_lang.variable_names(interp, v) is not None:
        return _keras_lang.variable_repr(interp, v)            # a Keras weight prints as Keras 3 prints it
    if isinstance(v, _keras_lang.KObject):
        return v.repr()
    return str(v)


def _exc_instance_text(interp, v: Instance, as_repr: bool) -> str:
    """str() and repr() of an exception of the program's own class, from its args as Python makes them."""
    args = v.attrs.get("args", ())
    args = args if isinstance(args, tuple) else (args,)
    if as_repr:
        return f"{v.cls.name}(" + ", ".join(to_repr(interp, a) for a in args) + ")"
    return "" if not args else to_str(interp, args[0]) if len(args) == 1 else to_repr(interp, args)


def _str_result(v: Any, name: str) -> str:
    if not isinstance(v, str):
        raise TypeError(f"{name} returned non-string (type {type_name(v)})")
    return v


_SPEC_NUMBERS = re.compile(r"(\d+)")


def _check_spec(spec: str, site) -> None:
    if any(int(n) > limits.MAX_FORMAT_WIDTH for n in _SPEC_NUMBERS.findall(spec) if len(n) < 12) or \
            any(len(n) >= 12 for n in _SPEC_NUMBERS.findall(spec)):
        raise LimitError(f"format widths and precisions are limited to {limits.MAX_FORMAT_WIDTH}",
                         site.line if site else None, site.col if site else None)


def format_value(interp, v: Any, spec: str, site) -> str:
    if spec:
        _check_spec(spec, site)
    t = type(v)
    if t in (Instance, Function, BoundMethod, Class, TapeRef, ExcValue, Namespace, Super, Generator, Builtin,
             OpCallable):
        text = to_str(interp, v)
        if spec:
            raise TypeError(f"unsupported format string passed to {type_name(v)}.__format__")
        return text
    if t in (list, tuple, dict, set):
        return format(to_str(interp, v), spec)
    out = format(v, spec)
    interp.check_chars(len(out), site)
    return out


def str_format(interp, template: str, args: list, kwargs: dict, site) -> str:
    """str.format, without the attribute and item access in fields that Python's version allows."""
    out: list[str] = []
    auto = 0

    def field(name: str, spec: str, conv: str | None) -> str:
        nonlocal auto
        if name == "":
            if auto >= len(args):
                raise IndexError(f"Replacement index {auto} out of range for positional args tuple")
            v = args[auto]
            auto += 1
        elif name.isdigit():
            if int(name) >= len(args):
                raise IndexError(f"Replacement index {name} out of range for positional args tuple")
            v = args[int(name)]
        elif name.isidentifier():
            if name not in kwargs:
                raise KeyError(name)
            v = kwargs[name]
        else:
            raise ValueError("format fields that reach attributes or items ({0.x}, {0[1]}) are not available here: "
                             "compute the value first, then format it")
        if conv == "r":
            v = to_repr(interp, v)
        elif conv == "s":
            v = to_str(interp, v)
        elif conv == "a":
            v = ascii(to_repr(interp, v))
        if "{" in spec:
            spec = str_format(interp, spec, args[auto:] if name == "" else args, kwargs, site)
        return format_value(interp, v, spec, site)

    for literal, name, spec, conv in string.Formatter().parse(template):
        out.append(literal)
        if name is not None:
            out.append(field(name, spec or "", conv))
    text = "".join(out)
    interp.check_chars(len(text), site)
    return text


def percent_format(interp, template: str, values: Any, site) -> str:
    for m in re.finditer(r"%[-+ #0]*(\d+|\*)?(?:\.(\d+|\*))?", template):
        for g in m.groups():
            if g == "*" or (g and (len(g) >= 12 or int(g) > limits.MAX_FORMAT_WIDTH)):
                raise LimitError(f"format widths and precisions are limited to {limits.MAX_FORMAT_WIDTH}",
                                 site.line, site.col)

    def plain(v):
        return to_str(interp, v) if type(v) in (Instance, Function, BoundMethod, Class, TapeRef, ExcValue) else v
    if isinstance(values, tuple):
        values = tuple(plain(v) for v in values)
    elif isinstance(values, dict):
        values = {k: plain(v) for k, v in values.items()}
    else:
        values = plain(values)
    return template % values


# ---- size checks -----------------------------------------------------------------------------------------------

def _size_of(v: Any) -> int:
    if isinstance(v, (np.ndarray, np.generic)):
        return int(v.size)
    if isinstance(v, (EagerTensor, tf.Variable)):
        return int(v.shape.num_elements() or 0)
    if isinstance(v, (list, tuple)):
        return len(v)
    return 1


def _shape_of(v: Any) -> tuple | None:
    if isinstance(v, (np.ndarray, np.generic)):
        return v.shape
    if isinstance(v, (EagerTensor, tf.Variable)):
        return tuple(v.shape.as_list())
    if isinstance(v, (int, float, bool, complex)):
        return ()
    if isinstance(v, (list, tuple)):
        try:
            return np.shape(v)
        except ValueError:
            return None
    return None


def check_binary(interp, op: str, a: Any, b: Any, site) -> None:
    """Refuse, before computing, a Python or NumPy result too large to make."""
    ta, tb = type(a), type(b)
    if op == "Pow" and ta is int and tb is int and abs(a) > 1 and b > 0:
        if b * math.log2(abs(a)) > limits.MAX_INT_BITS:
            raise LimitError(f"{a} ** {b} would have about {int(b * math.log10(abs(a))):,} digits; the limit is "
                             f"{int(limits.MAX_INT_BITS * math.log10(2)):,}", site.line, site.col)
        return
    if op == "Mult":
        if ta is int and tb is int:
            if a.bit_length() + b.bit_length() > limits.MAX_INT_BITS:
                raise LimitError("this product is a number too large to compute here", site.line, site.col)
            return
        for seq, n in ((a, b), (b, a)):
            if type(seq) in (str, list, tuple, bytes) and isinstance(n, (int, np.integer)) and not isinstance(n, bool):
                total = len(seq) * max(int(n), 0)
                if type(seq) is str:
                    interp.check_chars(total, site)
                else:
                    interp.check_items(total, site)
    if op == "LShift" and ta is int and tb is int and a.bit_length() + max(b, 0) > limits.MAX_INT_BITS:
        raise LimitError("this shift makes a number too large to compute here", site.line, site.col)
    if op == "Add" and ta in (str, list, tuple) and ta is tb:
        (interp.check_chars if ta is str else interp.check_items)(len(a) + len(b), site)
    if op == "Mod" and ta is str:
        return
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        sa, sb = _shape_of(a), _shape_of(b)
        if sa is not None and sb is not None:
            if op == "MatMult":
                if len(sa) >= 2 and len(sb) >= 2:
                    flops = int(np.prod(sa[:-1], dtype=np.float64)) * int(np.prod(sb[-1:], dtype=np.float64)) * sa[-1]
                    if flops > limits.MAX_MATMUL_FLOPS:
                        raise LimitError(f"this matmul needs {flops:,} multiply-adds; the limit is "
                                         f"{limits.MAX_MATMUL_FLOPS:,}", site.line, site.col)
                return
            try:
                n = int(np.prod(np.broadcast_shapes(sa, sb), dtype=np.float64))
            except ValueError:
                return
            interp.check_items(n, site, "array entries")


def hashable(k: Any, site) -> Any:
    return k


def as_index(key: Any) -> Any:
    try:
        return int(key)
    except (TypeError, ValueError):
        raise TypeError("list indices must be integers or slices") from None


# ---- numpy ---------------------------------------------------------------------------------------------------

def _numpy_sources(args, kwargs) -> list:
    out = []
    for v in list(args) + list(kwargs.values()):
        if isinstance(v, (EagerTensor, tf.Variable, np.ndarray, np.generic)):
            out.append(v)
        elif isinstance(v, (list, tuple)) and len(v) < 256:
            out.extend(x for x in v if isinstance(x, (EagerTensor, tf.Variable, np.ndarray, np.generic)))
    return out


def _check_array_result(interp, out: Any, site) -> None:
    for v in (out if isinstance(out, tuple) else (out,)):
        if isinstance(v, np.ndarray):
            if v.dtype == object:
                raise TypeError("NumPy arrays of Python objects are not available: use numbers")
            interp.check_items(v.size, site, "array entries")
            if v.size > 1000:
                interp.allocated(v.size, site)


def _shape_arg(v: Any) -> int:
    if v is None:
        return 1
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return max(int(v), 0)
    try:
        dims = [int(d) for d in np.asarray(v).reshape(-1)]
    except (TypeError, ValueError):
        return 0
    return int(np.prod([max(d, 0) for d in dims], dtype=np.float64)) if dims else 1


def python_args(args, kwargs) -> tuple[list, dict]:
    """Arguments for a library function: a type the program names (np.float32, float) as the type itself."""
    if any(type(a) is TypeInfo for a in args) or any(type(v) is TypeInfo for v in kwargs.values()):
        args = [a.pytype if type(a) is TypeInfo and a.pytype is not None else a for a in args]
        kwargs = {k: v.pytype if type(v) is TypeInfo and v.pytype is not None else v for k, v in kwargs.items()}
    return args, kwargs


def _np_fn(name: str, fn: Callable, pre: Callable | None = None) -> Builtin:
    def call(interp, args, kwargs, site):
        args, kwargs = python_args(args, kwargs)
        if pre is not None:
            n = pre(args, kwargs)
            interp.check_items(int(n), site, "array entries")
        for v in list(args) + list(kwargs.values()):
            if isinstance(v, (Function, BoundMethod, Instance, Builtin)):
                raise TypeError(f"np.{name} takes arrays and numbers, not {type_name(v)}")
        out = fn(*args, **kwargs)
        _check_array_result(interp, out, site)
        sources = _numpy_sources(args, kwargs)
        if sources:
            interp.rec.note_numpy(out, sources, f"np.{name}")
        return out
    return Builtin(f"np.{name}", call)


def _pre_shape(i: int = 0, key: str = "shape"):
    return lambda args, kwargs: _shape_arg(args[i] if len(args) > i else kwargs.get(key))


def _pre_arange(args, kwargs) -> int:
    vals = list(args) + [kwargs[k] for k in ("start", "stop", "step") if k in kwargs]
    try:
        if len(vals) == 1:
            return int(max(0, math.ceil(float(vals[0]))))
        start, stop = float(vals[0]), float(vals[1])
        step = float(vals[2]) if len(vals) > 2 else 1.0
        return int(max(0, math.ceil((stop - start) / step))) if step else 0
    except (TypeError, ValueError, OverflowError):
        return 0


def _pre_sum_sizes(args, kwargs) -> int:
    seq = args[0] if args else kwargs.get("arrays", kwargs.get("tup", ()))
    try:
        return sum(_size_of(x) for x in seq)
    except TypeError:
        return 0


def _pre_broadcast(args, kwargs) -> int:
    shapes = [s for s in (_shape_of(a) for a in args) if s is not None]
    try:
        return int(np.prod(np.broadcast_shapes(*shapes), dtype=np.float64)) if shapes else 0
    except ValueError:
        return 0


def _pre_outer(args, kwargs) -> int:
    return _size_of(args[0]) * _size_of(args[1]) if len(args) >= 2 else 0


def _pre_tile(args, kwargs) -> int:
    reps = args[1] if len(args) > 1 else kwargs.get("reps", 1)
    return _size_of(args[0]) * _shape_arg(reps) if args else 0


def _pre_repeat(args, kwargs) -> int:
    reps = args[1] if len(args) > 1 else kwargs.get("repeats", 1)
    try:
        r = int(np.max(np.asarray(reps)))
    except (TypeError, ValueError):
        r = 1
    return _size_of(args[0]) * max(r, 1) if args else 0


def _pre_dot(args, kwargs) -> int:
    if len(args) < 2:
        return 0
    sa, sb = _shape_of(args[0]), _shape_of(args[1])
    if not sa or not sb:
        return 0
    return int(np.prod(sa[:-1], dtype=np.float64)) * int(np.prod(sb[:-2] + sb[-1:], dtype=np.float64)) \
        if len(sb) >= 2 else int(np.prod(sa[:-1], dtype=np.float64))


def _pre_linspace(args, kwargs) -> int:
    n = args[2] if len(args) > 2 else kwargs.get("num", 50)
    return int(n) if isinstance(n, (int, np.integer)) else 0


def _pre_eye(args, kwargs) -> int:
    n = args[0] if args else kwargs.get("N", 0)
    m = args[1] if len(args) > 1 and args[1] is not None else kwargs.get("M") or n
    return _shape_arg(n) * _shape_arg(m)


def _pre_diag(args, kwargs) -> int:
    s = _shape_of(args[0]) if args else None
    return (s[0] ** 2 if s and len(s) == 1 else 0)


def _pre_meshgrid(args, kwargs) -> int:
    sizes = [_size_of(a) for a in args]
    return int(np.prod(sizes, dtype=np.float64)) * len(sizes) if sizes else 0


def _pre_random(args, kwargs) -> int:
    return _shape_arg(kwargs.get("size", args[-1] if args else None)) if ("size" in kwargs or args) else 1


def _pre_pad(args, kwargs) -> int:
    if len(args) < 2:
        return 0
    try:
        s, p = _shape_of(args[0]), np.broadcast_to(np.asarray(args[1], dtype=np.int64), (len(_shape_of(args[0])), 2))
        return int(np.prod([d + int(a) + int(b) for d, (a, b) in zip(s, p)], dtype=np.float64))
    except (TypeError, ValueError):
        return 0


def _pre_resize(args, kwargs) -> int:
    return _shape_arg(args[1] if len(args) > 1 else kwargs.get("new_shape"))


_NUMPY_PLAIN = """abs absolute add all allclose amax amin angle any append arccos arccosh arcsin arcsinh arctan arctan2
arctanh argmax argmin argsort argwhere around array_equal array_equiv asarray astype atleast_1d atleast_2d atleast_3d
average bincount cbrt ceil clip column_stack concatenate conj convolve copy corrcoef cos cosh count_nonzero cov cross
cumprod cumsum deg2rad degrees diagonal diff digitize divide dot dstack ediff1d equal exp exp2 expand_dims expm1 fabs
flatnonzero flip fliplr flipud floor floor_divide fmax fmin fmod full_like gradient greater greater_equal heaviside
histogram hsplit hstack hypot imag inner interp isclose iscomplex isfinite isinf isnan isreal less less_equal log log10
log1p log2 logaddexp logical_and logical_not logical_or logical_xor matmul max maximum mean median min minimum mod
moveaxis multiply nan_to_num nanargmax nanargmin nanmax nanmean nanmin nanstd nansum negative nonzero not_equal
ones_like percentile polyfit polyval positive power prod ptp quantile rad2deg radians ravel real reciprocal remainder
reshape rint roll rollaxis rot90 round searchsorted sign sin sinc sinh sort split sqrt square squeeze stack std
subtract sum swapaxes take tan tanh tensordot trace transpose tril triu true_divide trunc unique unravel_index var
vdot vsplit vstack where zeros_like empty_like array_split argpartition partition clip lexsort trapz isin
""".split()

_NUMPY_SIZED = {
    "array": None, "zeros": _pre_shape(), "ones": _pre_shape(), "empty": _pre_shape(), "full": _pre_shape(),
    "arange": _pre_arange, "linspace": _pre_linspace, "logspace": _pre_linspace, "geomspace": _pre_linspace,
    "eye": _pre_eye, "identity": lambda a, k: _shape_arg(a[0] if a else 0) ** 2, "tile": _pre_tile,
    "repeat": _pre_repeat, "outer": _pre_outer, "kron": _pre_outer, "meshgrid": _pre_meshgrid, "diag": _pre_diag,
    "broadcast_to": _pre_shape(1), "pad": _pre_pad, "resize": _pre_resize, "indices": _pre_shape(0, "dimensions"),
    "vander": lambda a, k: _size_of(a[0]) ** 2 if a else 0, "tri": lambda a, k: _shape_arg(a[0] if a else 0) ** 2,
}


def _np_array(interp, args, kwargs, site):
    args, kwargs = python_args(args, kwargs)
    if args and isinstance(args[0], (list, tuple)):
        n = _count_nested(args[0], interp, site)
        interp.check_items(n, site, "array entries")
    out = np.array(*args, **kwargs)
    _check_array_result(interp, out, site)
    sources = _numpy_sources(args, kwargs)
    if sources:
        interp.rec.note_numpy(out, sources, "np.array")
    return out


def _count_nested(v, interp, site, depth: int = 0) -> int:
    if isinstance(v, (list, tuple)):
        if depth > 32:
            raise LimitError("the list is nested too deeply to make an array of", site.line, site.col)
        return sum(_count_nested(x, interp, site, depth + 1) for x in v)
    return _size_of(v)


def _numpy_random(interp) -> Any:
    return interp.rec.random.numpy


def _np_random_fn(name: str, pre: Callable | None = None) -> Builtin:
    def call(interp, args, kwargs, site):
        if pre is not None:
            interp.check_items(int(pre(args, kwargs)), site, "random numbers")
        out = getattr(_numpy_random(interp), name)(*args, **kwargs)
        _check_array_result(interp, out, site)
        return out
    return Builtin(f"np.random.{name}", call)


def _np_random_seed(interp, args, kwargs, site):
    seed = args[0] if args else kwargs.get("seed")
    interp.rec.random.numpy = np.random.RandomState(seed)


def _np_default_rng(interp, args, kwargs, site):
    seed = args[0] if args else kwargs.get("seed")
    if seed is None:
        seed = int(interp.rec.random.numpy.randint(0, 2 ** 31 - 1))
    return np.random.default_rng(seed)


def _pre_size_args(args, kwargs) -> int:
    """np.random.rand(2, 3) / randn: the shape as separate arguments."""
    return int(np.prod([max(int(a), 0) for a in args], dtype=np.float64)) if args else 1


_NP_RANDOM = {
    "seed": Builtin("np.random.seed", _np_random_seed),
    "default_rng": Builtin("np.random.default_rng", _np_default_rng),
    "rand": _np_random_fn("rand", _pre_size_args), "randn": _np_random_fn("randn", _pre_size_args),
}
for _n in ["random", "random_sample", "normal", "uniform", "randint", "choice", "permutation", "standard_normal",
           "multivariate_normal", "binomial", "poisson", "exponential", "beta", "gamma", "laplace", "logistic",
           "lognormal", "geometric", "bernoulli" if False else "randint"]:
    _NP_RANDOM[_n] = _np_random_fn(_n, _pre_random if _n != "permutation" else
                                   (lambda a, k: _size_of(a[0]) if a and not isinstance(a[0], int) else
                                    (a[0] if a else 0)))


def _np_shuffle(interp, args, kwargs, site):
    _numpy_random(interp).shuffle(*args, **kwargs)


_NP_RANDOM["shuffle"] = Builtin("np.random.shuffle", _np_shuffle)

_WRITES, _READS = "writes a file, which programs cannot do", "reads a file, which programs cannot do"
_NP_REFUSED = {
    "save": _WRITES, "savez": _WRITES, "savetxt": _WRITES, "load": _READS, "loadtxt": _READS, "genfromtxt": _READS,
    "fromfile": _READS, "memmap": "maps a file, which programs cannot do",
    "tofile": _WRITES, "lib": "is not available", "ctypeslib": "is not available",
    "vectorize": "runs Python functions: write a loop", "frompyfunc": "runs Python functions: write a loop",
    "apply_along_axis": "runs Python functions: write a loop", "fromfunction": "runs Python functions",
    "set_printoptions": "changes the server for everyone", "seterr": "changes the server for everyone",
    "DataSource": "reads files and URLs", "fromregex": _READS, "show_config": "is not available",
}


def _np_assert(name: str) -> Builtin:
    fn = getattr(np.testing, name)

    def call(interp, args, kwargs, site):
        kwargs = {k: v for k, v in kwargs.items() if k in ("decimal", "rtol", "atol", "err_msg", "verbose",
                                                           "equal_nan", "significant")}
        fn(*args, **kwargs)
    return Builtin(f"np.testing.{name}", call)


def _numpy_namespace() -> Namespace:
    table: dict[str, Any] = {}
    for name in _NUMPY_PLAIN:
        if hasattr(np, name):
            table[name] = _np_fn(name, getattr(np, name), _pre_broadcast if name in (
                "add", "subtract", "multiply", "divide", "maximum", "minimum", "power", "where", "true_divide",
                "greater", "less", "equal", "logical_and", "logical_or", "arctan2", "hypot", "fmax", "fmin") else
                _pre_sum_sizes if name in ("concatenate", "stack", "vstack", "hstack", "dstack", "column_stack",
                                           "append") else _pre_dot if name in ("dot", "matmul", "tensordot", "inner")
                else None)
    for name, pre in _NUMPY_SIZED.items():
        table[name] = _np_fn(name, getattr(np, name), pre) if name != "array" else Builtin("np.array", _np_array)
    table["asarray"] = Builtin("np.asarray", _np_array)
    table["einsum"] = _np_fn("einsum", np.einsum, lambda a, k: max((_size_of(x) for x in a[1:]), default=0))
    for name in ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16", "bool_",
                 "complex64", "complex128", "double", "single", "intc", "longlong", "half"]:
        table[name] = TypeInfo(name, lambda v, t=getattr(np, name): isinstance(v, t),
                               lambda interp, a, k, s, t=getattr(np, name): _checked_scalar(interp, t, a, k, s),
                               getattr(np, name))
    table.update(pi=np.pi, e=np.e, inf=np.inf, nan=np.nan, newaxis=None, euler_gamma=np.euler_gamma)
    table["ndarray"] = TypeInfo("ndarray", lambda v: isinstance(v, np.ndarray))
    table["generic"] = TypeInfo("generic", lambda v: isinstance(v, np.generic))
    table["number"] = TypeInfo("number", lambda v: isinstance(v, np.number))
    table["floating"] = TypeInfo("floating", lambda v: isinstance(v, np.floating))
    table["integer"] = TypeInfo("integer", lambda v: isinstance(v, np.integer))
    table["dtype"] = Builtin("np.dtype", lambda interp, a, k, s: np.dtype(*a))
    table["random"] = Namespace("numpy.random", dict(_NP_RANDOM), lambda n: "use np.random.normal, uniform, randint,"
                                                                           " choice, permutation or seed")
    linalg = {n: _np_fn(f"linalg.{n}", getattr(np.linalg, n), None) for n in
              ["norm", "inv", "solve", "det", "eig", "eigh", "eigvals", "svd", "qr", "pinv", "matrix_rank",
               "lstsq", "cholesky", "slogdet"]}
    table["linalg"] = Namespace("numpy.linalg", linalg)
    table["testing"] = Namespace("numpy.testing", {n: _np_assert(n) for n in [
        "assert_allclose", "assert_almost_equal", "assert_array_equal", "assert_array_almost_equal", "assert_equal",
        "assert_array_less"]})
    return Namespace("numpy", table, lambda name: _NP_REFUSED.get(name, ""))


def _checked_scalar(interp, t, args, kwargs, site):
    if args and isinstance(args[0], (list, tuple)):
        interp.check_items(_count_nested(args[0], interp, site), site)
    out = t(*args, **kwargs)
    _check_array_result(interp, out, site)
    return out


def numpy_getitem(interp, obj, key, site):
    if isinstance(key, (list, np.ndarray)) or (isinstance(key, tuple) and any(isinstance(k, (list, np.ndarray))
                                                                             for k in key)):
        keys = key if isinstance(key, tuple) else (key,)
        n = max((_size_of(k) for k in keys if isinstance(k, (list, np.ndarray))), default=1)
        interp.check_items(n * max(1, obj.size // max(1, obj.shape[0] if obj.ndim else 1)), site, "array entries")
    if isinstance(key, (EagerTensor, tf.Variable)):
        key = np.asarray(key)
    out = obj[key]
    if isinstance(out, np.ndarray):
        interp.rec.note_numpy(out, [obj], "indexing")
    return out


def numpy_setitem(interp, obj, key, value, site):
    if isinstance(value, (EagerTensor, tf.Variable)):
        value = np.asarray(value)
    obj[key] = value


# ---- attribute tables of the program's values ----------------------------------------------------------------

def _method(fn: Callable) -> Callable:
    """An attribute that is a method: accessing it gives a callable bound to the object."""
    fn.is_method = True
    return fn


def _bound(name: str, obj: Any, impl: Callable) -> Builtin:
    return Builtin(name, lambda interp, args, kwargs, site: impl(interp, obj, args, kwargs, site))


def _tensor_numpy(interp, t, args, kwargs, site):
    if args or kwargs:
        raise TypeError("numpy() takes no arguments")
    return interp.rec.note_numpy(t.numpy(), [t], "numpy()")


def _tensor_attr(interp, t, name, site):
    if name == "numpy":
        return _bound("numpy", t, _tensor_numpy)
    if name == "shape":
        return t.shape
    if name == "dtype":
        return t.dtype
    if name == "ndim":
        return t.shape.rank
    if name == "get_shape":
        return Builtin("get_shape", lambda interp, a, k, s: t.shape)
    if name == "device":
        return t.device
    if name == "name":
        raise AttributeError("Tensor.name is undefined when eager execution is enabled.")
    if name in ("assign", "assign_add", "assign_sub"):
        sliced = interp.rec.sliced_variable(t)
        if sliced is not None:
            var, key = sliced
            return Builtin(name, lambda interp, a, k, s: interp.rec.assign(var, name, _one(a, k, "value"), key, s))
        raise AttributeError(f"'tensorflow.python.framework.ops.EagerTensor' object has no attribute '{name}'")
    if name in ("T", "mT"):
        raise AttributeError(f"'tensorflow.python.framework.ops.EagerTensor' object has no attribute '{name}' "
                             "(use tf.transpose)")
    raise AttributeError(f"'tensorflow.python.framework.ops.EagerTensor' object has no attribute '{name}'")


def _one(args, kwargs, name: str):
    if len(args) == 1 and not kwargs:
        return args[0]
    if not args and name in kwargs:
        return kwargs[name]
    raise TypeError(f"this method takes one argument ({name})")


def _variable_attr(interp, v, name, site):
    if name in ("assign", "assign_add", "assign_sub"):
        def assign(interp, args, kwargs, site, name=name):
            extra = {k: kw for k, kw in kwargs.items() if k not in ("value", "delta", "use_locking", "name",
                                                                    "read_value")}
            if extra:
                raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(extra))}'")
            value = args[0] if args else kwargs.get("value", kwargs.get("delta"))
            return interp.rec.assign(v, name, value, None, site)
        return Builtin(name, assign)
    if name == "numpy":
        return _bound("numpy", v, _tensor_numpy)
    if name in ("read_value", "value"):
        return Builtin(name, lambda interp, a, k, s: interp.rec.read_value(v, s))
    if name in ("name", "path", "shape"):
        keras_names = _keras_lang.variable_names(interp, v)      # a Keras weight: Keras 3's name, path, shape
        if keras_names is not None:
            return keras_names[0] if name == "name" else keras_names[1] if name == "path" else tuple(v.shape)
        if name == "path":
            raise AttributeError("'ResourceVariable' object has no attribute 'path'")
    if name in ("shape", "dtype", "name", "trainable", "device"):
        return {"shape": v.shape, "dtype": v.dtype, "name": v.name, "trainable": v.trainable,
                "device": v.device}[name]
    if name == "ndim":
        return v.shape.rank
    if name == "get_shape":
        return Builtin("get_shape", lambda interp, a, k, s: v.shape)
    raise AttributeError(f"'{type(v).__name__}' object has no attribute '{name}'")


_NDARRAY_ATTRS = {"shape", "dtype", "ndim", "size", "T", "real", "imag", "itemsize", "nbytes"}
_NDARRAY_METHODS = {"reshape", "astype", "copy", "flatten", "ravel", "tolist", "item", "mean", "sum", "max", "min",
                    "argmax", "argmin", "std", "var", "prod", "cumsum", "cumprod", "any", "all", "round", "clip", "dot",
                    "transpose", "squeeze", "sort", "argsort", "fill", "nonzero", "swapaxes", "conj", "trace",
                    "diagonal", "ptp", "take", "searchsorted", "view" if False else "copy"}
_NDARRAY_SIZED = {"repeat": _pre_repeat}


def _ndarray_attr(interp, a, name, site):
    if name in _NDARRAY_ATTRS:
        return getattr(a, name)
    if name in _NDARRAY_METHODS or name in _NDARRAY_SIZED:
        method = getattr(a, name)
        pre = _NDARRAY_SIZED.get(name)

        def call(interp, args, kwargs, site, method=method, name=name):
            args, kwargs = python_args(args, kwargs)
            if pre is not None:
                interp.check_items(int(pre((a,) + tuple(args), kwargs)), site, "array entries")
            out = method(*args, **kwargs)
            _check_array_result(interp, out, site)
            if isinstance(out, np.ndarray) and name != "tolist":
                interp.rec.note_numpy(out, [a], f".{name}()")
            return out
        return Builtin(name, call)
    if name in ("tofile", "dump"):
        raise AttributeError(f"`.{name}()` is not available: programs cannot write files")
    if name in ("dumps", "tobytes", "tostring"):
        raise AttributeError(f"`.{name}()` is not available: raw bytes are not part of the language; use .tolist()")
    raise AttributeError(f"'numpy.ndarray' object has no attribute '{name}'")


def _list_attr(interp, lst, name, site):
    if name == "append":
        def append(interp, args, kwargs, site):
            if len(lst) >= limits.MAX_TENSOR_ELEMENTS:
                interp.check_items(len(lst) + 1, site, "list items")
            lst.append(_one(args, kwargs, "object"))
        return Builtin("append", append)
    if name == "extend":
        def extend(interp, args, kwargs, site):
            items = list(interp.iterate(_one(args, kwargs, "iterable"), site))
            interp.check_items(len(lst) + len(items), site, "list items")
            lst.extend(items)
        return Builtin("extend", extend)
    if name == "sort":
        def sort(interp, args, kwargs, site):
            lst.sort(**kwargs)
        return Builtin("sort", sort)
    if name in ("pop", "insert", "remove", "index", "count", "reverse", "copy", "clear"):
        method = getattr(lst, name)
        return Builtin(name, lambda interp, a, k, s: method(*a, **k))
    raise AttributeError(f"'list' object has no attribute '{name}'")


_STR_METHODS = {"split", "rsplit", "strip", "lstrip", "rstrip", "lower", "upper", "title", "capitalize", "startswith",
                "endswith", "find", "rfind", "index", "count", "isdigit", "isalpha", "isalnum", "isspace", "islower",
                "isupper", "splitlines", "partition", "rpartition", "casefold", "swapcase", "isnumeric",
                "isidentifier", "removeprefix", "removesuffix", "encode" if False else "strip"}


def _str_attr(interp, s, name, site):
    if name == "format":
        return Builtin("format", lambda interp, a, k, site: str_format(interp, s, list(a), k, site))
    if name == "join":
        def join(interp, args, kwargs, site):
            items = [x for x in interp.iterate(_one(args, kwargs, "iterable"), site)]
            for x in items:
                if not isinstance(x, str):
                    raise TypeError(f"sequence item: expected str instance, {type_name(x)} found")
            interp.check_chars(sum(map(len, items)) + len(s) * max(len(items) - 1, 0), site)
            return s.join(items)
        return Builtin("join", join)
    if name in ("ljust", "rjust", "center", "zfill", "expandtabs"):
        method = getattr(s, name)

        def padded(interp, args, kwargs, site):
            width = args[0] if args else next(iter(kwargs.values()), 0)
            if isinstance(width, int) and width > limits.MAX_FORMAT_WIDTH * (8 if name == "expandtabs" else 1):
                raise LimitError(f"widths are limited to {limits.MAX_FORMAT_WIDTH}", site.line, site.col)
            return method(*args, **kwargs)
        return Builtin(name, padded)
    if name == "replace":
        def replace(interp, args, kwargs, site):
            old, new = args[0], args[1]
            n = s.count(old) if old else len(s) + 1
            interp.check_chars(len(s) + n * max(len(new) - len(old), 0), site)
            return s.replace(*args, **kwargs)
        return Builtin("replace", replace)
    if name in _STR_METHODS:
        method = getattr(s, name)
        return Builtin(name, lambda interp, a, k, site: method(*a, **k))
    raise AttributeError(f"'str' object has no attribute '{name}'")


def _dict_attr(interp, d, name, site):
    if name in ("get", "keys", "values", "items", "pop", "setdefault", "copy", "clear", "popitem"):
        method = getattr(d, name)
        return Builtin(name, lambda interp, a, k, s: method(*a, **k))
    if name == "update":
        def update(interp, args, kwargs, site):
            d.update(*args, **kwargs)
            interp.check_items(len(d), site, "dictionary entries")
        return Builtin("update", update)
    raise AttributeError(f"'dict' object has no attribute '{name}'")


def _set_attr(interp, st, name, site):
    if name in ("add", "update", "union", "intersection", "difference", "discard", "remove", "pop", "copy",
                "clear", "issubset", "issuperset", "symmetric_difference"):
        method = getattr(st, name)
        return Builtin(name, lambda interp, a, k, s: method(*a, **k))
    raise AttributeError(f"'set' object has no attribute '{name}'")


def _tuple_attr(interp, t, name, site):
    if name in ("count", "index"):
        method = getattr(t, name)
        return Builtin(name, lambda interp, a, k, s: method(*a, **k))
    if hasattr(t, "_fields") and name in t._fields:      # a namedtuple TensorFlow returned (tf.math.top_k)
        return t[t._fields.index(name)]
    raise AttributeError(f"'tuple' object has no attribute '{name}'")


def _shape_attr(interp, s, name, site):
    if name in ("as_list", "num_elements", "is_fully_defined", "concatenate", "is_compatible_with", "merge_with"):
        method = getattr(s, name)
        return Builtin(name, lambda interp, a, k, site: method(*a, **k))
    if name in ("rank", "ndims", "dims"):
        return getattr(s, name)
    raise AttributeError(f"'TensorShape' object has no attribute '{name}'")


def _dtype_attr(interp, d, name, site):
    if name in ("name", "is_floating", "is_integer", "is_bool", "is_complex", "as_numpy_dtype", "min", "max", "size",
                "is_unsigned", "base_dtype", "real_dtype"):
        return getattr(d, name)
    raise AttributeError(f"'DType' object has no attribute '{name}'")


def _tape_attr(interp, tape: TapeRef, name, site):
    rec = interp.rec
    if name in ("gradient", "jacobian", "batch_jacobian"):
        options = {"gradient": ("output_gradients", "unconnected_gradients"),
                   "jacobian": ("unconnected_gradients", "parallel_iterations", "experimental_use_pfor"),
                   "batch_jacobian": ("unconnected_gradients", "parallel_iterations", "experimental_use_pfor")}[name]

        def grad(interp, args, kwargs, site):
            names = ["target", "sources" if name == "gradient" else "source"] + list(options)
            if len(args) > len(names):
                raise TypeError(f"{name}() takes at most {len(names)} arguments")
            bound = dict(zip(names, args))
            for k, v in kwargs.items():
                if k not in names:
                    raise TypeError(f"{name}() got an unexpected keyword argument '{k}'")
                if k in bound:
                    raise TypeError(f"{name}() got multiple values for argument '{k}'")
                bound[k] = v
            if "target" not in bound or names[1] not in bound:
                raise TypeError(f"{name}() missing required arguments: target and {names[1]}")
            target, sources = bound.pop("target"), bound.pop(names[1])
            return rec.gradient(tape, name, target, sources, site, **bound)
        return Builtin(f"tape.{name}", grad)
    if name == "watch":
        return Builtin("tape.watch", lambda interp, a, k, s: rec.watch(tape, _one(a, k, "tensor"), s))
    if name == "stop_recording":
        return Builtin("tape.stop_recording", lambda interp, a, k, s: StopRecording(tape))
    if name == "watched_variables":
        return Builtin("tape.watched_variables", lambda interp, a, k, s: tape.tape.watched_variables())
    if name == "reset":
        return Builtin("tape.reset", lambda interp, a, k, s: tape.tape.reset())
    raise AttributeError(f"'GradientTape' object has no attribute '{name}'")


def _exc_attr(interp, e: ExcValue, name, site):
    if name == "args":
        return e.args
    if name == "message":
        return e.message
    raise AttributeError(f"'{e.cls.name}' object has no attribute '{name}'")


def _generator_attr(interp, rng, name, site):
    if name in ("normal", "uniform", "integers", "random", "choice", "permutation", "shuffle", "standard_normal",
                "multivariate_normal", "binomial", "poisson", "exponential"):
        method = getattr(rng, name)

        def call(interp, args, kwargs, site):
            interp.check_items(_pre_random(args, kwargs), site, "random numbers")
            out = method(*args, **kwargs)
            _check_array_result(interp, out, site)
            return out
        return Builtin(name, call)
    raise AttributeError(f"'Generator' object has no attribute '{name}'")


_ATTRS: dict[type, Callable] = {
    EagerTensor: _tensor_attr, np.ndarray: _ndarray_attr, list: _list_attr, str: _str_attr, dict: _dict_attr,
    set: _set_attr, tuple: _tuple_attr, tf.TensorShape: _shape_attr, tf.dtypes.DType: _dtype_attr,
    TapeRef: _tape_attr, ExcValue: _exc_attr, np.random.Generator: _generator_attr,
}


def value_attr(interp, obj, name: str, site) -> Any:
    t = type(obj)
    fn = _ATTRS.get(t)
    if fn is not None:
        return fn(interp, obj, name, site)
    if isinstance(obj, tf.Variable):
        return _variable_attr(interp, obj, name, site)
    if isinstance(obj, np.generic):
        return _ndarray_attr(interp, obj, name, site)
    if isinstance(obj, tuple):
        return _tuple_attr(interp, obj, name, site)
    if isinstance(obj, (TypeInfo, ExcClass)):
        if name == "__name__":
            return obj.name
        if isinstance(obj, TypeInfo) and obj.pytype in (str, list, dict, set, tuple, int, float) and \
                hasattr(obj.pytype, name) and not name.startswith("_"):
            if name == "fromkeys" and obj.pytype is dict:
                return Builtin("dict.fromkeys", lambda i, a, k, s: dict.fromkeys(*a))
            # str.lower, list.append: the method of the first argument, called through the tables
            return Builtin(f"{obj.name}.{name}", lambda i, a, k, s: i.call(
                i.getattr(a[0], name, s), list(a[1:]), k, s) if a else _unbound(obj.name, name))
        raise AttributeError(f"type object '{obj.name}' has no attribute '{name}'")
    if isinstance(obj, Property) and name in ("setter", "getter", "deleter"):
        def decorate(interp, args, kwargs, site, name=name):
            fn = _one(args, kwargs, "fn")
            return Property(fn, obj.setter) if name == "getter" else Property(obj.getter, fn) if name == "setter" \
                else obj
        return Builtin(f"property.{name}", decorate)
    if isinstance(obj, (Function, BoundMethod)) and name == "__name__":
        return obj.name if isinstance(obj, Function) else obj.func.name
    if isinstance(obj, (int, float, complex)) and name in ("real", "imag", "is_integer", "conjugate", "bit_length"):
        v = getattr(obj, name)
        return Builtin(name, lambda interp, a, k, s: v(*a, **k)) if callable(v) else v
    native = native_value_attr(interp, obj, name, site)
    if native is not _MISSING:
        return native
    raise AttributeError(f"'{type_name(obj)}' object has no attribute '{name}'")


# ---- contexts ----------------------------------------------------------------------------------------------------

class StopRecording:
    __slots__ = ("tape", "cm")

    def __init__(self, tape: TapeRef):
        self.tape, self.cm = tape, None


class NoOpContext:
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


def enter_context(interp, value, site) -> Any:
    if isinstance(value, TapeRef):
        interp.rec.tape_enter(value, site)
        return value
    if isinstance(value, StopRecording):
        if not value.tape.active:
            raise ValueError("Tape must be recording.")
        value.cm = interp.rec.pause(value.tape)
        return None
    if isinstance(value, NoOpContext):
        return None
    if isinstance(value, Instance):
        m, _ = value.cls.lookup("__enter__")
        if m is not _MISSING:
            return interp.call(BoundMethod(m, value), [], {}, site)
    raise TypeError(f"`with` takes tf.GradientTape(), tape.stop_recording() or tf.device(...), not "
                    f"{type_name(value)}")


def leave_context(interp, value) -> None:
    if isinstance(value, TapeRef):
        interp.rec.tape_exit(value)
    elif isinstance(value, StopRecording) and value.cm is not None:
        interp.rec.resume(value.tape, value.cm)
        value.cm = None
    elif isinstance(value, Instance):
        m, _ = value.cls.lookup("__exit__")
        if m is not _MISSING:
            interp.call(BoundMethod(m, value), [None, None, None], {}, None)


# ---- builtins ------------------------------------------------------------------------------------------------

def _print(interp, args, kwargs, site):
    for k in kwargs:
        if k not in ("sep", "end", "flush"):
            if k == "file":
                raise TypeError("print(file=...) is not available: programs cannot write files")
            raise TypeError(f"print() got an unexpected keyword argument '{k}'")
    sep = kwargs.get("sep", " ")
    end = kwargs.get("end", "\n")
    text = (sep if sep is not None else " ").join(to_str(interp, a) for a in args) + (end if end is not None else "\n")
    interp.check_chars(len(text), site)
    pending = interp._pending + text
    *lines, rest = pending.split("\n")
    for line in lines:
        interp.print(line)
    interp._pending = rest


def _len(interp, args, kwargs, site):
    v = _one(args, kwargs, "obj")
    if isinstance(v, Instance):
        m, _ = v.cls.lookup("__len__")
        if m is _MISSING:
            n = native_len(interp, v)
            if n is not _MISSING:
                return n
            raise TypeError(f"object of type '{v.cls.name}' has no len()")
        return interp.call(BoundMethod(m, v), [], {}, site)
    if isinstance(v, (Generator, Function, Namespace, TapeRef)):
        raise TypeError(f"object of type '{type_name(v)}' has no len()")
    return len(v)


def _range(interp, args, kwargs, site):
    if kwargs:
        raise TypeError("range() takes no keyword arguments")
    return range(*(_index(a) for a in args))


def _index(v):
    if isinstance(v, (bool,)):
        return int(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (EagerTensor, tf.Variable)) and v.dtype.is_integer:
        return int(v)
    raise TypeError(f"'{type_name(v)}' object cannot be interpreted as an integer")


def _iterables(interp, args, site):
    return [interp.iterate(a, site) for a in args]


def _zip(interp, args, kwargs, site):
    strict = kwargs.pop("strict", False)
    if kwargs:
        raise TypeError("zip() takes no keyword arguments except strict")
    return zip(*_iterables(interp, args, site), strict=strict)


def _enumerate(interp, args, kwargs, site):
    it = args[0] if args else kwargs.get("iterable")
    start = args[1] if len(args) > 1 else kwargs.get("start", 0)
    return enumerate(interp.iterate(it, site), start)


def _map(interp, args, kwargs, site):
    if len(args) < 2:
        raise TypeError("map() must have at least two arguments.")
    f = args[0]
    return (interp.call(f, list(items), {}, site) for items in zip(*_iterables(interp, args[1:], site)))


def _filter(interp, args, kwargs, site):
    f, it = args
    return (x for x in interp.iterate(it, site) if (interp.truth(x) if f is None else
                                                     interp.truth(interp.call(f, [x], {}, site))))


def _collect(interp, v, site) -> list:
    out = []
    for x in interp.iterate(v, site):
        out.append(x)
        if len(out) > limits.MAX_TENSOR_ELEMENTS:
            interp.check_items(len(out), site, "items")
    return out


def _list(interp, args, kwargs, site):
    return _collect(interp, args[0], site) if args else []


def _tuple(interp, args, kwargs, site):
    return tuple(_collect(interp, args[0], site)) if args else ()


def _set(interp, args, kwargs, site):
    return set(_collect(interp, args[0], site)) if args else set()


def _dict(interp, args, kwargs, site):
    out = {}
    if args:
        src = args[0]
        if isinstance(src, dict):
            out.update(src)
        else:
            for item in interp.iterate(src, site):
                k, v = item
                out[k] = v
    out.update(kwargs)
    interp.check_items(len(out), site, "dictionary entries")
    return out


def _sum(interp, args, kwargs, site):
    it = args[0]
    total = args[1] if len(args) > 1 else kwargs.get("start", 0)
    for x in interp.iterate(it, site):
        total = interp.binary("Add", total, x, site)
    return total


def _unbound(type_name_: str, name: str):
    raise TypeError(f"unbound method {type_name_}.{name}() needs an argument")


def _extreme(op: str):
    def fn(interp, args, kwargs, site):
        key = kwargs.get("key")
        default = kwargs.get("default", _MISSING)
        items = _collect(interp, args[0], site) if len(args) == 1 else list(args)
        if not items:
            if default is not _MISSING:
                return default
            raise ValueError(f"{'max' if op == 'Gt' else 'min'}() arg is an empty sequence")
        best, best_key = items[0], interp.call(key, [items[0]], {}, site) if key is not None else items[0]
        for x in items[1:]:
            k = interp.call(key, [x], {}, site) if key is not None else x
            if interp.truth(interp.compare(op, k, best_key, site)):
                best, best_key = x, k
        return best
    return fn


class _Ordered:
    """A sort key compared by the interpreter: a class's own __lt__ (or the reflected __gt__) decides."""
    __slots__ = ("value", "interp", "site")

    def __init__(self, value, interp, site):
        self.value, self.interp, self.site = value, interp, site

    def __lt__(self, other: "_Ordered") -> bool:
        return self.interp.truth(self.interp.compare("Lt", self.value, other.value, self.site))


def _sorted(interp, args, kwargs, site):
    items = _collect(interp, args[0], site)
    key = kwargs.pop("key", None)
    reverse = bool(kwargs.pop("reverse", False))
    if kwargs:
        raise TypeError(f"sorted() got an unexpected keyword argument '{next(iter(kwargs))}'")
    keys = [interp.call(key, [x], {}, site) if key is not None else x for x in items]
    if any(type(k) is Instance for k in keys):
        keys = [_Ordered(k, interp, site) for k in keys]
    order = sorted(range(len(items)), key=keys.__getitem__, reverse=reverse)
    return [items[i] for i in order]


def _any(interp, args, kwargs, site):
    return any(interp.truth(x) for x in interp.iterate(args[0], site))


def _all(interp, args, kwargs, site):
    return all(interp.truth(x) for x in interp.iterate(args[0], site))


def _abs(interp, args, kwargs, site):
    v = _one(args, kwargs, "x")
    if isinstance(v, (EagerTensor, tf.Variable)):
        return interp.rec.call_bound(ABS, {"x": v}, site)
    if isinstance(v, Instance):
        m, _ = v.cls.lookup("__abs__")
        if m is _MISSING:
            raise TypeError(f"bad operand type for abs(): '{v.cls.name}'")
        return interp.call(BoundMethod(m, v), [], {}, site)
    out = abs(v)
    if isinstance(out, np.ndarray):
        interp.rec.note_numpy(out, [v], "abs")
    return out


def _round(interp, args, kwargs, site):
    v = args[0]
    if isinstance(v, (EagerTensor, tf.Variable)):
        v = v.numpy()
    return round(v, *args[1:], **kwargs)


def _pow(interp, args, kwargs, site):
    if len(args) == 3:
        if not all(isinstance(a, int) for a in args):
            raise TypeError("pow() 3rd argument not allowed unless all arguments are integers")
        return pow(*args)
    return interp.binary("Pow", args[0], args[1], site)


def _isinstance(interp, args, kwargs, site):
    v, kinds = args
    return any(_is_instance(v, k) for k in (kinds if isinstance(kinds, tuple) else (kinds,)))


def _is_instance(v, k) -> bool:
    if isinstance(k, TypeInfo):
        return k.check(v)
    if isinstance(k, Class):
        return isinstance(v, Instance) and v.cls.is_subclass(k) or native_isinstance(v, k)
    if isinstance(k, ExcClass):
        return (isinstance(v, ExcValue) and issubclass(v.cls.pyclass, k.pyclass)) or \
            (isinstance(v, Instance) and v.cls.is_subclass(k))
    if k is OBJECT:
        return True
    if isinstance(k, OpCallable) and k.spec.kind == "variable":        # isinstance(v, tf.Variable)
        return isinstance(v, tf.Variable)
    native = native_type_check(v, k)
    if native is not _MISSING:
        return native
    raise TypeError("isinstance() arg 2 must be a type or tuple of types")


def _int_arg(name: str, args: list) -> int:
    if len(args) != 1 or not isinstance(args[0], int):
        raise TypeError(f"{name}() takes one integer")
    return args[0]


def _issubclass(interp, args, kwargs, site):
    a, b = args
    if isinstance(b, tuple):
        return any(_issubclass(interp, [a, k], {}, site) for k in b)
    if isinstance(a, (Class, ExcClass)):
        return a.is_subclass(b)
    if isinstance(a, TypeInfo) and isinstance(b, TypeInfo) and a.pytype is not None and b.pytype is not None:
        return issubclass(a.pytype, b.pytype)                   # issubclass(bool, int) is True
    return a is b or b is OBJECT


def _type(interp, args, kwargs, site):
    if len(args) != 1:
        raise TypeError("type() takes 1 argument here (classes are made with `class`)")
    v = args[0]
    if isinstance(v, Instance):
        return v.cls
    if isinstance(v, ExcValue):
        return v.cls
    t = _PY_TYPES.get(type(v))
    if t is not None:
        return t
    return TypeInfo(type_name(v), lambda x, cls=type(v): type(x) is cls)


def _super(interp, args, kwargs, site):
    if len(args) == 2:
        return Super(args[0], args[1])
    if args:
        raise TypeError("super() takes zero or two arguments")
    frame = interp.frame
    fn = frame.function if frame is not None else None
    if fn is None or fn.owner is None or frame.args0 is _MISSING:
        raise RuntimeError("super(): no arguments (call it inside a method of a class)")
    return Super(fn.owner, frame.args0)


def super_attr(interp, sup: Super, name: str, site) -> Any:
    cls = sup.cls
    obj = sup.obj
    owner_cls = obj.cls if isinstance(obj, Instance) else obj if isinstance(obj, Class) else None
    if owner_cls is None:
        raise TypeError("super(type, obj): obj must be an instance or subtype of type")
    mro = owner_cls.mro
    try:
        start = mro.index(cls) + 1
    except ValueError:
        raise TypeError("super(type, obj): obj must be an instance or subtype of type") from None
    for c in mro[start:]:
        if isinstance(c, Class) and name in c.ns:
            return interp._bind_attr(c.ns[name], obj)
        if isinstance(c, ExcClass) and isinstance(obj, Instance):
            if name == "__init__":       # Exception.__init__(self, *args): what str(e) and e.args show
                return Builtin(f"{c.name}.__init__", lambda i, a, k, s: obj.attrs.__setitem__("args", tuple(a)))
            if name in ("__str__", "__repr__"):
                return Builtin(f"{c.name}.{name}", lambda i, a, k, s: _exc_instance_text(i, obj, name == "__repr__"))
        native = native_super_attr(interp, c, obj, name, site)
        if native is not _MISSING:
            return native
    if name == "__init__":
        return Builtin("object.__init__", lambda interp, a, k, s: None)
    if name == "__repr__" and isinstance(obj, Instance):
        return Builtin("object.__repr__", lambda interp, a, k, s: f"<{obj.cls.name} object>")
    if name == "__str__" and isinstance(obj, Instance):      # object.__str__ is repr(self)
        return Builtin("object.__str__", lambda interp, a, k, s: to_repr(interp, obj))
    raise AttributeError(f"'super' object has no attribute '{name}'")


def _hasattr(interp, args, kwargs, site):
    obj, name = args
    if not isinstance(name, str):
        raise TypeError("hasattr(): attribute name must be string")
    if name.startswith("__"):
        return False
    try:
        interp.getattr(obj, name, site)
        return True
    except (AttributeError, ProgramRaise):
        return False


def _next(interp, args, kwargs, site):
    it = args[0]
    if isinstance(it, Instance):
        m, _ = it.cls.lookup("__next__")
        if m is _MISSING:
            raise TypeError(f"'{it.cls.name}' object is not an iterator")
        return interp.call(BoundMethod(m, it), [], {}, site)
    try:
        return next(it)
    except StopIteration:
        if len(args) > 1:
            return args[1]
        raise
    except TypeError:
        raise TypeError(f"'{type_name(it)}' object is not an iterator") from None


def _iter(interp, args, kwargs, site):
    return interp.iterate(args[0], site)


def _refused(name: str, why: str) -> Builtin:
    def fn(interp, args, kwargs, site):
        raise ProgramError(f"`{name}` is not available: {why}", site.line, site.col)
    return Builtin(name, fn)


def _convert(py: type, name: str):
    def fn(interp, args, kwargs, site):
        if py is str:
            if not args:
                return ""
            return to_str(interp, args[0])
        if py is bool:
            return interp.truth(args[0]) if args else False
        if py is int and args and isinstance(args[0], str) and len(args[0]) > 4300:
            raise ValueError("Exceeds the limit (4300 digits) for integer string conversion")
        if args and isinstance(args[0], Instance):
            m, _ = args[0].cls.lookup(f"__{name}__")
            if m is not _MISSING:
                return interp.call(BoundMethod(m, args[0]), [], {}, site)
        return py(*args, **kwargs)
    return fn


_PY_TYPES: dict[type, TypeInfo] = {}
for _py, _name, _conv in [(int, "int", _convert(int, "int")), (float, "float", _convert(float, "float")),
                          (str, "str", _convert(str, "str")), (bool, "bool", _convert(bool, "bool")),
                          (complex, "complex", _convert(complex, "complex")),
                          (list, "list", _list), (tuple, "tuple", _tuple), (dict, "dict", _dict), (set, "set", _set),
                          (range, "range", _range), (slice, "slice", lambda i, a, k, s: slice(*a)),
                          (type(None), "NoneType", None)]:
    _PY_TYPES[_py] = TypeInfo(_name, lambda v, t=_py: isinstance(v, t), _conv, _py)
_PY_TYPES[EagerTensor] = TypeInfo("EagerTensor", lambda v: type(v) is EagerTensor)
_PY_TYPES[np.ndarray] = TypeInfo("ndarray", lambda v: isinstance(v, np.ndarray))


def _property(interp, args, kwargs, site):
    getter = args[0] if args else kwargs.get("fget")
    return Property(getter, args[1] if len(args) > 1 else kwargs.get("fset"))


def _format(interp, args, kwargs, site):
    return format_value(interp, args[0], args[1] if len(args) > 1 else "", site)


BUILTINS: dict[str, Any] = {
    "print": Builtin("print", _print), "len": Builtin("len", _len), "range": _PY_TYPES[range],
    "zip": Builtin("zip", _zip), "enumerate": Builtin("enumerate", _enumerate), "map": Builtin("map", _map),
    "filter": Builtin("filter", _filter), "list": _PY_TYPES[list], "tuple": _PY_TYPES[tuple], "dict": _PY_TYPES[dict],
    "set": _PY_TYPES[set], "frozenset": _PY_TYPES[set], "int": _PY_TYPES[int], "float": _PY_TYPES[float],
    "str": _PY_TYPES[str], "bool": _PY_TYPES[bool], "complex": _PY_TYPES[complex], "slice": _PY_TYPES[slice],
    "sum": Builtin("sum", _sum), "min": Builtin("min", _extreme("Lt")), "max": Builtin("max", _extreme("Gt")),
    "sorted": Builtin("sorted", _sorted), "reversed": Builtin("reversed", lambda i, a, k, s: reversed(
        a[0] if isinstance(a[0], (list, tuple, range, str)) else _collect(i, a[0], s))),
    "any": Builtin("any", _any), "all": Builtin("all", _all), "abs": Builtin("abs", _abs),
    "round": Builtin("round", _round), "divmod": Builtin("divmod", lambda i, a, k, s: divmod(*a)),
    "pow": Builtin("pow", _pow), "repr": Builtin("repr", lambda i, a, k, s: to_repr(i, a[0])),
    "format": Builtin("format", _format), "chr": Builtin("chr", lambda i, a, k, s: chr(*a)),
    "ord": Builtin("ord", lambda i, a, k, s: ord(*a)), "hash": Builtin("hash", lambda i, a, k, s: hash(a[0])),
    "callable": Builtin("callable", lambda i, a, k, s: isinstance(a[0], (Function, BoundMethod, Builtin, OpCallable,
                                                                          Class, TypeInfo, ExcClass))),
    "isinstance": Builtin("isinstance", _isinstance), "issubclass": Builtin("issubclass", _issubclass),
    "type": Builtin("type", _type), "super": Builtin("super", _super), "property": Builtin("property", _property),
    "staticmethod": Builtin("staticmethod", lambda i, a, k, s: StaticMethod(a[0])),
    "classmethod": Builtin("classmethod", lambda i, a, k, s: ClassMethod(a[0])),
    "hasattr": Builtin("hasattr", _hasattr), "next": Builtin("next", _next), "iter": Builtin("iter", _iter),
    "id": Builtin("id", lambda i, a, k, s: id(a[0])),
    "hex": Builtin("hex", lambda i, a, k, s: hex(_int_arg("hex", a))),
    "bin": Builtin("bin", lambda i, a, k, s: bin(_int_arg("bin", a))),
    "oct": Builtin("oct", lambda i, a, k, s: oct(_int_arg("oct", a))), "object": OBJECT, "NotImplemented": NOT_IMPLEMENTED,
    "Ellipsis": Ellipsis,
}
BUILTINS.update(EXCEPTIONS)
for _name, _why in [("open", "programs cannot read or write files"), ("input", "programs cannot ask for input"),
                    ("eval", "programs cannot run text as code"), ("exec", "programs cannot run text as code"),
                    ("compile", "programs cannot run text as code"), ("__import__", "use an import statement"),
                    ("getattr", "write the attribute out: obj.name"), ("setattr", "write obj.name = value"),
                    ("delattr", "write del obj.name"), ("globals", "programs cannot look into Python's machinery"),
                    ("locals", "programs cannot look into Python's machinery"),
                    ("vars", "programs cannot look into Python's machinery"),
                    ("dir", "programs cannot look into Python's machinery: the README lists what is available"), ("help", "not available here"),
                    ("breakpoint", "not available"), ("exit", "not available"), ("quit", "not available"),
                    ("memoryview", "not available"), ("bytearray", "not available")]:
    BUILTINS[_name] = _refused(_name, _why)


def name_hint(name: str) -> str:
    if name in ("tf", "np", "plt", "math"):
        return ""
    if name in ("mnist", "keras", "layers"):
        return "import it first, as the notebook does: from tensorflow import keras"
    return ""


# ---- modules -----------------------------------------------------------------------------------------------

_TF1 = {"log": "tf.math.log", "squared_difference": "tf.math.squared_difference", "rsqrt": "tf.math.rsqrt",
        "reciprocal": "tf.math.reciprocal", "random_normal": "tf.random.normal",
        "random_uniform": "tf.random.uniform", "to_float": "tf.cast(x, tf.float32)", "mul": "tf.multiply",
        "sub": "tf.subtract", "div": "tf.divide", "neg": "tf.negative", "arg_max": "tf.math.argmax",
        "arg_min": "tf.math.argmin", "log1p": "tf.math.log1p", "erf": "tf.math.erf", "diag": "tf.linalg.diag",
        "matrix_transpose": "tf.linalg.matrix_transpose", "matrix_inverse": "tf.linalg.inv",
        "Session": "nothing: TensorFlow 2 runs eagerly, call the ops directly",
        "placeholder": "a tf.constant, or a function argument",
        "global_variables_initializer": "nothing: variables are initialised when they are made",
        "truncated_normal": "tf.random.truncated_normal", "random_shuffle": "tf.random.shuffle",
        "lin_space": "tf.linspace", "ceil": "tf.math.ceil", "count_nonzero": "tf.math.count_nonzero",
        "softplus": "tf.math.softplus", "reduce_logsumexp": "tf.reduce_logsumexp", "is_nan": "tf.math.is_nan",
        "log_sigmoid": "tf.math.log_sigmoid", "assign": "v.assign(...)", "get_variable": "tf.Variable"}

_TF_REFUSED = {
    "io": "reads and writes files", "py_function": "runs arbitrary Python", "numpy_function": "runs arbitrary Python",
    "raw_ops": "is not available: use the tf. functions", "saved_model": "writes and reads files",
    "summary": "writes log files", "train": "writes checkpoint files", "compat": "is TensorFlow 1",
    "data": "is not available here: slice tensors and loop over batches instead",
    "distribute": "is not available", "autograph": "is not available", "load_library": "loads code",
    "load_op_library": "loads code", "debugging": "changes the server for everyone",
    "experimental": "is not available", "lite": "is not available", "tpu": "is not available",
    "xla": "is not available", "sysconfig": "is not available", "feature_column": "is not available",
    "image": "is not available here", "audio": "is not available", "estimator": "is not available",
    "queue": "is not available", "sets": "is not available", "signal": "is not available here",
    "sparse": "is not available here", "ragged": "is not available here", "lookup": "is not available",
    "mlir": "is not available", "quantization": "is not available", "profiler": "writes files",
    "version": "is not available", "nest": "is not available", "types": "is not available",
    "function": "",
}


def _tf_hint(name: str) -> str:
    if name in _TF1:
        return f"`tf.{name}` is TensorFlow 1; use {_TF1[name]}"
    if name in _TF_REFUSED and _TF_REFUSED[name]:
        return f"`tf.{name}` {_TF_REFUSED[name]}"
    for prefix in ("math", "nn", "linalg", "random"):
        if f"tf.{prefix}.{name}" in SPECS:
            return f"use `tf.{prefix}.{name}`"
    return ""


def missing_in_module(module: Namespace, name: str) -> str:
    hint = module.hint(name) if module.hint else ""
    text = f"module '{module.name}' has no attribute '{name}'"
    if hint.startswith("`"):
        text += f": {hint}"
    elif hint:                  # np.save, np.lib: the name exists but is refused, and why
        short = {"numpy": "np", "tensorflow": "tf", "matplotlib.pyplot": "plt"}.get(module.name, module.name)
        return f"`{short}.{name}` " + ("is not available to programs here" if hint == "is not available" else hint)
    elif module.name.startswith("tensorflow"):
        text += " (or it is not available to programs here)"
    return text


def _tf_function(interp, args, kwargs, site):
    """tf.function runs the function as it is: every op eager, so every op can be drawn. The numbers are the
    same; only Python side effects that tf.function would run once per trace (print) run every call."""
    if args and isinstance(args[0], Function):
        return args[0].as_tf_function()
    if args and isinstance(args[0], BoundMethod) and isinstance(args[0].func, Function):
        return BoundMethod(args[0].func.as_tf_function(), args[0].obj)
    if args:
        return args[0]
    return Builtin("tf.function", lambda i, a, k, s: _tf_function(i, a, {}, s))   # @tf.function(jit_compile=...)


def traced_outputs(interp, value, site):
    """What a tf.function returns: Python numbers and NumPy arrays become tensors (`f(2)` gives
    tf.Tensor(5, int32)), inside lists, tuples and dicts as well; tensors, variables and None pass."""
    if isinstance(value, (bool, int, float, np.ndarray, np.generic)):
        return interp.rec.call_bound(SPECS["tf.convert_to_tensor"], {"value": value}, site)
    if type(value) in (list, tuple):
        return type(value)(traced_outputs(interp, v, site) for v in value)
    if type(value) is dict:
        return {k: traced_outputs(interp, v, site) for k, v in value.items()}
    return value


def _gradient_tape(interp, args, kwargs, site):
    names = ["persistent", "watch_accessed_variables"]
    if len(args) > 2:
        raise TypeError("GradientTape() takes at most 2 positional arguments")
    bound = dict(zip(names, args))
    for k, v in kwargs.items():
        if k not in names:
            raise TypeError(f"GradientTape() got an unexpected keyword argument '{k}'")
        bound[k] = v
    return interp.rec.new_tape("tape?", bool(bound.get("persistent", False)),
                               bool(bound.get("watch_accessed_variables", True)), site.line)


def _set_seed(interp, args, kwargs, site):
    seed = args[0] if args else kwargs.get("seed")
    interp.rec.random.set_tf_seed(seed)


def _keras_set_random_seed(interp, args, kwargs, site):
    seed = args[0] if args else kwargs.get("seed")
    interp.rec.random.set_tf_seed(seed)
    interp.rec.random.numpy = np.random.RandomState(seed)
    interp.rec.random.python.seed(seed)


def _tf_print(interp, args, kwargs, site):
    sep = kwargs.get("sep", " ")
    end = kwargs.get("end", "\n")
    summarize = kwargs.get("summarize", 3)
    parts = []
    for a in args:
        if isinstance(a, (EagerTensor, tf.Variable)):
            parts.append(_tf_print_array(np.asarray(a.numpy()), summarize if summarize is not None else 3, 1))
        else:
            parts.append(to_str(interp, a))
    _print(interp, [sep.join(parts)], {"end": end}, site)


def _tf_print_number(v) -> str:
    """A number as tf.print writes it: the short %g form where it reads back exactly, else more digits
    (6 then 9 significant digits for float32, 15 then 17 for float64); booleans as 1 and 0."""
    if isinstance(v, (bytes, np.bytes_)):
        return '"' + v.decode("utf-8", "replace") + '"'
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (np.floating, float)):
        short, long = (6, 9) if isinstance(v, np.float32) or getattr(v, "dtype", None) == np.float16 else (15, 17)
        text = f"{float(v):.{short}g}"
        return text if type(v)(float(text)) == v or np.isnan(v) else f"{float(v):.{long}g}"
    return str(v)


def _tf_print_array(a: np.ndarray, summarize: int, depth: int) -> str:
    if a.ndim == 0:
        return _tf_print_number(a[()])
    n = a.shape[0]
    keep = list(range(n)) if summarize < 0 or n <= 2 * summarize else \
        list(range(summarize)) + [None] + list(range(n - summarize, n))
    if a.ndim == 1:
        return "[" + " ".join("..." if k is None else _tf_print_number(a[k]) for k in keep) + "]"
    rows = ["..." if k is None else _tf_print_array(a[k], summarize, depth + 1) for k in keep]
    return "[" + ("\n" + " " * depth).join(rows) + "]"


def _list_devices(interp, args, kwargs, site):
    kind = args[0] if args else kwargs.get("device_type")
    return [] if kind not in (None, "CPU") else tf.config.list_physical_devices("CPU")


def _tf_namespace() -> Namespace:
    root: dict[str, Any] = {}
    for dotted, spec in SPECS.items():
        parts = dotted.split(".")[1:]
        table = root
        for p in parts[:-1]:
            sub = table.get(p)
            if not isinstance(sub, Namespace):
                sub = table[p] = Namespace(f"tensorflow.{p}" if table is root else p, {})
            table = sub.table
        table[parts[-1]] = OpCallable(spec, dotted)
    dtypes = {n: getattr(tf, n) for n in ["float16", "bfloat16", "float32", "float64", "int8", "int16", "int32",
                                          "int64", "uint8", "uint16", "bool", "string", "complex64", "complex128",
                                          "half", "double"]}
    root.update(dtypes)
    root["dtypes"] = Namespace("tensorflow.dtypes", {**dtypes, "cast": root["cast"], "as_dtype":
                                                     Builtin("tf.as_dtype", lambda i, a, k, s: tf.as_dtype(*a))})
    root["as_dtype"] = root["dtypes"].table["as_dtype"]
    root["newaxis"] = None
    root["GradientTape"] = TypeInfo("GradientTape", lambda v: isinstance(v, TapeRef), _gradient_tape)
    root["Tensor"] = TypeInfo("Tensor", lambda v: isinstance(v, tf.Tensor))     # a tf.Variable is not one
    root["TensorShape"] = TypeInfo("TensorShape", lambda v: isinstance(v, tf.TensorShape),
                                   lambda i, a, k, s: tf.TensorShape(*a))
    root["TensorSpec"] = Builtin("tf.TensorSpec", lambda i, a, k, s: tf.TensorSpec(*a, **k))
    root["DType"] = TypeInfo("DType", lambda v: isinstance(v, tf.dtypes.DType))
    root["function"] = Builtin("tf.function", _tf_function)
    root["device"] = Builtin("tf.device", lambda i, a, k, s: NoOpContext("device"))
    root["name_scope"] = Builtin("tf.name_scope", lambda i, a, k, s: NoOpContext("name_scope"))
    root["executing_eagerly"] = Builtin("tf.executing_eagerly", lambda i, a, k, s: True)
    root["is_tensor"] = Builtin("tf.is_tensor", lambda i, a, k, s: isinstance(a[0], (EagerTensor, tf.Variable)))
    root["print"] = Builtin("tf.print", _tf_print)
    root["UnconnectedGradients"] = Namespace("UnconnectedGradients", {"ZERO": tf.UnconnectedGradients.ZERO,
                                                                      "NONE": tf.UnconnectedGradients.NONE})
    root["errors"] = Namespace("tensorflow.errors", dict(TF_ERRORS))
    random = root["random"].table
    random["set_seed"] = Builtin("tf.random.set_seed", _set_seed)
    root["config"] = Namespace("tensorflow.config", {"list_physical_devices": Builtin(
        "tf.config.list_physical_devices", _list_devices), "list_logical_devices": Builtin(
        "tf.config.list_logical_devices", _list_devices)}, lambda n: "changes the server for everyone")
    keras = root.get("keras")
    keras_table = keras.table if isinstance(keras, Namespace) else {}
    keras_table.setdefault("utils", Namespace("keras.utils", {"set_random_seed": Builtin(
        "keras.utils.set_random_seed", _keras_set_random_seed)}))
    from . import keras as keras_lang
    root["keras"] = Namespace("keras", keras_lang.build_namespace(keras_table), _keras_hint)
    for name in ("keras", "math", "nn", "linalg", "random", "strings", "dtypes", "config", "errors"):
        if name in root and isinstance(root[name], Namespace):
            root[name].hint = _keras_hint if name == "keras" else (lambda n, p=name: _sub_hint(p, n))
    return Namespace("tensorflow", root, _tf_hint)


def _sub_hint(prefix: str, name: str) -> str:
    for p in ("", "math.", "nn.", "linalg."):
        if f"tf.{p}{name}" in SPECS and f"tf.{p}" != f"tf.{prefix}.":
            return f"use `tf.{p}{name}`"
    return ""


def _keras_hint(name: str) -> str:
    return ""


_KERAS_REFUSED = {"mnist": "downloads its data"}


def _math_namespace() -> Namespace:
    table: dict[str, Any] = {}
    for name in ["sqrt", "exp", "log", "log2", "log10", "log1p", "expm1", "sin", "cos", "tan", "asin", "acos", "atan",
                 "atan2", "sinh", "cosh", "tanh", "ceil", "floor", "trunc", "fabs", "isclose", "isnan", "isinf",
                 "isfinite", "hypot", "degrees", "radians", "copysign", "fmod", "erf", "erfc", "gamma", "lgamma",
                 "gcd", "prod", "fsum", "dist", "modf", "frexp", "ldexp", "remainder"]:
        fn = getattr(math, name)
        table[name] = Builtin(f"math.{name}", lambda i, a, k, s, fn=fn: fn(*_plain_numbers(a), **k))

    def bounded(name, limit):
        fn = getattr(math, name)

        def call(interp, args, kwargs, site):
            if any(isinstance(a, int) and a > limit for a in args):
                raise LimitError(f"math.{name} is limited to arguments up to {limit} here", site.line, site.col)
            return fn(*args, **kwargs)
        return Builtin(f"math.{name}", call)
    table["factorial"] = bounded("factorial", 2000)
    table["comb"] = bounded("comb", 10000)
    table["perm"] = bounded("perm", 10000)
    table["pow"] = Builtin("math.pow", lambda i, a, k, s: math.pow(*_plain_numbers(a)))
    table.update(pi=math.pi, e=math.e, tau=math.tau, inf=math.inf, nan=math.nan)
    return Namespace("math", table)


def _plain_numbers(args):
    return [float(a) if isinstance(a, (EagerTensor, tf.Variable)) else a for a in args]


def _time_namespace() -> Namespace:
    def sleep(interp, args, kwargs, site):
        raise ProgramError("time.sleep is not available: the program runs on a shared server", site.line, site.col)
    return Namespace("time", {"time": Builtin("time.time", lambda i, a, k, s: time.time()),
                              "perf_counter": Builtin("time.perf_counter", lambda i, a, k, s: time.perf_counter()),
                              "monotonic": Builtin("time.monotonic", lambda i, a, k, s: time.monotonic()),
                              "process_time": Builtin("time.process_time", lambda i, a, k, s: time.process_time()),
                              "sleep": Builtin("time.sleep", sleep)})


def _random_namespace() -> Namespace:
    def fn(name, pre=None):
        def call(interp, args, kwargs, site):
            if name == "sample" and len(args) > 1 and isinstance(args[1], int):
                interp.check_items(args[1], site)
            return getattr(interp.rec.random.python, name)(*args, **kwargs)
        return Builtin(f"random.{name}", call)
    return Namespace("random", {n: fn(n) for n in ["random", "uniform", "randint", "randrange", "choice", "shuffle",
                                                   "gauss", "normalvariate", "seed", "sample", "choices",
                                                   "betavariate", "expovariate"]})


def _pyplot_namespace() -> Namespace:
    table: dict[str, Any] = {}
    for name in PLOT_CALLS + DECORATION_CALLS + CONTROL_CALLS + tuple(REFUSED):
        table[name] = Builtin(f"plt.{name}", lambda interp, a, k, s, name=name: _pyplot(interp).record(name, tuple(a),
                                                                                                        k))
    table["figure"] = Builtin("plt.figure", _plt_figure)
    table["subplots"] = Builtin("plt.subplots", _plt_subplots)
    table["gca"] = Builtin("plt.gca", lambda i, a, k, s: _AXES)
    table["gcf"] = Builtin("plt.gcf", lambda i, a, k, s: _FIGURE)
    table["cm"] = Namespace("matplotlib.cm", {n: n for n in COLORMAPS})
    table["rcParams"] = Builtin("plt.rcParams", lambda i, a, k, s: None)
    return Namespace("matplotlib.pyplot", table, lambda n: "the page draws plot, scatter, imshow, hist and bar with "
                                                           "their labels and legends")


# matplotlib's object interface, `fig, ax = plt.subplots()`: the axes record into the current figure as
# plt.* calls do (several axes of one figure are drawn together in one plotly chart)
_AXES_NAMES = {"set_title": "title", "set_xlabel": "xlabel", "set_ylabel": "ylabel", "set_xlim": "xlim",
               "set_ylim": "ylim", "set_xscale": "xscale", "set_yscale": "yscale", "set_xticks": "xticks",
               "set_yticks": "yticks"}


def _recorder(name: str, call: str) -> Builtin:
    return Builtin(name, lambda interp, a, k, s: _pyplot(interp).record(call, tuple(a), k))


_AXES = Namespace("matplotlib.axes.Axes",
                  {**{n: _recorder(f"ax.{n}", n) for n in PLOT_CALLS + ("legend", "grid", "axis", "margins", "annotate")},
                   **{n: _recorder(f"ax.{n}", call) for n, call in _AXES_NAMES.items()}},
                  lambda n: "axes draw plot, scatter, imshow, hist and bar with their titles, labels and legends")
_FIGURE = Namespace("matplotlib.figure.Figure",
                    {"suptitle": _recorder("fig.suptitle", "suptitle"),
                     "tight_layout": _recorder("fig.tight_layout", "tight_layout"),
                     "add_subplot": Builtin("fig.add_subplot", lambda i, a, k, s: _AXES),
                     "colorbar": _recorder("fig.colorbar", "colorbar"),
                     "set_size_inches": Builtin("fig.set_size_inches", lambda i, a, k, s: None),
                     "savefig": _recorder("fig.savefig", "savefig")},
                    lambda n: "a figure takes suptitle, tight_layout and add_subplot; the page draws it")


def _plt_figure(interp, args, kwargs, site):
    _pyplot(interp).record("figure", tuple(args), kwargs)
    return _FIGURE


def _plt_subplots(interp, args, kwargs, site):
    """(fig, ax), or (fig, axes) with an array of axes for a grid: all of them draw into one figure."""
    _pyplot(interp).record("subplots", tuple(args), kwargs)
    rows = args[0] if args else kwargs.get("nrows", 1)
    cols = args[1] if len(args) > 1 else kwargs.get("ncols", 1)
    if not (isinstance(rows, int) and isinstance(cols, int) and 0 < rows * cols <= 64):
        raise ValueError("plt.subplots takes a grid of up to 64 axes")
    if rows * cols == 1:
        return _FIGURE, _AXES
    axes = np.empty((rows, cols) if rows > 1 and cols > 1 else (rows * cols,), dtype=object)
    axes.fill(_AXES)
    return _FIGURE, axes


def _pyplot(interp) -> Pyplot:
    p = getattr(interp, "_pyplot", None)
    if p is None:
        p = interp._pyplot = Pyplot(interp.figures)
    return p


class FakeDict(dict):
    """A dictionary a program may change freely (matplotlib's rcParams, os.environ): its own, per run."""


def other_getitem(interp, obj, key, site):
    if isinstance(obj, tf.TensorShape):
        return obj[key]
    if isinstance(obj, (np.random.Generator,)):
        raise TypeError("'Generator' object is not subscriptable")
    if isinstance(obj, FakeDict):
        return obj[key]
    native = native_getitem(interp, obj, key, site)
    if native is not _MISSING:
        return native
    raise TypeError(f"'{type_name(obj)}' object is not subscriptable")


def other_setitem(interp, obj, key, value, site) -> bool:
    if isinstance(obj, FakeDict):
        obj[key] = value
        return True
    return False


TF = _tf_namespace()
from . import keras as _keras_lang  # noqa: E402  (its tables need the namespaces above)
NP = _numpy_namespace()
MATH = _math_namespace()
PLT = _pyplot_namespace()
MATPLOTLIB = Namespace("matplotlib", {"pyplot": PLT, "rcParams": PLT.table["rcParams"], "cm": PLT.table["cm"]},
                       lambda n: "only matplotlib.pyplot is available")

MODULES: dict[str, Namespace] = {
    "tensorflow": TF, "numpy": NP, "math": MATH, "time": _time_namespace(), "random": _random_namespace(),
    "matplotlib": MATPLOTLIB, "matplotlib.pyplot": PLT,
    "tensorflow.keras": TF.table["keras"], "keras": TF.table["keras"],
    "sklearn": _keras_lang.SKLEARN, "sklearn.datasets": _keras_lang.SKLEARN_DATASETS,
    "sklearn.model_selection": _keras_lang.SKLEARN_MODEL_SELECTION,
}
for _sub in ("math", "nn", "linalg", "random", "strings", "dtypes", "errors", "config"):
    MODULES[f"tensorflow.{_sub}"] = TF.table[_sub]
for _sub, _ns in list(TF.table["keras"].table.items()):
    if isinstance(_ns, Namespace):
        MODULES[f"tensorflow.keras.{_sub}"] = _ns
        MODULES[f"keras.{_sub}"] = _ns

_REFUSED_MODULES = {
    "os": "programs cannot reach the file system or the process (a notebook's os.environ line that picks "
          "Keras's backend is not needed: Keras runs on TensorFlow here)", "sys": "not available", "subprocess":
    "programs cannot run other programs", "shutil": "programs cannot reach the file system", "pathlib":
    "programs cannot reach the file system", "pickle": "reads and runs data as code", "socket": "no network",
    "urllib": "no network", "requests": "no network", "importlib": "not available", "builtins": "not available",
    "ctypes": "not available", "inspect": "not available", "gc": "not available", "threading": "not available",
    "multiprocessing": "not available", "io": "programs cannot reach files", "json": "not available",
    "mitdeeplearning": "it installs from the network; the lab's checks are ordinary comparisons you can write with "
                       "np.testing.assert_allclose",
    "IPython": "notebook plumbing; nothing to do here", "google": "Colab plumbing; nothing to do here",
    "torch": "this explorer runs TensorFlow", "jax": "this explorer runs TensorFlow",
    "pandas": "not available here", "seaborn": "not available here: use matplotlib.pyplot (plt)",
}

PREDEFINED = ("tf", "np", "math", "plt")
PREDEFINED_VALUES = {"tf": TF, "np": NP, "math": MATH, "plt": PLT}


def initial_globals(interp) -> dict:
    """The names a program starts with: the notebook's usual imports are already made."""
    return dict(PREDEFINED_VALUES)


def import_module(name: str, node) -> Namespace:
    if name in MODULES:
        return MODULES[name]
    top = name.split(".")[0]
    why = _REFUSED_MODULES.get(name) or _REFUSED_MODULES.get(top)
    if why is None:
        if name.startswith(("tensorflow.", "keras.")):
            why = "that part of TensorFlow is not available to programs here"
        else:
            why = ("the program can import tensorflow, numpy, math, time, random and matplotlib.pyplot")
    if why == "not available":
        why = ("it reaches the Python process or its machinery; programs can import tensorflow, numpy, math, time, "
               "random and matplotlib.pyplot")
    raise ProgramError(f"`import {name}` is not available: {why}", getattr(node, "lineno", None),
                       getattr(node, "col_offset", -1) + 1)


def module_attr(module: Namespace, name: str, node) -> Any:
    v = module.table.get(name, _MISSING)
    if v is not _MISSING:
        return v
    dotted = f"{module.name}.{name}"
    if dotted in MODULES:
        return MODULES[dotted]
    raise ProgramError(f"cannot import `{name}` from `{module.name}`: " + (missing_in_module(module, name)),
                       getattr(node, "lineno", None), getattr(node, "col_offset", -1) + 1)


# ---- classes (Keras classes plug in here: explorer.keras) ------------------------------------------------------

NATIVE_HOOKS: dict[str, Callable] = {}


def is_native_base(b: Any) -> bool:
    hook = NATIVE_HOOKS.get("is_native_base")
    return bool(hook and hook(b))


def make_class(interp, name: str, bases: tuple, ns: dict, line: int) -> Class:
    hook = NATIVE_HOOKS.get("make_class")
    if hook is not None:
        made = hook(interp, name, bases, ns, line)
        if made is not None:
            return made
    return Class(name, bases, ns, line)


def instantiate(interp, cls: Class, args: list, kwargs: dict, site) -> Any:
    hook = NATIVE_HOOKS.get("instantiate")
    if hook is not None and cls.native is not None:
        made = hook(interp, cls, args, kwargs, site)
        if made is not _MISSING:
            return made
    if any(isinstance(c, ExcClass) for c in cls.mro):
        obj = Instance(cls)
        init, _ = cls.lookup("__init__")
        obj.attrs["args"] = tuple(args)
        if init is not _MISSING:
            interp.call_function(init, [obj, *args], kwargs, site)
        return obj
    obj = Instance(cls)
    init, _ = cls.lookup("__init__")
    if init is not _MISSING:
        if not isinstance(init, Function):
            raise TypeError(f"{cls.name}.__init__ must be a function")
        if interp.call_function(init, [obj, *args], kwargs, site) is not None:
            raise TypeError("__init__() should return None")
    elif args or kwargs:
        raise TypeError(f"{cls.name}() takes no arguments")
    return obj


def _hook(name: str, default: Any = _MISSING):
    def call(*args):
        fn = NATIVE_HOOKS.get(name)
        return fn(*args) if fn is not None else default
    return call


native_attr = _hook("native_attr")
native_setattr = _hook("native_setattr", False)
native_getitem = _hook("native_getitem")
native_truth = _hook("native_truth", True)
native_iter = _hook("native_iter")
native_len = _hook("native_len")
native_repr = _hook("native_repr", "")
native_call = _hook("native_call")
native_value_attr = _hook("native_value_attr")
native_super_attr = _hook("native_super_attr")
native_isinstance = _hook("native_isinstance", False)
native_type_check = _hook("native_type_check")


def _default_native_iter(interp, v):
    t = type(v)
    if t is Generator or (t.__module__ == "builtins" and (hasattr(t, "__next__") or t.__name__.startswith("dict_"))):
        return iter(v)      # Python's own iterators: zip, map, reversed, dict views, generators of ours
    if isinstance(v, (tf.TensorShape, frozenset)):
        return iter(v)
    return _MISSING


def native_container(v):
    if isinstance(v, (tf.TensorShape,)):
        return list(v)
    if type(v).__name__ in ("dict_keys", "dict_values", "dict_items", "frozenset"):
        return v
    raise TypeError(f"argument of type '{type_name(v)}' is not iterable")


NATIVE_HOOKS["native_iter"] = _default_native_iter
NATIVE_HOOKS.update({"is_native_base": _keras_lang.is_native_base, "instantiate": _keras_lang.instantiate,
                     "native_attr": _keras_lang.native_attr, "native_setattr": _keras_lang.native_setattr,
                     "native_call": _keras_lang.native_call, "native_value_attr": _keras_lang.value_attr,
                     "native_super_attr": _keras_lang.super_attr, "native_repr": _keras_lang.native_repr})
native_setattr_value = _keras_lang.native_setattr_value
call_scope = _keras_lang.call_scope
SPECS = SPECS
_ = (Property, LimitError, ProgramRaise, _site_error, _KERAS_REFUSED)
