"""Records what a program computes with TensorFlow, as the graph model's nodes, one recording at a time.

The interpreter hands every TensorFlow call here (functions of the op table, operators on tensors,
slices, variables, tapes). The recorder calls TensorFlow itself, with the program's own arguments, so
TensorFlow decides every conversion, dtype and error; then it notes the call as a node whose inputs are
the nodes of the tensors that went in. Python numbers, lists and NumPy arrays in a tensor parameter
become literal nodes, converted as TensorFlow converted them.

Windows. The nodes of a program without loops form one window. Each iteration of a loop that starts
while no GradientTape is open is a window of its own; a value it uses from outside enters it as a leaf
("input"), so every window is a whole graph. A window in which a tape was entered is a recording. The
first recording, the last one and one the caller asks for are kept; the others are dropped when the
next one ends, so a 500-step training loop costs the memory of three steps, not 500.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import tensorflow as tf
from tensorflow.python.framework.ops import EagerTensor

from . import limits
from .errors import ProgramError
from .graph import Node
from .ops import PACK, READ, SLICE, OpSpec
from .randomness import RandomStreams
from .values import TypeInfo
from .trace import GradientCall, RecordedOp, Recording, Series, Slot, TapeRef, Trace, fill_slots

_NUMBER_TYPES = (int, float, bool, complex, np.number, np.bool_)


class Site:
    """Where in the program a call or value is written: line, column, its text, and the text of each
    argument (a literal node is labelled with the expression it came from, `x_f`, not just `4`)."""
    __slots__ = ("line", "col", "text", "args", "kwargs")

    def __init__(self, line: int, col: int, text: str, args: tuple = (), kwargs: dict | None = None):
        self.line, self.col, self.text, self.args, self.kwargs = line, col, text, args, kwargs or {}

    def arg_text(self, spec: OpSpec, param: str) -> str:
        if param in self.kwargs:
            return self.kwargs[param]
        if spec.params and param in spec.params:
            i = spec.params.index(param)
            if i < len(self.args):
                return self.args[i]
        return ""


NO_SITE = Site(0, 0, "")


@dataclass
class _In:
    param: str
    tensor: Any                  # what the node stands for (a snapshot for a variable passed as itself)
    node: int | None             # None: a literal, made once TensorFlow has accepted the call
    value: Any = None            # the object handed to TensorFlow
    literal: Any = None
    text: str = ""
    edge: str = "data"


@dataclass
class _Var:
    name: str | None
    version: int = 1


class Window:
    def __init__(self, serial: int, loop: tuple[int, int] | None, loop_line: int | None):
        self.serial, self.loop, self.loop_line = serial, loop, loop_line
        self.nodes: list[Node] = []
        self.tensors: list[Any] = []
        self.ops: dict[int, RecordedOp] = {}
        self.node_of: dict[int, int] = {}          # id(tensor) -> node
        self.var_state: dict[int, int] = {}        # id(variable) -> the node of its current state here
        self.variables: dict[int, tf.Variable] = {}
        self.reads: dict[int, list] = {}
        self.tapes: dict[int, TapeRef] = {}
        self.calls: list[GradientCall] = []
        self.number: int | None = None             # its recording number, once a tape is entered in it
        self.assigned: dict[int, tf.Variable] = {}
        self.targets: list[int] = []
        self.elements = 0
        self.provenance: dict[int, tuple[Any, list[int], str]] = {}   # id(array) -> (array, nodes, how)
        self.sliced: dict[int, tuple[tf.Variable, Any]] = {}          # id(slice of a variable) -> (var, key)

    def trace(self, shorthand: bool = False, target: int | None = None) -> Trace:
        return Trace(self.nodes, self.tensors, self.variables, self.reads, self.ops, self.tapes, self.calls,
                     shorthand, target)


class _Pending:
    __slots__ = ("loop", "loop_line")

    def __init__(self, loop, loop_line):
        self.loop, self.loop_line = loop, loop_line


class Recorder:
    def __init__(self, host, dtype: tf.DType, seed: int, keep: int | None = None,
                 overrides: dict[tuple[int, int], np.ndarray] | None = None):
        self.host = host                      # the interpreter: scope, names, limits
        self.float = dtype
        self.random = RandomStreams(seed)
        self.keep = keep
        self.overrides = overrides or {}
        self.vars: dict[int, _Var] = {}
        self.var_refs: dict[int, tf.Variable] = {}
        self.windows_made = 0
        self.main = self._window(None, None)
        self.stack: list[Window] = [self.main]
        self.kept: list[Window] = []
        self.latest: Window | None = None
        self.recordings: list[Recording] = []
        self.loop_counts: dict[int, int] = {}
        self.series: dict[int, Series] = {}
        self.recording_tapes: tuple[int, ...] = ()
        self.open_tapes = 0
        self.tape_serial = 0
        self.elements = 0                     # in every window still alive
        self.active = True                    # False once the run is over: views replay ops unrecorded

    # ---- windows ------------------------------------------------------------------------------------------

    def _window(self, loop, loop_line) -> Window:
        w = Window(self.windows_made, loop, loop_line)
        self.windows_made += 1
        return w

    @property
    def window(self) -> Window:
        top = self.stack[-1]
        if type(top) is _Pending:            # an iteration that records its first value now
            top = self.stack[-1] = self._window(top.loop, top.loop_line)
        return top

    def iteration_begin(self, loop_id: int, loop_line: int):
        """A loop iteration starts a window of its own unless a tape is open (then the tape records it).
        The window is made when the iteration first records something: pure-Python loops cost nothing."""
        count = self.loop_counts.get(loop_id, 0)
        self.loop_counts[loop_id] = count + 1
        top = self.stack[-1]
        if self.open_tapes or (type(top) is Window and top.loop is not None and top.number is not None):
            # inside a tape, or after one in the same iteration (a weight-update loop): the same recording
            return None
        pending = _Pending((loop_id, count), loop_line)
        self.stack.append(pending)
        return pending

    def iteration_end(self, token) -> None:
        if token is None:
            return
        w = self.stack.pop() if len(self.stack) > 1 else None
        if w is None or type(w) is _Pending:
            return
        self._log_series(w)
        if w.number is None:
            self._drop(w)                              # no tape: nothing to show later
        elif w.number == 1 or w.number == self.keep:
            self.kept.append(w)
        else:
            if self.latest is not None:
                self._drop(self.latest)
            self.latest = w

    def _drop(self, w: Window) -> None:
        self.elements -= w.elements
        w.elements = 0
        w.nodes, w.tensors, w.ops, w.tapes, w.node_of, w.provenance = [], [], {}, {}, {}, {}

    def finish(self) -> None:
        self.active = False
        while len(self.stack) > 1:                      # a loop left by an error: nothing more to keep
            self.stack.pop()
        if self.latest is not None and self.latest not in self.kept:
            self.kept.append(self.latest)
        for w in [self.main] + self.kept:
            for i, tensor in enumerate(w.tensors):
                if type(tensor) is LazyLiteral:
                    w.tensors[i] = tensor = tensor.materialize()
                w.nodes[i].value = np.asarray(tensor.numpy()) if hasattr(tensor, "numpy") else np.asarray(tensor)

    def window_for(self, number: int | None) -> Window:
        """The kept window of a recording (None: the program outside loops)."""
        if number is None:
            return self.main
        for w in [self.main] + self.kept:
            if w.number == number:
                return w
        raise KeyError(number)

    # ---- series: loop values for the charts -----------------------------------------------------------------

    def _log_series(self, w: Window) -> None:
        if w.loop is None or (not w.assigned and not w.targets):
            return
        loop_id, count = w.loop
        if loop_id < 0:       # a Keras fit's own loop (explorer.keras): its history per epoch is charted instead
            return
        s = self.series.get(loop_id)
        if s is None:
            s = self.series[loop_id] = Series(w.loop_line)
        if len(s.iterations) >= limits.MAX_SERIES_POINTS:
            return
        s.iterations.append(count)
        for key, var in w.assigned.items():
            info = self.vars.get(key)
            if info is None or info.name is None or var.shape.num_elements() > limits.MAX_SERIES_ENTRIES:
                continue
            label = s.labels.get(key)
            if label is None:      # two layers' `self.b`: "self.b" and "self.b (2)"
                taken = set(s.labels.values())
                label, k = info.name, 2
                while label in taken:
                    label, k = f"{info.name} ({k})", k + 1
                s.labels[key] = label
            value = _snapshot(var).numpy().reshape(-1).astype(float).tolist()
            s.values.setdefault(label, []).append((count, value))
        if len(s.iterations) == 1:
            self._find_references(w, s)
        for i in w.targets:
            if i < len(w.nodes) and w.nodes[i].name and w.tensors[i].shape.num_elements() == 1:
                name = w.nodes[i].name
                s.values.setdefault(name, []).append((count, [float(np.asarray(w.tensors[i]).reshape(-1)[0])]))
                s.targets.add(name)

    @staticmethod
    def _find_references(w: Window, s: Series) -> None:
        """A named Python number a loop variable is compared with (`x - x_f`, x_f = 4): the charts draw it
        as a line beside the variable, the value the loop should reach."""
        for node in w.nodes:
            if node.kind != "op" or len(node.inputs) != 2:
                continue
            for a, b in (node.inputs, node.inputs[::-1]):
                var = w.variables.get(a)
                other = w.nodes[b]
                label = s.labels.get(id(var)) if var is not None else None
                if label is None and var is not None:
                    label = w.nodes[a].name
                if label and other.kind == "literal" and other.name and "python" in (other.static or {}):
                    s.references.setdefault(label, {})[other.name] = float(other.static["python"])

    # ---- nodes ----------------------------------------------------------------------------------------------

    def _new_node(self, op: str, kind: str, text: str, inputs: list[int], site: Site, tensor: Any,
                  edge_kinds: list[str] | None = None, static: dict | None = None) -> tuple[int, Any]:
        """A node in the current window; returns (index, the tensor the program goes on with), which is
        an override's value where finite differences nudge this node."""
        w = self.window
        index = len(w.nodes)
        if index >= limits.MAX_GRAPH_NODES:
            raise ProgramError(f"this recording has more than {limits.MAX_GRAPH_NODES:,} values, more than a graph "
                               "can show: record fewer steps under one GradientTape", site.line, site.col)
        override = self.overrides.get((w.serial, index))
        if override is not None:
            tensor = tf.constant(override, dtype=tensor.dtype, shape=tensor.shape)
        shape = tuple(tensor.shape.as_list())
        n = tensor.shape.num_elements() or 0
        if n > limits.MAX_TENSOR_ELEMENTS:
            raise ProgramError(f"this makes a tensor of {n:,} elements; the limit is {limits.MAX_TENSOR_ELEMENTS:,}",
                               site.line, site.col)
        w.elements += n
        self.elements += n
        if n > 1000:
            self.host.allocated(n, site)
        if self.elements > limits.MAX_TOTAL_ELEMENTS:
            raise ProgramError(f"the values kept for the pictures would hold more than {limits.MAX_TOTAL_ELEMENTS:,} "
                               "elements together", site.line, site.col)
        w.nodes.append(Node(index, "", None, op, kind, text, list(inputs), site.line, site.col, tensor.dtype.name,
                            shape, None, set(), self.recording_tapes, edge_kinds=list(edge_kinds or ()),
                            static=static or {}, scope=self.host.scope))
        w.tensors.append(tensor)
        w.node_of[id(tensor)] = index
        return index, tensor

    def node_of(self, value: Any, site: Site = NO_SITE) -> int:
        """The node of a tensor or variable in the current window; a value from outside enters as a leaf."""
        w = self.window
        if isinstance(value, tf.Variable):
            return self.var_node(value, site)
        i = w.node_of.get(id(value))
        if i is not None and w.tensors[i] is value:
            return i
        return self._boundary(value, site)

    def _boundary(self, t: Any, site: Site) -> int:
        origin = None
        for outer in reversed(self.stack[:-1]):
            if type(outer) is _Pending:
                continue
            j = outer.node_of.get(id(t))
            if j is not None and outer.tensors[j] is t:
                origin = outer.nodes[j]
                break
        name = origin.name if origin is not None and origin.name else self.host.name_of(t)
        kind = origin.kind if origin is not None and origin.kind in ("constant", "random", "literal") else "input"
        text = origin.text if origin is not None else "computed before this recording"
        i, _ = self._new_node(origin.op if origin is not None and kind != "input" else "input", kind, text, [],
                              site, t)
        node = self.window.nodes[i]
        node.name = name
        if origin is not None:
            node.watched_by = set(origin.watched_by)
        if kind == "input":
            node.note = "computed before this recording: a leaf here"
        return i

    def var_node(self, var: tf.Variable, site: Site = NO_SITE) -> int:
        w = self.window
        i = w.var_state.get(id(var))
        if i is not None:
            return i
        info = self._var_info(var)
        snapshot = _snapshot(var)
        i, nudged = self._new_node("variable", "variable", "tf.Variable", [], site, snapshot)
        if nudged is not snapshot:    # finite differences nudge the variable's state in this recording
            var.assign(nudged)
        node = w.nodes[i]
        node.name, node.version, node.trainable = info.name, info.version, bool(var.trainable)
        w.var_state[id(var)] = i
        w.variables[i] = var
        return i

    def _var_info(self, var: tf.Variable) -> _Var:
        info = self.vars.get(id(var))
        if info is None or self.var_refs.get(id(var)) is not var:
            info = self.vars[id(var)] = _Var(None)
            self.var_refs[id(var)] = var
        return info

    def name(self, name: str, value: Any) -> None:
        """The program bound `value` to `name`: the first name a value gets is the one the graph shows."""
        w = self.window
        if isinstance(value, tf.Variable):
            info = self.vars.get(id(value))
            if info is not None and self.var_refs.get(id(value)) is value:
                if info.name is None:
                    info.name = name
                i = w.var_state.get(id(value))
                if i is not None and w.nodes[i].name is None:
                    w.nodes[i].name = info.name
            return
        if type(value) in (list, tuple) and len(value) <= 64:
            for k, item in enumerate(value):     # grads = tape.gradient(loss, [W, b]): grads[0], grads[1]
                if not isinstance(item, (list, tuple, tf.Variable)):
                    self.name(f"{name}[{k}]", item)
            return
        i = w.node_of.get(id(value))
        if i is not None and w.tensors[i] is value and w.nodes[i].name is None:
            w.nodes[i].name = name

    def literal(self, value: Any, dtype: tf.DType | None, text: str, site: Site, tensor: Any = None) -> int:
        if dtype is not None and isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "iub" \
                and not (dtype.is_integer or dtype.is_bool):
            dtype = None         # NumPy labels or indices keep their integer dtype beside float logits
        if tensor is None:       # made into a tensor only if the recording is kept (most are not)
            tensor = LazyLiteral(value, dtype if dtype is not None else _natural_dtype(value))
        w = self.window
        prov = w.provenance.get(id(value)) if isinstance(value, (np.ndarray, np.generic)) else None
        inputs, kinds = ([], [])
        if prov is not None and prov[0] is value:
            inputs, kinds = list(prov[1]), ["numpy"] * len(prov[1])
        exact = {"python": value} if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        i, _ = self._new_node("literal", "literal", text or _show_literal(value), inputs, site, tensor, kinds, exact)
        if prov is not None and prov[0] is value:
            w.nodes[i].note = (f"made by NumPy ({prov[2]}): the tape cannot see through NumPy, so no gradient "
                               "flows back; use the tf. function instead")
        if text.isidentifier():
            w.nodes[i].name = text         # `x - x_f`: the literal is the program's x_f
        return i

    def note_numpy(self, array: Any, sources: list[Any], how: str) -> Any:
        """`array` was computed by NumPy from these tensors: a later literal made of it shows where from."""
        if not self.active or not isinstance(array, (np.ndarray, np.generic)):
            return array
        w = self.window
        nodes = []
        for s in sources:
            if isinstance(s, (EagerTensor, tf.Variable)):
                nodes.append(self.node_of(s))
            elif isinstance(s, (np.ndarray, np.generic)) and id(s) in w.provenance and w.provenance[id(s)][0] is s:
                nodes.extend(w.provenance[id(s)][1])
        if nodes:
            w.provenance[id(array)] = (array, list(dict.fromkeys(nodes)), how)
        return array

    # ---- calls ----------------------------------------------------------------------------------------------

    def call(self, spec: OpSpec, args: tuple, kwargs: dict, site: Site) -> Any:
        return self.call_bound(spec, spec.bind(args, kwargs), site)

    def call_bound(self, spec: OpSpec, bound: dict, site: Site) -> Any:
        if spec.cost is not None:
            self._check_cost(spec, bound, site)
        if spec.kind == "variable":
            return self.variable(bound, site)
        if spec.float_default and self.float != tf.float32:
            bound = self._default_float(spec, bound)
        if spec.kind == "random":
            return self._random(spec, bound, site)
        inputs: list[_In] = []
        template = {p: self._scan(v, p, p in spec.data, p in spec.lists, spec, inputs, site)
                    for p, v in bound.items()}
        self._shape_check(spec, inputs, site)
        dtypes = self._group_dtypes(spec, inputs)
        if self.float != tf.float32:
            for x in inputs:   # where no tensor fixes the dtype, Python floats take the run's float
                if x.node is None and _group(spec, x.param) not in dtypes and _has_python_float(x.literal):
                    x.value = x.tensor = tf.convert_to_tensor(x.literal, dtype=self.float)
        out = spec.call(fill_slots(template, tuple(x.value for x in inputs)))
        if not self.active or not _eager(out):
            return out
        tensor_inputs = [x for x in inputs if x.node is not None]
        if not tensor_inputs or (spec.kind == "constant" and not spec.differentiable):
            return self._leaf_result(spec, out, tensor_inputs, site, bound, self._numpy_sources(inputs))
        for x in inputs:
            if x.node is None:
                x.node = self.literal(x.literal, dtypes.get(_group(spec, x.param)), x.text, site, x.tensor)
                x.tensor = self.window.tensors[x.node]
        return self._op_result(spec, out, inputs, template, site, bound)

    def _scan(self, v: Any, param: str, data: bool, is_list: bool, spec: OpSpec, inputs: list[_In],
              site: Site) -> Any:
        """The argument with each tensor that goes in replaced by a Slot, the input noted."""
        t = type(v)
        if t is EagerTensor:
            inputs.append(_In(param, v, self.node_of(v, site), v))
            return Slot(len(inputs) - 1)
        if isinstance(v, tf.Variable):
            state = self.var_node(v, site)
            if spec.differentiable:
                read = self.read(v, state)
                inputs.append(_In(param, read, state, read))
            else:   # tf.constant(v), tf.zeros_like(v): TensorFlow copies the value, the tape sees nothing
                inputs.append(_In(param, self.window.tensors[state], state, v, edge="copy"))
            return Slot(len(inputs) - 1)
        if isinstance(v, (list, tuple)) and type(v) in (list, tuple):
            if data and is_list:
                parts = [self._scan(x, param, True, False, spec, inputs, site) for x in v]
                return parts if t is list else tuple(parts)
            if _has_tensor(v):
                if data:                              # [t, 3.]: TensorFlow packs the list into one tensor
                    packed = self.call_bound(PACK, {"value": v}, site)
                    inputs.append(_In(param, packed, self.node_of(packed, site), packed))
                    return Slot(len(inputs) - 1)
                parts = [self._scan(x, param, False, False, spec, inputs, site) for x in v]
                return parts if t is list else tuple(parts)
        if data and _is_literal(v):
            inputs.append(_In(param, None, None, v, literal=v, text=site.arg_text(spec, param)))
            return Slot(len(inputs) - 1)
        if type(v) is TypeInfo and v.pytype is not None:
            return v.pytype             # dtype=np.float32: the type itself
        return v

    def read(self, var: tf.Variable, state: int | None = None) -> Any:
        """A read of a variable, as an op makes one: the tape sees it (and watches the variable)."""
        if state is None:
            state = self.var_node(var)
        t = var.value()
        self.window.reads.setdefault(state, []).append(t)
        return t

    def _group_dtypes(self, spec: OpSpec, inputs: list[_In]) -> dict[str, tf.DType]:
        out: dict[str, tf.DType] = {}
        for x in inputs:
            if x.node is not None and x.param in spec.data:
                out.setdefault(_group(spec, x.param), x.tensor.dtype)
        return out

    def _numpy_sources(self, inputs: list[_In]) -> list[int]:
        """Nodes that NumPy values among the literals were computed from."""
        out: list[int] = []
        prov = self.window.provenance
        for x in inputs:
            if x.node is None and isinstance(x.literal, (np.ndarray, np.generic)):
                entry = prov.get(id(x.literal))
                if entry is not None and entry[0] is x.literal:
                    out.extend(entry[1])
        return out

    def _leaf_result(self, spec: OpSpec, out: Any, tensor_inputs: list[_In], site: Site, bound: dict,
                     numpy_sources: list[int] = ()) -> Any:
        kind = "constant" if spec.kind in ("op", "constant") else spec.kind
        ins = [x.node for x in tensor_inputs] + list(numpy_sources)
        kinds = ["copy"] * len(tensor_inputs) + ["numpy"] * len(numpy_sources)
        results = []
        for k, t in _outputs(out):
            if t is None:
                continue
            i, t2 = self._new_node(spec.op, kind, site.text, ins, site, t, kinds, _static(bound, spec))
            if numpy_sources:
                self.window.nodes[i].note = ("made from NumPy values: the tape cannot see through NumPy, so no "
                                             "gradient flows back; use the tf. functions instead")
            results.append((k, t, t2))
        return _replace_outputs(out, results)

    def _op_result(self, spec: OpSpec, out: Any, inputs: list[_In], template: dict, site: Site,
                   bound: dict) -> Any:
        w = self.window
        ins = [x.node for x in inputs]
        kinds = [x.edge for x in inputs]
        params = [x.param for x in inputs]
        static = _static(bound, spec)
        key = repr(sorted((k, v) for k, v in static.items()))
        results = []
        multi = not isinstance(out, EagerTensor)
        in_ids = {id(x.value) for x in inputs}
        for k, t in _outputs(out):
            if t is None:
                continue
            if id(t) in in_ids:
                t = tf.identity(t)          # an op that hands back its input: keep the two values apart
            i, t2 = self._new_node(spec.op, "op", site.text, ins, site, t, kinds, static)
            w.ops[i] = RecordedOp(spec, template, params, k if multi else None, key)
            results.append((k, t, t2))
        return _replace_outputs(out, results, force=True)

    def _check_cost(self, spec: OpSpec, bound: dict, site: Site) -> None:
        try:
            elements, flops = spec.cost(bound)
        except (TypeError, ValueError, OverflowError):
            return
        if elements > limits.MAX_TENSOR_ELEMENTS:
            raise ProgramError(f"this would make a tensor of {elements:,} elements; the limit is "
                               f"{limits.MAX_TENSOR_ELEMENTS:,}", site.line, site.col)
        if flops > limits.MAX_MATMUL_FLOPS:
            raise ProgramError(f"this needs {flops:,} multiply-adds; the limit is {limits.MAX_MATMUL_FLOPS:,}",
                               site.line, site.col)

    def _shape_check(self, spec: OpSpec, inputs: list[_In], site: Site) -> None:
        """Elementwise ops broadcast: refuse an output too large before TensorFlow allocates it."""
        if not spec.elementwise or len(inputs) < 2:
            return
        total = 1
        for x in inputs:
            src = x.tensor if x.node is not None else x.literal
            total *= max(int(getattr(src, "size", 0) or 0) if not hasattr(src, "shape") or not
                         hasattr(src.shape, "num_elements") else (src.shape.num_elements() or 0), 1)
        if total <= limits.MAX_TENSOR_ELEMENTS:
            return               # no broadcast of these can be larger than the product of their sizes
        shapes = []
        for x in inputs:
            src = x.tensor if x.node is not None else x.literal
            s = getattr(src, "shape", None)
            if s is None:
                continue
            try:
                shapes.append(tuple(int(d) for d in (s.as_list() if hasattr(s, "as_list") else s)))
            except (TypeError, ValueError):
                return
        try:
            n = int(np.prod(np.broadcast_shapes(*shapes), dtype=np.float64)) if shapes else 0
        except ValueError:
            return              # TensorFlow's own error says it best
        if n > limits.MAX_TENSOR_ELEMENTS:
            raise ProgramError(f"this would make a tensor of {n:,} elements; the limit is "
                               f"{limits.MAX_TENSOR_ELEMENTS:,}", site.line, site.col)

    def _default_float(self, spec: OpSpec, bound: dict) -> dict:
        """The page's float64 switch: where TensorFlow would pick float32 by default, the run's float."""
        out = bound
        for p in spec.float_default.split():
            if p == "dtype":
                if bound.get("dtype") is None and (spec.kind == "random" or spec.op in ("zeros", "ones", "eye", "one_hot")
                                                   or _has_python_float(bound.get("value"))):
                    out = {**out, "dtype": self.float}
            elif _has_python_float(bound.get(p)):
                out = {**out, p: tf.constant(bound[p], self.float)}
        return out

    # ---- random, variables, slices ----------------------------------------------------------------------------

    def _random(self, spec: OpSpec, bound: dict, site: Site) -> Any:
        inputs = [v for k, v in bound.items() if isinstance(v, (EagerTensor, tf.Variable)) and k != "shape"]
        values = {k: (v.read_value() if isinstance(v, tf.Variable) else v) for k, v in bound.items()}
        out = self.random.draw(spec.op, values)
        if not self.active:
            return out
        ins = [self.node_of(v, site) for v in inputs]
        _, out = self._new_node(spec.op, "random", site.text, ins, site, out, ["copy"] * len(ins),
                                _static(bound, spec))
        return out

    def variable(self, bound: dict, site: Site) -> tf.Variable:
        init = bound.get("initial_value")
        if _has_python_float(init) and bound.get("dtype") is None and self.float != tf.float32:
            bound = {**bound, "initial_value": tf.constant(init, self.float)}
        var = tf.Variable(**bound)
        if not self.active:
            return var
        sources = [x for x in _flat_tensors(init)]
        ins = [self.node_of(x, site) for x in sources]
        w = self.window
        snapshot = _snapshot(var)
        i, snapshot2 = self._new_node("variable", "variable", site.text, ins, site, snapshot, ["init"] * len(ins))
        if snapshot2 is not snapshot:
            var.assign(snapshot2)
        self.vars[id(var)] = _Var(None)
        self.var_refs[id(var)] = var
        w.nodes[i].trainable = bool(var.trainable)
        w.var_state[id(var)] = i
        w.variables[i] = var
        return var

    def assign(self, var: tf.Variable, method: str, value: Any, key: Any, site: Site) -> tf.Variable:
        old = self.var_node(var, site)
        target = var if key is None else var[key]
        fn = {"assign": target.assign, "assign_add": getattr(target, "assign_add", None),
              "assign_sub": getattr(target, "assign_sub", None)}[method]
        if fn is None:
            raise TypeError(f"a slice of a variable has no .{method}(): use .assign()")
        arg = value.read_value() if isinstance(value, tf.Variable) else value
        fn(arg)
        info = self._var_info(var)
        info.version += 1
        if isinstance(value, (EagerTensor, tf.Variable)):
            src = self.node_of(value, site)
        else:
            src = self.literal(value, var.dtype, site.arg_text(_ASSIGN, "value"), site)
        self._new_state(var, info, [old, src], site.text, site)
        return var

    def _new_state(self, var: tf.Variable, info: _Var, inputs: list[int], text: str, site: Site) -> None:
        """The variable's state after an assignment: a node drawn from `inputs` (its old state first)."""
        w = self.window
        snapshot = _snapshot(var)
        i, snapshot2 = self._new_node("assign", "variable", text, inputs, site, snapshot, ["assign"] * len(inputs))
        if snapshot2 is not snapshot:
            var.assign(snapshot2)
        node = w.nodes[i]
        node.name, node.trainable, node.version = info.name, bool(var.trainable), info.version
        w.var_state[id(var)] = i
        w.variables[i] = var
        w.assigned[id(var)] = var

    def updated(self, var: tf.Variable, grad: Any, old: int | None, text: str, site: Site) -> None:
        """An optimizer (Keras's own) changed `var` using `grad`: a new state of the variable, drawn as an
        assignment from its old state and the gradient."""
        info = self._var_info(var)
        info.version += 1
        if not self.active or old is None:
            return
        ins = [old] + ([self.node_of(grad, site)] if isinstance(grad, (EagerTensor, tf.Variable)) else [])
        self._new_state(var, info, ins, text, site)

    def getitem(self, obj: Any, key: Any, site: Site) -> Any:
        out = self.call_bound(SLICE, {"x": obj, "key": key}, site)
        if isinstance(obj, tf.Variable) and self.active:
            self.window.sliced[id(out)] = (obj, key)
        return out

    def sliced_variable(self, t: Any) -> tuple[tf.Variable, Any] | None:
        entry = self.window.sliced.get(id(t))
        return entry if entry is not None else None

    def read_value(self, var: tf.Variable, site: Site) -> Any:
        return self.call_bound(READ, {"x": var}, site)

    # ---- tapes ----------------------------------------------------------------------------------------------

    def new_tape(self, name: str, persistent: bool, watch_accessed: bool, line: int) -> TapeRef:
        self.tape_serial += 1
        return TapeRef(tf.GradientTape(persistent=True, watch_accessed_variables=watch_accessed),
                       self.tape_serial, name, persistent, watch_accessed, line)

    def tape_enter(self, ref: TapeRef, site: Site) -> None:
        if ref.active:
            raise RuntimeError("Tape is still recording, This can happen if you try to re-enter an already-active "
                               "tape.")
        if self.open_tapes >= limits.MAX_TAPE_DEPTH:
            raise ProgramError(f"more than {limits.MAX_TAPE_DEPTH} nested tapes", site.line, site.col)
        w = self.window
        if w.number is None:
            w.number = len(self.recordings) + 1
            loop_line = w.loop_line
            self.recordings.append(Recording(w.number, ref, site.line, loop_line,
                                             w.loop[1] if w.loop else None))
        w.tapes[ref.index] = ref
        ref.tape.__enter__()
        ref.active = True
        self.open_tapes += 1
        self.recording_tapes = self.recording_tapes + (ref.index,)

    def tape_exit(self, ref: TapeRef) -> None:
        if ref.pause is not None:
            ref.pause.__exit__(None, None, None)
            ref.pause = None
        ref.tape.__exit__(None, None, None)
        ref.active = False
        self.open_tapes -= 1
        self.recording_tapes = tuple(i for i in self.recording_tapes if i != ref.index)

    def pause(self, ref: TapeRef):
        """`with tape.stop_recording():` — returns the context to leave afterwards."""
        cm = ref.tape.stop_recording()
        cm.__enter__()
        self.recording_tapes = tuple(i for i in self.recording_tapes if i != ref.index)
        return cm

    def resume(self, ref: TapeRef, cm) -> None:
        cm.__exit__(None, None, None)
        if ref.active and ref.index not in self.recording_tapes:
            self.recording_tapes = self.recording_tapes + (ref.index,)

    def watch(self, ref: TapeRef, value: Any, site: Site) -> None:
        ref.tape.watch(value)
        w = self.window
        w.tapes.setdefault(ref.index, ref)
        for t in _flat_tensors(value):
            w.nodes[self.node_of(t, site)].watched_by.add(ref.index)

    def gradient(self, ref: TapeRef, kind: str, target: Any, sources: Any, site: Site, **options) -> Any:
        if ref.used and not ref.persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one set of gradients "
                               "(or jacobians)")
        w = self.window
        w.tapes.setdefault(ref.index, ref)
        targets = _flat_tensors(target)
        source_list = _flat_tensors(sources)
        if not targets:
            raise TypeError(f"the target of tape.{kind} must be a tensor, not {self.host.describe(target)}")
        if kind != "gradient":
            n_out = sum(int(t.shape.num_elements() or 0) for t in targets)
            for s in source_list:
                if n_out * int(s.shape.num_elements() or 0) > limits.MAX_TENSOR_ELEMENTS:
                    raise ProgramError(f"this jacobian would have {n_out * int(s.shape.num_elements()):,} entries; "
                                       f"the limit is {limits.MAX_TENSOR_ELEMENTS:,}", site.line, site.col)
        if ref.active and not ref.persistent and ref.index in self.recording_tapes:
            # TensorFlow stops a non-persistent tape from recording once it is used inside its block
            ref.pause = ref.tape.stop_recording()
            ref.pause.__enter__()
            self.recording_tapes = tuple(i for i in self.recording_tapes if i != ref.index)
        fn = {"gradient": ref.tape.gradient, "jacobian": ref.tape.jacobian,
              "batch_jacobian": ref.tape.batch_jacobian}[kind]
        result = fn(target, sources, **options)
        ref.used = True
        if not self.active:
            return result
        t_nodes = [self.node_of(t, site) for t in targets]
        s_nodes = [self.node_of(s, site) for s in source_list]
        flat_results = _flat_results(result)
        tname = w.nodes[t_nodes[0]].label if t_nodes else "target"
        out_nodes: list[int | None] = []
        replaced = []
        seen: set[int] = set()
        for s, r in zip(s_nodes, flat_results):
            if r is None or not isinstance(r, EagerTensor):
                out_nodes.append(None)
                replaced.append(r)
                continue
            if id(r) in seen or id(r) in w.node_of:
                r = tf.identity(r)     # TensorFlow hands one tensor to several sources (x2 = x1 + b): keep them apart
            seen.add(id(r))
            sname = w.nodes[s].label
            text = f"∂{tname}/∂{sname}" if kind == "gradient" else f"{kind} of {tname} w.r.t. {sname}"
            i, r2 = self._new_node(kind if kind == "gradient" else "jacobian", kind if kind == "gradient" else "jacobian",
                                   text, t_nodes + [s], site, r, ["opaque"] * (len(t_nodes) + 1))
            out_nodes.append(i)
            replaced.append(r2)
        if t_nodes:
            w.calls.append(GradientCall(ref.index, t_nodes[0], s_nodes, out_nodes, kind if kind == "gradient"
                                        else "jacobian", site.line))
            if len(w.targets) < 64:
                w.targets.append(t_nodes[0])
        if any(a is not b for a, b in zip(replaced, flat_results)):
            result = _rebuild(result, iter(replaced))
        return result


# ---- helpers ------------------------------------------------------------------------------------------------

class LazyLiteral:
    """A Python value in a tensor parameter, converted to a tensor only when a kept recording needs it."""
    __slots__ = ("value", "dtype", "shape")

    def __init__(self, value: Any, dtype: tf.DType):
        self.value, self.dtype = value, dtype
        self.shape = tf.TensorShape(np.shape(value))

    def materialize(self) -> Any:
        try:
            return tf.convert_to_tensor(self.value, dtype=self.dtype)
        except (TypeError, ValueError):
            return tf.convert_to_tensor(self.value)


def _natural_dtype(value: Any) -> tf.DType:
    """The dtype TensorFlow gives a Python or NumPy value it converts on its own."""
    if isinstance(value, bool):
        return tf.bool
    if isinstance(value, int):
        return tf.int32 if -2 ** 31 <= value < 2 ** 31 else tf.int64
    if isinstance(value, float):
        return tf.float32
    if isinstance(value, (np.ndarray, np.generic)):
        return tf.as_dtype(value.dtype)
    kind = np.asarray(value).dtype.kind
    return {"b": tf.bool, "i": tf.int32, "u": tf.int32, "f": tf.float32, "c": tf.complex128}.get(kind, tf.float32)


_ASSIGN = OpSpec("assign", lambda value: value, ("value",), name="assign")


def _snapshot(var: tf.Variable) -> Any:
    """The variable's value now, read without the tape noticing (a tape watches what the program reads,
    not what the pictures read)."""
    return tf.raw_ops.ReadVariableOp(resource=var.handle, dtype=var.dtype)


def _eager(out: Any) -> bool:
    if isinstance(out, EagerTensor):
        return True
    if isinstance(out, (list, tuple)):
        return all(_eager(o) for o in out if o is not None)
    return not tf.is_tensor(out)


def _outputs(out: Any) -> list[tuple[int, Any]]:
    if isinstance(out, EagerTensor):
        return [(0, out)]
    if isinstance(out, (list, tuple)):
        return [(k, t) for k, t in enumerate(out) if isinstance(t, EagerTensor)]
    return []


def _replace_outputs(out: Any, results: list[tuple[int, Any, Any]], force: bool = False) -> Any:
    """The call's result with each output replaced where the recorder made a new tensor of it."""
    if isinstance(out, EagerTensor):
        return results[0][2] if results else out
    if not any(t is not t2 for _, t, t2 in results) and not force:
        return out
    by_k = {k: t2 for k, _, t2 in results}
    if not isinstance(out, (list, tuple)) or not by_k:
        return out
    items = [by_k.get(k, o) for k, o in enumerate(out)]
    if hasattr(out, "_fields"):
        return type(out)(*items)
    return type(out)(items)


def _static(bound: dict, spec: OpSpec) -> dict:
    out = {}
    for k, v in bound.items():
        if k in spec.data or k == "name":
            continue
        if isinstance(v, (int, float, bool, str)) or v is None:
            out[k] = v
        elif isinstance(v, (list, tuple)) and len(v) <= 8 and all(isinstance(x, (int, float, bool)) for x in v):
            out[k] = tuple(v)
        elif isinstance(v, tf.DType):
            out[k] = v.name
    return out


def _group(spec: OpSpec, param: str) -> str:
    return spec.groups.get(param, "") if spec.groups else ""


def _is_literal(v: Any) -> bool:
    if isinstance(v, _NUMBER_TYPES) or isinstance(v, np.ndarray):
        return True
    if isinstance(v, (list, tuple)) and type(v) in (list, tuple):
        return all(_is_literal(x) for x in v) if len(v) < 64 else True
    return False


def _has_tensor(v: Any) -> bool:
    if isinstance(v, (EagerTensor, tf.Variable)):
        return True
    if isinstance(v, (list, tuple)) and type(v) in (list, tuple):
        return any(_has_tensor(x) for x in v)
    return False


def _has_python_float(v: Any) -> bool:
    if type(v) is float:
        return True
    if isinstance(v, (list, tuple)) and type(v) in (list, tuple):
        return any(_has_python_float(x) for x in v)
    return False


def _keys(d: dict) -> list:
    """Dictionary keys in the order tf.nest flattens them (sorted), as tape.gradient pairs them."""
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def _flat_tensors(v: Any) -> list:
    if isinstance(v, (EagerTensor, tf.Variable)):
        return [v]
    if isinstance(v, dict):
        return [t for k in _keys(v) for t in _flat_tensors(v[k])]
    if isinstance(v, (list, tuple)):
        return [t for x in v for t in _flat_tensors(x)]
    return []


def _flat_results(v: Any) -> list:
    if isinstance(v, dict):
        return [t for k in _keys(v) for t in _flat_results(v[k])]
    if isinstance(v, (list, tuple)):
        return [t for x in v for t in _flat_results(x)]
    return [v]


def _rebuild(v: Any, items) -> Any:
    if isinstance(v, dict):
        done = {k: _rebuild(v[k], items) for k in _keys(v)}
        return {k: done[k] for k in v}
    if isinstance(v, (list, tuple)):
        return type(v)(_rebuild(x, items) for x in v)
    return next(items)


def _show_literal(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (int, bool, np.number)):
        return str(v)
    text = str(np.asarray(v).tolist()) if not isinstance(v, np.ndarray) or v.size <= 64 else f"array {v.shape}"
    return text if len(text) <= 30 else text[:27] + "..."


def monotonic() -> float:
    return time.monotonic()
