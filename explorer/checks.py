"""Three independent answers for every gradient: TensorFlow's, a central finite difference, and for
scalar programs sympy's symbolic derivative.

The finite difference re-runs the whole program with one input entry nudged up and down, so it sees
exactly what the program computes (assigns, nested tapes and all) without asking TensorFlow for a
derivative. The symbolic derivative rebuilds the program's scalar graph as a sympy expression.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

from . import limits
from .backward import nonfinite, nonfinite_cause
from .graph import Graph, Node
from .errors import ProgramError
from .interpreter import Interpreter
from .views import ViewError

KINKS = {"abs": "0", "relu": "0", "relu6": "0 and 6", "leaky_relu": "0", "keras_relu": "0",
         "maximum": "a tie", "minimum": "a tie", "reduce_max": "a tie", "reduce_min": "a tie"}


@dataclass
class GradientCheck:
    source: str                          # the program's name for the input
    tensorflow: np.ndarray | None        # tape.gradient
    finite_difference: np.ndarray | None
    symbolic: float | None               # sympy, scalar programs only
    symbolic_latex: str                  # the derivative as a formula in the program's names
    agree: bool | None                   # None: fewer than two answers to compare
    note: str                            # why an answer is missing, or why they differ
    step: float = 0.0                    # the finite-difference step used


def check_gradients(run, target: str | None = None) -> list[GradientCheck]:
    """For every source of `target` (the program's tape.gradient sources, else its floating leaves):
    TensorFlow's gradient, a central finite difference (step chosen by dtype), and sympy's."""
    graph = run.graph_for(target)
    if graph.target is None:
        raise ViewError("the program has no target: choose a value to differentiate")
    sources = _sources(run, graph)
    # each run of the finite difference re-runs the whole program: as many as fit in MAX_FD_SECONDS
    budget = int(min(limits.MAX_FD_RUNS, limits.MAX_FD_SECONDS / max(run.seconds, 0.005)))
    # one scalar source at least, while its two re-runs fit in half the views' time limit
    budget = budget_runs = max(budget, 2 if 2 * run.seconds <= limits.MAX_VIEW_SECONDS / 2 else 0)
    out = []
    for s in sources:
        node = graph.nodes[s]
        tf_grad = graph.gradients.get(s)
        fd, h, fd_note = None, 0.0, ""
        size = int(np.size(node.value))
        if 2 * size <= budget:
            budget -= 2 * size
            try:
                fd, h = finite_difference(run, graph.target, s)
            except ProgramError as e:
                fd_note = f"finite difference not available: the nudged program did not run ({e})"
        else:
            fd_note = (f"finite difference skipped: {node.label} has {size} entries and would need "
                       f"{2 * size} more runs of the program (limit {budget_runs} in all)")
        sym_value, sym_latex, sym_note = symbolic(graph, s)
        out.append(_compare(graph, node, tf_grad, fd, h, sym_value, sym_latex,
                            "; ".join(x for x in (fd_note, sym_note) if x), run.dtype))
    return out


def _sources(run, graph: Graph) -> list[int]:
    for call in run.trace.calls:
        if call.target == graph.target:
            return list(dict.fromkeys(i for i in call.sources if graph.nodes[i].floating))
    seen = graph.ancestors(graph.target, lambda e: e.kind != "init")    # a variable's initial value is not a source
    return [n.index for n in graph.nodes if n.index in seen and n.floating and n.kind in
            ("variable", "constant", "random", "input") and n.op != "assign"]


def fd_step(dtype: str, x: float) -> float:
    """Central differences balance truncation (∝ h²) against rounding (∝ eps / h): h ≈ eps^(1/3)."""
    eps = np.finfo(np.float32 if dtype == "float32" else np.float64).eps
    return float(eps ** (1 / 3) * max(1.0, abs(x)))


def finite_difference(run, target: int, source: int) -> tuple[np.ndarray, float]:
    """d target / d source by central differences, re-running the program with source nudged."""
    base = np.asarray(run.trace.nodes[source].value, dtype=np.float64)
    out = np.zeros(base.shape)
    steps = []
    for idx in np.ndindex(base.shape):
        h = fd_step(run.dtype, float(base[idx]))
        steps.append(h)
        up, down = base.copy(), base.copy()
        up[idx] += h
        down[idx] -= h
        f_up = _target_at(run, target, {source: up})
        f_down = _target_at(run, target, {source: down})
        out[idx] = (f_up - f_down) / (2 * h)
    return out, float(np.max(steps)) if steps else 0.0


def _target_at(run, target: int, overrides: dict[int, np.ndarray]) -> float:
    """The target's value in the same recording of the program re-run with some values replaced."""
    outcome = Interpreter(run.source, run.dtype, run.seed, keep=run.recording,
                          overrides={(run.window, k): v for k, v in overrides.items()}).run()
    window = outcome.recorder.window_for(run.recording)
    if target >= len(window.tensors):
        raise ProgramError("the nudged program took another path and recorded other values")
    return float(np.sum(np.asarray(window.tensors[target].numpy(), dtype=np.float64)))


# ---- sympy ------------------------------------------------------------------------------------------

_UNARY = {
    "neg": lambda a: -a, "square": lambda a: a ** 2, "sqrt": sympy.sqrt, "rsqrt": lambda a: 1 / sympy.sqrt(a),
    "reciprocal": lambda a: 1 / a, "exp": sympy.exp, "log": sympy.log, "log1p": lambda a: sympy.log(1 + a),
    "abs": sympy.Abs, "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "tanh": sympy.tanh,
    "sigmoid": lambda a: 1 / (1 + sympy.exp(-a)), "relu": lambda a: sympy.Max(0, a),
    "softplus": lambda a: sympy.log(1 + sympy.exp(a)), "silu": lambda a: a / (1 + sympy.exp(-a)),
    "identity": lambda a: a, "reduce_sum": lambda a: a, "reduce_mean": lambda a: a, "pos": lambda a: a,
    "convert": lambda a: a, "read": lambda a: a,
    "reduce_max": lambda a: a, "reduce_min": lambda a: a,
}
_UNARY.update({f"keras_{k}": _UNARY[b] for k, b in [("relu", "relu"), ("sigmoid", "sigmoid"),
               ("tanh", "tanh"), ("softplus", "softplus"), ("silu", "silu"), ("swish", "silu"),
               ("exponential", "exp"), ("linear", "identity")]})
_BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a ** b, "maximum": sympy.Max, "minimum": sympy.Min,
    "squared_difference": lambda a, b: (a - b) ** 2,
}


class _NoSymbolic(Exception):
    pass


_BLOCKING = {"assign": "an assignment (assign)", "init": "a variable's initial value",
             "copy": "a copy (tf.constant)", "numpy": "NumPy", "stop": "tf.stop_gradient"}


def non_differentiable_path(graph: Graph, source: int) -> str:
    """Where the target depends on `source` only through edges gradient cannot flow along (an assign, a
    copy, NumPy, tf.stop_gradient), what those edges are; else ""."""
    data, reach, blocked = _flow_sets(graph)
    return blocked if source in reach and source not in data else ""


def _flow_sets(graph: Graph) -> tuple[set[int], set[int], str]:
    """(what gradient can flow back to from the target, everything the target is computed from, the
    kinds of blocking edges among them): computed once per graph and target, asked once per node."""
    key = graph.target
    cached = getattr(graph, "_flow_cache", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    data = graph.ancestors(graph.target, lambda e: e.kind in ("data", "opaque")
                           and graph.nodes[e.dst].op != "stop_gradient")
    reach = graph.ancestors(graph.target)
    kinds = sorted({e.kind for e in graph.edges if e.kind in _BLOCKING and e.dst in reach and e.src in reach})
    if any(graph.nodes[i].op == "stop_gradient" for i in reach):
        kinds.append("stop")
    result = (data, reach, " and ".join(_BLOCKING[k] for k in kinds) or "an edge gradient cannot cross")
    graph._flow_cache = (key, result)
    return result


def symbolic(graph: Graph, source: int) -> tuple[float | None, str, str]:
    """(value, LaTeX of the derivative, note). The program's other inputs stay symbols in the formula
    and take their values when it is evaluated."""
    nodes = graph.nodes
    try:
        if nodes[graph.target].shape != () or nodes[source].shape != ():
            raise _NoSymbolic("the symbolic derivative is shown for scalar programs")
        blocked = non_differentiable_path(graph, source)
        if blocked:
            raise _NoSymbolic(f"no symbolic derivative: {nodes[graph.target].label} depends on {nodes[source].label} "
                              f"only through {blocked}, which lets no gradient through; the finite difference "
                              "follows the program's value through it")
        symbols: dict[int, sympy.Symbol] = {}
        memo: dict[int, sympy.Expr] = {}
        expr = _expr(graph, graph.target, source, symbols, memo)
        x = _symbol(nodes[source], symbols)
        derivative = sympy.diff(expr, x)
        if sympy.count_ops(derivative) > limits.MAX_SYMBOLIC_OPS:
            raise _NoSymbolic(f"the symbolic derivative has more than {limits.MAX_SYMBOLIC_OPS} operations: "
                              "too long to show")
        values = {sym: float(nodes[i].value) for i, sym in symbols.items()}
        with np.errstate(all="ignore"):
            value = _evaluate(derivative, values)
    except _NoSymbolic as e:
        return None, "", str(e)
    except (TypeError, ValueError, ZeroDivisionError, RecursionError, OverflowError) as e:
        return None, "", f"sympy could not evaluate the derivative ({type(e).__name__})"
    name = nodes[graph.target].label
    latex = (rf"\frac{{\partial \, {_tex(name)}}}{{\partial \, {_tex(nodes[source].label)}}} = "
             + sympy.latex(derivative))
    if not np.isfinite(value):
        return None, latex, ("the symbolic derivative is undefined at this point" if np.isnan(value) else
                             "the symbolic derivative overflows float64 at this point")
    return float(value), latex, ""


_FUNCTIONS = {sympy.exp: np.exp, sympy.log: np.log, sympy.sin: np.sin, sympy.cos: np.cos, sympy.tan: np.tan,
              sympy.tanh: np.tanh, sympy.sinh: np.sinh, sympy.cosh: np.cosh, sympy.Abs: np.abs,
              sympy.sign: np.sign, sympy.atan: np.arctan, sympy.asin: np.arcsin, sympy.acos: np.arccos,
              }


def _evaluate(e: sympy.Expr, values: dict) -> float:
    """The derivative at the program's values in float64, walking the expression (sympy's own evalf
    works at arbitrary precision: exp(exp(exp(x))) would run for minutes). Overflow gives infinity,
    0/0 NaN; the caller says so."""
    if e.is_Symbol:
        return np.float64(values[e])
    if e.is_Number:
        return np.float64(float(e)) if e.is_finite else np.float64(np.nan)
    if e is sympy.pi:
        return np.float64(np.pi)
    if e is sympy.E:
        return np.float64(np.e)
    args = [_evaluate(a, values) for a in e.args]
    if e.is_Add:
        return np.sum(args, dtype=np.float64)
    if e.is_Mul:
        return np.prod(args, dtype=np.float64)
    if e.is_Pow:
        return np.float64(np.power(args[0], args[1]))
    if isinstance(e, (sympy.Max, sympy.Min)):
        return np.float64(max(args) if isinstance(e, sympy.Max) else min(args))
    if isinstance(e, sympy.Heaviside):
        return np.float64(np.heaviside(args[0], 0.5))
    fn = _FUNCTIONS.get(e.func)
    if fn is None:
        raise TypeError(f"no numeric rule for {e.func}")
    return np.float64(fn(*args))


def _tex(name: str) -> str:
    return name if len(name) == 1 else r"\mathrm{" + name.replace("_", r"\_") + "}"


def _symbol(node: Node, symbols: dict[int, sympy.Symbol]) -> sympy.Symbol:
    if node.index not in symbols:
        symbols[node.index] = sympy.Symbol(node.label, real=True)
    return symbols[node.index]


def _expr(graph: Graph, i: int, source: int, symbols: dict, memo: dict) -> sympy.Expr:
    if i in memo:
        return memo[i]
    if len(memo) > limits.MAX_SYMBOLIC_NODES:
        raise _NoSymbolic(f"the program is too large for a symbolic derivative "
                          f"(more than {limits.MAX_SYMBOLIC_NODES} values)")
    n = graph.nodes[i]
    if n.shape != ():
        raise _NoSymbolic("the symbolic derivative is shown for scalar programs")
    if i == source or n.kind in ("variable", "constant", "random", "input"):
        out = _symbol(n, symbols)
    elif n.kind == "literal":
        exact = n.static.get("python", n.value)
        out = sympy.Integer(int(exact)) if float(exact).is_integer() else sympy.Float(repr(float(exact)))
    elif n.op == "cast" and not n.floating:
        raise _NoSymbolic(f"{n.label} = {n.text} casts to {n.dtype}, a step function: TensorFlow passes no "
                          "gradient through it, and its derivative is 0 wherever it exists")
    elif n.op == "cast":
        out = _expr(graph, n.inputs[0], source, symbols, memo)
    elif n.kind == "gradient":
        t, s = n.inputs
        if not graph.nodes[s].is_leaf:
            raise _NoSymbolic("a tape.gradient with respect to an intermediate value has no symbolic form here")
        out = sympy.diff(_expr(graph, t, source, symbols, memo), _symbol(graph.nodes[s], symbols))
    elif n.op in _UNARY and len(n.inputs) == 1:
        out = _UNARY[n.op](_expr(graph, n.inputs[0], source, symbols, memo))
    elif n.op in _BINARY and len(n.inputs) == 2:
        a, b = (_expr(graph, k, source, symbols, memo) for k in n.inputs)
        out = _BINARY[n.op](a, b)
    elif n.op == "stop_gradient":
        out = sympy.Float(float(n.value), 17)
    else:
        raise _NoSymbolic(f"no symbolic rule for {n.op}")
    memo[i] = out
    return out


# ---- comparing ----------------------------------------------------------------------------------------

def _compare(graph: Graph, node: Node, tf_grad, fd, h, sym, sym_latex, note, dtype) -> GradientCheck:
    answers = [a for a in (tf_grad, fd, None if sym is None else np.asarray(sym)) if a is not None]
    agree = None
    if np.size(node.value) == 0:
        note = "; ".join(x for x in (note, f"{node.label} has no entries: there is nothing to compare") if x)
        return GradientCheck(node.label, tf_grad, fd, sym, sym_latex, None, note, h)
    if tf_grad is None:
        reason = graph.reasons.get(node.index, "")
        note = "; ".join(x for x in (f"TensorFlow returns None: {reason}" if reason else "", note) if x)
        if non_differentiable_path(graph, node.index):
            # TensorFlow answers "how does the gradient flow", the finite difference "how does the program's
            # output move": through an assign they differ by design, which is not a disagreement
            return GradientCheck(node.label, None, fd, None, sym_latex, None, note, h)
    bad = next((b for b in map(nonfinite, answers) if b), None)
    if bad:
        note = "; ".join(x for x in (note, f"{bad} among the answers: not compared; {nonfinite_cause(graph)}") if x)
        return GradientCheck(node.label, tf_grad, fd, sym, sym_latex, None, note, h)
    if len(answers) >= 2:
        scale = max(1.0, max(float(np.max(np.abs(a))) for a in answers))
        rtol, atol = (3e-2, 3e-3) if dtype == "float32" else (1e-5, 1e-7)
        ref = np.asarray(answers[0], dtype=np.float64)
        agree = all(np.all(np.abs(np.asarray(a, dtype=np.float64) - ref) <= atol * scale + rtol * np.abs(ref))
                    for a in answers[1:])
        if not agree:
            kinks = _kinks_near(graph, h)
            if kinks:
                note = "; ".join(x for x in (note, "the function has a kink here: " + ", ".join(kinks) +
                                 ". There the derivative does not exist; TensorFlow uses one side's "
                                 "(sub)gradient, the finite difference averages both sides") if x)
            elif dtype == "float32":
                note = "; ".join(x for x in (note, "float32 rounding: switch to float64 for a closer "
                                                   "finite difference") if x)
    return GradientCheck(node.label, tf_grad, fd, sym, sym_latex, agree, note, h)


def _kinks_near(graph: Graph, h: float) -> list[str]:
    """Ops evaluated within a finite-difference step of a point where they are not differentiable."""
    found = []
    for n in graph.nodes:
        if n.op not in KINKS or n.kind != "op":
            continue
        ins = [np.asarray(graph.nodes[i].value, dtype=np.float64) for i in n.inputs]
        if n.op in ("maximum", "minimum") and len(ins) == 2:
            near = np.any(np.abs(ins[0] - ins[1]) <= 2 * h)
        elif n.op in ("reduce_max", "reduce_min"):
            flat = np.sort(ins[0].ravel())
            near = flat.size > 1 and np.any(np.diff(flat) <= 2 * h)
        elif n.op == "relu6":
            near = np.any(np.abs(ins[0]) <= 2 * h) or np.any(np.abs(ins[0] - 6) <= 2 * h)
        else:
            near = np.any(np.abs(ins[0]) <= 2 * h)
        if near:
            found.append(f"{n.label} = {n.text} at {KINKS[n.op]}")
    return found
