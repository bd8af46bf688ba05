"""Checks a program's syntax tree against the whitelist before anything runs.

The program language is Python syntax, parsed with `ast` and never compiled or evaluated: this module
refuses every construct outside the language with the line, the column and what to write instead, and
enforces the size limits, so the interpreter only ever sees trees it knows how to walk.
"""

from __future__ import annotations

import ast

from . import limits
from .errors import ProgramError, at
from .ops import SPECS

CONSTRUCTORS = {
    "tf.constant", "tf.Variable", "tf.ones", "tf.zeros", "tf.ones_like", "tf.zeros_like", "tf.fill",
    "tf.eye", "tf.linspace", "tf.random.normal", "tf.random.uniform", "tf.cast", "tf.GradientTape",
    "tf.convert_to_tensor",
}
DTYPES = {"tf.float16", "tf.float32", "tf.float64", "tf.int32", "tf.int64", "tf.bool"}
TF_NAMES = set(SPECS) | CONSTRUCTORS | DTYPES
METHODS = {"watch", "gradient", "jacobian", "stop_recording", "assign", "assign_add", "assign_sub",
           "numpy", "shape", "dtype", "ndim"}
BUILTINS = {"print"}
FORBIDDEN_NAMES = {"eval", "exec", "compile", "open", "__import__", "getattr", "setattr", "delattr",
                   "globals", "locals", "vars", "input", "breakpoint", "exit", "quit", "help", "dir",
                   "type", "object", "super", "memoryview", "classmethod", "staticmethod", "property"}

_ALLOWED = (ast.Module, ast.Expr, ast.Assign, ast.AugAssign, ast.With, ast.withitem, ast.Name, ast.Load,
            ast.Store, ast.Constant, ast.List, ast.Tuple, ast.BinOp, ast.UnaryOp, ast.Call, ast.keyword,
            ast.Attribute, ast.Subscript, ast.Slice, ast.Pass, ast.Add, ast.Sub, ast.Mult, ast.Div,
            ast.Pow, ast.MatMult, ast.USub, ast.UAdd)

_REFUSALS = {
    ast.Import: "`import` is not available: `tf` is already there, and nothing else can be imported",
    ast.ImportFrom: "`import` is not available: `tf` is already there, and nothing else can be imported",
    ast.FunctionDef: "defining functions is not available: write the computation out line by line",
    ast.AsyncFunctionDef: "defining functions is not available: write the computation out line by line",
    ast.Lambda: "`lambda` is not available: write the computation out line by line",
    ast.ClassDef: "classes are not available: write the computation out line by line",
    ast.For: "loops are not available here: write the steps out, or use the Gradient descent page "
             "for training loops",
    ast.While: "loops are not available here: write the steps out, or use the Gradient descent page "
               "for training loops",
    ast.If: "`if` is not available: the graph must be the same for every run; use tf.maximum, "
            "tf.minimum or tf.nn.relu for piecewise functions",
    ast.IfExp: "`a if c else b` is not available: use tf.maximum, tf.minimum or tf.nn.relu",
    ast.Compare: "comparisons are not available: they are not differentiable; use tf.maximum or tf.minimum",
    ast.BoolOp: "`and` / `or` are not available",
    ast.ListComp: "comprehensions are not available: write the list out",
    ast.GeneratorExp: "comprehensions are not available: write the list out",
    ast.DictComp: "comprehensions are not available",
    ast.SetComp: "comprehensions are not available",
    ast.Dict: "dictionaries are not available: use lists",
    ast.Set: "sets are not available: use lists",
    ast.Try: "`try` is not available",
    ast.Raise: "`raise` is not available",
    ast.Assert: "`assert` is not available",
    ast.Delete: "`del` is not available",
    ast.Global: "`global` is not available",
    ast.Nonlocal: "`nonlocal` is not available",
    ast.Return: "`return` is only meaningful in functions, which are not available",
    ast.Yield: "`yield` is not available",
    ast.Await: "`await` is not available",
    ast.Starred: "`*args` unpacking is not available: pass arguments one by one",
    ast.JoinedStr: "f-strings are not available: print values directly, print('x =', x)",
    ast.NamedExpr: "`:=` is not available: assign on its own line",
    ast.AnnAssign: "annotations are not available: write `x = ...`",
    ast.AsyncWith: "`async with` is not available: use `with tf.GradientTape() as tape:`",
    ast.AsyncFor: "loops are not available",
    ast.FloorDiv: "`//` is not available: use `/`",
    ast.Mod: "`%` is not available",
    ast.LShift: "bit operations are not available", ast.RShift: "bit operations are not available",
    ast.BitOr: "bit operations are not available", ast.BitAnd: "bit operations are not available",
    ast.BitXor: "bit operations are not available", ast.Invert: "`~` is not available",
    ast.Not: "`not` is not available",
}
_NUMPY_ROOTS = {"np", "numpy", "math", "jnp", "torch"}


def parse(source: str) -> ast.Module:
    """Parse and check a program; raise ProgramError at the first construct outside the language."""
    if len(source) > limits.MAX_SOURCE_CHARS:
        raise ProgramError(f"the program is {len(source):,} characters long; the limit is "
                           f"{limits.MAX_SOURCE_CHARS:,}", 1, 1)
    try:
        tree = ast.parse(source, mode="exec")
    except SyntaxError as e:
        raise ProgramError(f"syntax error: {e.msg}", e.lineno or 1, e.offset or 1) from None
    except (RecursionError, MemoryError, ValueError) as e:
        raise ProgramError(f"the program is nested too deeply to read ({type(e).__name__})", 1, 1) from None
    count = sum(1 for _ in ast.walk(tree))
    if count > limits.MAX_AST_NODES:
        raise ProgramError(f"the program has {count:,} syntax elements; the limit is "
                           f"{limits.MAX_AST_NODES:,}", 1, 1)
    _check(tree, 0)
    return tree


def dotted(node: ast.AST) -> str | None:
    """`tf.math.log` for an Attribute chain rooted at a Name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _check(node: ast.AST, depth: int, parent: ast.AST | None = None) -> None:
    where = node if hasattr(node, "lineno") else parent   # operators carry no position of their own
    if depth > limits.MAX_AST_DEPTH:
        raise at(where, f"the program is nested more than {limits.MAX_AST_DEPTH} levels deep")
    refusal = _REFUSALS.get(type(node))
    if refusal:
        raise at(where, refusal)
    if not isinstance(node, _ALLOWED):
        raise at(where, f"`{type(node).__name__}` is not part of the program language")
    if isinstance(node, ast.Name):
        _check_name(node)
    elif isinstance(node, ast.Constant):
        _check_constant(node)
    elif isinstance(node, ast.Attribute):
        _check_attribute(node)
        if dotted(node) is not None:
            return  # a checked dotted name: nothing below it to visit
    elif isinstance(node, ast.Call):
        _check_call(node)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        _check_exponent(node.right)
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            _check_target(target)
    elif isinstance(node, ast.AugAssign) and not isinstance(node.target, ast.Name):
        raise at(node.target, "`+=` and friends work on names only, e.g. `c += 1`")
    for child in ast.iter_child_nodes(node):
        _check(child, depth + 1, where)


def _check_name(node: ast.Name) -> None:
    if node.id.startswith("_"):
        raise at(node, f"`{node.id}`: names starting with `_` are not allowed")
    if node.id in FORBIDDEN_NAMES:
        raise at(node, f"`{node.id}` is not available: programs can only compute with TensorFlow ops")
    if node.id in _NUMPY_ROOTS:
        raise at(node, f"`{node.id}` is not available: use the `tf.` functions (tf.sin, tf.matmul, ...)")


def _check_constant(node: ast.Constant) -> None:
    v = node.value
    if isinstance(v, bool) or v is None or v is Ellipsis:
        return
    if isinstance(v, (int, float)):
        if abs(v) > limits.MAX_LITERAL:
            raise at(node, f"the number {v:.3g} is larger than the limit {limits.MAX_LITERAL:.0e}")
        return
    if isinstance(v, str):
        if len(v) > 200:
            raise at(node, "strings longer than 200 characters are not allowed")
        return
    raise at(node, f"{type(v).__name__} literals are not available: use numbers and lists")


def _check_attribute(node: ast.Attribute) -> None:
    if node.attr.startswith("_"):
        raise at(node, f"`.{node.attr}`: attributes starting with `_` are not allowed")
    name = dotted(node)
    if name is None:
        # an attribute of a computed value, e.g. `v[0, 0].assign(3.)`
        if node.attr not in METHODS:
            raise at(node, f"`.{node.attr}` is not available; values offer {', '.join(sorted(METHODS))}")
        return
    root = name.split(".")[0]
    if root == "tf":
        if name not in TF_NAMES:
            raise at(node, f"`{name}` is not available{_suggest(name)}")
        return
    if root in _NUMPY_ROOTS:
        raise at(node, f"`{name}` is not available{_suggest(name)}")
    base = node
    while isinstance(base, ast.Attribute):
        base = base.value
    _check_name(base)
    if name.count(".") > 1 or node.attr not in METHODS:
        raise at(node, f"`{name}` is not available; values offer .{', .'.join(sorted(METHODS))}")


def _suggest(name: str) -> str:
    leaf = name.split(".")[-1]
    for candidate in (f"tf.{leaf}", f"tf.math.{leaf}", f"tf.nn.{leaf}"):
        if candidate in TF_NAMES and candidate != name:
            return f"; use `{candidate}`"
    if name.startswith("tf."):
        return ": only tensor constructors, math, NN and GradientTape operations are allowed"
    return ": use the `tf.` functions (tf.sin, tf.matmul, ...)"


def _check_call(node: ast.Call) -> None:
    func = node.func
    if isinstance(func, ast.Name):
        if func.id not in BUILTINS:
            _check_name(func)
            raise at(func, f"`{func.id}(...)` is not available: call tf functions, or print(...)")
    elif not isinstance(func, ast.Attribute):
        raise at(node, "only tf functions and methods such as tape.gradient can be called")
    for kw in node.keywords:
        if kw.arg is None:
            raise at(kw, "`**kwargs` is not available: write keyword arguments out")


def _check_exponent(node: ast.AST) -> None:
    """A literal exponent must be small; `10 ** 10 ** 10` is refused, not computed."""
    value = _literal_number(node)
    if value is not None and abs(value) > limits.MAX_EXPONENT:
        raise at(node, f"the exponent is larger than {limits.MAX_EXPONENT}")


def _literal_number(node: ast.AST, depth: int = 0) -> float | None:
    if depth > limits.MAX_AST_DEPTH:
        return None   # the depth check refuses it when it gets there
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _literal_number(node.operand, depth + 1)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.BinOp):
        a, b = _literal_number(node.left, depth + 1), _literal_number(node.right, depth + 1)
        if a is None or b is None:
            return None
        try:
            if isinstance(node.op, ast.Pow):
                if abs(b) > limits.MAX_EXPONENT:
                    return float("inf")
                return float(a ** b) if not (a < 0 and b != int(b)) else None
            return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}.get(type(node.op), None)
        except (OverflowError, ZeroDivisionError):
            return float("inf")
    return None


def _check_target(node: ast.AST) -> None:
    if isinstance(node, ast.Name):
        return
    if isinstance(node, (ast.Tuple, ast.List)):
        for elt in node.elts:
            if not isinstance(elt, ast.Name):
                raise at(elt, "unpack into plain names, e.g. `grad_w, grad_b = tape.gradient(...)`")
        return
    if isinstance(node, ast.Subscript):
        raise at(node, "tensors cannot be assigned to (they are immutable): make it a tf.Variable and "
                       "write `v[0, 0].assign(0.)`")
    raise at(node, "assign to a name, e.g. `y = ...`")
