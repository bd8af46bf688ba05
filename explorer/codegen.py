"""The equivalent plain TensorFlow for a program, for the "show the TensorFlow code" expander."""

from __future__ import annotations

import ast

from .interpreter import _number_like, is_shorthand
from .language import dotted, parse

_FLOAT_MAKERS = {"tf.constant", "tf.Variable", "tf.ones", "tf.zeros", "tf.random.normal", "tf.random.uniform",
                 "tf.eye", "tf.fill"}


def tensorflow_code(source: str, dtype: str = "float32", seed: int = 0) -> str:
    tree = parse(source)
    header = "import tensorflow as tf\n\n"
    if any(isinstance(n, ast.Call) and dotted(n.func) in ("tf.random.normal", "tf.random.uniform")
           for n in ast.walk(tree)):
        header += (f"# The app draws its random numbers from seed {seed} (tf.random.stateless_*), so the\n"
                   "# values below will differ from the ones on the page.\n")
    if is_shorthand(tree):
        return header + _shorthand(source, tree, dtype)
    if dtype == "float32":
        return header + source.strip() + "\n"
    return header + ast.unparse(_Float64().visit(tree)) + "\n"


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
        if dotted(node.func) in _FLOAT_MAKERS and not any(k.arg == "dtype" for k in node.keywords):
            if dotted(node.func) == "tf.constant" and len(node.args) > 1:
                return node
            node.keywords.append(ast.keyword("dtype", ast.parse("tf.float64", mode="eval").body))
        return node


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
