"""The equivalent plain TensorFlow for a program, for the "show the TensorFlow code" expander.

A program here starts with `tf`, `np`, `math` and `plt` already imported and its random numbers seeded
from the page's seed; the code shown adds those lines, so pasted into a notebook it prints the same
numbers (TensorFlow's seeded stream is reproduced exactly, see explorer.randomness).
"""

from __future__ import annotations

import ast

from .interpreter import _number_like, is_shorthand
from .language import dotted, parse, strip_notebook_syntax

_FLOAT_MAKERS = {"tf.constant", "tf.Variable", "tf.ones", "tf.zeros", "tf.random.normal", "tf.random.uniform",
                 "tf.random.truncated_normal", "tf.eye", "tf.fill", "tf.convert_to_tensor", "tf.one_hot"}
_IMPORTS = {"tf": "import tensorflow as tf", "np": "import numpy as np", "math": "import math",
            "plt": "import matplotlib.pyplot as plt"}


def tensorflow_code(source: str, dtype: str = "float32", seed: int = 0) -> str:
    cleaned, _ = strip_notebook_syntax(source)
    tree = parse(cleaned)
    if is_shorthand(tree):
        return _header(tree, seed, {"tf"}) + _shorthand(cleaned, tree, dtype)
    body = cleaned.strip() if dtype == "float32" else ast.unparse(_Float64().visit(tree))
    return _header(tree, seed, set()) + body + "\n"


def _header(tree: ast.Module, seed: int, needed: set[str]) -> str:
    """The imports the program relies on without writing them, and the seeds the page used."""
    bound = _imported(tree)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | needed
    lines = [_IMPORTS[name] for name in ("tf", "np", "math", "plt") if name in used and name not in bound]
    names = {dotted(n) or "" for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    seeds = []
    if any(n.startswith(("tf.random.", "tensorflow.random.")) for n in names) and not _calls(names, "set_seed",
                                                                                         "set_random_seed"):
        seeds.append(f"tf.random.set_seed({seed})   # the page's seed: the same random numbers as on the page")
    if any(n.startswith("np.random.") for n in names) and not _calls(names, "np.random.seed", "set_random_seed"):
        seeds.append(f"np.random.seed({seed})")
    for module, name in (("tf", "tf.random.set_seed"), ("np", "np.random.seed")):
        # the seed lines come before the program's own imports
        if any(s.startswith(name) for s in seeds) and _IMPORTS[module] not in lines:
            lines.append(_IMPORTS[module])
    if "random" in bound and any(n.startswith("random.") for n in names) and "random.seed" not in names:
        seeds.append(f"random.seed({seed})")
    elif _uses_keras(tree, names) and not _calls(names, "set_random_seed", "random.seed"):
        lines.append("import random")
        seeds.append(f"random.seed({seed})   # Keras's initializers draw their seeds from Python's random")
    out = "\n".join(lines + seeds)
    return out + "\n\n" if out else ""


def _uses_keras(tree: ast.Module, names: set[str]) -> bool:
    if any("keras" in n or n.startswith("layers.") for n in names):
        return True
    return any(isinstance(n, (ast.Import, ast.ImportFrom)) and "keras" in ast.unparse(n) for n in ast.walk(tree))


def _calls(names: set[str], *endings: str) -> bool:
    return any(n.endswith(e) for n in names for e in endings)


def _imported(tree: ast.Module) -> set[str]:
    out = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Import):
            out.update(a.asname or a.name.split(".")[0] for a in n.names)
        elif isinstance(n, ast.ImportFrom):
            out.update(a.asname or a.name for a in n.names)
    return out


def _shorthand(source: str, tree: ast.Module, dtype: str) -> str:
    body = tree.body
    suffix = ", dtype=tf.float64" if dtype == "float64" else ""
    lines_before, lines_inside, variables = [], [], []
    for stmt in body[:-1]:
        seg = ast.get_source_segment(source, stmt) or ast.unparse(stmt)
        if isinstance(stmt, ast.Assign) and _number_like(stmt.value) and all(
                isinstance(t, ast.Name) for t in stmt.targets):
            value = ast.get_source_segment(source, stmt.value)
            if value.lstrip("-").isdigit():
                value += ".0"
            plain_float = value.lstrip("-").replace(".", "", 1).isdigit()
            # the app makes every such number a float variable; say so where TensorFlow would pick int
            kind = suffix or ("" if plain_float else ", dtype=tf.float32")
            for t in stmt.targets:
                lines_before.append(f"{t.id} = tf.Variable({value}{kind})")
                variables.append(t.id)
        else:
            lines_inside.append(seg)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    f = "f"
    while f in names:
        f += "_"
    expr = ast.get_source_segment(source, body[-1].value) or ast.unparse(body[-1].value)
    lines = lines_before + ["with tf.GradientTape() as tape:"]
    lines += ["    " + line for line in lines_inside] + [f"    {f} = {expr}"]
    if variables:
        grads = [f"d{f}_d{v}" for v in variables]
        sources = variables[0] if len(variables) == 1 else f"[{', '.join(variables)}]"
        lines.append(f"{', '.join(grads)} = tape.gradient({f}, {sources})")
        lines.append(f"print({f}.numpy(), " + ", ".join(f"{g}.numpy()" for g in grads) + ")")
    return "\n".join(lines) + "\n"


class _Float64(ast.NodeTransformer):
    """Adds dtype=tf.float64 where the app's float64 switch changes what TensorFlow would pick."""

    def visit_Call(self, node: ast.Call) -> ast.Call:
        self.generic_visit(node)
        name = dotted(node.func) or ""
        values = node.args + [k.value for k in node.keywords]
        if name in ("tf.linspace", "tf.range") or (name.startswith("tf.") and name not in _FLOAT_MAKERS and values
                                                    and all(_number(v) for v in values)):
            # no tensor fixes the dtype: the switch makes these Python floats float64
            node.args = [_as_float64(a) for a in node.args]
            for k in node.keywords:
                k.value = _as_float64(k.value)
            return node
        if name in _FLOAT_MAKERS and not any(k.arg == "dtype" for k in node.keywords):
            if dotted(node.func) == "tf.constant" and len(node.args) > 1:
                return node
            if dotted(node.func) in ("tf.constant", "tf.Variable", "tf.convert_to_tensor", "tf.fill") \
                    and not _has_float(node):
                return node
            node.keywords.append(ast.keyword("dtype", ast.parse("tf.float64", mode="eval").body))
        return node


def _number(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool) \
        or isinstance(node, ast.UnaryOp) and _number(node.operand)


def _as_float64(node: ast.AST) -> ast.AST:
    if _number(node) and any(isinstance(n, ast.Constant) and isinstance(n.value, float) for n in ast.walk(node)):
        return ast.Call(ast.parse("tf.constant", mode="eval").body, [node],
                        [ast.keyword("dtype", ast.parse("tf.float64", mode="eval").body)])
    return node


def _has_float(call: ast.Call) -> bool:
    """A constant of Python floats: the switch makes it float64; ints stay ints, tensors keep their dtype."""
    args = call.args[:2] if dotted(call.func) == "tf.fill" else call.args[:1]
    args = args + [k.value for k in call.keywords if k.arg in ("value", "initial_value")]
    return any(isinstance(n, ast.Constant) and isinstance(n.value, float) for a in args for n in ast.walk(a))


HIGHER_ORDER_CODE = """import tensorflow as tf

def f(x):
    return 4.9 * x ** 2

x = tf.constant(1.0, dtype=tf.float64)
h = 1e-5
finite_difference = (f(x + h) - f(x - h)) / (2 * h)

with tf.autodiff.ForwardAccumulator(primals=x, tangents=tf.constant(1.0, tf.float64)) as acc:
    y = f(x)
forward_mode = acc.jvp(y)

with tf.GradientTape() as outer:
    outer.watch(x)
    with tf.GradientTape() as inner:
        inner.watch(x)
        y = f(x)
    dy = inner.gradient(y, x)
second_derivative = outer.gradient(dy, x)   # 9.8
"""
