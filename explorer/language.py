"""Checks a program's syntax tree before anything runs.

The program language is the Python of the course material, parsed with `ast` and never compiled or
evaluated by Python: explorer.interpreter walks the tree. This module refuses, with the line, the column
and what to write instead, the few constructs outside the language (async code, generators, pattern
matching, Python's dunder machinery, imports of modules other than the allowed ones) and enforces the
size limits, so the interpreter only ever sees trees it knows how to walk. Everything it lets through is
checked again while running: names and attributes exist only through explorer.library's tables.
"""

from __future__ import annotations

import ast
import re

from . import limits
from .errors import ProgramError, at, source_lines

# dunder methods a class may define: the interpreter calls them for operators, len(), str(), iteration
CLASS_DUNDERS = {
    "__init__", "__call__", "__repr__", "__str__", "__len__", "__getitem__", "__setitem__", "__iter__", "__next__",
    "__contains__", "__bool__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__add__", "__radd__",
    "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__",
    "__mod__", "__rmod__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__neg__", "__pos__", "__abs__",
    "__invert__", "__enter__", "__exit__", "__iadd__", "__isub__", "__imul__", "__itruediv__", "__int__",
    "__float__", "__hash__",
}
# dunder attributes a program may read: a class's name, and the base class's constructor through super()
ATTRIBUTE_DUNDERS = {"__name__", "__init__", "__call__"}

_REFUSALS = {
    ast.AsyncFunctionDef: "`async def` is not available",
    ast.AsyncFor: "`async for` is not available",
    ast.AsyncWith: "`async with` is not available: use `with tf.GradientTape() as tape:`",
    ast.Await: "`await` is not available",
    ast.Yield: "generators (`yield`) are not available: build a list and return it",
    ast.YieldFrom: "generators (`yield from`) are not available: build a list and return it",
    ast.Match: "`match` is not available: use if / elif",
}
if hasattr(ast, "TryStar"):
    _REFUSALS[ast.TryStar] = "`except*` is not available: use `except`"


def strip_notebook_syntax(source: str) -> tuple[str, list[str]]:
    """Notebook cells carry IPython lines (`!pip install ...`, `%matplotlib inline`, `%%backend ...`)
    that are not Python. Where the program does not parse because of them, they become `pass`, and a
    note says so: nothing is installed or switched here."""
    if len(source) > limits.MAX_SOURCE_CHARS:
        return source, []                      # parse() refuses it, before anything is read
    try:
        ast.parse(source)
        return source, []
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    lines = source_lines(source, keepends=True)
    notes = []
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped[:1] in ("!", "%"):
            indent = line[:len(line) - len(stripped)]
            ending = line[len(line.rstrip("\r\n")):]
            lines[i] = indent + "pass" + ending
            notes.append(f"line {i + 1}: `{stripped.strip()[:60]}` is a notebook command, skipped here "
                         "(nothing is installed or switched)")
    return "".join(lines), notes


def parse(source: str) -> ast.Module:
    """Parse and check a program; raise ProgramError at the first construct outside the language."""
    if len(source) > limits.MAX_SOURCE_CHARS:
        raise ProgramError(f"the program is {len(source):,} characters long; the limit is "
                           f"{limits.MAX_SOURCE_CHARS:,}", 1, 1)
    try:
        tree = ast.parse(source, mode="exec")
    except SyntaxError as e:
        raise ProgramError(f"syntax error: {e.msg}", e.lineno or 1, e.offset or 1) from None
    except (RecursionError, MemoryError) as e:
        raise ProgramError(f"the program is nested too deeply to read ({type(e).__name__})", 1, 1) from None
    except ValueError as e:
        raise ProgramError(f"the program cannot be read: {str(e).splitlines()[0]}", 1, 1) from None
    count = sum(1 for _ in ast.walk(tree))
    if count > limits.MAX_AST_NODES:
        raise ProgramError(f"the program has {count:,} syntax elements; the limit is "
                           f"{limits.MAX_AST_NODES:,}", 1, 1)
    _Checker().check(tree)
    return tree


class _Checker:
    def check(self, tree: ast.Module) -> None:
        # an explicit stack: the depth limit is checked here, not by Python's recursion limit
        stack: list[tuple[ast.AST, int, ast.AST | None, bool]] = [(tree, 0, None, False)]
        while stack:
            node, depth, parent, in_class = stack.pop()
            where = node if hasattr(node, "lineno") else parent
            if depth > limits.MAX_AST_DEPTH:
                raise at(where, f"the program is nested more than {limits.MAX_AST_DEPTH} levels deep")
            refusal = _REFUSALS.get(type(node))
            if refusal:
                raise at(where, refusal)
            self._node(node, in_class, where)
            # a class body's own statements (and the names in its assignments: `__rmul__ = __mul__`)
            body = isinstance(node, ast.ClassDef) or (in_class and isinstance(node, ast.Assign))
            for child in ast.iter_child_nodes(node):
                stack.append((child, depth + 1, where, body))

    def _node(self, node: ast.AST, in_class: bool, where: ast.AST) -> None:
        if isinstance(node, ast.Name):
            if not (in_class and node.id in CLASS_DUNDERS):
                _check_name(node.id, node)
        elif isinstance(node, ast.Attribute):
            # a class's own operator methods may be called by name (`self.__repr__()`, `super().__add__(o)`):
            # the interpreter finds them only on the program's classes; other values refuse `_` names
            if _is_dunder(node.attr) and node.attr not in ATTRIBUTE_DUNDERS and node.attr not in CLASS_DUNDERS:
                raise at(node, f"`.{node.attr}` is not available: programs cannot reach Python's machinery")
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            if _is_dunder(node.name) and not (in_class and isinstance(node, ast.FunctionDef)
                                              and node.name in CLASS_DUNDERS):
                raise at(node, f"`{node.name}` cannot be defined here" + (
                    f"; a class may define {', '.join(sorted(CLASS_DUNDERS)[:8])}, ..." if in_class else ""))
        elif isinstance(node, ast.arg):
            _check_name(node.arg, where)
        elif isinstance(node, ast.keyword):
            if node.arg is not None and _is_dunder(node.arg):
                raise at(where, f"the keyword `{node.arg}` is not available")
        elif isinstance(node, ast.alias):
            for part in (node.asname or "", node.name):
                if _is_dunder(part.split(".")[-1] if part else ""):
                    raise at(where, f"`{part}` cannot be imported")
        elif isinstance(node, ast.Constant):
            _check_constant(node)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            _check_exponent(node.right)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            _check_import(node)


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _check_name(name: str, node: ast.AST) -> None:
    if _is_dunder(name) or name in ("__builtins__", "__loader__", "__spec__"):
        raise at(node, f"`{name}`: names of Python's machinery are not available")


def _check_constant(node: ast.Constant) -> None:
    v = node.value
    if isinstance(v, str) and len(v) > limits.MAX_LITERAL_CHARS:
        raise at(node, f"strings longer than {limits.MAX_LITERAL_CHARS:,} characters are not allowed")
    if isinstance(v, bytes):
        raise at(node, "bytes literals are not available: use strings")


def _check_import(node: ast.AST) -> None:
    from .library import import_module, module_attr   # the tables say what can be imported
    if isinstance(node, ast.Import):
        for alias in node.names:
            import_module(alias.name, node)
    elif node.module != "__future__":
        module = import_module(node.module or "", node)
        for alias in node.names:
            if alias.name != "*":
                module_attr(module, alias.name, node)


def _check_exponent(node: ast.AST) -> None:
    """A literal exponent must be small; `10 ** 10 ** 10` is refused, not computed."""
    value = _literal_number(node)
    if value is not None and abs(value) > limits.MAX_EXPONENT:
        raise at(node, f"the exponent is larger than {limits.MAX_EXPONENT}")


def _literal_number(node: ast.AST, depth: int = 0) -> float | None:
    if depth > limits.MAX_AST_DEPTH:
        return None   # the depth check refuses it when it gets there
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        try:
            return float(node.value)
        except OverflowError:
            return float("inf")
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


_ = re
