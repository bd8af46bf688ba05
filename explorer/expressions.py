"""A formula in x (and y) typed in the program language, as a traced graph that `higher.replay` turns
into a TensorFlow function: custom loss surfaces, 1-D losses and the playground's curves."""

from __future__ import annotations

import tensorflow as tf

from .errors import ProgramError
from .interpreter import Interpreter
from .ops import SPECS
from .trace import Trace


def expression(formula: str, variables: tuple[str, ...]) -> tuple[Trace, list[int], int]:
    """(trace, the node index of each variable, the node index of the result). Errors point at the
    formula's own line and column."""
    source = "".join(f"{v} = 0.0\n" for v in variables) + formula.strip()
    try:
        outcome = Interpreter(source, "float32").run()
    except ProgramError as e:
        raise ProgramError(e.message, max(e.line - len(variables), 1) if e.line else None, e.col) from None
    names = " and ".join(variables)
    window = outcome.recorder.main
    if outcome.target is None or not outcome.shorthand:
        raise ProgramError(f"type one expression in {names}, such as `{' + '.join(v + '**2' for v in variables)}`",
                           1, 1)
    if any(isinstance(v, tf.Variable) and k not in variables for k, v in outcome.env.items()):
        raise ProgramError(f"use only {names}", 1, 1)
    trace = window.trace(True, outcome.target)
    refuse_numpy(trace, formula, len(variables))
    if trace.nodes[outcome.target].shape != ():
        raise ProgramError(f"the expression must give one number for each value of {names}", 1, 1)
    return trace, [window.var_state[id(outcome.env[v])] for v in variables], outcome.target


def refuse_numpy(trace: Trace, source: str, offset: int = 0) -> None:
    """A shorthand formula exists to be differentiated: a NumPy function in it (which the tape cannot
    see through) is an error naming the tf function to use, at its line and column."""
    for n in trace.nodes:
        if "numpy" in n.edge_kinds:
            used = n.note.split("(")[1].split(")")[0] if "(" in n.note else \
                next((w for w in source.replace("(", " ").split() if w.startswith("np.")), "NumPy")
            leaf = used.split(".")[-1]
            instead = next((f"tf.{p}{leaf}" for p in ("", "math.", "nn.") if f"tf.{p}{leaf}" in SPECS),
                           "the tf. functions")
            raise ProgramError(f"`{used}` is NumPy, which the tape cannot see through: use {instead}",
                               max(n.line - offset, 1), n.col)
