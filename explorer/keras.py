"""Keras inside programs: layers, models, losses, metrics, optimizers and `compile`/`fit`, run by the
interpreter so every number is TensorFlow's and every op lands in the graph.

How it is built. A layer's forward pass is made of the op table's rows (tf.matmul, tf.add, Keras's
activation functions), called through the recorder like any op the program writes, so the graph shows
`sigmoid(x @ W + b)` inside a layer, and the chain rule runs through it. Each layer call pushes a scope
entry `keras:<layer name>:<class>#n`; the renderer draws the nodes of one call as a cluster, which the
page can collapse to one box. Weights are tf.Variables made by the recorder, named `<layer>/<weight>` as
Keras names them, with initial values from Keras's own initializers; an initializer without a seed takes
`random.randint(1, 10**9)` from the run's Python stream, as Keras's `make_default_seed` takes it from
Python's, so after `keras.utils.set_random_seed(s)` the weights equal a notebook's.
Losses record one node that calls Keras's own loss (with the logits under a softmax or sigmoid passed
along, as Keras reads them); optimizers are Keras's own, and each update is recorded as an assign node.

A program's class may extend `keras.layers.Layer` or `keras.Model`: its instance is the interpreter's
Instance, with a companion object here that holds what Keras keeps (name, weights, sublayers, compile
state); attributes the class does not define are looked up on the companion.
"""

from __future__ import annotations

import math
import re
import time
import weakref
from typing import Any

import keras as _keras
import numpy as np
import tensorflow as tf
from tensorflow.python.framework.ops import EagerTensor

from . import limits
from .errors import ProgramError
from .ops import SPECS, OpSpec
from .recorder import Site
from .values import _MISSING, BoundMethod, Builtin, Class, Function, Instance, LimitError, Namespace, TypeInfo

SCOPE_PREFIX = "keras:"          # scope entries of layer calls: "keras:dense_1:Dense#12"
_NOWHERE = Site(0, 0, "")


# ---- per-run state -----------------------------------------------------------------------------------------

class KerasState:
    """What one run's Keras objects share: the name counters (a fresh notebook kernel's) and the fits."""

    def __init__(self, interp):
        self.interp = interp
        self.names: dict[str, int] = {}
        self.fits: list[dict] = []          # one per fit call: {"model", "history", "epochs", "line"}
        self.companions: "weakref.WeakKeyDictionary[Instance, KLayer]" = weakref.WeakKeyDictionary()
        self.weights: dict[int, tuple[tf.Variable, str, str]] = {}   # id -> (variable, Keras name, path)

    def unique(self, base: str) -> str:
        n = self.names.get(base, 0)
        self.names[base] = n + 1
        return base if n == 0 else f"{base}_{n}"


def state(interp) -> KerasState:
    s = getattr(interp, "keras_state", None)
    if s is None:
        s = interp.keras_state = KerasState(interp)
    return s


def _snake(name: str) -> str:
    """Keras's to_snake_case: OurDenseLayer -> our_dense_layer."""
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def _default_seed(interp) -> int:
    return interp.rec.random.python.randint(1, int(1e9))


class _Unrecorded:
    """Ops run without becoming nodes: predict, evaluate, metrics."""

    def __init__(self, interp):
        self.rec = interp.rec

    def __enter__(self):
        self.was = self.rec.active
        self.rec.active = False

    def __exit__(self, *exc):
        self.rec.active = self.was


def _op(interp, name: str, *args, site: Site = _NOWHERE, **kwargs):
    return interp.rec.call(SPECS[name], args, kwargs, site)


def _plain(v):
    """A value for Keras itself: tensors and arrays as they are, lists as arrays."""
    if isinstance(v, tf.Variable):
        return v.read_value()
    if isinstance(v, (list, tuple)):
        return np.asarray(v)
    return v


def _kwargs_check(owner: str, kwargs: dict, allowed: tuple) -> None:
    bad = [k for k in kwargs if k not in allowed]
    if bad:
        raise TypeError(f"Unrecognized keyword arguments passed to {owner}: {{{', '.join(repr(b) for b in bad)}}}")


# ---- the objects a program can touch -------------------------------------------------------------------------

class KObject:
    """A Keras object of the language. Methods a program may call are `m_<name>(interp, args, kwargs,
    site)`; attributes it may read are `p_<name>(interp)`; nothing else is reachable."""
    kind = "object"

    def attr(self, interp, name: str, site: Site) -> Any:
        m = getattr(type(self), "m_" + name, None)
        if m is not None:
            return Builtin(f"{self.kind}.{name}", lambda i, a, k, s, m=m: m(self, i, list(a), dict(k), s))
        p = getattr(type(self), "p_" + name, None)
        if p is not None:
            return p(self, interp)
        return _MISSING

    def set_attr(self, interp, name: str, value: Any) -> bool:
        setter = getattr(type(self), "set_" + name, None)
        if setter is None:
            return False
        setter(self, interp, value)
        return True

    def repr(self) -> str:
        return f"<{self.kind} object>"


class KClass(TypeInfo):
    """A Keras class the program names (`keras.layers.Dense`): it constructs, it can be a base class,
    and `isinstance` asks it."""
    __slots__ = ("pycls", "path")

    def __init__(self, path: str, pycls: type):
        self.pycls, self.path = pycls, path
        name = path.rsplit(".", 1)[-1]
        super().__init__(name, lambda v, c=pycls: isinstance(v, c) or isinstance(companion(v), c),
                         lambda interp, a, k, s, c=pycls: c.construct(interp, list(a), dict(k), s))

    def __repr__(self):
        return f"<class '{self.path}'>"


def companion(v) -> "KLayer | None":
    if isinstance(v, Instance) and v.cls.native is not None and isinstance(v.cls.native, KClass):
        interp = _INTERP_OF.get(v)
        if interp is not None:
            return state(interp).companions.get(v)
    return None


_INTERP_OF: "weakref.WeakKeyDictionary[Instance, Any]" = weakref.WeakKeyDictionary()


def public(layer: "KLayer"):
    """What the program holds for a layer: its own class's instance, or the Keras object."""
    return layer.owner if layer.owner is not None else layer


def as_layer(v) -> "KLayer | None":
    if isinstance(v, KLayer):
        return v
    return companion(v)


# ---- initializers and activations ----------------------------------------------------------------------------

_RANDOM_INITS = {"GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform", "LecunNormal", "LecunUniform",
                 "RandomNormal", "RandomUniform", "TruncatedNormal", "Orthogonal", "VarianceScaling"}
_INIT_NAMES = {"glorot_uniform": "GlorotUniform", "glorot_normal": "GlorotNormal", "he_normal": "HeNormal",
               "he_uniform": "HeUniform", "lecun_normal": "LecunNormal", "lecun_uniform": "LecunUniform",
               "random_normal": "RandomNormal", "random_uniform": "RandomUniform", "truncated_normal":
               "TruncatedNormal", "orthogonal": "Orthogonal", "zeros": "Zeros", "ones": "Ones", "constant":
               "Constant", "identity": "Identity", "variance_scaling": "VarianceScaling", "uniform": "RandomUniform",
               "normal": "RandomNormal"}


class KInitializer(KObject):
    kind = "Initializer"

    def __init__(self, interp, cls_name: str, kwargs: dict):
        cls = getattr(_keras.initializers, cls_name)
        if cls_name in _RANDOM_INITS and kwargs.get("seed") is None:
            kwargs = {**kwargs, "seed": _default_seed(interp)}       # Keras: random.make_default_seed()
        self.name = cls_name
        self.real = cls(**kwargs)

    @classmethod
    def construct_named(cls, cls_name):
        return lambda interp, args, kwargs, site: cls(interp, cls_name, _positional(cls_name, args, kwargs))

    def make(self, interp, shape, dtype):
        _check_elements(shape)
        with _Unrecorded(interp):
            return self.real(shape=tuple(int(d) for d in shape), dtype=dtype)

    def m___call__(self, interp, args, kwargs, site):
        shape = args[0] if args else kwargs.get("shape")
        dtype = kwargs.get("dtype", args[1] if len(args) > 1 else interp.float)
        return tf.convert_to_tensor(self.make(interp, shape, dtype))

    def m_get_config(self, interp, args, kwargs, site):
        return dict(self.real.get_config())

    def repr(self):
        return f"<{self.name} initializer>"


def _check_elements(shape) -> None:
    n = 1
    for d in tuple(shape):
        n *= max(int(d), 0)
    if n > limits.MAX_TENSOR_ELEMENTS:
        raise ProgramError(f"this would make a tensor of {n:,} elements; the limit is {limits.MAX_TENSOR_ELEMENTS:,}")


def _positional(cls_name: str, args: list, kwargs: dict) -> dict:
    if not args:
        return kwargs
    names = {"RandomNormal": ("mean", "stddev", "seed"), "RandomUniform": ("minval", "maxval", "seed"),
             "TruncatedNormal": ("mean", "stddev", "seed"), "Constant": ("value",)}.get(cls_name, ("seed",))
    return {**dict(zip(names, args)), **kwargs}


def initializer(interp, spec, site: Site) -> Any:
    if isinstance(spec, KInitializer):
        return spec
    if isinstance(spec, str):
        name = _INIT_NAMES.get(spec.lower())
        if name is None:
            raise ValueError(f"Could not interpret initializer identifier: {spec}")
        return KInitializer(interp, name, {})
    if isinstance(spec, (Function, BoundMethod, Builtin)):
        return spec
    raise ValueError(f"Could not interpret initializer identifier: {interp.describe(spec)}")


_ACTIVATIONS = ("relu", "sigmoid", "tanh", "softplus", "softsign", "elu", "selu", "gelu", "silu", "swish",
                "exponential", "linear", "softmax", "leaky_relu", "relu6", "log_softmax")


def activation(interp, spec, site: Site):
    """The activation as something interp.call can call on a tensor; None for no activation."""
    if spec is None:
        return None
    if isinstance(spec, str):
        if spec not in _ACTIVATIONS:
            raise ValueError(f"Could not interpret activation function identifier: {spec}")
        return None if spec == "linear" else interp.lib.TF.table["keras"].table["activations"].table[spec]
    return spec


def _plain_activation(spec):
    """The TensorFlow function of an activation the language holds (None: no activation; False: the
    program's own function, which only the interpreter can run)."""
    from .values import OpCallable
    if spec is None:
        return None
    if isinstance(spec, OpCallable):
        return spec.spec.fn
    return False


def _activation_name(spec) -> str:
    if spec is None:
        return "linear"
    return getattr(spec, "name", None) or getattr(spec, "label", None) or "custom"


# ---- layers ------------------------------------------------------------------------------------------------

class KLayer(KObject):
    kind = "Layer"
    base_name = "layer"
    allowed = ("name", "trainable", "dtype", "input_shape", "input_dim", "autocast")

    def __init__(self, interp, kwargs: dict | None = None, owner: Instance | None = None):
        kwargs = dict(kwargs or {})
        _kwargs_check(type(self).__name__.lstrip("K") if owner is None else owner.cls.name, kwargs, self.allowed)
        self.interp = interp
        self.owner = owner
        cls_name = owner.cls.name if owner is not None else self.class_name()
        self.name = kwargs.get("name") or state(interp).unique(_snake(cls_name) if owner is not None
                                                               else self.base_name)
        self.trainable = bool(kwargs.get("trainable", True))
        self.dtype = tf.as_dtype(kwargs["dtype"]) if kwargs.get("dtype") else interp.float
        self.built = False
        self.weights_: list[tf.Variable] = []
        self.sublayers: list[KLayer] = []
        self.losses_: list = []
        shape = kwargs.get("input_shape")
        if shape is None and kwargs.get("input_dim") is not None:
            shape = (kwargs["input_dim"],)
        self.input_shape = tuple(shape) if shape is not None else None
        self.output_shape = None

    @classmethod
    def construct(cls, interp, args, kwargs, site):
        return cls(interp, kwargs) if not args else cls.with_args(interp, args, kwargs, site)

    @classmethod
    def with_args(cls, interp, args, kwargs, site):
        raise TypeError(f"{cls.class_name()}() takes keyword arguments only")

    @classmethod
    def class_name(cls) -> str:
        return cls.__name__[1:]

    def repr(self):
        return f"<{self.owner.cls.name if self.owner is not None else self.class_name()} name={self.name}, " \
               f"built={self.built}>"

    # ---- weights ----
    def add_weight(self, interp, site, shape, initializer_spec, name, trainable=True, dtype=None, regularizer=None):
        shape = tuple(int(d) for d in (shape if shape is not None else ()))
        n = int(np.prod(shape)) if shape else 1
        total = sum(int(np.prod(w.shape)) for w in self.all_weights()) + n
        if total > limits.MAX_MODEL_PARAMS:
            raise ProgramError(f"this layer would hold {total:,} parameters; a model here may have at most "
                               f"{limits.MAX_MODEL_PARAMS:,}", site.line, site.col)
        dtype = tf.as_dtype(dtype) if dtype is not None else self.dtype
        init = initializer(interp, initializer_spec if initializer_spec is not None else
                           ("glorot_uniform" if dtype.is_floating else "zeros"), site)
        if isinstance(init, KInitializer):
            value = init.make(interp, shape, dtype)
            how = init.name
        else:
            value = interp.call(init, [shape], {"dtype": dtype}, site)
            how = _activation_name(init)
        value = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
        st = state(interp)
        kname = name or st.unique("variable")               # Keras 3 names an unnamed weight variable, variable_1
        full = f"{self.name}/{kname}"
        scopes = [e[len(SCOPE_PREFIX):].split(":", 1)[0] for e in interp.scope if e.startswith(SCOPE_PREFIX)]
        if not scopes or scopes[-1] != self.name:
            scopes.append(self.name)
        path = "/".join(scopes + [kname])                   # Keras's name scopes at build time
        wsite = Site(site.line, site.col, f"{full} ({how})")
        var = interp.rec.variable({"initial_value": value.astype(dtype.as_numpy_dtype), "trainable": trainable,
                                   "name": kname}, wsite)
        st.weights[id(var)] = (var, kname, path)
        interp.rec.name(full, var)
        self.weights_.append(var)
        if regularizer is not None:
            self.losses_.append((regularizer, var))
        return var

    def all_weights(self) -> list[tf.Variable]:
        out, seen = [], set()
        for w in self.weights_ + [w for layer in self.sublayers for w in layer.all_weights()]:
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        return out

    def trainable_weights(self) -> list[tf.Variable]:
        if not self.trainable:
            return []
        own = [w for w in self.weights_ if w.trainable]
        return _unique(own + [w for layer in self.sublayers for w in layer.trainable_weights()])

    def non_trainable_weights(self) -> list[tf.Variable]:
        t = {id(w) for w in self.trainable_weights()}
        return [w for w in self.all_weights() if id(w) not in t]

    def track(self, value) -> None:
        items = value if isinstance(value, (list, tuple)) else [value]
        for v in items:
            layer = as_layer(v)
            if layer is not None and layer is not self and layer not in self.sublayers:
                self.sublayers.append(layer)

    # ---- calling ----
    def invoke(self, interp, args: list, kwargs: dict, site: Site):
        if not args:
            if "inputs" not in kwargs:
                raise TypeError(f"{self.name}: call it on its inputs, layer(x)")
            args = [kwargs.pop("inputs")]
        x = self.convert_input(interp, args[0], site)
        interp.calls_made += 1
        saved = interp.scope
        interp.scope = saved + (f"{SCOPE_PREFIX}{self.name}:{self.display_class()}#{interp.calls_made}",)
        try:
            if not self.built:
                self.run_build(interp, _shape_of(x), site)
            out = self.run_call(interp, [x, *args[1:]], kwargs, site)
        finally:
            interp.scope = saved
        if self.output_shape is None and hasattr(out, "shape"):
            self.output_shape = (None,) + tuple(out.shape[1:])
        return out

    def display_class(self) -> str:
        return self.owner.cls.name if self.owner is not None else self.class_name()

    def convert_input(self, interp, x, site):
        if isinstance(x, (EagerTensor, tf.Variable)):
            if x.dtype.is_floating and x.dtype != self.dtype:
                return _op(interp, "tf.cast", x, self.dtype, site=site)
            return x
        if isinstance(x, (np.ndarray, np.generic, list, tuple, int, float)):
            a = np.asarray(x)
            if a.dtype.kind in "fiub":
                return _op(interp, "tf.convert_to_tensor", x, dtype=self.dtype if a.dtype.kind in "fiu" else None,
                           site=Site(site.line, site.col, site.args[0] if site.args else "inputs"))
        return x

    def run_build(self, interp, shape, site):
        if self.owner is not None:
            build, _ = self.owner.cls.lookup("build")
            if build is not _MISSING:
                interp.call(BoundMethod(build, self.owner), [tf.TensorShape(shape)], {}, site)
                self.built = True
                return
        self.build(interp, shape, site)
        self.built = True
        self.input_shape = (None,) + tuple(shape[1:]) if shape else shape

    def build(self, interp, shape, site):
        pass

    def run_call(self, interp, args, kwargs, site):
        if self.owner is not None:
            call, _ = self.owner.cls.lookup("call")
            if call is _MISSING:
                raise NotImplementedError(f"Layer {self.owner.cls.name} does not have a `call()` method "
                                          "implemented.")
            if "training" in kwargs and isinstance(call, Function) and "training" not in call.params.names \
                    and call.params.kwarg is None:
                kwargs = {k: v for k, v in kwargs.items() if k != "training"}
            return interp.call(BoundMethod(call, self.owner), args, kwargs, site)
        kwargs = {k: v for k, v in kwargs.items() if k not in ("training", "mask")}
        if kwargs or len(args) > 1:
            raise TypeError(f"{self.class_name()}.call() takes its inputs only")
        return self.call(interp, args[0], site)

    def call(self, interp, x, site):
        return x

    def compute_output_shape(self, shape):
        return shape

    def regularization_losses(self, interp, site) -> list:
        out = []
        for reg, var in self.losses_:
            out.append(interp.call(reg, [var], {}, site) if not isinstance(reg, KRegularizer)
                       else reg.apply(interp, var, site))
        for layer in self.sublayers:
            out += layer.regularization_losses(interp, site)
        return out

    # ---- what the program reads ----
    def m___call__(self, interp, args, kwargs, site):
        return self.invoke(interp, args, kwargs, site)

    def m_call(self, interp, args, kwargs, site):
        return self.call(interp, self.convert_input(interp, args[0], site), site)

    def m_build(self, interp, args, kwargs, site):
        shape = args[0] if args else kwargs.get("input_shape")
        if not self.built:
            saved = interp.scope
            interp.calls_made += 1
            interp.scope = saved + (f"{SCOPE_PREFIX}{self.name}:{self.display_class()}#{interp.calls_made}",)
            try:
                self.build(interp, tuple(shape), site)
            finally:
                interp.scope = saved
            self.built = True
        return None

    def m_add_weight(self, interp, args, kwargs, site):
        name = kwargs.pop("name", None)
        if args and isinstance(args[0], str):          # Keras 2's add_weight("weight", shape=...) as MIT writes it
            name, args = args[0], args[1:]
        shape = kwargs.pop("shape", args[0] if args else None)
        _kwargs_check("add_weight", kwargs, ("initializer", "dtype", "trainable", "regularizer", "constraint",
                                             "autocast", "aggregation"))
        return self.add_weight(interp, site, shape, kwargs.get("initializer"), name,
                               bool(kwargs.get("trainable", True)), kwargs.get("dtype"), kwargs.get("regularizer"))

    def m_get_weights(self, interp, args, kwargs, site):
        return [np.asarray(w.numpy()) for w in self.all_weights()]

    def m_set_weights(self, interp, args, kwargs, site):
        values = args[0]
        ws = self.all_weights()
        if len(values) != len(ws):
            raise ValueError(f"You called `set_weights(weights)` on layer '{self.name}' with a weight list of length "
                             f"{len(values)}, but the layer was expecting {len(ws)} weights.")
        for w, v in zip(ws, values):
            interp.rec.assign(w, "assign", v, None, site)

    def m_count_params(self, interp, args, kwargs, site):
        return sum(int(np.prod(w.shape)) for w in self.all_weights())

    def m_get_config(self, interp, args, kwargs, site):
        return {"name": self.name, "trainable": self.trainable}

    def p_name(self, interp):
        return self.name

    def p_built(self, interp):
        return self.built

    def p_trainable(self, interp):
        return self.trainable

    def set_trainable(self, interp, value):
        self.trainable = bool(value)

    def p_weights(self, interp):
        return list(self.all_weights())

    p_variables = p_weights

    def p_trainable_weights(self, interp):
        return self.trainable_weights()

    p_trainable_variables = p_trainable_weights

    def p_non_trainable_weights(self, interp):
        return self.non_trainable_weights()

    p_non_trainable_variables = p_non_trainable_weights

    def p_losses(self, interp):
        return self.regularization_losses(interp, _NOWHERE)

    def p_input_shape(self, interp):
        return self.input_shape

    def p_output_shape(self, interp):
        return self.output_shape

    def p_dtype(self, interp):
        return self.dtype.name

    def p_submodules(self, interp):
        return [public(layer) for layer in self.sublayers]


def _unique(ws):
    seen, out = set(), []
    for w in ws:
        if id(w) not in seen:
            seen.add(id(w))
            out.append(w)
    return out


def _shape_of(x) -> tuple:
    if hasattr(x, "shape"):
        return tuple(None if d is None else int(d) for d in x.shape)
    return tuple(np.shape(x))


class KDense(KLayer):
    kind = "Dense"
    base_name = "dense"
    allowed = KLayer.allowed + ("units", "activation", "use_bias", "kernel_initializer", "bias_initializer",
                                "kernel_regularizer", "bias_regularizer", "activity_regularizer",
                                "kernel_constraint", "bias_constraint")

    def __init__(self, interp, kwargs):
        super().__init__(interp, {k: v for k, v in kwargs.items() if k in KLayer.allowed})
        _kwargs_check("Dense", kwargs, self.allowed)
        units = kwargs.get("units")
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive integer. "
                             f"Received: units={units}")
        self.units = int(units)
        self.activation_spec = kwargs.get("activation")
        self.activation = activation(interp, self.activation_spec, _NOWHERE)
        self.use_bias = bool(kwargs.get("use_bias", True))
        # Keras resolves the initializers here, in this order: the seeds come from the stream now
        self.kernel_init = initializer(interp, kwargs.get("kernel_initializer", "glorot_uniform"), _NOWHERE)
        self.bias_init = initializer(interp, kwargs.get("bias_initializer", "zeros"), _NOWHERE)
        self.kernel_reg = regularizer(interp, kwargs.get("kernel_regularizer"))
        self.bias_reg = regularizer(interp, kwargs.get("bias_regularizer"))
        self.kernel = self.bias = None

    @classmethod
    def with_args(cls, interp, args, kwargs, site):
        names = ("units", "activation", "use_bias", "kernel_initializer", "bias_initializer")
        for n, v in zip(names, args):
            if n in kwargs:
                raise TypeError(f"Dense() got multiple values for argument '{n}'")
            kwargs[n] = v
        return cls(interp, kwargs)

    def build(self, interp, shape, site):
        if not shape or shape[-1] is None:
            raise ValueError(f"Dense layer '{self.name}' needs inputs with a known last dimension; got shape {shape}")
        self.kernel = self.add_weight(interp, site, (shape[-1], self.units), self.kernel_init, "kernel",
                                      regularizer=self.kernel_reg)
        if self.use_bias:
            self.bias = self.add_weight(interp, site, (self.units,), self.bias_init, "bias", regularizer=self.bias_reg)

    def call(self, interp, x, site):
        """Keras's Dense.call: matmul(inputs, kernel), add(bias), then the activation."""
        at = (site.line, site.col)
        if x.shape.rank is not None and x.shape.rank > 2:
            z = _op(interp, "tf.tensordot", x, self.kernel, [[x.shape.rank - 1], [0]],
                    site=Site(*at, f"{self.name}: inputs · kernel"))
        else:
            z = _op(interp, "tf.matmul", x, self.kernel, site=Site(*at, f"{self.name}: inputs @ kernel"))
        if self.use_bias:
            z = _op(interp, "tf.add", z, self.bias, site=Site(*at, f"{self.name}: + bias"))
        if self.activation is not None:
            z = interp.call(self.activation, [z], {}, Site(*at, f"{self.name}: {_activation_name(self.activation)}"))
        return z

    def compute_output_shape(self, shape):
        return tuple(shape[:-1]) + (self.units,)

    def plain(self, x, training, check=False):
        if check:
            return self.built and _plain_activation(self.activation) is not False
        if x.shape.rank is not None and x.shape.rank > 2:
            z = tf.tensordot(x, self.kernel, [[x.shape.rank - 1], [0]])
        else:
            z = tf.matmul(x, self.kernel)
        if self.use_bias:
            z = tf.add(z, self.bias)
        act = _plain_activation(self.activation)
        return act(z) if act is not None else z

    def p_units(self, interp):
        return self.units

    def p_kernel(self, interp):
        return self.kernel

    def p_bias(self, interp):
        return self.bias

    def p_activation(self, interp):
        return self.activation

    def m_get_config(self, interp, args, kwargs, site):
        return {"name": self.name, "units": self.units, "activation": _activation_name(self.activation),
                "use_bias": self.use_bias}


class KFlatten(KLayer):
    kind = "Flatten"
    base_name = "flatten"
    allowed = KLayer.allowed + ("data_format",)

    def call(self, interp, x, site):
        rest = int(np.prod(x.shape[1:])) if x.shape.rank > 1 else 1
        return _op(interp, "tf.reshape", x, [-1, rest], site=site)

    def compute_output_shape(self, shape):
        return (shape[0], int(np.prod(shape[1:])))

    def plain(self, x, training, check=False):
        if check:
            return True
        return tf.reshape(x, [-1, int(np.prod(x.shape[1:])) if x.shape.rank > 1 else 1])


class KActivation(KLayer):
    kind = "Activation"
    base_name = "activation"
    fixed: str | None = None

    def __init__(self, interp, kwargs):
        spec = kwargs.pop("activation", self.fixed)
        axis = kwargs.pop("axis", None)
        super().__init__(interp, kwargs)
        self.fn = activation(interp, spec, _NOWHERE)
        self.axis = axis

    @classmethod
    def with_args(cls, interp, args, kwargs, site):
        if cls.fixed is None:
            kwargs["activation"] = args[0]
            return cls(interp, kwargs)
        return super().with_args(interp, args, kwargs, site)

    def call(self, interp, x, site):
        if self.fn is None:
            return x
        return interp.call(self.fn, [x], self.options(), site)

    def options(self) -> dict:
        return {} if self.axis is None else {"axis": self.axis}

    def plain(self, x, training, check=False):
        fn = _plain_activation(self.fn)
        if check:
            return fn is not False
        return x if fn is None else fn(x, **self.options())


class KReLU(KActivation):
    kind, base_name, fixed = "ReLU", "re_lu", "relu"
    option_names = ("max_value", "negative_slope", "threshold")

    def __init__(self, interp, kwargs):
        self.relu_options = {k: kwargs.pop(k) for k in self.option_names if kwargs.get(k) is not None}
        super().__init__(interp, kwargs)

    def options(self) -> dict:
        return dict(self.relu_options)


class KLeakyReLU(KActivation):
    kind, base_name, fixed = "LeakyReLU", "leaky_re_lu", "leaky_relu"

    def __init__(self, interp, kwargs):
        slope = kwargs.pop("negative_slope", kwargs.pop("alpha", 0.3))
        super().__init__(interp, kwargs)
        self.slope = float(slope)

    @classmethod
    def with_args(cls, interp, args, kwargs, site):
        kwargs["negative_slope"] = args[0]
        return cls(interp, kwargs)

    def options(self) -> dict:
        return {"negative_slope": self.slope}


class KSoftmax(KActivation):
    kind, base_name, fixed = "Softmax", "softmax", "softmax"


class KDropout(KLayer):
    kind = "Dropout"
    base_name = "dropout"
    allowed = KLayer.allowed + ("rate", "noise_shape", "seed")

    def __init__(self, interp, kwargs):
        rate = kwargs.pop("rate", None)
        seed = kwargs.pop("seed", None)
        kwargs.pop("noise_shape", None)
        super().__init__(interp, kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between 0 and "
                             f"1. Received: rate={rate}")
        self.rate = float(rate)
        self.seed = _keras.random.SeedGenerator(seed if seed is not None else _default_seed(interp))

    @classmethod
    def with_args(cls, interp, args, kwargs, site):
        kwargs["rate"] = args[0]
        return cls(interp, kwargs)

    def plain(self, x, training, check=False):
        if check:
            return True
        if training and self.rate > 0:
            return x * _keras.random.dropout(tf.ones_like(x), self.rate, seed=self.seed)
        return x

    def run_call(self, interp, args, kwargs, site):
        if kwargs.get("training") and self.rate > 0:
            mask_scale = _keras.random.dropout(tf.ones_like(args[0]), self.rate, seed=self.seed)
            return _op(interp, "tf.multiply", args[0], mask_scale.numpy(), site=Site(site.line, site.col,
                                                                                     "dropout mask"))
        return args[0]


class KInput(KObject):
    """keras.Input(shape=...): a shape for Sequential, nothing more (the functional API is not here)."""
    kind = "KerasTensor"

    def __init__(self, shape):
        self.shape = (None,) + tuple(shape)

    @classmethod
    def construct(cls, interp, args, kwargs, site):
        shape = args[0] if args else kwargs.get("shape")
        if shape is None:
            raise ValueError("keras.Input needs shape=")
        return cls(tuple(shape) if isinstance(shape, (list, tuple)) else (shape,))

    def p_shape(self, interp):
        return self.shape

    def repr(self):
        return f"<KerasTensor shape={self.shape}>"


# ---- regularizers ------------------------------------------------------------------------------------------

class KRegularizer(KObject):
    kind = "Regularizer"

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(l1), float(l2)

    def plain(self, var):
        out = 0.0
        if self.l1:
            out = out + self.l1 * tf.reduce_sum(tf.abs(var))
        if self.l2:
            out = out + self.l2 * tf.reduce_sum(tf.square(var))
        return out

    def apply(self, interp, var, site):
        terms = []
        if self.l1:
            terms.append(_op(interp, "tf.multiply", self.l1, _op(interp, "tf.reduce_sum", _op(interp, "tf.abs", var,
                                                                                                 site=site), site=site),
                             site=site))
        if self.l2:
            terms.append(_op(interp, "tf.multiply", self.l2, _op(interp, "tf.reduce_sum", _op(interp, "tf.square", var,
                                                                                                 site=site), site=site),
                             site=site))
        return terms[0] if len(terms) == 1 else _op(interp, "tf.add", terms[0], terms[1], site=site)

    def m___call__(self, interp, args, kwargs, site):
        return self.apply(interp, args[0], site)


def regularizer(interp, spec):
    if spec is None or isinstance(spec, KRegularizer):
        return spec
    if isinstance(spec, str):
        return {"l1": KRegularizer(l1=0.01), "l2": KRegularizer(l2=0.01), "l1_l2": KRegularizer(0.01, 0.01)}[spec]
    return spec


# ---- models ------------------------------------------------------------------------------------------------

class KModel(KLayer):
    kind = "Model"
    base_name = "model"

    def __init__(self, interp, kwargs=None, owner=None):
        kwargs = dict(kwargs or {})
        if "inputs" in kwargs or "outputs" in kwargs:
            raise ProgramError("the functional API (keras.Model(inputs, outputs)) is not available here: use "
                               "keras.Sequential([...]) or a class that extends keras.Model with a call method")
        super().__init__(interp, kwargs, owner)
        self.compiled: dict | None = None
        self.history: KHistory | None = None
        self.stop_training = False

    @classmethod
    def construct(cls, interp, args, kwargs, site):
        if args:
            raise ProgramError("the functional API (keras.Model(inputs, outputs)) is not available here: use "
                               "keras.Sequential([...]) or a class that extends keras.Model", site.line, site.col)
        return cls(interp, kwargs)

    def params(self) -> int:
        return sum(int(np.prod(w.shape)) for w in self.all_weights())

    # ---- compile / fit / evaluate / predict ----
    def m_compile(self, interp, args, kwargs, site):
        names = ("optimizer", "loss", "loss_weights", "metrics")
        kwargs = {**dict(zip(names, args)), **kwargs}
        _kwargs_check("compile", kwargs, names + ("run_eagerly", "steps_per_execution", "jit_compile",
                                                  "weighted_metrics", "auto_scale_loss"))
        opt = kwargs.get("optimizer", "rmsprop")
        opt = opt if isinstance(opt, KOptimizer) else KOptimizer.named(interp, opt)
        loss = kwargs.get("loss")
        loss = None if loss is None else loss if isinstance(loss, (KLoss, Function, Builtin)) else \
            KLoss.named(interp, loss)
        metrics = []
        for m in kwargs.get("metrics") or []:
            metrics.append(KMetric.for_compile(interp, m, loss))
        self.compiled = {"optimizer": opt, "loss": loss, "metrics": metrics}

    def _need_compiled(self, what, site):
        if self.compiled is None:
            raise RuntimeError(f"You must call `compile()` before using the model for {what}.")
        if self.compiled["loss"] is None and what != "predict":
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")

    def _loss_value(self, interp, y, y_pred, site):
        loss_fn = self.compiled["loss"]
        loss = interp.call(loss_fn, [y, y_pred], {}, site) if not isinstance(loss_fn, KLoss) else \
            loss_fn.compute(interp, y, y_pred, site)
        if loss.shape.rank:
            loss = _op(interp, "tf.reduce_mean", loss, site=site)
        for extra in self.regularization_losses(interp, site):
            loss = _op(interp, "tf.add", loss, extra, site=site)
        return loss

    def m_fit(self, interp, args, kwargs, site):
        names = ("x", "y", "batch_size", "epochs", "verbose", "callbacks", "validation_split", "validation_data",
                 "shuffle")
        kwargs = {**dict(zip(names, args)), **kwargs}
        _kwargs_check("fit", kwargs, names + ("initial_epoch", "steps_per_epoch", "class_weight", "sample_weight",
                                              "validation_batch_size", "validation_freq", "validation_steps"))
        if kwargs.get("callbacks"):
            raise ProgramError("callbacks are not available in programs here (most write files or logs); the page "
                               "plots the history fit returns", site.line, site.col)
        self._need_compiled("training", site)
        x, y = _data(kwargs.get("x")), _data(kwargs.get("y"))
        if x is None or y is None:
            raise ValueError("fit needs x and y (in-memory arrays or tensors)")
        if len(x) != len(y):
            raise ValueError(f"Data cardinality is ambiguous: x sizes: {len(x)}, y sizes: {len(y)}. Make sure all "
                             "arrays contain the same number of samples.")
        batch = int(kwargs.get("batch_size") or 32)
        epochs = int(kwargs.get("epochs", 1))
        initial = int(kwargs.get("initial_epoch", 0))
        verbose = kwargs.get("verbose", "auto")
        verbose = 1 if verbose == "auto" else int(verbose)
        val = kwargs.get("validation_data")
        split = float(kwargs.get("validation_split") or 0.0)
        if val is None and split:
            cut = int(math.floor(len(x) * (1.0 - split)))
            val = (x[cut:], y[cut:])
            x, y = x[:cut], y[:cut]
        if val is not None:
            val = (_data(val[0]), _data(val[1]))
        n = len(x)
        steps = int(math.ceil(n / batch)) if n else 0
        total = steps * max(epochs - initial, 0)
        if total > limits.MAX_FIT_STEPS:
            raise ProgramError(f"this fit runs {max(epochs - initial, 0)} epochs × {steps} batches = {total:,} training "
                               f"steps; the limit is {limits.MAX_FIT_STEPS:,} (fewer epochs or a larger batch_size)",
                               site.line, site.col)
        shuffle = kwargs.get("shuffle", True)
        opt = self.compiled["optimizer"]
        history: dict[str, list[float]] = {}
        record = {"model": self.name, "history": history, "epochs": [], "line": site.line, "steps": total}
        state(interp).fits.append(record)
        loop_id = -(1_000_000 + len(state(interp).fits))           # the fit loop's own recordings
        forward_site = Site(site.line, site.col, f"{self.name}(x_batch, training=True)", ("x_batch",))
        loss_site = Site(site.line, site.col, "loss(y_batch, y_pred)", ("y_batch", "y_pred"))
        done = 0
        started = time.monotonic()
        # fit's own shuffling stream: seeded by the run, and leaving the program's NumPy draws as they were
        shuffler = np.random.RandomState([interp.rec.random.tf_seed % 2 ** 32, len(state(interp).fits)])
        # the first and the last step are recorded (what the Recording slider offers); the steps between run
        # as one compiled train step where the model is built from Keras's own layers, as Keras's fit runs
        fast = None               # made after the first step, once the model is built
        for epoch in range(initial, epochs):
            order = np.arange(n)
            if shuffle:
                order = shuffler.permutation(n)
            loss_mean = _Mean()
            trackers = [m.fresh() for m in self.compiled["metrics"]]
            for b in range(steps):
                idx = order[b * batch:(b + 1) * batch]
                xb, yb = _take(x, idx), _take(y, idx)
                if done == 1 and total > 2 + _COMPILE_AFTER:
                    fast = self._compiled_step(interp, opt)
                if fast is not None and 0 < done < total - 1:
                    loss, y_pred = fast(tf.convert_to_tensor(xb, self.dtype), tf.convert_to_tensor(yb))
                    self._after_step(interp, loss_mean, trackers, loss, y_pred, yb, len(idx), site)
                    done += 1
                    _progress(interp, done / max(total, 1), f"fit: epoch {epoch + 1}/{epochs}, batch {b + 1}/{steps}")
                    continue
                interp.rec.loop_counts[loop_id] = done       # the recording says which training step it is
                token = interp.rec.iteration_begin(loop_id, site.line)
                try:
                    ref = interp.rec.new_tape(f"{self.name}.fit", False, True, site.line)
                    interp.rec.tape_enter(ref, site)
                    try:
                        y_pred = self.invoke(interp, [xb], {"training": True}, forward_site)
                        interp.rec.name("y_pred", y_pred)
                        loss = self._loss_value(interp, yb, y_pred, loss_site)
                        interp.rec.name("loss", loss)
                    finally:
                        interp.rec.tape_exit(ref)
                    weights = self.trainable_weights()
                    grads = interp.rec.gradient(ref, "gradient", loss, weights, site)
                    # compiled only where every step comes this way: beside the compiled train step, the
                    # last step's update would be traced for that one call
                    opt.apply(interp, list(zip(grads, weights)), site, compiled=fast is None and done > 0)
                finally:
                    interp.rec.iteration_end(token)
                self._after_step(interp, loss_mean, trackers, loss, y_pred, yb, len(idx), site)
                done += 1
                _progress(interp, done / max(total, 1), f"fit: epoch {epoch + 1}/{epochs}, batch {b + 1}/{steps}")
            logs = {"loss": float(loss_mean.result())}
            for m, t in zip(self.compiled["metrics"], trackers):
                logs[m.name] = float(t.result())
            if val is not None:
                vl = self._evaluate(interp, val[0], val[1], batch, site)
                logs.update({f"val_{k}": v for k, v in vl.items()})
            for k in sorted(logs, key=_log_order):
                history.setdefault(k, []).append(logs[k])
            record["epochs"].append(epoch)
            if verbose:
                elapsed = time.monotonic() - started
                started = time.monotonic()
                body = " - ".join(f"{k}: {v:.4f}" for k, v in sorted(logs.items(), key=lambda kv: _log_order(kv[0])))
                per = elapsed / max(steps, 1) * 1000
                interp.print(f"Epoch {epoch + 1}/{epochs}")
                interp.print(f"{steps}/{steps} ━━━━━━━━━━━━━━━━━━━━ {elapsed:.0f}s {per:.0f}ms/step - {body}"
                             if verbose == 1 else f"{steps}/{steps} - {elapsed:.0f}s - {per:.0f}ms/step - {body}")
        self.history = KHistory(history, record["epochs"], {"verbose": verbose, "epochs": epochs, "steps": steps})
        return self.history

    def _after_step(self, interp, loss_mean, trackers, loss, y_pred, yb, size, site) -> None:
        loss_mean.update_state(loss.numpy(), sample_weight=size)
        for t in trackers:
            t.update_state(_np(yb), _np(y_pred))
        interp.steps += 1
        if interp.steps & 7 == 0:
            interp._check_limits(site)

    def _compiled_step(self, interp, opt):
        """One compiled train step (forward, loss, gradient, Keras's update), or None where the model or
        the loss runs the program's own code (that must run in the interpreter, step by step)."""
        forward = self.plain_forward()
        loss_fn = self.compiled["loss"]
        if forward is None or not isinstance(loss_fn, KLoss):
            return None
        regs = self.plain_regularizers()
        if regs is None:
            return None
        weights = self.trainable_weights()
        real_opt = opt.real

        @tf.function
        def step(x, y):
            with tf.GradientTape() as tape:
                y_pred = forward(x, True)
                loss = loss_fn.real(y, y_pred)
                for reg, var in regs:
                    loss = loss + reg.plain(var)
            grads = tape.gradient(loss, weights)
            real_opt.apply_gradients(zip(grads, weights))
            return loss, y_pred
        return step

    def plain_forward(self):
        return None

    def plain_regularizers(self):
        out = []
        for layer in self.summary_layers() + [self]:
            for reg, var in layer.losses_:
                if not isinstance(reg, KRegularizer):
                    return None
                out.append((reg, var))
        return out

    def _evaluate(self, interp, x, y, batch, site) -> dict:
        loss_mean = _Mean()
        trackers = [m.fresh() for m in self.compiled["metrics"]]
        with _Unrecorded(interp):
            for b in range(int(math.ceil(len(x) / batch))):
                xb, yb = x[b * batch:(b + 1) * batch], y[b * batch:(b + 1) * batch]
                y_pred = self.invoke(interp, [xb], {"training": False}, site)
                loss = self._loss_value(interp, yb, y_pred, site)
                loss_mean.update_state(loss.numpy(), sample_weight=len(xb))
                for t in trackers:
                    t.update_state(_np(yb), _np(y_pred))
                interp.steps += 1
        logs = {"loss": float(loss_mean.result())}
        for m, t in zip(self.compiled["metrics"], trackers):
            logs[m.name] = float(t.result())
        return logs

    def m_evaluate(self, interp, args, kwargs, site):
        names = ("x", "y", "batch_size", "verbose")
        kwargs = {**dict(zip(names, args)), **kwargs}
        _kwargs_check("evaluate", kwargs, names + ("return_dict", "sample_weight", "steps", "callbacks"))
        self._need_compiled("evaluation", site)
        x, y = _data(kwargs.get("x")), _data(kwargs.get("y"))
        batch = int(kwargs.get("batch_size") or 32)
        started = time.monotonic()
        logs = self._evaluate(interp, x, y, batch, site)
        verbose = kwargs.get("verbose", "auto")
        if verbose in ("auto", 1, True):
            steps = int(math.ceil(len(x) / batch))
            body = " - ".join(f"{k}: {v:.4f}" for k, v in sorted(logs.items(), key=lambda kv: _log_order(kv[0])))
            el = time.monotonic() - started
            interp.print(f"{steps}/{steps} ━━━━━━━━━━━━━━━━━━━━ {el:.0f}s {el / max(steps, 1) * 1000:.0f}ms/step - {body}")
        if kwargs.get("return_dict"):
            return logs
        values = [logs["loss"]] + [logs[m.name] for m in self.compiled["metrics"]]
        return values[0] if len(values) == 1 else values

    def m_predict(self, interp, args, kwargs, site):
        names = ("x", "batch_size", "verbose")
        kwargs = {**dict(zip(names, args)), **kwargs}
        _kwargs_check("predict", kwargs, names + ("steps", "callbacks"))
        x = _data(kwargs.get("x"))
        batch = int(kwargs.get("batch_size") or 32)
        outs = []
        with _Unrecorded(interp):
            for b in range(int(math.ceil(len(x) / batch))):
                outs.append(np.asarray(self.invoke(interp, [x[b * batch:(b + 1) * batch]], {"training": False},
                                                   site).numpy()))
                interp.steps += 1
        if kwargs.get("verbose", "auto") in ("auto", 1, True):
            steps = len(outs)
            interp.print(f"{steps}/{steps} ━━━━━━━━━━━━━━━━━━━━ 0s")
        return np.concatenate(outs) if outs else np.zeros((0,))

    def m_predict_on_batch(self, interp, args, kwargs, site):
        return self.m_predict(interp, args[:1], {"verbose": 0}, site)

    def m_summary(self, interp, args, kwargs, site):
        """Keras 3's summary table, as it prints in a notebook (rich's box drawing, the same widths)."""
        w = (31, 22, 13)

        def row(cells, bar="│"):
            return bar + bar.join(f" {c:<{w[0]}} " if i == 0 else f" {c:<{w[1]}} " if i == 1 else f" {c:>{w[2]}} "
                                  for i, c in enumerate(cells)) + bar

        def rule(left, mid, right, ch):
            return left + mid.join(ch * (n + 2) for n in w) + right

        out = [f'Model: "{self.name}"', rule("┏", "┳", "┓", "━"), row(("Layer (type)", "Output Shape", "Param #"), "┃"),
               rule("┡", "╇", "┩", "━")]
        layers = self.summary_layers()
        for k, layer in enumerate(layers):
            title = f"{layer.name} ({layer.display_class()})"
            params = sum(int(np.prod(v.shape)) for v in layer.all_weights())
            shape = str(layer.output_shape) if layer.output_shape is not None and layer.built else "?"
            count = f"{params:,}" if layer.built else "0 (unbuilt)"
            if len(title) <= w[0]:
                out.append(row((title, shape, count)))
            else:
                name = layer.name if len(layer.name) <= w[0] else layer.name[:w[0] - 1] + "…"
                out += [row((name, shape, count)), row((f"({layer.display_class()})", "", ""))]
            if k < len(layers) - 1:
                out.append(rule("├", "┼", "┤", "─"))
        out.append(rule("└", "┴", "┘", "─"))
        total = self.params()
        trainable = sum(int(np.prod(v.shape)) for v in self.trainable_weights())
        size = lambda n: _memory(n * 4)
        out += [f" Total params: {total:,} ({size(total)})", f" Trainable params: {trainable:,} ({size(trainable)})",
                f" Non-trainable params: {total - trainable:,} ({size(total - trainable)})"]
        for text in out:
            interp.print(text)

    def summary_layers(self):
        return list(self.sublayers)

    def p_layers(self, interp):
        return [public(layer) for layer in self.summary_layers()]

    def p_optimizer(self, interp):
        return self.compiled["optimizer"] if self.compiled else None

    def p_history(self, interp):
        return self.history

    def p_stop_training(self, interp):
        return self.stop_training

    def m_get_layer(self, interp, args, kwargs, site):
        name = kwargs.get("name", args[0] if args else None)
        for i, layer in enumerate(self.summary_layers()):
            if layer.name == name or (isinstance(name, int) and i == name):
                return public(layer)
        raise ValueError(f"No such layer: {name}.")


def _refuse_files(what):
    def m(self, interp, args, kwargs, site):
        raise ProgramError(f"model.{what}() would write or read a file, which programs cannot do; to get a .keras "
                           "file, use the export on the Network playground page", site.line, site.col)
    return m


for _m in ("save", "save_weights", "load_weights", "to_json", "export"):
    setattr(KModel, "m_" + _m, _refuse_files(_m))


class KSequential(KModel):
    kind = "Sequential"
    base_name = "sequential"

    def __init__(self, interp, kwargs):
        layers = kwargs.pop("layers", None)
        super().__init__(interp, kwargs)
        self.layers_: list[KLayer] = []
        self.input_spec = None
        for layer in layers or []:
            self.add(interp, layer, _NOWHERE)

    @classmethod
    def construct(cls, interp, args, kwargs, site):
        if args:
            kwargs["layers"] = args[0]
        return cls(interp, kwargs)

    def add(self, interp, layer, site):
        if isinstance(layer, KInput):
            self.input_spec = layer.shape
            self.m_build(interp, [layer.shape], {}, site)
            return
        k = as_layer(layer)
        if k is None:
            raise TypeError(f"Only instances of `keras.Layer` can be added to a Sequential model. Received: "
                            f"{interp.describe(layer)}")
        self.layers_.append(k)
        self.sublayers.append(k)
        if k.input_shape is not None and len(self.layers_) == 1:
            self.m_build(interp, [(None,) + tuple(k.input_shape)], {}, site)
        elif self.built:
            self._build_from(interp, self.output_shape, [k], site)

    def m_add(self, interp, args, kwargs, site):
        self.add(interp, args[0] if args else kwargs.get("layer"), site)

    def m_pop(self, interp, args, kwargs, site):
        k = self.layers_.pop()
        self.sublayers.remove(k)
        return public(k)

    def m_build(self, interp, args, kwargs, site):
        shape = tuple(args[0] if args else kwargs.get("input_shape"))
        self.built = True
        self.input_shape = shape
        self._build_from(interp, shape, self.layers_, site)

    def _build_from(self, interp, shape, layers, site):
        saved = interp.scope            # Keras builds the layers inside the model's name scope
        interp.calls_made += 1
        interp.scope = saved + (f"{SCOPE_PREFIX}{self.name}:{self.display_class()}#{interp.calls_made}",)
        try:
            self._build_layers(interp, shape, layers, site)
        finally:
            interp.scope = saved

    def _build_layers(self, interp, shape, layers, site):
        for layer in layers:
            if not layer.built:
                layer.m_build(interp, [shape], {}, site)
            if layer.owner is not None:
                raise ProgramError("a Sequential built before its first call cannot work out the output shape of "
                                   "a layer class of the program; call the model on data instead", site.line,
                                   site.col)
            shape = layer.compute_output_shape(shape)
            layer.output_shape = shape
        self.output_shape = shape

    def run_build(self, interp, shape, site):
        self.built = True
        self.input_shape = (None,) + tuple(shape[1:])

    def call(self, interp, x, site):
        raise AssertionError

    def run_call(self, interp, args, kwargs, site):
        x = args[0]
        for layer in self.layers_:
            x = layer.invoke(interp, [x], dict(kwargs), site)
        self.output_shape = (None,) + tuple(x.shape[1:]) if hasattr(x, "shape") else None
        return x

    def summary_layers(self):
        return list(self.layers_)

    def plain_forward(self):
        """The model as a plain TensorFlow function, where every layer is one of Keras's own (no code of the
        program's runs in it)."""
        parts = [layer.plain for layer in self.layers_ if layer.owner is None and getattr(layer, "plain", None)]
        if len(parts) != len(self.layers_) or not all(p(None, False, check=True) for p in parts):
            return None

        def forward(x, training):
            for part in parts:
                x = part(x, training)
            return x
        return forward


def _memory(n_bytes: float) -> str:
    """Keras's readable_memory_size: 150.04 KB."""
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024


def _log_order(k: str):
    return (k.startswith("val_"), k)


def _data(v):
    if v is None:
        return None
    if isinstance(v, tf.Variable):
        return v.numpy()
    if isinstance(v, EagerTensor):
        return v
    return np.asarray(v)


def _np(v):
    return v.numpy() if hasattr(v, "numpy") else np.asarray(v)


def _take(a, idx):
    if isinstance(a, EagerTensor):
        return tf.gather(a, idx)
    return a[idx]


def _progress(interp, fraction: float, text: str) -> None:
    hook = getattr(interp, "progress", None)
    if hook is not None:
        hook(fraction, text)


class KHistory(KObject):
    kind = "History"

    def __init__(self, history, epochs, params):
        self.history, self.epochs, self.params = history, epochs, params

    def p_history(self, interp):
        return self.history

    def p_epoch(self, interp):
        return list(self.epochs)

    def p_params(self, interp):
        return dict(self.params)

    def repr(self):
        return "<keras.src.callbacks.history.History object>"


# ---- losses ------------------------------------------------------------------------------------------------

_LOSS_CLASSES = {
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy", "binary_crossentropy": "BinaryCrossentropy",
    "mean_squared_error": "MeanSquaredError", "mse": "MeanSquaredError", "mean_absolute_error": "MeanAbsoluteError",
    "mae": "MeanAbsoluteError", "huber": "Huber", "hinge": "Hinge", "kl_divergence": "KLDivergence",
    "categorical_hinge": "CategoricalHinge", "squared_hinge": "SquaredHinge", "log_cosh": "LogCosh",
    "mean_absolute_percentage_error": "MeanAbsolutePercentageError", "poisson": "Poisson",
    "binary_focal_crossentropy": "BinaryFocalCrossentropy"}
_LOSS_FUNCTIONS = {"sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy",
                   "mean_squared_error", "mean_absolute_error", "huber", "hinge", "kl_divergence", "log_cosh",
                   "mean_absolute_percentage_error", "poisson", "squared_hinge", "categorical_hinge"}
_NO_FLOW = " (when Keras reads the logits under the softmax or sigmoid instead, nothing flows here)"
_LOSS_VJP = {    # (rule for y_pred, rule for the logits Keras reads under a softmax / sigmoid)
    "sparse_categorical_crossentropy": ("d y_pred = −d{z} / y_pred at the true class, 0 elsewhere" + _NO_FLOW,
                                        "d logits = (softmax(logits) − one_hot(y_true)) ⊙ d{z}"),
    "categorical_crossentropy": ("d y_pred = −d{z} ⊙ y_true / y_pred" + _NO_FLOW,
                                 "d logits = (softmax(logits) − y_true) ⊙ d{z}"),
    "binary_crossentropy": ("d y_pred = d{z} ⊙ (y_pred − y_true) / (y_pred (1 − y_pred)) / n" + _NO_FLOW,
                            "d logits = (σ(logits) − y_true) ⊙ d{z} / n"),
    "mean_squared_error": ("d y_pred = 2 (y_pred − y_true) ⊙ d{z} / n", ""),
    "mean_absolute_error": ("d y_pred = sign(y_pred − y_true) ⊙ d{z} / n", ""),
}


def _loss_spec(op: str, fn, reduced: bool) -> OpSpec:
    """An op-table row for a Keras loss: inputs y_true, y_pred and (where Keras reads them) the logits."""
    def call(y_true, y_pred, logits=None):
        if logits is not None:
            try:
                y_pred._keras_logits = logits      # what Keras's softmax/sigmoid leave on their output
            except AttributeError:
                pass
        return fn(y_true, y_pred)

    pred_rule, logits_rule = _LOSS_VJP.get(op, (f"d y_pred = VJP of Keras's {op}", ""))
    mean = " (then ÷ batch size: the loss object averages over the batch)" if reduced else ""
    spec = OpSpec(op, call, ("y_true", "y_pred", "logits"),
                  vjp=("no gradient to the labels", pred_rule + mean, (logits_rule or pred_rule) + mean),
                  groups={"y_true": "labels"})
    spec.name = f"keras.losses.{op}"
    return spec


class KLoss(KObject):
    kind = "Loss"

    def __init__(self, interp, cls_name: str, kwargs: dict):
        cls = getattr(_keras.losses, cls_name)
        _kwargs_check(cls_name, kwargs, ("from_logits", "reduction", "name", "label_smoothing", "axis", "delta",
                                         "ignore_class", "dtype"))
        self.real = cls(**kwargs)
        self.name = self.real.name
        self.spec = _loss_spec(self.name, self.real, True)

    @classmethod
    def named(cls, interp, name):
        if isinstance(name, str) and name in _LOSS_CLASSES:
            return cls(interp, _LOSS_CLASSES[name], {})
        raise ValueError(f"Could not interpret loss identifier: {name}")

    def compute(self, interp, y_true, y_pred, site):
        return record_loss(interp, self.spec, y_true, y_pred, site)

    def m___call__(self, interp, args, kwargs, site):
        y_true = args[0] if args else kwargs.get("y_true")
        y_pred = args[1] if len(args) > 1 else kwargs.get("y_pred")
        weights = args[2] if len(args) > 2 else kwargs.get("sample_weight")
        if weights is None:
            return self.compute(interp, y_true, y_pred, site)
        weights = np.asarray(_plain(weights))                    # data, not a value the tape follows
        spec = _loss_spec(self.name, lambda yt, yp: self.real(yt, yp, sample_weight=weights), True)
        return record_loss(interp, spec, y_true, y_pred, site)

    def m_get_config(self, interp, args, kwargs, site):
        return dict(self.real.get_config())

    def p_name(self, interp):
        return self.name

    def repr(self):
        return f"<{type(self.real).__name__} loss>"


def record_loss(interp, spec, y_true, y_pred, site):
    logits = getattr(y_pred, "_keras_logits", None) if isinstance(y_pred, EagerTensor) else None
    bound = {"y_true": y_true, "y_pred": y_pred}
    if logits is not None:
        bound["logits"] = logits
    return interp.rec.call_bound(spec, bound, site)


def _loss_function(op):
    fn = getattr(_keras.losses, op)
    spec = _loss_spec(op, fn, False)
    return Builtin(f"keras.losses.{op}", lambda interp, a, k, s: record_loss(
        interp, spec, a[0] if a else k.get("y_true"), a[1] if len(a) > 1 else k.get("y_pred"), s)
        if not (set(k) - {"y_true", "y_pred"}) else _loss_with_options(interp, op, a, k, s))


def _loss_with_options(interp, op, args, kwargs, site):
    options = {k: v for k, v in kwargs.items() if k not in ("y_true", "y_pred")}
    base = getattr(_keras.losses, op)
    spec = _loss_spec(op, lambda yt, yp: base(yt, yp, **options), False)
    return record_loss(interp, spec, args[0] if args else kwargs.get("y_true"),
                       args[1] if len(args) > 1 else kwargs.get("y_pred"), site)


# ---- metrics -----------------------------------------------------------------------------------------------

_METRIC_CLASSES = {"Mean", "Sum", "Accuracy", "SparseCategoricalAccuracy", "CategoricalAccuracy", "BinaryAccuracy",
                   "MeanSquaredError", "MeanAbsoluteError", "RootMeanSquaredError", "Precision", "Recall", "AUC",
                   "SparseCategoricalCrossentropy", "CategoricalCrossentropy", "BinaryCrossentropy",
                   "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy"}
_METRIC_NAMES = {"accuracy": None, "acc": None, "mse": "MeanSquaredError", "mae": "MeanAbsoluteError",
                 "sparse_categorical_accuracy": "SparseCategoricalAccuracy",
                 "categorical_accuracy": "CategoricalAccuracy", "binary_accuracy": "BinaryAccuracy",
                 "mean_squared_error": "MeanSquaredError", "mean_absolute_error": "MeanAbsoluteError"}


class KMetric(KObject):
    kind = "Metric"

    def __init__(self, interp, cls_name: str, kwargs: dict, name: str | None = None):
        self.cls_name, self.kwargs = cls_name, dict(kwargs)
        self.real = getattr(_keras.metrics, cls_name)(**kwargs)
        self.name = name or self.real.name

    def fresh(self):
        """A tracker for one epoch of fit/evaluate: the accuracies are counted in NumPy (Keras's eager
        metric objects cost ~5 ms a batch), the others are Keras's own."""
        if self.cls_name == "auto" or (self.cls_name in _FAST_ACCURACY and not self.kwargs):
            return _Accuracy(self.cls_name)
        return getattr(_keras.metrics, self.cls_name)(**self.kwargs)

    @classmethod
    def for_compile(cls, interp, m, loss):
        if isinstance(m, KMetric):
            return m
        if isinstance(m, str) and m in _METRIC_NAMES:
            name = _METRIC_NAMES[m]
            if name is None:    # "accuracy": Keras 3 picks binary, categorical or sparse from the shapes
                metric = cls(interp, "Accuracy", {}, m)
                metric.cls_name = "auto"
                return metric
            return cls(interp, name, {}, m)
        raise ValueError(f"Could not interpret metric identifier: {m}")

    def m_update_state(self, interp, args, kwargs, site):
        with _Unrecorded(interp):
            self.real.update_state(*[_plain(a) for a in args], **{k: _plain(v) for k, v in kwargs.items()})

    def m_result(self, interp, args, kwargs, site):
        return tf.convert_to_tensor(self.real.result())

    def m_reset_state(self, interp, args, kwargs, site):
        self.real.reset_state()

    m_reset_states = m_reset_state

    def m___call__(self, interp, args, kwargs, site):
        self.m_update_state(interp, args, kwargs, site)
        return self.m_result(interp, [], {}, site)

    def p_name(self, interp):
        return self.name

    def repr(self):
        return f"<{self.cls_name} name={self.name}>"


_FAST_ACCURACY = {"SparseCategoricalAccuracy", "CategoricalAccuracy", "BinaryAccuracy", "Accuracy"}


class _Mean:
    """A running mean weighted by batch size, as keras.metrics.Mean keeps the loss during fit."""

    def __init__(self):
        self.total = 0.0
        self.count = 0.0

    def update_state(self, value, sample_weight=1):
        # float32 throughout, as Keras's Mean keeps `total` and `count` (so the history prints the same)
        self.total = np.float32(self.total + np.float32(np.asarray(value, np.float32) * np.float32(sample_weight)))
        self.count = np.float32(self.count + np.float32(sample_weight))

    def result(self):
        return np.float32(self.total / self.count) if self.count else np.float32(0.0)


class _Accuracy(_Mean):
    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def update_state(self, y_true, y_pred):
        t, p = np.asarray(y_true), np.asarray(y_pred)
        if self.kind == "auto":        # metrics=["accuracy"]: Keras 3 picks the accuracy by the shapes it sees
            if p.ndim and p.shape[-1] == 1:
                self.kind = "BinaryAccuracy"
            elif t.ndim == p.ndim and t.shape[-1] == p.shape[-1] and p.ndim > 1:
                self.kind = "CategoricalAccuracy"
            else:
                self.kind = "SparseCategoricalAccuracy"
        if self.kind == "SparseCategoricalAccuracy":
            t = t.reshape(p.shape[:-1]) if t.size == int(np.prod(p.shape[:-1])) else t
            hits = np.argmax(p, axis=-1) == t.astype(np.int64)
        elif self.kind == "CategoricalAccuracy":
            hits = np.argmax(p, axis=-1) == np.argmax(t, axis=-1)
        elif self.kind == "BinaryAccuracy":
            hits = (p > 0.5).astype(p.dtype) == t.reshape(p.shape).astype(p.dtype)
        else:
            hits = p == t.reshape(p.shape)
        self.total = np.float32(self.total + np.float32(np.sum(hits)))
        self.count = np.float32(self.count + np.float32(hits.size))


def _metric_function(name):
    fn = getattr(_keras.metrics, name)

    def call(interp, args, kwargs, site):
        with _Unrecorded(interp):
            return tf.convert_to_tensor(fn(*[_plain(a) for a in args], **{k: _plain(v) for k, v in kwargs.items()}))
    return Builtin(f"keras.metrics.{name}", call)


# ---- optimizers --------------------------------------------------------------------------------------------

_COMPILE_AFTER = 20      # a fit of more steps than this runs the steps between its first and last compiled

_OPTIMIZERS = {"sgd": "SGD", "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW", "adagrad": "Adagrad",
               "adadelta": "Adadelta", "adamax": "Adamax", "nadam": "Nadam", "ftrl": "Ftrl", "lion": "Lion"}


class KOptimizer(KObject):
    kind = "Optimizer"

    def __init__(self, interp, cls_name: str, args: list, kwargs: dict):
        cls = getattr(_keras.optimizers, cls_name)
        self.cls_name = cls_name
        self.compiled: dict[tuple, Any] = {}
        try:
            self.real = cls(*args, **kwargs)
        except TypeError as e:
            raise TypeError(str(e).replace("__init__()", f"{cls_name}()")) from None

    @classmethod
    def named(cls, interp, name):
        if isinstance(name, str) and name.lower() in _OPTIMIZERS:
            return cls(interp, _OPTIMIZERS[name.lower()], [], {})
        raise ValueError(f"Could not interpret optimizer identifier: {name}")

    def apply(self, interp, pairs, site, compiled: bool = False):
        """Keras's own update of each variable. Inside `fit` the update after the first runs as one
        compiled function (Keras's fit compiles its train step too; eagerly, Keras's update costs ~20 ms a
        step in Python overhead). A program's own loop runs it eagerly, as its notebook does, so the
        weights match the notebook's bit for bit (a compiled update differs in the last bit, which
        RMSprop at learning rate 0.1 magnifies to 1e-5 within 14 steps)."""
        pairs = [(g, v) for g, v in pairs if g is not None]
        if not pairs:
            raise ValueError("No gradients provided for any variable.")
        for g, v in pairs:
            if not isinstance(v, tf.Variable):
                raise TypeError(f"apply_gradients takes (gradient, variable) pairs; got {interp.describe(v)} where a "
                                "variable should be")
        olds = [interp.rec.var_node(v, site) if interp.rec.active else None for _, v in pairs]
        grads = [g.read_value() if isinstance(g, tf.Variable) else tf.convert_to_tensor(g) for g, _ in pairs]
        variables = [v for _, v in pairs]
        key = tuple(id(v) for v in variables)
        step = self.compiled.get(key) if compiled else None
        if step is None:
            self.real.apply_gradients(list(zip(grads, variables)))     # the first also builds the slots
            if compiled and len(self.compiled) < 8:
                self.compiled[key] = tf.function(lambda gs, vs=tuple(variables): self.real.apply_gradients(
                    list(zip(gs, vs))))
        else:
            step(grads)
        for (g, v), old in zip(pairs, olds):
            interp.rec.updated(v, g, old, f"{self.cls_name}.apply_gradients", site)

    def m_apply_gradients(self, interp, args, kwargs, site):
        pairs = args[0] if args else kwargs.get("grads_and_vars")
        pairs = list(interp.iterate(pairs, site))
        self.apply(interp, [tuple(p) for p in pairs], site)
        return self.real.iterations.numpy()

    def m_apply(self, interp, args, kwargs, site):
        grads = list(args[0])
        vars_ = list(args[1] if len(args) > 1 else kwargs.get("trainable_variables"))
        self.apply(interp, list(zip(grads, vars_)), site)

    def m_minimize(self, interp, args, kwargs, site):
        """minimize(loss, var_list): Keras 2's (tf.keras 2.x) way; Keras 3 dropped it, the books still use it."""
        loss = args[0] if args else kwargs.get("loss")
        var_list = args[1] if len(args) > 1 else kwargs.get("var_list")
        var_list = list(interp.iterate(var_list, site))
        tape = args[2] if len(args) > 2 else kwargs.get("tape")
        if tape is not None:                  # minimize(loss_tensor, var_list, tape=tape), as Keras 2 took it
            grads = interp.rec.gradient(tape, "gradient", loss, var_list, site)
            self.apply(interp, list(zip(grads, var_list)), site)
            return
        ref = interp.rec.new_tape("minimize", False, True, site.line)
        interp.rec.tape_enter(ref, site)
        try:
            value = interp.call(loss, [], {}, site) if not isinstance(loss, (EagerTensor, tf.Variable)) else None
        finally:
            interp.rec.tape_exit(ref)
        if value is None:
            raise TypeError("minimize needs the loss as a function of no arguments (a lambda), or the tape that "
                            "recorded it: minimize(loss, var_list, tape=tape)")
        grads = interp.rec.gradient(ref, "gradient", value, var_list, site)
        self.apply(interp, list(zip(grads, var_list)), site)

    def p_learning_rate(self, interp):
        return tf.convert_to_tensor(self.real.learning_rate)

    p_lr = p_learning_rate

    def set_learning_rate(self, interp, value):
        self.real.learning_rate = float(value)

    def p_iterations(self, interp):
        return tf.convert_to_tensor(self.real.iterations)

    def m_get_config(self, interp, args, kwargs, site):
        return dict(self.real.get_config())

    def repr(self):
        return f"<keras.optimizers.{self.cls_name} object>"


def _optimizer_class(cls_name):
    return lambda interp, a, k, s: KOptimizer(interp, cls_name, list(a), dict(k))


# ---- keras.Variable and keras.ops (the 3rd edition's from-scratch network) ------------------------------------

def _keras_variable(interp, args, kwargs, site):
    """keras.Variable(initializer, shape=..., dtype=..., trainable=..., name=...): a tf.Variable here, named
    as Keras 3 names it."""
    names = ("initializer", "shape", "dtype", "trainable", "autocast", "aggregation", "name")
    kwargs = {**dict(zip(names, args)), **kwargs}
    _kwargs_check("Variable", kwargs, names + ("synchronization",))
    init, shape = kwargs.get("initializer"), kwargs.get("shape")
    dtype = tf.as_dtype(kwargs["dtype"]) if kwargs.get("dtype") else interp.float
    st = state(interp)
    name = kwargs.get("name") or st.unique("variable")
    if isinstance(init, (str, KInitializer)):
        if shape is None:
            raise ValueError("When creating a Variable from an initializer, the `shape` argument should be "
                             "specified.")
        k = initializer(interp, init, site)
        value = np.asarray(k.make(interp, tuple(shape), dtype).numpy())
        how = k.name
    else:
        value = np.asarray(_plain(init.numpy() if hasattr(init, "numpy") else init), dtype=dtype.as_numpy_dtype)
        how = "value"
    var = interp.rec.variable({"initial_value": value.astype(dtype.as_numpy_dtype),
                               "trainable": bool(kwargs.get("trainable", True)), "name": name},
                              Site(site.line, site.col, f"keras.Variable ({how})"))
    st.weights[id(var)] = (var, name, name)
    return var


_KERAS_OPS_LOSSES = ("sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy")
_ELEMENTWISE = {"add", "subtract", "multiply", "divide", "maximum", "minimum", "power", "equal", "not_equal",
                "greater", "less", "where", "clip"}
_KERAS_OPS = {
    # name: data parameters (the rest are options); "": a leaf (no tensor goes in)
    "matmul": "x1 x2", "dot": "x1 x2", "add": "x1 x2", "subtract": "x1 x2", "multiply": "x1 x2", "divide": "x1 x2",
    "maximum": "x1 x2", "minimum": "x1 x2", "power": "x1 x2", "equal": "x1 x2", "not_equal": "x1 x2",
    "greater": "x1 x2", "less": "x1 x2", "tensordot": "x1 x2", "outer": "x1 x2",
    "relu": "x", "sigmoid": "x", "tanh": "x", "softmax": "x", "log_softmax": "x", "softplus": "x", "gelu": "x",
    "silu": "x", "exp": "x", "log": "x", "sqrt": "x", "square": "x", "abs": "x", "negative": "x", "sign": "x",
    "mean": "x", "sum": "x", "max": "x", "min": "x", "prod": "x", "std": "x", "var": "x", "logsumexp": "x",
    "argmax": "x", "argmin": "x", "reshape": "x", "transpose": "x", "expand_dims": "x", "squeeze": "x",
    "cast": "x", "clip": "x", "round": "x", "floor": "x", "ceil": "x", "cumsum": "x", "norm": "x",
    "convert_to_tensor": "x", "one_hot": "x", "zeros_like": "x", "ones_like": "x", "take": "x",
    "stack": "x", "concatenate": "xs", "where": "condition x1 x2",
    "ones": "", "zeros": "", "full": "",
}


def _keras_ops_cost(name: str):
    """What an op of keras.ops would allocate or compute, known before it runs (explorer.ops's rules under
    keras.ops's parameter names)."""
    from . import ops as tf_ops
    if name in ("matmul", "dot"):
        return lambda b: tf_ops._cost_matmul({"a": b.get("x1"), "b": b.get("x2")})
    if name == "tensordot":
        return lambda b: tf_ops._cost_tensordot({"a": b.get("x1"), "b": b.get("x2"), "axes": b.get("axes", 2)})
    if name == "outer":
        return lambda b: (tf_ops._size(tf_ops._shape_of(b.get("x1")) or ()) *
                          tf_ops._size(tf_ops._shape_of(b.get("x2")) or ()), 0)
    if name == "one_hot":
        return lambda b: tf_ops._cost_one_hot({"indices": b.get("x"), "depth": b.get("num_classes")})
    if name in ("ones", "zeros", "full"):
        return tf_ops._cost_shape("shape")
    return None


def _keras_ops_namespace() -> Namespace:
    from .values import OpCallable
    table: dict[str, Any] = {}
    for name, data in _KERAS_OPS.items():
        fn = getattr(_keras.ops, name)
        spec = OpSpec(f"ops_{name}", fn, tuple(data.split()), elementwise=name in _ELEMENTWISE,
                      kind="constant" if not data else "op", differentiable=bool(data),
                      lists=("x", "xs") if name in ("stack", "concatenate") else (), cost=_keras_ops_cost(name))
        spec.name = f"keras.ops.{name}"
        table[name] = OpCallable(spec, f"keras.ops.{name}")
    for name in _KERAS_OPS_LOSSES:
        table[name] = _ops_loss(name)
    return Namespace("keras.ops", table, lambda n: "keras.ops here has the functions the books use: matmul, relu, "
                                                  "softmax, mean, argmax, ones, the cross-entropies, ...")


def _ops_loss(name):
    fn = getattr(_keras.ops, name)
    plain = _loss_spec(name, fn, False)            # made once: a training loop calls it every step
    plain.name = f"keras.ops.{name}"

    def call(interp, args, kwargs, site):
        options = {k: v for k, v in kwargs.items() if k not in ("target", "output")}
        target = args[0] if args else kwargs.get("target")
        output = args[1] if len(args) > 1 else kwargs.get("output")
        options.update(dict(zip(("from_logits", "axis"), args[2:])))
        spec = plain
        if options:
            spec = _loss_spec(name, lambda yt, yp: fn(yt, yp, **options), False)
            spec.name = plain.name
        return record_loss(interp, spec, target, output, site)
    return Builtin(f"keras.ops.{name}", call)


# ---- data --------------------------------------------------------------------------------------------------

def _to_categorical(interp, args, kwargs, site):
    y = np.asarray(_plain(args[0] if args else kwargs["x"])).astype(int).ravel()
    n = args[1] if len(args) > 1 else kwargs.get("num_classes")
    n = int(n) if n is not None else int(y.max()) + 1
    _check_elements((len(y), n))
    out = np.zeros((len(y), n), dtype=np.float64)     # Keras 3 returns float64
    out[np.arange(len(y)), y] = 1.0
    return out


def _dataset_refused(name):
    def load(interp, args, kwargs, site):
        raise ProgramError(f"keras.datasets.{name}.load_data() downloads its data, and programs here have no network. "
                           "Use scikit-learn's bundled 8×8 digits instead: from sklearn.datasets import load_digits; "
                           "digits = load_digits() (digits.images is (1797, 8, 8), digits.target the labels)",
                           site.line, site.col)
    return Namespace(f"keras.datasets.{name}", {"load_data": Builtin(f"keras.datasets.{name}.load_data", load)})


class Bunch(dict):
    """scikit-learn's Bunch: a dict whose keys are also attributes."""


def _load_digits(interp, args, kwargs, site):
    from sklearn.datasets import load_digits
    _kwargs_check("load_digits", kwargs, ("n_class", "return_X_y", "as_frame"))
    if kwargs.get("as_frame"):
        raise ProgramError("as_frame=True needs pandas, which is not available here", site.line, site.col)
    d = load_digits(n_class=int(kwargs.get("n_class", args[0] if args else 10)))
    if kwargs.get("return_X_y"):
        return d.data, d.target
    return Bunch(data=d.data, target=d.target, frame=None, feature_names=list(d.feature_names),
                 target_names=d.target_names, images=d.images, DESCR=d.DESCR)


def _train_test_split(interp, args, kwargs, site):
    from sklearn.model_selection import train_test_split
    _kwargs_check("train_test_split", kwargs, ("test_size", "train_size", "random_state", "shuffle", "stratify"))
    if kwargs.get("random_state") is None and kwargs.get("shuffle", True):
        kwargs = {**kwargs, "random_state": interp.rec.random.numpy}    # NumPy's stream, as the notebook's
    return train_test_split(*[np.asarray(_plain(a)) for a in args], **kwargs)


# ---- the namespaces ----------------------------------------------------------------------------------------

LAYERS = {"Layer": KLayer, "Dense": KDense, "Flatten": KFlatten, "Activation": KActivation, "ReLU": KReLU,
          "LeakyReLU": KLeakyReLU, "Softmax": KSoftmax, "Dropout": KDropout}


def build_namespace(existing: dict) -> dict:
    """The tables of `keras` (and tf.keras): what the existing namespace has (activations, utils) plus
    layers, models, losses, metrics, optimizers, initializers, regularizers, datasets."""
    table = dict(existing)
    layer_classes = {name: KClass(f"keras.layers.{name}", cls) for name, cls in LAYERS.items()}
    layer_classes["InputLayer"] = KClass("keras.layers.InputLayer", KInput)
    table["layers"] = Namespace("keras.layers", {**layer_classes, "Input": KClass("keras.Input", KInput)},
                                lambda n: "the layers here are Dense, Flatten, Activation, ReLU, Softmax, Dropout "
                                          "and Layer to extend")
    model = KClass("keras.Model", KModel)
    sequential = KClass("keras.Sequential", KSequential)

    def refused_load(interp, a, k, s):
        raise ProgramError("keras.models.load_model reads a file, which programs cannot do", s.line, s.col)
    table["models"] = Namespace("keras.models", {"Model": model, "Sequential": sequential, "load_model": Builtin(
        "keras.models.load_model", refused_load)})
    table["Model"], table["Sequential"] = model, sequential
    table["Input"] = KClass("keras.Input", KInput)
    table["Layer"] = layer_classes["Layer"]                         # keras.Layer (Keras 3, the 3rd edition)
    table["Variable"] = Builtin("keras.Variable", _keras_variable)
    table["ops"] = _keras_ops_namespace()
    table["saving"] = Namespace("keras.saving", {"load_model": table["models"].table["load_model"]})
    losses = {cls: Builtin(f"keras.losses.{cls}", lambda i, a, k, s, c=cls: KLoss(
        i, c, {**dict(zip(("from_logits",) if "Crossentropy" in c else ("delta",) if c == "Huber" else (), a)), **k}))
        for cls in sorted(set(_LOSS_CLASSES.values()))}
    losses.update({f: _loss_function(f) for f in _LOSS_FUNCTIONS})
    losses["mse"], losses["mae"] = losses["mean_squared_error"], losses["mean_absolute_error"]
    table["losses"] = Namespace("keras.losses", losses)
    metrics = {cls: Builtin(f"keras.metrics.{cls}", lambda i, a, k, s, c=cls: KMetric(
        i, c, {**dict(zip(("name",), a)), **k})) for cls in sorted(_METRIC_CLASSES)}
    metrics.update({f: _metric_function(f) for f in ("sparse_categorical_accuracy", "categorical_accuracy",
                                                     "binary_accuracy")})
    table["metrics"] = Namespace("keras.metrics", metrics)
    table["optimizers"] = Namespace("keras.optimizers", {cls: Builtin(f"keras.optimizers.{cls}", _optimizer_class(cls))
                                                         for cls in sorted(set(_OPTIMIZERS.values()))})
    inits = {cls: Builtin(f"keras.initializers.{cls}", KInitializer.construct_named(cls))
             for cls in sorted(set(_INIT_NAMES.values()))}
    inits.update({k: v for k, v in ((n, inits[c]) for n, c in _INIT_NAMES.items())})
    table["initializers"] = Namespace("keras.initializers", inits)
    table["regularizers"] = Namespace("keras.regularizers", {
        "L1": Builtin("keras.regularizers.L1", lambda i, a, k, s: KRegularizer(l1=a[0] if a else k.get("l1", 0.01))),
        "L2": Builtin("keras.regularizers.L2", lambda i, a, k, s: KRegularizer(l2=a[0] if a else k.get("l2", 0.01))),
        "L1L2": Builtin("keras.regularizers.L1L2", lambda i, a, k, s: KRegularizer(k.get("l1", 0.0), k.get("l2", 0.0))),
    })
    r = table["regularizers"].table
    r["l1"], r["l2"], r["l1_l2"] = r["L1"], r["L2"], r["L1L2"]
    utils = table.get("utils")
    utils_table = dict(utils.table) if isinstance(utils, Namespace) else {}
    utils_table["to_categorical"] = Builtin("keras.utils.to_categorical", _to_categorical)
    table["utils"] = Namespace("keras.utils", utils_table)
    table["datasets"] = Namespace("keras.datasets", {n: _dataset_refused(n) for n in
                                                    ("mnist", "fashion_mnist", "cifar10", "cifar100", "imdb",
                                                     "reuters", "boston_housing", "california_housing")})

    def refused_callbacks(n):
        return "callbacks write files or logs; the page plots the history that fit returns"
    table["callbacks"] = Namespace("keras.callbacks", {}, refused_callbacks)
    return table


SKLEARN_DATASETS = Namespace("sklearn.datasets", {"load_digits": Builtin("sklearn.datasets.load_digits",
                                                                         _load_digits)},
                             lambda n: "only load_digits (bundled with scikit-learn) is available: other data "
                                       "sets download")
SKLEARN_MODEL_SELECTION = Namespace("sklearn.model_selection", {"train_test_split": Builtin(
    "sklearn.model_selection.train_test_split", _train_test_split)})
SKLEARN = Namespace("sklearn", {"datasets": SKLEARN_DATASETS, "model_selection": SKLEARN_MODEL_SELECTION},
                    lambda n: "only sklearn.datasets.load_digits and sklearn.model_selection.train_test_split "
                              "are available")


# ---- hooks the library calls ---------------------------------------------------------------------------------

def is_native_base(b) -> bool:
    return isinstance(b, KClass) and issubclass(b.pycls, KLayer) and b.pycls in (KLayer, KModel)


def instantiate(interp, cls: Class, args, kwargs, site):
    native = cls.native
    if not isinstance(native, KClass):
        return _MISSING
    obj = Instance(cls)
    _INTERP_OF[obj] = interp
    st = state(interp)
    st.companions[obj] = None          # made by super().__init__(); a class that never calls it gets one below
    init, _ = cls.lookup("__init__")
    if init is _MISSING:
        st.companions[obj] = native.pycls(interp, kwargs, owner=obj)
        if args:
            raise TypeError(f"{cls.name}() takes keyword arguments only")
        return obj
    interp.call(BoundMethod(init, obj), list(args), dict(kwargs), site)
    if st.companions.get(obj) is None:
        st.companions[obj] = native.pycls(interp, {}, owner=obj)
    return obj


def _ensure(interp, obj) -> KLayer:
    st = state(interp)
    comp = st.companions.get(obj)
    if comp is None:
        comp = st.companions[obj] = obj.cls.native.pycls(interp, {}, owner=obj)
    return comp


def super_attr(interp, c, obj, name, site):
    if not isinstance(c, KClass) or not isinstance(obj, Instance):
        return _MISSING
    if name == "__init__":
        def init(i, a, k, s):
            st = state(interp)
            if st.companions.get(obj) is None:
                if a:
                    raise TypeError(f"{c.name}.__init__() takes keyword arguments only")
                st.companions[obj] = c.pycls(interp, dict(k), owner=obj)
        return Builtin(f"{c.name}.__init__", init)
    comp = _ensure(interp, obj)
    if name == "build":
        return Builtin(f"{c.name}.build", lambda i, a, k, s: setattr(comp, "built", True))
    if name == "call":
        return Builtin(f"{c.name}.call", lambda i, a, k, s: comp.call(i, a[0], s) if type(comp) is not KModel
                       else _no_call(c))
    v = comp.attr(interp, name, site)
    return v


def _no_call(c):
    raise NotImplementedError(f"Model {c.name} does not have a `call()` method implemented.")


def native_attr(interp, obj, name, site):
    if obj.cls.native is None or not isinstance(obj.cls.native, KClass):
        return _MISSING
    comp = _ensure(interp, obj)
    if name == "__call__":
        return Builtin(f"{obj.cls.name}.__call__", lambda i, a, k, s: comp.invoke(i, list(a), dict(k), s))
    return comp.attr(interp, name, site)


def native_setattr(interp, obj, name, value, site) -> bool:
    if obj.cls.native is None or not isinstance(obj.cls.native, KClass):
        return False
    comp = _ensure(interp, obj)
    if comp.set_attr(interp, name, value):
        return True
    comp.track(value)
    return False


def native_call(interp, f, args, kwargs, site):
    if isinstance(f, KObject):
        m = getattr(type(f), "m___call__", None)
        if m is not None:
            return m(f, interp, list(args), dict(kwargs), site)
        raise TypeError(f"'{f.kind}' object is not callable")
    if isinstance(f, Instance):
        comp = companion(f)
        if comp is not None:
            return comp.invoke(interp, list(args), dict(kwargs), site)
    return _MISSING


def value_attr(interp, obj, name, site):
    if isinstance(obj, KObject):
        v = obj.attr(interp, name, site)
        if v is _MISSING:
            raise AttributeError(f"'{obj.kind}' object has no attribute '{name}'")
        return v
    if isinstance(obj, Bunch):
        if name in obj:
            return obj[name]
        if name in ("keys", "values", "items"):
            return Builtin(f"Bunch.{name}", lambda i, a, k, s: getattr(obj, name)())
        raise AttributeError(f"'Bunch' object has no attribute '{name}'")
    return _MISSING


def native_setattr_value(interp, obj, name, value) -> bool:
    return isinstance(obj, KObject) and obj.set_attr(interp, name, value)


def native_repr(interp, v) -> str:
    if isinstance(v, KObject):
        return v.repr()
    comp = companion(v)
    return comp.repr() if comp is not None else ""


def variable_names(interp, var) -> tuple[str, str] | None:
    """(name, path) of a weight a Keras layer made in this run, as Keras 3 names them."""
    st = getattr(interp, "keras_state", None)
    entry = st.weights.get(id(var)) if st is not None else None
    if entry is None or entry[0] is not var:
        return None
    return entry[1], entry[2]


def variable_repr(interp, var) -> str:
    _, path = variable_names(interp, var)
    value = np.array2string(np.asarray(var.numpy()), separator=" ")
    return f"<Variable path={path}, shape={tuple(var.shape)}, dtype={var.dtype.name}, value={value}>"


def call_scope(fn, args) -> str | None:
    """`layer.call(x)` called directly (MIT's lab does): its ops still form the layer's cluster."""
    if fn.name != "call" or not args or not isinstance(fn.owner, Class) or not isinstance(fn.owner.native, KClass):
        return None
    comp = companion(args[0])
    if comp is None:
        return None
    return f"{SCOPE_PREFIX}{comp.name}:{comp.display_class()}"


def scope_layer(entry: str) -> tuple[str, str] | None:
    """("dense_1", "Dense") for a scope entry of a layer call, else None."""
    if not entry.startswith(SCOPE_PREFIX):
        return None
    body = entry[len(SCOPE_PREFIX):].split("#", 1)[0]
    name, _, cls = body.partition(":")
    return name, cls
