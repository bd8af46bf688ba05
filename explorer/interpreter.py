"""Walks a checked syntax tree and runs it with TensorFlow, recording every value as a graph node.

Nothing here compiles or evaluates user text: each syntax node type has a method, each callable name
is looked up in fixed tables (ops.SPECS and the constructors below), and each method name on a value
is one of language.METHODS, dispatched by an explicit `if`.

User tapes are real `tf.GradientTape`s, always created persistent so that the graph view can later ask
the same tape for the gradient of the target with respect to every node; a tape the user did not make
persistent still refuses a second `gradient` call, as TensorFlow would.
"""

from __future__ import annotations

import ast
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import tensorflow as tf

from . import limits
from .errors import ProgramError, at, source_lines
from .graph import Node
from .language import dotted, parse
from .ops import BINARY_OPERATORS, CAST, SLICE, SPECS, UNARY_OPERATORS, OpSpec

_DTYPES = {"tf.float16": tf.float16, "tf.float32": tf.float32, "tf.float64": tf.float64,
           "tf.int32": tf.int32, "tf.int64": tf.int64, "tf.bool": tf.bool}


@dataclass
class NodeRef:
    """A tensor value in the program, and the node that recorded it."""
    index: int
    tensor: Any


@dataclass
class VarRef:
    """A tf.Variable in the program; `index` is the node of its current state."""
    var: tf.Variable
    index: int


@dataclass
class TapeRef:
    tape: tf.GradientTape
    index: int
    name: str
    persistent: bool                 # what the user asked for
    watch_accessed: bool
    used: bool = False
    pause: Any = None                # the stop_recording context of a used non-persistent tape


@dataclass
class GradientCall:
    tape: int
    target: int
    sources: list[int]
    results: list[int | None]        # node index per source, None where TensorFlow returned None
    kind: str                        # "gradient" or "jacobian"
    line: int


@dataclass
class Trace:
    """What one run of a program leaves behind."""
    nodes: list[Node]
    tensors: list[Any]               # per node: its tensor (variables: a snapshot of that state)
    variables: dict[int, tf.Variable]            # variable-state node -> the variable
    reads: dict[int, list[Any]]                  # variable-state node -> tensors read from it
    specs: dict[int, OpSpec]
    tapes: list[TapeRef]
    calls: list[GradientCall]
    env: dict[str, Any]
    output: list[str]
    shorthand: bool
    target: int | None = None        # the default target node
    var_order: list[tf.Variable] = field(default_factory=list)


class Interpreter:
    def __init__(self, source: str, dtype: str = "float32", seed: int = 0, *,
                 graph_mode: bool = False, variables: list[tf.Variable] | None = None,
                 node_ids: list[str] | None = None, overrides: dict[int, np.ndarray] | None = None):
        if dtype not in ("float32", "float64"):
            raise ProgramError(f"dtype must be 'float32' or 'float64', not {dtype!r}")
        self.source = source
        self.text = SourceText(source)
        self.float = tf.float32 if dtype == "float32" else tf.float64
        self.seed = int(seed)
        self.graph_mode = graph_mode
        self._given_variables = variables
        self._node_ids = node_ids
        self._overrides = overrides or {}   # node index -> value to use instead (finite differences)
        self.nodes: list[Node] = []
        self.tensors: list[Any] = []
        self.variables: dict[int, tf.Variable] = {}
        self.reads: dict[int, list[Any]] = {}
        self.specs: dict[int, OpSpec] = {}
        self.tapes: list[TapeRef] = []
        self.recording: list[int] = []
        self.calls: list[GradientCall] = []
        self.env: dict[str, Any] = {}
        self.output: list[str] = []
        self.var_order: list[tf.Variable] = []
        self.random_count = 0
        self.total_elements = 0
        self.deadline = time.monotonic() + limits.MAX_SECONDS
        self.shorthand_vars: set[str] = set()

    # ---- running ---------------------------------------------------------------------------------

    def run(self) -> Trace:
        tree = parse(self.source)
        body = tree.body
        shorthand = is_shorthand(tree)
        target = None
        if shorthand:
            target = self._run_shorthand(body)
        else:
            for stmt in body:
                self._stmt(stmt)
        return Trace(self.nodes, self.tensors, self.variables, self.reads, self.specs, self.tapes,
                     self.calls, self.env, self.output, shorthand, self._default_target(target),
                     self.var_order)

    def _run_shorthand(self, body: list[ast.stmt]) -> int | None:
        """`x = 3.0; y = 2.0; x**2 * y`: numbers become variables, the last expression the target."""
        self.shorthand_vars = {t.id for s in body[:-1] if isinstance(s, ast.Assign) and
                               _number_like(s.value) for t in s.targets if isinstance(t, ast.Name)}
        tape = self._new_tape("tape", persistent=False, watch_accessed=True, node=body[-1])
        tape.tape.__enter__()
        self.recording.append(tape.index)
        try:
            for stmt in body[:-1]:
                self._stmt(stmt)
            result = self._as_tensor(self._expr(body[-1].value), body[-1].value, None)
        finally:
            self.recording.pop()
            tape.tape.__exit__(None, None, None)
        name = "f"
        while name in self.env:
            name += "_"
        self._bind(name, result)
        sources = [(n, v) for n, v in self.env.items() if isinstance(v, VarRef) and n in self.shorthand_vars]
        if sources:
            grads = self._gradient(tape, result, [v for _, v in sources], body[-1], "gradient")
            for (n, _), g in zip(sources, grads):
                self._bind(f"d{name}_d{n}", g)
        return result.index

    def _default_target(self, target: int | None) -> int | None:
        if target is not None:
            return target
        return self.calls[0].target if self.calls else None

    def _tick(self, node: ast.AST) -> None:
        if time.monotonic() > self.deadline:
            raise at(node, f"the program ran longer than {limits.MAX_SECONDS:.0f} seconds and was stopped")

    # ---- statements --------------------------------------------------------------------------------

    def _stmt(self, stmt: ast.stmt) -> None:
        """One statement; anything TensorFlow or Python raises on the way becomes a ProgramError at
        this line, so a page never shows a traceback."""
        self._tick(stmt)
        try:
            self._run_stmt(stmt)
        except ProgramError:
            raise
        except (TypeError, ValueError, IndexError, KeyError, AttributeError, NotImplementedError,
                OverflowError, ZeroDivisionError, tf.errors.OpError) as e:
            raise at(stmt, f"this line could not run: {_first_line(e)}") from None
        except RecursionError:
            raise at(stmt, "this line is nested too deeply to evaluate") from None

    def _run_stmt(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Assign):
            value = self._expr(stmt.value)
            for target in stmt.targets:
                self._assign(target, value, stmt)
        elif isinstance(stmt, ast.AugAssign):
            current = self._lookup(stmt.target)
            op = BINARY_OPERATORS[type(stmt.op).__name__]
            value = self._call_op(SPECS[op], [current, self._expr(stmt.value)], {}, stmt)
            self._bind(stmt.target.id, value)
        elif isinstance(stmt, ast.Expr):
            self._expr(stmt.value)
        elif isinstance(stmt, ast.With):
            self._with(stmt)
        elif isinstance(stmt, ast.Pass):
            pass
        else:  # language.parse refuses everything else; this guards the two lists staying in step
            raise at(stmt, f"`{type(stmt).__name__}` is not part of the program language")

    def _assign(self, target: ast.AST, value: Any, stmt: ast.AST) -> None:
        if isinstance(target, ast.Name):
            if target.id in self.shorthand_vars and _number_like(stmt.value):
                value = self._make_variable(value, {}, stmt, kind_text=f"{target.id}")
            self._bind(target.id, value)
            return
        if not isinstance(value, (list, tuple)):
            raise at(stmt, f"cannot unpack {_describe(value)} into {len(target.elts)} names: "
                           "tape.gradient(y, [a, b]) returns a list that can be unpacked")
        if len(value) != len(target.elts):
            raise at(stmt, f"{len(target.elts)} names on the left but {len(value)} values on the right")
        for elt, item in zip(target.elts, value):
            self._bind(elt.id, item)

    def _bind(self, name: str, value: Any) -> None:
        if isinstance(value, NodeRef) and self.nodes[value.index].name is None:
            self.nodes[value.index].name = name
        if isinstance(value, VarRef) and self.nodes[value.index].name is None:
            self.nodes[value.index].name = name
        self.env[name] = value

    def _lookup(self, node: ast.Name) -> Any:
        if node.id not in self.env:
            hint = " (tf is the only module; other names must be assigned first)" if node.id != "tf" else ""
            raise at(node, f"name `{node.id}` is not defined{hint}")
        return self.env[node.id]

    def _with(self, stmt: ast.With) -> None:
        entered: list[tuple[str, Any]] = []
        try:
            for item in stmt.items:
                expr = item.context_expr
                name = dotted(expr.func) if isinstance(expr, ast.Call) else None
                if name == "tf.GradientTape":
                    if len(self.recording) >= limits.MAX_TAPE_DEPTH:
                        raise at(expr, f"more than {limits.MAX_TAPE_DEPTH} nested tapes")
                    kw = self._static_kwargs(expr, {"persistent": False, "watch_accessed_variables": True})
                    if not isinstance(item.optional_vars, ast.Name):
                        raise at(expr, "write `with tf.GradientTape() as tape:` to name the tape")
                    tape = self._new_tape(item.optional_vars.id, bool(kw["persistent"]),
                                          bool(kw["watch_accessed_variables"]), expr)
                    tape.tape.__enter__()
                    self.recording.append(tape.index)
                    entered.append(("tape", tape))
                    self.env[item.optional_vars.id] = tape
                elif (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)
                      and expr.func.attr == "stop_recording"):
                    tape = self._expr(expr.func.value)
                    if not isinstance(tape, TapeRef):
                        raise at(expr, "stop_recording() belongs to a GradientTape")
                    cm = tape.tape.stop_recording()
                    cm.__enter__()
                    self.recording.remove(tape.index)
                    entered.append(("pause", (tape, cm)))
                else:
                    raise at(expr, "`with` takes tf.GradientTape(...) or tape.stop_recording()")
            for s in stmt.body:
                self._stmt(s)
        finally:
            for kind, obj in reversed(entered):
                if kind == "tape":
                    if obj.pause is not None:
                        obj.pause.__exit__(None, None, None)
                        obj.pause = None
                    else:
                        self.recording.remove(obj.index)
                    obj.tape.__exit__(None, None, None)
                else:
                    tape, cm = obj
                    cm.__exit__(None, None, None)
                    self.recording.append(tape.index)

    def _new_tape(self, name: str, persistent: bool, watch_accessed: bool, node: ast.AST) -> TapeRef:
        tape = TapeRef(tf.GradientTape(persistent=True, watch_accessed_variables=watch_accessed),
                       len(self.tapes), name, persistent, watch_accessed)
        self.tapes.append(tape)
        return tape

    # ---- expressions -------------------------------------------------------------------------------

    def _expr(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self._lookup(node)
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self._expr(e) for e in node.elts]
            return items if isinstance(node, ast.List) else tuple(items)
        if isinstance(node, ast.BinOp):
            spec = SPECS[BINARY_OPERATORS[type(node.op).__name__]]
            return self._call_op(spec, [self._expr(node.left), self._expr(node.right)], {}, node)
        if isinstance(node, ast.UnaryOp):
            operand = self._expr(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            if _is_number(operand):
                return -operand
            return self._call_op(SPECS[UNARY_OPERATORS["USub"]], [operand], {}, node)
        if isinstance(node, ast.Subscript):
            return self._subscript(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Attribute):
            return self._attribute(node)
        raise at(node, f"`{type(node).__name__}` cannot be used here")

    def _attribute(self, node: ast.Attribute) -> Any:
        name = dotted(node)
        if name in _DTYPES:
            return _DTYPES[name]
        if name is not None and name.startswith("tf."):
            raise at(node, f"`{name}` is a function: call it, e.g. `{name}(x)`")
        value = self._expr(node.value)
        if node.attr in ("shape", "dtype", "ndim") and isinstance(value, (NodeRef, VarRef)):
            t = value.var if isinstance(value, VarRef) else value.tensor
            return {"shape": tuple(t.shape.as_list()), "dtype": t.dtype, "ndim": t.shape.rank}[node.attr]
        raise at(node, f"`.{node.attr}` must be called, e.g. `.{node.attr}(...)`"
                 if node.attr in ("watch", "gradient", "jacobian", "assign", "assign_add", "assign_sub", "numpy")
                 else f"{_describe(value)} has no `.{node.attr}`")

    def _subscript(self, node: ast.Subscript) -> Any:
        value = self._expr(node.value)
        key = self._index(node.slice)
        if isinstance(value, (list, tuple)):
            if not isinstance(key, int):
                raise at(node.slice, "lists can be indexed with one whole number")
            try:
                return value[key]
            except IndexError:
                raise at(node.slice, f"index {key} is out of range for a list of {len(value)}") from None
        if isinstance(value, (NodeRef, VarRef)):
            return self._call_op(SLICE, [value], {"key": key}, node)
        raise at(node, f"{_describe(value)} cannot be indexed")

    def _index(self, node: ast.AST) -> Any:
        """A literal index: ints, slices of ints, `...`, None, and tuples of these."""
        if isinstance(node, ast.Tuple):
            return tuple(self._index(e) for e in node.elts)
        if isinstance(node, ast.Slice):
            return slice(*(None if p is None else self._index_int(p) for p in (node.lower, node.upper, node.step)))
        if isinstance(node, ast.Constant) and (node.value is None or node.value is Ellipsis):
            return node.value
        return self._index_int(node)

    def _index_int(self, node: ast.AST) -> int:
        value = self._expr(node) if isinstance(node, (ast.Constant, ast.UnaryOp)) else None
        if not isinstance(value, int) or isinstance(value, bool):
            raise at(node, "indices must be whole numbers written in the program, e.g. m[1, 2] or m[:, 0]")
        return value

    # ---- calls -------------------------------------------------------------------------------------

    def _call(self, node: ast.Call) -> Any:
        func = node.func
        if isinstance(func, ast.Name):  # print, the one builtin
            return self._print(node)
        name = dotted(func)
        if name is not None and name.startswith("tf."):
            args = [self._expr(a) for a in node.args]
            kwargs = {kw.arg: self._expr(kw.value) for kw in node.keywords}
            if name in SPECS:
                return self._call_op(SPECS[name], args, kwargs, node)
            with self._scope():
                return self._construct(name, args, kwargs, node)
        obj = self._expr(func.value)
        return self._method(obj, func.attr, node)

    def _print(self, node: ast.Call) -> None:
        values = [self._expr(a) for a in node.args]
        if not self.graph_mode:
            self.output.append(" ".join(_show(v) for v in values))
        return None

    def _method(self, obj: Any, method: str, node: ast.Call) -> Any:
        args = [self._expr(a) for a in node.args]
        kwargs = {kw.arg: self._expr(kw.value) for kw in node.keywords}
        if isinstance(obj, TapeRef):
            if method == "watch":
                return self._watch(obj, _one_arg(args, kwargs, node, "tensor"), node)
            if method in ("gradient", "jacobian"):
                params = _bind_params(["target", "sources"], args, kwargs, node, method,
                                      optional={"unconnected_gradients", "output_gradients"})
                if set(params) - {"target", "sources"}:
                    raise at(node, f"only tape.{method}(target, sources) is available here")
                sources = params["sources"]
                many = isinstance(sources, (list, tuple))
                result = self._gradient(obj, params["target"], list(sources) if many else [sources], node,
                                        method)
                return result if many else result[0]
            if method == "stop_recording":
                raise at(node, "use it as `with tape.stop_recording():`")
        if isinstance(obj, VarRef) and method in ("assign", "assign_add", "assign_sub"):
            return self._assign_variable(obj, method, _one_arg(args, kwargs, node, "value"), None, node)
        if isinstance(obj, NodeRef) and method in ("assign", "assign_add", "assign_sub"):
            sliced = self._sliced_variable(node.func.value)
            if sliced is not None:
                var, key = sliced
                return self._assign_variable(var, method, _one_arg(args, kwargs, node, "value"), key, node)
            raise at(node, "tensors are immutable: only a tf.Variable can be assigned to")
        if isinstance(obj, (NodeRef, VarRef)) and method == "numpy":
            t = obj.var if isinstance(obj, VarRef) else obj.tensor
            return t if self.graph_mode else t.numpy()
        raise at(node, f"{_describe(obj)} has no method `.{method}()`")

    def _sliced_variable(self, node: ast.AST) -> tuple[VarRef, Any] | None:
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            var = self.env.get(node.value.id)
            if isinstance(var, VarRef):
                return var, self._index(node.slice)
        return None

    # ---- tapes -------------------------------------------------------------------------------------

    def _watch(self, tape: TapeRef, value: Any, node: ast.AST) -> None:
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, VarRef):
                tape.tape.watch(item.var)
            elif isinstance(item, NodeRef):
                tape.tape.watch(item.tensor)
            else:
                raise at(node, f"tape.watch takes a tensor or variable, not {_describe(item)}")
            self.nodes[item.index].watched_by.add(tape.index)

    def _gradient(self, tape: TapeRef, target: Any, sources: list[Any], node: ast.AST, kind: str) -> list:
        if tape.used and not tape.persistent:
            raise at(node, "a non-persistent GradientTape can only be used to compute one set of gradients: "
                           "create it with tf.GradientTape(persistent=True)")
        if isinstance(target, VarRef):
            target = self._read(target, node)
        if not isinstance(target, NodeRef):
            raise at(node, f"the target of tape.{kind} must be a tensor, not {_describe(target)}")
        for s in sources:
            if not isinstance(s, (NodeRef, VarRef)):
                raise at(node, f"tape.{kind} sources must be tensors or variables, not {_describe(s)}")
        tf_sources = [s.var if isinstance(s, VarRef) else s.tensor for s in sources]
        if kind == "jacobian":
            n_out = _size(target.tensor)
            for s in tf_sources:
                self._check_elements(n_out * _size(s), node)
        own_context = tape.index in self.recording
        try:
            if own_context and not tape.persistent:
                # TensorFlow stops a non-persistent tape from recording once it is used inside its block
                tape.pause = tape.tape.stop_recording()
                tape.pause.__enter__()
                self.recording.remove(tape.index)
            if kind == "gradient":
                results = tape.tape.gradient(target.tensor, tf_sources)
            else:
                results = [tape.tape.jacobian(target.tensor, s) for s in tf_sources]
        except (tf.errors.OpError, ValueError, TypeError, LookupError) as e:
            raise at(node, f"TensorFlow refused tape.{kind}: {_first_line(e)}") from None
        tape.used = True
        out, indices = [], []
        tname = self.nodes[target.index].label
        for s, r in zip(sources, results):
            if r is None:
                out.append(None)
                indices.append(None)
                continue
            sname = self.nodes[s.index].label
            text = f"∂{tname}/∂{sname}" if kind == "gradient" else f"jacobian of {tname} w.r.t. {sname}"
            ref = self._new_node(kind, kind, text, [target.index, s.index], node, r, ["opaque", "opaque"])
            out.append(ref)
            indices.append(ref.index)
        self.calls.append(GradientCall(tape.index, target.index, [s.index for s in sources], indices, kind,
                                       getattr(node, "lineno", 0)))
        return out

    # ---- ops ---------------------------------------------------------------------------------------

    def _call_op(self, spec: OpSpec, args: list, kwargs: dict, node: ast.AST) -> NodeRef:
        params = _bind_params(list(spec.params), args, kwargs, node, spec.op,
                              optional=set(spec.defaults) | {"name"})
        params.pop("name", None)
        tensor_names = spec.params[:spec.n_tensors]
        missing = [p for p in tensor_names if p not in params]
        if missing:
            raise at(node, f"{spec.op} needs {', '.join(missing)}")
        raw = [params[p] for p in tensor_names]
        like = next((self._dtype_of(v) for v in raw if isinstance(v, (NodeRef, VarRef))), None)
        refs = [self._as_tensor(v, node, like) for v in raw]
        static = {}
        for p in spec.params[spec.n_tensors:]:
            if p in params:
                v = params[p]
                if isinstance(v, (NodeRef, VarRef, TapeRef)):
                    raise at(node, f"`{p}` must be written as a number or list in the program")
                static[p] = v
        if spec.op == "pow" and _is_number(raw[1]) and abs(raw[1]) > limits.MAX_EXPONENT:
            raise at(node, f"the exponent is larger than {limits.MAX_EXPONENT}")
        self._precheck(spec, refs, static, node)
        tensors = [r.tensor for r in refs]
        try:
            with self._scope():
                out = spec.fn(*tensors, **static)
        except (tf.errors.OpError, ValueError, TypeError, IndexError) as e:
            raise at(node, f"{_op_title(spec, node)} failed: {_first_line(e)}") from None
        if any(out is t for t in tensors):
            out = tf.identity(out)   # a cast to the same dtype returns its input: keep the values apart
        ref = self._new_node(spec.op, "op", _text(self.text, node), [r.index for r in refs], node, out,
                             ["data"] * len(refs), static)
        self.specs[ref.index] = spec
        return ref

    def _precheck(self, spec: OpSpec, refs: list[NodeRef], static: dict, node: ast.AST) -> None:
        """Refuse an op whose output would be too large before TensorFlow allocates it."""
        shapes = [tuple(r.tensor.shape.as_list()) for r in refs]
        if spec.op == "matmul" and all(len(s) >= 2 for s in shapes):
            a, b = shapes
            m = a[-1] if static.get("transpose_a") else a[-2]
            k = a[-2] if static.get("transpose_a") else a[-1]
            n = b[-2] if static.get("transpose_b") else b[-1]
            try:   # batch dimensions broadcast between the two operands
                batch = int(np.prod(np.broadcast_shapes(a[:-2], b[:-2]) or (1,)))
            except ValueError:
                batch = int(max(np.prod(a[:-2] or (1,)), np.prod(b[:-2] or (1,))))
            if batch * m * k * n > limits.MAX_MATMUL_FLOPS:
                raise at(node, f"this matmul needs {batch * m * k * n:,} multiply-adds; the limit is "
                               f"{limits.MAX_MATMUL_FLOPS:,}")
            self._check_elements(batch * m * n, node)
        elif len(shapes) == 2:
            try:
                self._check_elements(int(np.prod(np.broadcast_shapes(*shapes))), node)
            except ValueError:
                pass  # incompatible shapes: TensorFlow's own error says it best
        elif spec.op == "reshape" and isinstance(static.get("shape"), (list, tuple)):
            self._check_elements(int(np.prod([max(1, abs(int(d))) for d in static["shape"]])), node)

    def _scope(self):
        """In graph mode, name the ops of the next node after its id (the link to TensorFlow's graph)."""
        if self.graph_mode:
            return tf.name_scope(self._node_ids[len(self.nodes)])
        return contextlib.nullcontext()

    def _check_elements(self, n: int, node: ast.AST) -> None:
        if n > limits.MAX_TENSOR_ELEMENTS:
            raise at(node, f"this would make a tensor of {n:,} elements; the limit is "
                           f"{limits.MAX_TENSOR_ELEMENTS:,}")
        if self.total_elements + n > limits.MAX_TOTAL_ELEMENTS:
            raise at(node, f"the program's tensors would hold more than {limits.MAX_TOTAL_ELEMENTS:,} "
                           "elements together")

    def _dtype_of(self, v: Any) -> tf.DType:
        return v.var.dtype if isinstance(v, VarRef) else v.tensor.dtype

    def _as_tensor(self, v: Any, node: ast.AST, like: tf.DType | None) -> NodeRef:
        """Tensors stay; variables are read (the read is what the op consumes); numbers become literals."""
        if isinstance(v, NodeRef):
            return v
        if isinstance(v, VarRef):
            return self._read(v, node)
        if v is None:
            raise at(node, "this value is None (tape.gradient returns None where there is no gradient; the "
                           "graph view says why)")
        if isinstance(v, (TapeRef, str)) or isinstance(v, tf.DType):
            raise at(node, f"{_describe(v)} is not a number or tensor")
        dtype = self._literal_dtype(v, like)
        with self._scope():
            value = self._constant(v, dtype, node)
        return self._new_node("literal", "literal", _show_literal(v), [], node, value, [])

    def _literal_dtype(self, v: Any, like: tf.DType | None) -> tf.DType:
        arr = np.asarray(v)
        if like is not None and (like.is_floating or arr.dtype.kind in "iub"):
            return like
        return self.float if arr.dtype.kind == "f" else tf.int32

    def _constant(self, v: Any, dtype: tf.DType | None, node: ast.AST, shape=None) -> Any:
        if isinstance(v, (list, tuple)):
            _check_nested(v, node)
        arr = np.asarray(v)
        n = int(np.prod(shape)) if shape is not None else arr.size
        self._check_elements(n, node)
        try:
            return tf.constant(v, dtype=dtype, shape=shape)
        except (TypeError, ValueError) as e:
            raise at(node, f"cannot make a tensor of this: {_first_line(e)}") from None

    def _read(self, v: VarRef, node: ast.AST) -> NodeRef:
        if self.graph_mode:
            with tf.name_scope(self.nodes[v.index].id):
                t = v.var.read_value()
        else:
            t = v.var.read_value()
        self.reads.setdefault(v.index, []).append(t)
        return NodeRef(v.index, t)

    def _new_node(self, op: str, kind: str, text: str, inputs: list[int], node: ast.AST, tensor: Any,
                  edge_kinds: list[str], static: dict | None = None) -> NodeRef:
        if len(self.nodes) >= limits.MAX_GRAPH_NODES:
            raise at(node, f"the program makes more than {limits.MAX_GRAPH_NODES:,} values")
        shape = tuple(tensor.shape.as_list())
        n = int(np.prod(shape)) if shape else 1
        self._check_elements(n, node)
        self.total_elements += n
        index = len(self.nodes)
        if index in self._overrides and kind != "variable":
            tensor = tf.constant(self._overrides[index], dtype=tensor.dtype, shape=tensor.shape)
        dtype = tensor.dtype.name
        self.nodes.append(Node(index, self._node_ids[index] if self._node_ids else "", None, op, kind, text,
                               list(inputs), getattr(node, "lineno", 0), getattr(node, "col_offset", -1) + 1,
                               dtype, shape, None, set(), tuple(self.recording), edge_kinds=list(edge_kinds),
                               static=dict(static or {})))
        self.tensors.append(tensor)
        return NodeRef(index, tensor)

    # ---- constructors ------------------------------------------------------------------------------

    def _construct(self, name: str, args: list, kwargs: dict, node: ast.Call) -> Any:
        if name == "tf.GradientTape":
            raise at(node, "use the tape in a with block: `with tf.GradientTape() as tape:`")
        if name in ("tf.constant", "tf.convert_to_tensor"):
            p = _bind_params(["value", "dtype", "shape"], args, kwargs, node, name, optional={"name", "dtype", "shape"})
            if isinstance(p["value"], (NodeRef, VarRef)):
                return self._call_op(SPECS["tf.identity"], [p["value"]], {}, node)
            dtype = self._dtype_arg(p.get("dtype"), node) or self._literal_dtype(p["value"], None)
            t = self._constant(p["value"], dtype, node, p.get("shape"))
            return self._new_node("constant", "constant", _text(self.text, node), [], node, t, [])
        if name == "tf.Variable":
            p = _bind_params(["initial_value", "trainable"], args, kwargs, node, name,
                             optional={"trainable", "name", "dtype"})
            return self._make_variable(p["initial_value"], p, node)
        if name == "tf.cast":
            p = _bind_params(["x", "dtype"], args, kwargs, node, name, optional={"name"})
            return self._call_op(CAST, [p["x"]], {"dtype": self._dtype_arg(p["dtype"], node)}, node)
        if name in ("tf.ones_like", "tf.zeros_like"):
            p = _bind_params(["input", "dtype"], args, kwargs, node, name, optional={"dtype", "name"})
            src = self._as_tensor(p["input"], node, None)
            fn = tf.ones_like if name == "tf.ones_like" else tf.zeros_like
            t = fn(src.tensor, dtype=self._dtype_arg(p.get("dtype"), node))
            return self._new_node("constant", "constant", _text(self.text, node), [], node, t, [])
        if name in ("tf.ones", "tf.zeros", "tf.fill", "tf.eye", "tf.linspace"):
            return self._filled(name, args, kwargs, node)
        if name in ("tf.random.normal", "tf.random.uniform"):
            return self._random(name, args, kwargs, node)
        raise at(node, f"`{name}` is not available")

    def _filled(self, name: str, args: list, kwargs: dict, node: ast.Call) -> NodeRef:
        if name == "tf.eye":
            p = _bind_params(["num_rows", "num_columns", "batch_shape", "dtype"], args, kwargs, node, name,
                             optional={"num_columns", "batch_shape", "dtype", "name"})
            if p.get("batch_shape") is not None:
                raise at(node, "tf.eye with batch_shape is not supported here; use tf.eye(rows, columns)")
            cols_arg = p["num_rows"] if p.get("num_columns") is None else p["num_columns"]
            rows, cols = _whole(p["num_rows"], node), _whole(cols_arg, node)
            self._check_elements(rows * cols, node)
            t = tf.eye(rows, cols, dtype=self._dtype_arg(p.get("dtype"), node) or self.float)
        elif name == "tf.linspace":
            p = _bind_params(["start", "stop", "num"], args, kwargs, node, name, optional={"name", "axis"})
            num = _whole(p["num"], node)
            self._check_elements(num, node)
            t = tf.linspace(tf.constant(float(p["start"]), self.float), tf.constant(float(p["stop"]), self.float), num)
        elif name == "tf.fill":
            p = _bind_params(["dims", "value"], args, kwargs, node, name, optional={"name"})
            shape = _shape(p["dims"], node)
            self._check_elements(int(np.prod(shape)), node)
            value = p["value"]
            if not _is_number(value):
                raise at(node, "tf.fill takes a number as its value")
            t = tf.fill(shape, tf.constant(value, self._literal_dtype(value, None)))
        else:
            p = _bind_params(["shape", "dtype"], args, kwargs, node, name, optional={"dtype", "name"})
            shape = _shape(p["shape"], node)
            self._check_elements(int(np.prod(shape)), node)
            fn = tf.ones if name == "tf.ones" else tf.zeros
            t = fn(shape, dtype=self._dtype_arg(p.get("dtype"), node) or self.float)
        return self._new_node("constant", "constant", _text(self.text, node), [], node, t, [])

    def _random(self, name: str, args: list, kwargs: dict, node: ast.Call) -> NodeRef:
        """Random tensors are drawn statelessly from (seed, count): the same program gives the same
        numbers every run, and no global TensorFlow seed is touched."""
        normal = name == "tf.random.normal"
        names = ["shape", "mean", "stddev", "dtype", "seed"] if normal else ["shape", "minval", "maxval",
                                                                            "dtype", "seed"]
        p = _bind_params(names, args, kwargs, node, name, optional=set(names[1:]) | {"name"})
        shape = _shape(p["shape"], node)
        self._check_elements(int(np.prod(shape)), node)
        dtype = self._dtype_arg(p.get("dtype"), node) or self.float
        user_seed = p.get("seed")
        seed = tf.constant([self.seed if user_seed is None else int(user_seed), self.random_count], tf.int64)
        self.random_count += 1
        for key in names[1:3]:
            if key in p and not _is_number(p[key]):
                raise at(node, f"`{key}` must be a number")
        if normal:
            t = tf.random.stateless_normal(shape, seed, p.get("mean", 0.0), p.get("stddev", 1.0), dtype)
        else:
            lo = p.get("minval", 0)
            hi = p.get("maxval", 1 if dtype.is_floating else None)
            if hi is None:
                raise at(node, "integer tf.random.uniform needs maxval")
            t = tf.random.stateless_uniform(shape, seed, lo, hi, dtype)
        return self._new_node("random", "random", _text(self.text, node), [], node, t, [])

    def _make_variable(self, init: Any, params: dict, node: ast.AST, kind_text: str | None = None) -> VarRef:
        dtype = self._dtype_arg(params.get("dtype"), node)
        inputs, edge_kinds = [], []
        if isinstance(init, (NodeRef, VarRef)):
            ref = self._as_tensor(init, node, None)
            inputs, edge_kinds = [ref.index], ["init"]
            value = ref.tensor if dtype is None else tf.cast(ref.tensor, dtype)
        elif kind_text is not None:  # shorthand: `x = 3` is a float variable
            value = self._constant(init, self.float, node)
        else:
            value = self._constant(init, dtype or self._literal_dtype(init, None), node)
        trainable = params.get("trainable", True)
        if not isinstance(trainable, bool):
            raise at(node, "trainable must be True or False")
        if len(self.nodes) in self._overrides:
            value = tf.constant(self._overrides[len(self.nodes)], dtype=value.dtype, shape=value.shape)
        if self.graph_mode:
            var = self._given_variables[len(self.var_order)]
        else:
            var = tf.Variable(value, trainable=trainable)
        self.var_order.append(var)
        ref = self._new_node("variable", "variable", _text(self.text, node), inputs, node,
                             value if self.graph_mode else tf.convert_to_tensor(var.numpy()), edge_kinds)
        self.nodes[ref.index].trainable = trainable
        self.variables[ref.index] = var
        return VarRef(var, ref.index)

    def _assign_variable(self, v: VarRef, method: str, value: Any, key: Any, node: ast.Call) -> VarRef:
        src = self._as_tensor(value, node, v.var.dtype)
        if key is None:
            method_fn = {"assign": v.var.assign, "assign_add": v.var.assign_add,
                         "assign_sub": v.var.assign_sub}[method]
        elif method == "assign":
            method_fn = v.var[key].assign
        else:
            raise at(node, f"a slice of a variable supports .assign only, not .{method}")
        try:
            method_fn(src.tensor)
        except (tf.errors.OpError, ValueError, TypeError, IndexError) as e:
            raise at(node, f"{method} failed: {_first_line(e)}") from None
        old = self.nodes[v.index]
        snapshot = v.var.read_value() if self.graph_mode else tf.convert_to_tensor(v.var.numpy())
        ref = self._new_node("assign", "variable", _text(self.text, node), [v.index, src.index], node,
                             snapshot, ["assign", "assign"])
        new = self.nodes[ref.index]
        new.name, new.trainable, new.version = old.name, old.trainable, old.version + 1
        self.variables[ref.index] = v.var
        v.index = ref.index  # the same Python object is bound to every alias of the variable
        return v             # as in TensorFlow, assign returns the variable: `w = v.assign(2.)` works

    # ---- small argument helpers --------------------------------------------------------------------

    def _dtype_arg(self, value: Any, node: ast.AST) -> tf.DType | None:
        if value is None:
            return None
        if isinstance(value, tf.DType):
            return value
        if isinstance(value, str) and f"tf.{value}" in _DTYPES:
            return _DTYPES[f"tf.{value}"]
        raise at(node, f"dtype must be one of {', '.join(sorted(_DTYPES))}")

    def _static_kwargs(self, call: ast.Call, defaults: dict) -> dict:
        out = dict(defaults)
        if call.args:
            raise at(call, "pass tape options by keyword, e.g. tf.GradientTape(persistent=True)")
        for kw in call.keywords:
            if kw.arg not in defaults:
                raise at(kw, f"tf.GradientTape takes {', '.join(defaults)}")
            value = self._expr(kw.value)
            if not isinstance(value, bool):
                raise at(kw, f"{kw.arg} must be True or False")
            out[kw.arg] = value
        return out


# ---- module helpers --------------------------------------------------------------------------------

def is_shorthand(tree: ast.Module) -> bool:
    """A bare expression program: no `with` block, and the last statement is an expression."""
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return False
    last = tree.body[-1].value
    if isinstance(last, ast.Call) and isinstance(last.func, (ast.Name, ast.Attribute)):
        if isinstance(last.func, ast.Name) or last.func.attr in ("watch", "assign", "assign_add", "assign_sub"):
            return False
    return not any(isinstance(s, ast.With) for s in ast.walk(tree))


def _number_like(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return _is_number(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _number_like(node.operand)
    if isinstance(node, ast.List):
        return bool(node.elts) and all(_number_like(e) for e in node.elts)
    return False


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.number)) and not isinstance(v, bool)


def _size(t: Any) -> int:
    return int(np.prod(t.shape.as_list())) if t.shape.rank else 1


def _whole(v: Any, node: ast.AST) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise at(node, "sizes must be whole numbers written in the program")
    return v


def _shape(v: Any, node: ast.AST) -> list[int]:
    if isinstance(v, int) and not isinstance(v, bool):
        v = [v]
    if not isinstance(v, (list, tuple)) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0
                                                   for d in v):
        raise at(node, "a shape is a list of whole numbers, e.g. (2, 3) or [3, 1]")
    return list(v)


def _check_nested(v: Any, node: ast.AST) -> None:
    for item in v:
        if isinstance(item, (list, tuple)):
            _check_nested(item, node)
        elif not _is_number(item) and not isinstance(item, bool):
            raise at(node, f"a tensor literal holds numbers only, not {_describe(item)}")


def _bind_params(names: list[str], args: list, kwargs: dict, node: ast.AST, title: str,
                 optional: set[str] = frozenset()) -> dict:
    if len(args) > len(names):
        raise at(node, f"{title} takes at most {len(names)} positional arguments ({', '.join(names)})")
    out = dict(zip(names, args))
    for k, v in kwargs.items():
        if k not in names and k not in optional:
            raise at(node, f"{title} has no argument `{k}`; it takes {', '.join(names)}")
        if k in out:
            raise at(node, f"{title} got `{k}` twice")
        out[k] = v
    required = [n for n in names if n not in optional and n not in out]
    if required:
        raise at(node, f"{title} needs {', '.join(required)}")
    return out


def _one_arg(args: list, kwargs: dict, node: ast.AST, name: str) -> Any:
    if len(args) == 1 and not kwargs:
        return args[0]
    if not args and set(kwargs) == {name}:
        return kwargs[name]
    raise at(node, "this method takes exactly one argument")


class SourceText:
    """Source segments by ast position, with the lines split once (ast.get_source_segment re-splits
    the whole source on every call, which is quadratic in program length)."""

    def __init__(self, source: str):
        self.lines = [line.encode("utf-8") for line in source_lines(source, keepends=True)]

    def segment(self, node: ast.AST) -> str:
        try:
            l0, l1 = node.lineno - 1, node.end_lineno - 1
            c0, c1 = node.col_offset, node.end_col_offset
        except AttributeError:
            return ""
        if l0 == l1:
            return self.lines[l0][c0:c1].decode("utf-8", "replace")
        parts = [self.lines[l0][c0:]] + self.lines[l0 + 1:l1] + [self.lines[l1][:c1]]
        return b"".join(parts).decode("utf-8", "replace")


def _text(source: SourceText, node: ast.AST) -> str:
    text = " ".join(source.segment(node).split())
    return text if len(text) <= 48 else text[:45] + "..."


def _op_title(spec: OpSpec, node: ast.AST) -> str:
    return f"`{spec.op}`"


def _first_line(e: Exception) -> str:
    msg = str(e).strip().splitlines()
    text = msg[0] if msg else type(e).__name__
    if "{{" in text:  # TensorFlow's op errors carry a "{{function_node ...}}" prefix
        text = text.split("}}")[-1].strip()
    return text[:300]


def _describe(v: Any) -> str:
    if isinstance(v, TapeRef):
        return f"the tape `{v.name}`"
    if isinstance(v, VarRef):
        return "a tf.Variable"
    if isinstance(v, NodeRef):
        return "a tensor"
    if v is None:
        return "None"
    if isinstance(v, tf.DType):
        return f"the dtype {v.name}"
    return f"a {type(v).__name__}"


def _show_literal(v: Any) -> str:
    if _is_number(v):
        return f"{v:g}" if isinstance(v, float) else str(v)
    text = str(np.asarray(v).tolist())
    return text if len(text) <= 30 else text[:27] + "..."


def _show(v: Any) -> str:
    if isinstance(v, NodeRef):
        return str(v.tensor)
    if isinstance(v, VarRef):
        return repr(v.var)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_show(x) for x in v) + "]"
    if isinstance(v, TapeRef):
        return f"<GradientTape {v.name}>"
    return str(v)
