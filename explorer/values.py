"""The values a program handles besides numbers, strings, containers, NumPy arrays and TensorFlow's own
objects: its functions, classes and instances, the modules it imports, and its exceptions.

They are the interpreter's own objects, not Python's: a program reaches an attribute only through the
interpreter's tables (explorer.library), so none of Python's machinery (`__class__`, `__globals__`,
frames) is ever within reach.
"""

from __future__ import annotations

from typing import Any, Callable

from .errors import ProgramError


class LimitError(ProgramError):
    """A limit of explorer.limits was reached: never catchable by the program's own `try`."""


class ProgramRaise(Exception):
    """An exception travelling through the program: raised by it, or by an operation it ran. `value` is
    what `except ... as e` binds."""

    def __init__(self, value: "ExcValue | Instance", line: int | None = None, col: int | None = None):
        super().__init__(value)
        self.value = value
        self.line = line
        self.col = col
        self.calls: list[tuple[str, int]] = []     # (function, line of the call), innermost first

    @property
    def type_name(self) -> str:
        v = self.value
        return v.cls.name if isinstance(v, (ExcValue, Instance)) else type(v).__name__

    @property
    def message(self) -> str:
        v = self.value
        if isinstance(v, ExcValue):
            return v.message
        if isinstance(v, Instance):
            args = v.attrs.get("args", ())
            return str(args[0]) if len(args) == 1 else str(args) if args else ""
        return str(v)


class Function:
    """A function the program defined with `def` or `lambda`."""
    __slots__ = ("name", "params", "body", "defaults", "kwdefaults", "closure", "globals", "scope", "line",
                 "owner", "is_lambda", "interp", "label", "traced", "__weakref__")

    def __init__(self, name, params, body, defaults, kwdefaults, closure, globals_, scope, line, is_lambda,
                 interp):
        self.name, self.params, self.body = name, params, body
        self.defaults, self.kwdefaults = defaults, kwdefaults
        self.closure, self.globals, self.scope, self.line = closure, globals_, scope, line
        self.owner = None            # the class whose body defined it (for super())
        self.is_lambda = is_lambda
        self.interp = interp
        self.label = name
        self.traced = False          # made by tf.function: what it returns comes back as tensors

    def as_tf_function(self) -> "Function":
        """tf.function(f): the same function, its results converted to tensors as a traced function's are."""
        f = Function(self.name, self.params, self.body, self.defaults, self.kwdefaults, self.closure, self.globals,
                     self.scope, self.line, self.is_lambda, self.interp)
        f.owner, f.label, f.traced = self.owner, self.label, True
        return f

    def __call__(self, *args, **kwargs):
        """Python code (sorted's key=, a Keras Lambda layer) may call it: the interpreter runs it."""
        return self.interp.call_function(self, list(args), kwargs, None)


class BoundMethod:
    __slots__ = ("func", "obj")

    def __init__(self, func, obj):
        self.func, self.obj = func, obj

    def __call__(self, *args, **kwargs):
        return self.func.interp.call_function(self.func, [self.obj, *args], kwargs, None)


class Property:
    __slots__ = ("getter", "setter")

    def __init__(self, getter, setter=None):
        self.getter, self.setter = getter, setter


class StaticMethod:
    __slots__ = ("func",)

    def __init__(self, func):
        self.func = func


class ClassMethod:
    __slots__ = ("func",)

    def __init__(self, func):
        self.func = func


class Class:
    """A class the program defined. `bases` are its base classes: the program's own, `object`, an
    exception class, or (explorer.keras) a Keras class it extends."""
    __slots__ = ("name", "bases", "ns", "mro", "line", "native", "__weakref__")

    def __init__(self, name: str, bases: tuple, ns: dict, line: int):
        self.name, self.bases, self.ns, self.line = name, bases, ns, line
        self.mro = _c3(self)
        self.native = next((b for c in self.mro for b in ([c] if not isinstance(c, Class) else [])
                            if b is not OBJECT), None)

    def lookup(self, name: str) -> tuple[Any, "Class | None"]:
        for c in self.mro:
            if isinstance(c, Class) and name in c.ns:
                return c.ns[name], c
        return _MISSING, None

    def is_subclass(self, other) -> bool:
        if other is OBJECT:
            return True
        for c in self.mro:
            if c is other:
                return True
            if isinstance(c, ExcClass) and isinstance(other, ExcClass) and issubclass(c.pyclass, other.pyclass):
                return True
        return False


class Instance:
    __slots__ = ("cls", "attrs", "__weakref__")

    def __init__(self, cls: Class):
        self.cls = cls
        self.attrs: dict[str, Any] = {}


class Builtin:
    """A function of the language's own: Python builtins, NumPy, math, the tape's methods."""
    __slots__ = ("name", "fn")

    def __init__(self, name: str, fn: Callable):
        self.name, self.fn = name, fn      # fn(interp, args, kwargs, site)

    def __repr__(self):
        return f"<built-in function {self.name}>"


class OpCallable:
    """A TensorFlow function of the op table (explorer.ops): calling it records a node."""
    __slots__ = ("spec", "name")

    def __init__(self, spec, name: str):
        self.spec, self.name = spec, name

    def __repr__(self):
        return f"<function {self.name}>"


class Namespace:
    """An imported module (`tf`, `np`, `math`, `plt`, ...): its attributes are its table, nothing else.
    `hint(name)` says what to use instead of a name it does not have."""
    __slots__ = ("name", "table", "hint")

    def __init__(self, name: str, table: dict[str, Any], hint: Callable[[str], str] | None = None):
        self.name, self.table, self.hint = name, table, hint

    def __repr__(self):
        return f"<module '{self.name}'>"


class TypeInfo:
    """A type the program can name or ask about (`int`, `tf.Tensor`, `np.ndarray`): `isinstance` and
    `type(x).__name__`, nothing more. `pytype` is the type it stands for where a library takes a type
    as an argument (`.astype(np.float32)`, `dtype=float`)."""
    __slots__ = ("name", "check", "convert", "pytype")

    def __init__(self, name: str, check: Callable[[Any], bool], convert: Callable | None = None,
                 pytype: type | None = None):
        self.name, self.check, self.convert, self.pytype = name, check, convert, pytype

    def __repr__(self):
        return f"<class '{self.name}'>"


class ExcClass:
    """A built-in exception class (ValueError, tf.errors.InvalidArgumentError, ...)."""
    __slots__ = ("name", "pyclass")

    def __init__(self, name: str, pyclass: type):
        self.name, self.pyclass = name, pyclass

    @property
    def mro(self):
        return [self]

    def is_subclass(self, other) -> bool:
        return other is OBJECT or (isinstance(other, ExcClass) and issubclass(self.pyclass, other.pyclass))

    def __repr__(self):
        return f"<class '{self.name}'>"


class ExcValue:
    """An exception object of a built-in class."""
    __slots__ = ("cls", "args", "message")

    def __init__(self, cls: ExcClass, args: tuple, message: str | None = None):
        self.cls, self.args = cls, args
        self.message = message if message is not None else (str(args[0]) if len(args) == 1 else
                                                            str(args) if args else "")


class Super:
    __slots__ = ("cls", "obj")

    def __init__(self, cls: Class, obj):
        self.cls, self.obj = cls, obj


class _Object:
    def __repr__(self):
        return "<class 'object'>"


OBJECT = _Object()          # the root base class
_MISSING = object()


def _c3(cls: Class) -> list:
    """The method resolution order (C3 linearisation), as Python computes it."""
    def mro_of(c):
        if isinstance(c, Class):
            return list(c.mro)
        return [c] if c is OBJECT else [c, OBJECT]
    seqs = [mro_of(b) for b in cls.bases] + [list(cls.bases)]
    out = [cls]
    while True:
        seqs = [s for s in seqs if s]
        if not seqs:
            return out
        for s in seqs:
            head = s[0]
            if not any(head in t[1:] for t in seqs):
                break
        else:
            raise TypeError("Cannot create a consistent method resolution order (MRO)")
        out.append(head)
        for t in seqs:
            if t and t[0] is head:
                del t[0]
