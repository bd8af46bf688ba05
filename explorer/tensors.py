"""What the Tensors page computes: a tensor's rank and shape, which entries a slice selects, broadcasting
step by step, the dot product's shape rule and one traced entry, and 2-D geometry (affine maps, their
composition, relu folding the plane). Plain NumPy and TensorFlow, no Streamlit; figures are in
`tensor_plots.py`.

Tensors the user types are values of a program in the app's own language (`explorer.run`): the page's
program binds names (`matrix = tf.constant(...)`), and each expression the page draws is one more line
of that program. User text is never evaluated as Python.
"""

from __future__ import annotations

import ast
import contextlib
from dataclasses import dataclass, field
from typing import MutableMapping

import numpy as np
import tensorflow as tf

from .admission import HEAVY
from .errors import ProgramError
from .run import run as run_program

RESULT = "tn_result"     # the name each expression is bound to when it is added to the program


# ---- evaluating expressions in the program language ------------------------------------------------

def _check_one_line(expression: str, what: str) -> None:
    if not expression.strip():
        raise ProgramError(f"in the {what}: it is empty: type a tensor expression such as matrix[:, 2]", 1, 1)
    for k, ch in enumerate(expression):
        if ch in "\r\n":
            raise ProgramError(f"in the {what}: it is one line: put assignments in the program above it", 1, k + 1)


def gated_run(source: str, dtype: str, seed: int):
    """explorer.run inside one slot of the server's admission gate (explorer.admission.HEAVY): a run of
    the Tensors page waits its turn like every page's. The page passes its own runner (shared cache,
    a waiting message); this one is the default for notebooks and tests."""
    with HEAVY.slot():
        return run_program(source, dtype, seed)


def evaluate(program: str, expressions: dict[str, str], seed: int = 0, runner=None) -> dict[str, np.ndarray]:
    """Run `program` with one line `tn_<key> = <expression>` per expression; the expressions' values.
    `runner(source, dtype, seed)` returns the Run (default `gated_run`).

    A ProgramError in the program keeps its line and column; one in an expression is re-located to that
    expression (line 1, its own column) and names it, so the page can put it under the right box."""
    return run_lines(program, expressions, seed, runner)[0]


def run_lines(program: str, expressions: dict[str, str], seed: int = 0,
              runner=None) -> tuple[dict[str, np.ndarray], dict]:
    """evaluate(), and every value the run bound (the program's own names too) from the same one run."""
    lines = program.rstrip("\n").split("\n") if program.strip() else []
    for key, text in expressions.items():
        _check_one_line(text, key)
    prefixes = {key: f"{RESULT}_{key} = " for key in expressions}
    source = "\n".join(lines + [prefixes[k] + text for k, text in expressions.items()]) + "\n"
    try:
        values = (runner or gated_run)(source, "float32", seed).values
    except ProgramError as e:
        k = (e.line or 0) - len(lines) - 1
        if 0 <= k < len(expressions):
            key = list(expressions)[k]
            col = None if e.col is None else max(1, e.col - len(prefixes[key]))
            raise ProgramError(f"in the {key}: {e.message}", 1, col) from None
        raise
    out = {}
    for key in expressions:
        value = values.get(f"{RESULT}_{key}")
        if isinstance(value, list):          # a list literal of numbers is a tensor to tf.constant
            try:
                value = np.asarray(value, dtype=np.float64 if any(isinstance(v, float) for v in np.ravel(value)) else None)
            except (ValueError, TypeError):
                value = None
            if value is not None and value.dtype == object:
                value = None
        if not isinstance(value, np.ndarray):
            raise ProgramError(f"in the {key}: {expressions[key]!r} is not a tensor or an array "
                               "(a slice, an op or a name the program binds is)", 1, 1)
        out[key] = value
    return out, values


def last_good(memory: MutableMapping, key: str, compute, *args, **kwargs):
    """(compute(*args, **kwargs), None); where that raises a ProgramError, (the result for the last arguments
    that worked, kept in `memory[key]`, or None, and the error): a typo keeps the last picture on the page."""
    try:
        result = compute(*args, **kwargs)
        memory[key] = args
        return result, None
    except ProgramError as e:
        last = memory.get(key)
        return (compute(*last, **kwargs) if last else None), e


# ---- rank, shape, dtype ------------------------------------------------------------------------------

# Chollet 2.2.9: what each axis of a data tensor means.
DATA_KINDS = {
    "scalar": (),
    "vector": ("axis 0",),
    "matrix": ("rows", "columns"),
    "vector data": ("samples", "features"),
    "timeseries": ("samples", "timesteps", "features"),
    "grayscale images": ("samples", "height", "width"),
    "images": ("samples", "height", "width", "channels"),
    "video": ("samples", "frames", "height", "width", "channels"),
}
READ_AS = ("auto",) + tuple(k for k in DATA_KINDS if k not in ("scalar", "vector"))


@dataclass(frozen=True)
class TensorInfo:
    rank: int                   # from the array (NumPy's ndim)
    shape: tuple[int, ...]
    dtype: str
    tf_rank: int                # tf.rank of the same value
    tf_shape: tuple[int, ...]   # tf.shape of the same value
    kind: str                   # a key of DATA_KINDS, or "rank N"
    axes: tuple[str, ...]       # one name per axis

    @property
    def agrees(self) -> bool:
        return self.rank == self.tf_rank and self.shape == self.tf_shape

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))


CHANNELS = (1, 3, 4)        # grey, RGB, RGBA: a last axis of these sizes after a picture's height and width
MIN_PICTURE = 8             # a picture is at least this many pixels high and wide (load_digits' 8×8)


def _picture(height: int, width: int, square: bool = False) -> bool:
    return min(height, width) >= MIN_PICTURE and (height == width or not square)


def data_kind(shape: tuple[int, ...], read_as: str = "auto") -> str:
    """How to read a tensor of this shape: `read_as` where its rank fits, else what the shape plainly is.
    Only a shape that looks like pictures is guessed to be one (square frames of 8 pixels or more; a last
    axis of 1, 3 or 4 channels); any other tensor of rank 3 or more is "rank N", drawn as it is indexed."""
    rank = len(shape)
    if read_as != "auto" and len(DATA_KINDS.get(read_as, ())) == rank:
        return read_as
    if rank == 3 and _picture(shape[1], shape[2], square=True):
        return "grayscale images"
    if rank == 4 and shape[3] in CHANNELS and _picture(shape[1], shape[2]):
        return "images"
    if rank == 5 and shape[4] in CHANNELS and _picture(shape[2], shape[3]):
        return "video"
    return {0: "scalar", 1: "vector", 2: "matrix"}.get(rank, f"rank {rank}")


def describe(value, read_as: str = "auto") -> TensorInfo:
    array = np.asarray(value)
    tensor = tf.convert_to_tensor(array)
    shape = tuple(int(d) for d in array.shape)
    kind = data_kind(shape, read_as)
    axes = DATA_KINDS.get(kind, tuple(f"axis {k}" for k in range(len(shape))))
    return TensorInfo(array.ndim, shape, tensor.dtype.name, int(tf.rank(tensor).numpy()),
                      tuple(int(d) for d in tf.shape(tensor).numpy()), kind, axes)


def bound_tensors(program: str, seed: int = 0, runner=None) -> dict[str, TensorInfo]:
    """Every tensor the program binds, by name, in the order it binds them (what the page offers to draw:
    MIT's `number` … `images` are rank 0 … rank 4); none for a program that does not run (its error is
    said where the picture is)."""
    if not program.strip():
        return {}
    try:
        values = (runner or gated_run)(program.rstrip("\n") + "\n", "float32", seed).values
    except ProgramError:
        return {}
    return tensors_of(values)


def tensors_of(values: dict) -> dict[str, TensorInfo]:
    """The tensors among a run's values (not the lines the page added), described."""
    return {name: describe(v) for name, v in values.items()
            if isinstance(v, np.ndarray) and v.dtype != object and not name.startswith(RESULT)}


@dataclass(frozen=True)
class Look:
    """What the Shapes & slices view draws for one expression."""
    program: str
    expression: str
    value: np.ndarray                 # the tensor drawn: a slice's source, any other expression's value
    selection: "Selection | None"     # a slice `name[...]`: what it selects in its source
    movement: "Movement | None"       # tf.reshape / tf.transpose small enough to number entry by entry
    bound: dict = field(default_factory=dict)   # the program's tensors (name: TensorInfo), from the same run
    too_many: int = 0                 # the entries of a reshape or transpose too large for that (0: none)

    @property
    def name(self) -> str:
        return self.selection.name if self.selection else self.expression

    @property
    def mask(self) -> np.ndarray | None:
        return None if self.selection is None else self.selection.mask

    def code(self, seed: int = 0) -> str:
        """The TensorFlow code of the picture."""
        if self.movement is not None:
            return movement_code(self.program, self.expression, seed)
        if self.selection is not None:
            return slice_code(self.program, self.selection.expression, seed)
        return shape_code(self.program, self.expression, seed)


def look(program: str, expression: str, seed: int = 0, runner=None) -> Look:
    """A slice `name[...]` is drawn in its source with what it selects; a reshape or transpose with where
    each entry goes; any other expression by itself. A syntax error is raised, not guessed around."""
    try:
        sliced_name(expression)
    except ProgramError as e:
        if "syntax error" in e.message:
            raise
    else:
        sel, bound = _select(program, expression, seed, runner)
        return Look(program, expression, sel.source, sel, None, tensors_of(bound))
    try:                        # one run gives the value and where each entry went
        moved, bound = _movement(program, expression, seed, runner)
    except ProgramError:        # said as the expression's own error below
        moved = None
    if moved is None:
        value, bound = run_lines(program, {"expression": expression}, seed, runner)
        return Look(program, expression, value["expression"], None, None, tensors_of(bound))
    if moved.source.size > MAX_MOVED:
        return Look(program, expression, moved.result, None, None, tensors_of(bound), moved.source.size)
    return Look(program, expression, moved.result, None, moved, tensors_of(bound))


# ---- slicing -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    name: str                   # the sliced tensor's name in the program
    source: np.ndarray          # its value
    result: np.ndarray          # the slice's value
    mask: np.ndarray            # bool, the source's shape: True where an entry is in the result
    expression: str

    @property
    def count(self) -> int:
        return int(self.mask.sum())


def sliced_name(expression: str) -> tuple[str, int, int]:
    """(name, start, end) of the tensor a slice expression `name[...]` slices; ProgramError otherwise.
    The expression is only parsed here, never run: it runs in the program language."""
    _check_one_line(expression, "slice")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as e:
        raise ProgramError(f"in the slice: syntax error: {e.msg}", 1, e.offset or 1) from None
    node = tree.body
    while isinstance(node, ast.Subscript) and isinstance(node.value, ast.Subscript):
        node = node.value
    if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)):
        raise ProgramError("a slice is a name the program binds followed by [...]: matrix[1], matrix[:, 2], "
                           "images[10:100, 14:, 14:]", 1, 1)
    lead = len(expression) - len(expression.lstrip())
    raw = expression.strip().encode()
    start = len(raw[:node.value.col_offset].decode()) + lead
    end = len(raw[:node.value.end_col_offset].decode()) + lead
    return node.value.id, start, end


def select(program: str, expression: str, seed: int = 0, runner=None) -> Selection:
    """Which entries of the sliced tensor the slice takes: the same slice applied, in the program
    language, to a tensor of the same shape holding each entry's flat position."""
    return _select(program, expression, seed, runner)[0]


def _select(program: str, expression: str, seed: int, runner) -> tuple[Selection, dict]:
    name, start, end = sliced_name(expression)
    positions = f"tf.reshape(tf.range(tf.size({name})), tf.shape({name}))"
    values, bound = run_lines(program, {"slice": expression, "source": name,
                                        "positions": expression[:start] + positions + expression[end:]}, seed, runner)
    source = values["source"]
    mask = np.zeros(source.size, dtype=bool)
    mask[values["positions"].astype(np.int64).ravel()] = True
    return Selection(name, source, values["slice"], mask.reshape(source.shape), expression.strip()), bound


# ---- reshape and transpose: where each entry goes ---------------------------------------------------

MOVES = ("tf.reshape", "tf.transpose")
MAX_MOVED = 400          # entries drawn one by one (source and result); larger tensors are drawn as usual


@dataclass(frozen=True)
class Movement:
    op: str                     # "tf.reshape" or "tf.transpose"
    source: np.ndarray          # the tensor moved (the op's first argument)
    result: np.ndarray          # the op's value
    positions: np.ndarray       # int, the result's shape: the row-major position in `source` each entry came from
    expression: str
    source_text: str            # the first argument as typed

    @property
    def keeps_order(self) -> bool:
        """True when the result read in row-major order is the source read in row-major order (reshape)."""
        return bool(np.array_equal(self.positions.ravel(), np.arange(self.positions.size)))


def moved_argument(expression: str) -> tuple[str, int, int] | None:
    """(op, start, end) of the first argument of `tf.reshape(x, ...)` / `tf.transpose(x, ...)`, or None when
    the expression is not one of them. Only parsed here, never run: it runs in the program language."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return None
    node = tree.body
    if not (isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "tf"
            and f"tf.{node.func.attr}" in MOVES and not isinstance(node.args[0], ast.Starred)):
        return None
    lead = len(expression) - len(expression.lstrip())
    raw = expression.strip().encode()
    arg = node.args[0]
    start = len(raw[:arg.col_offset].decode()) + lead
    end = len(raw[:arg.end_col_offset].decode()) + lead
    return f"tf.{node.func.attr}", start, end


def movement(program: str, expression: str, seed: int = 0, runner=None) -> Movement | None:
    """Where each entry of a reshape or transpose comes from: the same op applied, in the program language,
    to a tensor of the source's shape holding each entry's row-major position. None for other expressions."""
    return _movement(program, expression, seed, runner)[0]


def _movement(program: str, expression: str, seed: int, runner) -> tuple[Movement | None, dict]:
    found = moved_argument(expression)
    if found is None:
        return None, {}
    op, start, end = found
    arg = expression[start:end]
    positions = f"tf.reshape(tf.range(tf.size({arg})), tf.shape({arg}))"
    values, bound = run_lines(program, {"moved": expression, "source": arg,
                                        "positions": expression[:start] + positions + expression[end:]}, seed, runner)
    return Movement(op, np.asarray(values["source"]), np.asarray(values["moved"]),
                    np.asarray(values["positions"]).astype(np.int64), expression.strip(), arg.strip()), bound


# ---- broadcasting --------------------------------------------------------------------------------

# The element-wise ops the broadcasting view applies: (how the result is written, NumPy's function)
OPS = {"add": ("x + y", np.add), "maximum": ("maximum(x, y)", np.maximum)}


@dataclass(frozen=True)
class BroadcastStep:
    title: str
    left: tuple[int, ...]
    right: tuple[int, ...]
    note: str


@dataclass(frozen=True)
class Broadcast:
    left: tuple[int, ...]
    right: tuple[int, ...]
    steps: tuple[BroadcastStep, ...]
    result: tuple[int, ...] | None
    error: str | None = None
    failed_axis: int | None = None   # counted from the right: -1 is the last axis

    def repeated_axes(self, operand: str) -> tuple[int, ...]:
        """The result's axes along which `operand` ("x" or "y") is repeated (its size there 1, or the axis added)."""
        shape = self.left if operand == "x" else self.right
        full = (1,) * (len(self.result) - len(shape)) + shape
        return tuple(k for k, (d, n) in enumerate(zip(full, self.result)) if d == 1 and n != 1)

    def broadcasts(self, operand: str) -> bool:
        """Does this operand change on the way (axes added or repeats)? The other one is used as it is."""
        return (self.left if operand == "x" else self.right) != self.result


def broadcast(left: tuple[int, ...], right: tuple[int, ...], op: str = "add") -> Broadcast:
    """Chollet 2.3.2's two steps (axes added to the smaller tensor, then repeated), with NumPy's
    general rule: axes are compared from the right; sizes must be equal or one of them 1."""
    left, right = tuple(int(d) for d in left), tuple(int(d) for d in right)
    rank = max(len(left), len(right))
    for k in range(1, rank + 1):
        a = left[-k] if k <= len(left) else 1
        b = right[-k] if k <= len(right) else 1
        if a != b and a != 1 and b != 1:
            axis = rank - k
            return Broadcast(left, right, (), None,
                             f"axis {axis} of the result (axis -{k}, counting from the right): x has {a} and y has {b}. "
                             "Axes are compared from the right; two sizes fit when they are equal or one of them is 1.",
                             -k)
    a = (1,) * (rank - len(left)) + left
    b = (1,) * (rank - len(right)) + right
    steps = []
    added = [("x", rank - len(left)), ("y", rank - len(right))]
    notes = [f"{n}: {k} ax{'is' if k == 1 else 'es'} of size 1 added in front" for n, k in added if k]
    steps.append(BroadcastStep("1. add axes", a, b, "; ".join(notes) if notes else "same rank: no axis added"))
    out = tuple(max(p, q) for p, q in zip(a, b))
    reps = [f"{n} repeated {o} times along axis {k}" for n, shape in (("x", a), ("y", b))
            for k, (d, o) in enumerate(zip(shape, out)) if d == 1 and o != 1]
    steps.append(BroadcastStep("2. repeat", out, out, "; ".join(reps) if reps else "nothing to repeat"))
    steps.append(BroadcastStep("3. element-wise", out, out, f"{OPS[op][0]} entry by entry: shape {out}"))
    return Broadcast(left, right, tuple(steps), out)


def broadcast_stages(x: np.ndarray, y: np.ndarray, op: str = "add") -> dict[str, np.ndarray]:
    """The tensors of each step, made by hand (reshape, then repeat) so the page can draw them:
    x and y, each with axes added, each repeated, then the op entry by entry ("result")."""
    x, y = np.asarray(x), np.asarray(y)
    plan = broadcast(x.shape, y.shape, op)
    if plan.error:
        raise ValueError(plan.error)
    rank = len(plan.result)
    stages = {"x": x, "y": y}
    for name, a in (("x", x), ("y", y)):
        a = a.reshape((1,) * (rank - a.ndim) + a.shape)
        stages[f"{name} added"] = a
        for k in plan.repeated_axes(name):
            a = np.repeat(a, plan.result[k], axis=k)
        stages[f"{name} repeated"] = a
    stages["result"] = OPS[op][1](stages["x repeated"], stages["y repeated"])
    return stages


def broadcast_columns(plan: Broadcast) -> list[str]:
    """The stages the picture draws, left to right: each operand that broadcasts with its steps (axes added
    where its rank grows, then repeated), an operand used as it is once, then the result."""
    columns = []
    for name, shape in (("x", plan.left), ("y", plan.right)):
        columns.append(name)
        if plan.broadcasts(name):
            columns += ([f"{name} added"] if len(shape) < len(plan.result) else []) + [f"{name} repeated"]
    return columns + ["result"]


def leading_indices(shape: tuple[int, ...], most: int = 3) -> list[tuple[int, ...]]:
    """Which 2-D slices of a tensor of rank 3 or more to draw so that a repeat along any leading axis
    shows: index 0 of every leading axis, then one step along each leading axis in turn (then 2 along
    the first), at most `most` of them. [()] for ranks 0 to 2."""
    lead = tuple(shape[:-2])
    if not lead:
        return [()]
    found = [(0,) * len(lead)]
    for k, n in enumerate(lead):
        if n > 1:
            found.append(tuple(1 if j == k else 0 for j in range(len(lead))))
    if lead[0] > 2:
        found.append((2,) + (0,) * (len(lead) - 1))
    return found[:most]


def original_entries(plan: Broadcast, operand: str) -> np.ndarray:
    """bool, the result's shape: True at the entries of `operand` repeated that are its own (index 0 along
    every axis it is repeated on); the rest are copies."""
    mask = np.ones(plan.result, bool)
    for k in plan.repeated_axes(operand):
        index = [slice(None)] * len(plan.result)
        index[k] = slice(1, None)
        mask[tuple(index)] = False
    return mask
# ---- the dot product -------------------------------------------------------------------------------

@dataclass(frozen=True)
class DotTrace:
    a: np.ndarray
    b: np.ndarray
    rule: str                   # "(2, 3) · (3, 4) → (2, 4)"
    out: np.ndarray | None
    error: str | None
    index: tuple[int, ...] = ()  # the traced output entry
    row: np.ndarray | None = None   # the entries of a it reads
    col: np.ndarray | None = None   # the entries of b it reads
    entry: float | None = None

    @property
    def products(self) -> np.ndarray:
        return self.row * self.col

    @property
    def traced(self) -> tuple[int, int]:
        """(row of x, column of y) the traced entry reads; 0 for a vector's only one."""
        i = self.index[0] if self.a.ndim == 2 and self.index else 0
        j = self.index[-1] if self.b.ndim == 2 and self.index else 0
        return i, j


def _letters(shape: tuple[int, ...], names: str) -> str:
    return "(" + ", ".join(f"{n}={d}" for n, d in zip(names, shape)) + ("," if len(shape) == 1 else "") + ")"


def dot(a: np.ndarray, b: np.ndarray, i: int = 0, j: int = 0) -> DotTrace:
    """tf.tensordot(a, b, axes=1) for vectors and matrices, with output entry (i, j) traced: the sum
    over the shared axis of a's row i times b's column j."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.ndim not in (1, 2) or b.ndim not in (1, 2):
        return DotTrace(a, b, f"{a.shape} · {b.shape}", None,
                        f"the dot product here takes vectors and matrices (rank 1 or 2); x is rank {a.ndim}, "
                        f"y is rank {b.ndim}")
    out_shape = a.shape[:-1] + b.shape[1:]
    names_a = "ab" if a.ndim == 2 else "b"
    names_b = "bc" if b.ndim == 2 else "b"
    rule = f"{_letters(a.shape, names_a)} · {_letters(b.shape, names_b)} → {_letters(out_shape, ('a' if a.ndim == 2 else '') + ('c' if b.ndim == 2 else ''))}"
    if a.shape[-1] != b.shape[0]:
        return DotTrace(a, b, rule.split(" →")[0] + " → ?", None,
                        f"the last axis of x has {a.shape[-1]} entries and the first axis of y has {b.shape[0]}: "
                        "they must be equal (each output entry pairs them one to one)")
    i = min(max(int(i), 0), a.shape[0] - 1) if a.ndim == 2 else 0
    j = min(max(int(j), 0), b.shape[1] - 1) if b.ndim == 2 else 0
    row = a[i] if a.ndim == 2 else a
    col = b[:, j] if b.ndim == 2 else b
    index = ((i,) if a.ndim == 2 else ()) + ((j,) if b.ndim == 2 else ())
    out = np.tensordot(a, b, axes=1)
    return DotTrace(a, b, rule, out, None, index, row, col, float(np.sum(row * col)))


# ---- geometry --------------------------------------------------------------------------------------

TRANSFORMS = ("rotation", "scaling", "shear", "translation", "matrix", "trained layer", "playground layer")


def parse_numbers(text: str, count: int, what: str = "matrix", form: str = "a, b; c, d") -> np.ndarray:
    """`count` numbers typed with commas, semicolons, spaces or brackets between them. Each is read with
    float(), nothing is evaluated; ProgramError at the bad column, naming `what` it is for."""
    numbers, start = [], None
    for k, ch in enumerate(text + " "):
        if ch in ",; \t[]()":
            if start is not None:
                token = text[start:k]
                try:
                    value = float(token)
                except ValueError:
                    raise ProgramError(f"in the {what}: {token!r} is not a number", 1, start + 1) from None
                if not np.isfinite(value):
                    raise ProgramError(f"in the {what}: {token!r} is not a finite number", 1, start + 1)
                numbers.append(value)
                start = None
        elif start is None:
            start = k
    if len(numbers) != count:
        raise ProgramError(f"in the {what}: type {count} numbers ({form}); there are {len(numbers)}", 1, 1)
    return np.array(numbers)


def parse_matrix(text: str, what: str = "matrix") -> np.ndarray:
    """A 2×2 matrix typed as four numbers, row by row: `1, 0.5; 0, 1`."""
    return parse_numbers(text, 4, what, "row by row: a, b; c, d").reshape(2, 2)


@dataclass(frozen=True)
class Affine:
    """x ↦ x · Aᵀ + t for points as rows (a Dense layer's kernel is Aᵀ, its bias t)."""
    matrix: np.ndarray = field(default_factory=lambda: np.eye(2))
    offset: np.ndarray = field(default_factory=lambda: np.zeros(2))

    def __call__(self, points: np.ndarray) -> np.ndarray:
        return np.asarray(points) @ self.matrix.T + self.offset

    def then(self, second: "Affine") -> "Affine":
        """One affine map equal to this one followed by `second`: A₂(A₁x + t₁) + t₂ = (A₂A₁)x + (A₂t₁ + t₂)."""
        return Affine(second.matrix @ self.matrix, second.matrix @ self.offset + second.offset)


def rotation(degrees: float) -> np.ndarray:
    """Chollet 2.3.5's rotation matrix R = [[cos θ, -sin θ], [sin θ, cos θ]] (counter-clockwise)."""
    t = np.deg2rad(degrees)
    return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])


# ---- the Network playground's first layer ------------------------------------------------------------

PLAYGROUND = "pg_trainer"    # where the Network playground page keeps its current Trainer in st.session_state
PLAYGROUND_LIVE = "pg_live"  # … or the live picture (explorer.playground_live.Live) holding it as `.trainer`


def playground_trainer(state) -> object | None:
    """The Network playground's current Trainer in a session's state (a mapping), wherever that page keeps it."""
    return state.get(PLAYGROUND) or getattr(state.get(PLAYGROUND_LIVE), "trainer", None)
PLANE = ("x1", "x2")

ACTIVATIONS = {"relu": lambda p: np.maximum(p, 0.0), "tanh": np.tanh,
               "sigmoid": lambda p: 1.0 / (1.0 + np.exp(-p)), "linear": lambda p: p}


@dataclass(frozen=True)
class PlaygroundLayer:
    """The first Dense layer of the playground's network, its weights read from the Keras model when the
    page draws: x ↦ activation(x·W + b), i.e. Affine(matrix=Wᵀ, offset=b) then the activation."""
    name: str
    kernel: np.ndarray          # W, (inputs, units)
    bias: np.ndarray            # b, (units,)
    activation: str             # the Keras layer's activation's name
    features: tuple[str, ...]   # the network's input columns
    step: int                   # the playground's training step when read

    @property
    def units(self) -> int:
        return int(self.kernel.shape[1])

    @property
    def why_not(self) -> str | None:
        """Why this layer cannot be drawn as a map of the plane to the plane, or None when it can."""
        if self.features != PLANE:
            return (f"its inputs are {', '.join(self.features)}, not the plane (x1, x2): choose only X₁ and X₂ "
                    "as features on the Network playground")
        if self.units != 2:
            return (f"it maps the plane to {self.units} dimension{'s' if self.units != 1 else ''} "
                    f"(Dense({self.units}, {self.activation})): a picture of the plane needs 2; give the "
                    "first hidden layer 2 neurons on the Network playground")
        if self.activation not in ACTIVATIONS:
            return f"its activation {self.activation!r} is not one this page draws ({', '.join(ACTIVATIONS)})"
        return None

    @property
    def affine(self) -> Affine:
        return Affine(self.kernel.T.astype(np.float64), self.bias.astype(np.float64))

    def __call__(self, points: np.ndarray) -> np.ndarray:
        return ACTIVATIONS[self.activation](self.affine(points))


def playground_layer(trainer) -> PlaygroundLayer | None:
    """The first Dense layer of a playground Trainer's Keras model (None when there is no trainer), its
    kernel and bias read from the layer's variables now, under the trainer's lock."""
    model = getattr(trainer, "model", None)
    if model is None:
        return None
    import keras
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    if not dense:
        return None
    layer = dense[0]
    with getattr(trainer, "lock", None) or contextlib.nullcontext():
        kernel, bias, step = layer.kernel.numpy(), layer.bias.numpy(), int(getattr(trainer, "step", 0))
    activation = getattr(layer.activation, "__name__", str(layer.activation))
    return PlaygroundLayer(layer.name, kernel, bias, activation, tuple(trainer.spec.features), step)


def transform(kind: str, angle: float = 0.0, sx: float = 1.0, sy: float = 1.0, shear: float = 0.0,
              tx: float = 0.0, ty: float = 0.0, matrix: str = "1, 0; 0, 1", seed: int = 0,
              layer: PlaygroundLayer | None = None) -> Affine:
    """The first map. "playground layer" is that layer's affine part when it maps the plane to the plane,
    else (no playground network, or one that does not) the page's own trained layer."""
    if kind == "rotation":
        return Affine(rotation(angle))
    if kind == "scaling":
        return Affine(np.diag([float(sx), float(sy)]))
    if kind == "shear":
        return Affine(np.array([[1.0, float(shear)], [0.0, 1.0]]))
    if kind == "translation":
        return Affine(np.eye(2), np.array([float(tx), float(ty)]))
    if kind == "matrix":
        return Affine(parse_matrix(matrix))
    if kind == "playground layer" and layer is not None and layer.why_not is None:
        return layer.affine
    if kind in ("trained layer", "playground layer"):
        return train_layer(seed).hidden
    raise ValueError(f"transform {kind!r} is not one of {', '.join(TRANSFORMS)}")


def relu(points: np.ndarray) -> np.ndarray:
    """relu on each coordinate: every point with a negative coordinate is folded onto an axis."""
    return np.maximum(points, 0.0)


FIGURES = ("grid and F", "two classes")


def shape_lines(name: str, seed: int = 0) -> dict[str, np.ndarray]:
    """The figure a transform moves, as named point arrays (n, 2): grid lines (NaN rows break a line),
    the letter F (not symmetric, so a rotation and a reflection look different), or Chollet's two
    classes (means (0, 3) and (3, 0), covariance [[1, 0.5], [0.5, 1]]), 150 points each, from `seed`."""
    if name == "two classes":
        rng = np.random.default_rng(seed)
        cov = [[1.0, 0.5], [0.5, 1.0]]
        return {"class 0": rng.multivariate_normal([0.0, 3.0], cov, 150),
                "class 1": rng.multivariate_normal([3.0, 0.0], cov, 150)}
    ticks = np.arange(-2.0, 2.01, 0.5)
    lines = []
    for v in ticks:
        lines += [np.column_stack([np.full(9, v), np.linspace(-2, 2, 9)]), [[np.nan, np.nan]],
                  np.column_stack([np.linspace(-2, 2, 9), np.full(9, v)]), [[np.nan, np.nan]]]
    f = np.array([[0.0, 0.0], [0.0, 1.5], [1.0, 1.5], [np.nan, np.nan], [0.0, 0.8], [0.7, 0.8]])
    return {"grid": np.vstack(lines), "F": f}


# ---- presets: the books' examples --------------------------------------------------------------------

@dataclass(frozen=True)
class TensorPreset:
    title: str
    program: str
    view: str                   # which part of the page it opens
    expression: str = ""        # Shapes & slices: the tensor or slice drawn
    left: str = "x"             # Broadcasting / Dot product: the two operands
    right: str = "y"
    transform: str = "rotation"
    angle: float = 30.0
    second: bool = False        # Geometry: then the second map (the two compose into one)
    second_matrix: str = "0, -1; 1, 0"    # Geometry: the second map's A₂ and t₂ (SECOND_MATRIX, SECOND_OFFSET)
    second_offset: str = "1, -1"
    op: str = "add"             # Broadcasting: the element-wise op (a key of OPS)
    fold: bool = False          # Geometry: then relu
    figure: str = "grid and F"
    read_as: str = "auto"
    picks: tuple[str, ...] = ()  # Shapes & slices: other tensors of the program the preset offers to draw


MIT_RANKS = """number = tf.constant(1.41421356237, tf.float64)
numbers = tf.constant([3.141592, 1.414213, 2.71821], tf.float64)
matrix = tf.constant([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]])
cube = tf.reshape(tf.range(24.0), (2, 3, 4))
images = tf.zeros([10, 256, 256, 3])
"""

DIGITS = """from sklearn.datasets import load_digits
digits = load_digits()
images = tf.constant(digits.images)
labels = digits.target
"""

TIMESERIES = """# Chollet 2.2.10: a year of stock prices, a minute per timestep: (days, minutes, features)
t = tf.range(390.0) / 390.0
day = tf.stack([tf.sin(20.0 * t), tf.cos(7.0 * t), t], axis=1)
stocks = tf.stack([day * (1.0 + 0.002 * k) for k in range(250)])
"""

VIDEO = """# Chollet 2.2.12: 4 clips of 24 frames of 32×32 RGB: (samples, frames, height, width, channels)
video = tf.random.uniform((4, 24, 32, 32, 3))
"""

VECTORS = """# Chollet 2.2.9: 100 people, each (age, postcode, income): (samples, features)
people = tf.random.uniform((100, 3), maxval=100.0)
"""

RESHAPING = """# Chollet 2.3.4: reshaping and transposition
x = tf.constant([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
"""

BROADCAST = """x = tf.random.normal((32, 10))
y = tf.random.normal((10,))
"""

CHOLLET_BROADCAST = """import numpy as np
x = np.random.random((64, 3, 32, 10))
y = np.random.random((32, 10))
"""

BOTH_WAYS = """# each operand is repeated along the axis where it has size 1: a column plus a row is a table
x = tf.constant([[0.0], [10.0], [20.0]])
y = tf.constant([[1.0, 2.0, 3.0, 4.0]])
"""

MISMATCH = """x = tf.ones((32, 10))
y = tf.ones((32,))
"""

DOTS = """x = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
y = tf.constant([[1.0, 0.0, 2.0, 1.0], [0.0, 1.0, 1.0, 2.0], [3.0, 1.0, 0.0, 1.0]])
v = tf.constant([1.0, 0.5, -1.0])
"""

PRESETS = (
    TensorPreset("MIT 6.S191 lab 1: rank 0 to rank 4", MIT_RANKS, "Shapes & slices", "images",
                 picks=("number", "numbers", "matrix", "cube")),
    TensorPreset("MIT 6.S191 lab 1: a row, matrix[1]", MIT_RANKS, "Shapes & slices", "matrix[1]"),
    TensorPreset("MIT 6.S191 lab 1: a column, matrix[:, 2]", MIT_RANKS, "Shapes & slices", "matrix[:, 2]"),
    TensorPreset("MIT 6.S191 lab 1: an entry, matrix[1, 2]", MIT_RANKS, "Shapes & slices", "matrix[1, 2]"),
    TensorPreset("Chollet 2.2.6: slicing a batch of digits", DIGITS, "Shapes & slices", "images[10:100, 4:, 4:]"),
    TensorPreset("Chollet 2.2.6: MNIST's crop, images[10:100, 14:, 14:]",
                 "images = tf.random.uniform((200, 28, 28))\n", "Shapes & slices", "images[10:100, 14:, 14:]"),
    TensorPreset("Chollet 2.2.9: vector data", VECTORS, "Shapes & slices", "people", read_as="vector data"),
    TensorPreset("Chollet 2.2.10: timeseries", TIMESERIES, "Shapes & slices", "stocks", read_as="timeseries"),
    TensorPreset("Chollet 2.2.11: images (the digits)", DIGITS, "Shapes & slices", "images"),
    TensorPreset("Chollet 2.2.12: video", VIDEO, "Shapes & slices", "video"),
    TensorPreset("Chollet 2.3.4: reshaping (3, 2) to (6, 1)", RESHAPING, "Shapes & slices", "tf.reshape(x, (6, 1))"),
    TensorPreset("Chollet 2.3.4: reshaping (3, 2) to (2, 3)", RESHAPING, "Shapes & slices", "tf.reshape(x, (2, 3))"),
    TensorPreset("Chollet 2.3.4: transposition, (3, 2) to (2, 3)", RESHAPING, "Shapes & slices", "tf.transpose(x)"),
    TensorPreset("Chollet 2.3.2: broadcasting (32, 10) + (10,)", BROADCAST, "Broadcasting"),
    TensorPreset("Chollet 2.3.2: np.maximum over (64, 3, 32, 10) and (32, 10)", CHOLLET_BROADCAST, "Broadcasting",
                 op="maximum"),
    TensorPreset("Broadcasting both ways: (3, 1) + (1, 4)", BOTH_WAYS, "Broadcasting"),
    TensorPreset("Broadcasting: a shape mismatch", MISMATCH, "Broadcasting"),
    TensorPreset("Chollet 2.3.3: matrix · matrix", DOTS, "Dot product"),
    TensorPreset("Chollet 2.3.3: matrix · vector", DOTS, "Dot product", right="v"),
    TensorPreset("Chollet 2.3.5: rotation by θ", "", "Geometry", transform="rotation", angle=30.0),
    TensorPreset("Chollet 2.3.5: shear", "", "Geometry", transform="shear"),
    TensorPreset("Chollet 2.3.5: two affine maps are one", "", "Geometry", transform="rotation", angle=30.0,
                 second=True),
    TensorPreset("Chollet 2.3.6: relu folds the two classes", "", "Geometry", transform="translation",
                 fold=True, figure="two classes"),
    TensorPreset("Chollet 2.3.6: a trained Dense(2, relu) layer unfolds the classes", "", "Geometry",
                 transform="trained layer", fold=True, figure="two classes"),
)


def preset(title: str) -> TensorPreset:
    for p in PRESETS:
        if p.title == title:
            return p
    raise KeyError(title)


# ---- the TensorFlow code shown under each picture ----------------------------------------------------

def _program_code(program: str, seed: int) -> str:
    from .codegen import tensorflow_code
    text = tensorflow_code(program, "float32", seed).rstrip() + "\n"
    # the code after the program always uses tf, also where the program itself only used NumPy
    return text if "import tensorflow as tf" in text else "import tensorflow as tf\n" + text


def shape_code(program: str, expression: str, seed: int = 0) -> str:
    return _program_code(program, seed) + (
        f"\nvalue = {expression.strip()}\n"
        "print('rank', int(tf.rank(value)), 'shape', tuple(tf.shape(value).numpy().tolist()), 'dtype', tf.convert_to_tensor(value).dtype.name)\n")


def slice_code(program: str, expression: str, seed: int = 0) -> str:
    name, start, end = sliced_name(expression)
    e = expression.strip()
    lead = len(expression) - len(expression.lstrip())
    s, t = start - lead, end - lead
    return _program_code(program, seed) + (
        f"\npart = {e}\nprint('result shape', tuple(tf.shape(part).numpy().tolist()))\n"
        "# which entries the slice takes: slice the flat position of every entry the same way\n"
        f"positions = tf.reshape(tf.range(tf.size({name})), tf.shape({name}))\n"
        f"taken = {e[:s]}positions{e[t:]}\n"
        f"mask = tf.scatter_nd(tf.reshape(taken, (-1, 1)), tf.ones(tf.size(taken), tf.bool), (tf.size({name}),))\n"
        f"mask = tf.reshape(mask, tf.shape({name}))\n"
        "print(int(tf.reduce_sum(tf.cast(mask, tf.int32))), 'entries selected')\n")


def movement_code(program: str, expression: str, seed: int = 0) -> str:
    op, start, end = moved_argument(expression)
    arg = expression[start:end].strip()
    return _program_code(program, seed) + (
        f"\nsource = tf.convert_to_tensor({arg})\nmoved = {expression.strip()}\n"
        "# where each entry goes: apply the same op to the row-major position of every entry of the source\n"
        "positions = tf.reshape(tf.range(tf.size(source)), tf.shape(source))\n"
        f"came_from = {expression[:start].lstrip()}positions{expression[end:].rstrip()}\n"
        "print(came_from.numpy())\n"
        "print('keeps the order:', bool(tf.reduce_all(tf.reshape(came_from, [-1]) == tf.range(tf.size(source)))))\n")


def broadcast_code(program: str, left: str, right: str, seed: int = 0, op: str = "add") -> str:
    call = {"add": "{a} + {b}", "maximum": "tf.maximum({a}, {b})"}[op]
    return _program_code(program, seed) + (
        f"\nx = tf.convert_to_tensor({left.strip()})\ny = tf.convert_to_tensor({right.strip()})\n"
        "shape = tf.broadcast_static_shape(x.shape, y.shape)   # raises ValueError where the shapes do not fit\n"
        "rank = len(shape)\n"
        "x_added = tf.reshape(x, [1] * (rank - len(x.shape)) + x.shape.as_list())   # 1. axes added\n"
        "y_added = tf.reshape(y, [1] * (rank - len(y.shape)) + y.shape.as_list())\n"
        "x_repeated = tf.broadcast_to(x_added, shape)                               # 2. repeated\n"
        "y_repeated = tf.broadcast_to(y_added, shape)\n"
        f"result = {call.format(a='x_repeated', b='y_repeated')}   # 3. element-wise\n"
        f"print(shape, bool(tf.reduce_all(result == {call.format(a='x', b='y')})))   # what TensorFlow broadcasts itself\n")


def dot_code(program: str, left: str, right: str, i: int = 0, j: int = 0, seed: int = 0) -> str:
    return _program_code(program, seed) + (
        f"\nx = tf.cast({left.strip()}, tf.float64)\ny = tf.cast({right.strip()}, tf.float64)\n"
        "out = tf.tensordot(x, y, axes=1)   # (a, b) · (b, c) → (a, c); tf.matmul for two matrices\n"
        f"row = x[{i}] if len(x.shape) == 2 else x\n"
        f"col = y[:, {j}] if len(y.shape) == 2 else y\n"
        "entry = tf.reduce_sum(row * col)   # one output entry: row of x times column of y, summed\n"
        "print(out.shape, float(entry))\n")


def geometry_code(kind: str, angle: float, sx: float, sy: float, shear: float, tx: float, ty: float,
                  second: Affine | None, fold: bool, matrix: str = "1, 0; 0, 1", seed: int = 0,
                  layer: PlaygroundLayer | None = None) -> str:
    first = transform(kind, angle, sx, sy, shear, tx, ty, matrix, seed, layer)
    drawn = kind == "playground layer" and layer is not None and layer.why_not is None
    lines = ["import numpy as np", "import tensorflow as tf", "",
             "# the grid's points as rows (n, 2)",
             "ticks = np.linspace(-2.0, 2.0, 9)",
             "points = tf.constant(np.array([[u, v] for u in ticks for v in ticks]), tf.float64)"]
    if kind == "trained layer" or (kind == "playground layer" and not drawn):
        lines += [f"# the hidden layer (kernel W = Aᵀ, bias t) of Dense(2, relu) → Dense(1, sigmoid), trained on the",
                  f"# two classes for {LAYER_STEPS} full-batch SGD steps from seed {seed} (explorer.tensors.train_layer)"]
    if kind == "rotation":
        lines += [f"theta = np.deg2rad({float(angle)!r})",
                  "A = tf.constant([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]], tf.float64)"]
    elif drawn:
        lines += [f"# the Network playground's first layer ({layer.name}: Dense(2, {layer.activation}), read at step "
                  f"{layer.step}): kernel W, bias b",
                  f"W = tf.constant({layer.kernel.tolist()!r}, tf.float64)",
                  "A = tf.transpose(W)"]
    else:
        lines += [f"A = tf.constant({first.matrix.tolist()!r}, tf.float64)"]
    lines += [f"t = tf.constant({first.offset.tolist()!r}, tf.float64)",
              "moved = tf.matmul(points, A, transpose_b=True) + t   # x · Aᵀ + t: a Dense layer with kernel Aᵀ, bias t"]
    if second is not None:
        lines += [f"A2 = tf.constant({second.matrix.tolist()!r}, tf.float64)",
                  f"t2 = tf.constant({second.offset.tolist()!r}, tf.float64)",
                  "twice = tf.matmul(moved, A2, transpose_b=True) + t2",
                  "# the two maps are one affine map: A2 A and A2 t + t2",
                  "once = tf.matmul(points, tf.matmul(A2, A), transpose_b=True) + (tf.linalg.matvec(A2, t) + t2)",
                  "print('largest difference', float(tf.reduce_max(tf.abs(twice - once))))",
                  "moved = twice"]
    if drawn:
        call = {"relu": "tf.nn.relu(moved)", "tanh": "tf.nn.tanh(moved)", "sigmoid": "tf.nn.sigmoid(moved)",
                "linear": "moved"}[layer.activation]
        lines += [f"activated = {call}   # the layer's activation, entry by entry: x ↦ activation(x · W + b)"]
    if fold:
        lines += ["folded = tf.nn.relu(moved)   # negative coordinates fold onto the axes"]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class TrainedLayer:
    """relu(Dense(2)) then a sigmoid unit, trained on the two classes. The page draws the hidden layer:
    its kernel W and bias b are the affine map x ↦ x·W + b, i.e. Affine(matrix=Wᵀ, offset=b)."""
    hidden: Affine
    losses: np.ndarray           # the loss before each step, then after the last


LAYER_STEPS, LAYER_RATE = 300, 0.5


@tf.function(autograph=False, reduce_retracing=True)
def _train(x, y, w1, b1, w2, b2):
    """LAYER_STEPS full-batch SGD steps on the logistic loss, in one call (no retrace per page rerun)."""
    def loss_of():
        logits = tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2) + b2
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))

    def step(k, losses):
        with tf.GradientTape() as tape:
            loss = loss_of()
        grads = tape.gradient(loss, [w1, b1, w2, b2])
        for v, g in zip((w1, b1, w2, b2), grads):
            v.assign_sub(LAYER_RATE * g)
        return k + 1, losses.write(k, loss)

    _, losses = tf.while_loop(lambda k, _: k < LAYER_STEPS, step,
                              (tf.constant(0), tf.TensorArray(tf.float64, size=LAYER_STEPS + 1)))
    return losses.write(LAYER_STEPS, loss_of()).stack()


def train_layer(seed: int = 0) -> TrainedLayer:
    """A Dense(2, relu) layer and a sigmoid output trained on Chollet's two classes from `seed`
    (weights drawn with NumPy's generator for that seed: the same seed, the same layer)."""
    clouds = shape_lines("two classes", seed)
    x = np.vstack([clouds["class 0"], clouds["class 1"]])
    y = np.concatenate([np.zeros(len(clouds["class 0"])), np.ones(len(clouds["class 1"]))])[:, None]
    rng = np.random.default_rng(seed)
    w1, w2 = (tf.Variable(rng.normal(0.0, 0.5, shape)) for shape in ((2, 2), (2, 1)))
    b1, b2 = tf.Variable(np.zeros(2)), tf.Variable(np.zeros(1))
    losses = _train(tf.constant(x), tf.constant(y), w1, b1, w2, b2).numpy()
    return TrainedLayer(Affine(w1.numpy().T, b1.numpy()), losses)


def second_map(matrix: str, offset: str) -> Affine:
    """The second affine map as the user types it: A₂ as four numbers row by row, t₂ as two."""
    return Affine(parse_matrix(matrix, "second matrix A₂"), parse_numbers(offset, 2, "second shift t₂", "u, v"))


SECOND_MATRIX, SECOND_OFFSET = TensorPreset.second_matrix, TensorPreset.second_offset   # rotate 90°, shift (1, -1)
SECOND = second_map(SECOND_MATRIX, SECOND_OFFSET)


def composition_gap(first: Affine, second: Affine, points: np.ndarray) -> float:
    """Largest difference between mapping twice and mapping once by the composed map (NaN rows skipped):
    the proof, on the figure's own points, that two affine maps are one."""
    twice = second(first(points))
    once = first.then(second)(points)
    keep = ~np.isnan(points).any(axis=1)
    return float(np.max(np.abs(twice[keep] - once[keep]))) if keep.any() else 0.0


@dataclass(frozen=True)
class Geometry:
    """What the Geometry view draws, from the page's settings."""
    kind: str
    first: Affine
    second: Affine | None       # None: no second map
    fold: bool                  # then relu
    layer: PlaygroundLayer | None   # the playground's first layer, when it is the one drawn
    matrix: str                 # the typed matrix drawn (the identity's where it could not be read)
    params: tuple               # angle, sx, sy, shear, tx, ty
    seed: int
    errors: tuple = ()          # (which box, its text, the ProgramError) for each box that could not be read

    def code(self) -> str:
        """The TensorFlow code of the picture."""
        return geometry_code(self.kind, *self.params, self.second, self.fold, self.matrix, self.seed, self.layer)

    @property
    def activation(self):
        """The playground layer's activation, applied after its affine map (None for the other maps)."""
        return None if self.layer is None else ACTIVATIONS[self.layer.activation]


def geometry(values: dict, layer: PlaygroundLayer | None = None) -> Geometry:
    """The maps the Geometry view draws from its settings (`values`: transform, angle, sx, sy, shear, tx, ty,
    matrix, second, second_matrix, second_offset, relu, seed). A typed box that cannot be read is reported
    with its error and the identity (for the second map, its default) drawn instead; the playground's layer
    draws its own activation, with no second map or relu after it."""
    kind, seed, errors = values["transform"], int(values["seed"]), []
    own = layer if kind == "playground layer" and layer is not None and layer.why_not is None else None
    params = [values[n] for n in ("angle", "sx", "sy", "shear", "tx", "ty")]
    matrix = values["matrix"]
    try:
        first = transform(kind, *params, matrix, seed, layer)
    except ProgramError as e:
        errors.append(("Matrix", matrix, e))
        first, matrix = Affine(), "1, 0; 0, 1"
    second = None
    if values["second"] and own is None:
        try:
            second = second_map(values["second_matrix"], values["second_offset"])
        except ProgramError as e:
            box = "second_offset" if "shift" in e.message else "second_matrix"
            errors.append(("Second map", values[box], e))
            second = SECOND
    return Geometry(kind, first, second, bool(values["relu"]) and own is None, own, matrix, tuple(params), seed,
                    tuple(errors))
