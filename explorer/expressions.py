"""A formula in x (and y) typed in the program language, as a traced graph that `higher.replay` turns
into a TensorFlow function: custom loss surfaces, 1-D losses and the playground's curves."""

from __future__ import annotations

from .errors import ProgramError
from .interpreter import Interpreter, Trace, VarRef


def expression(formula: str, variables: tuple[str, ...]) -> tuple[Trace, list[int], int]:
    """(trace, the node index of each variable, the node index of the result). Errors point at the
    formula's own line and column."""
    source = "".join(f"{v} = 0.0\n" for v in variables) + formula.strip()
    try:
        trace = Interpreter(source, "float32").run()
    except ProgramError as e:
        raise ProgramError(e.message, max(e.line - len(variables), 1) if e.line else None, e.col) from None
    names = " and ".join(variables)
    if trace.target is None or not trace.shorthand:
        raise ProgramError(f"type one expression in {names}, such as `{' + '.join(v + '**2' for v in variables)}`",
                           1, 1)
    if any(isinstance(v, VarRef) and k not in variables for k, v in trace.env.items()):
        raise ProgramError(f"use only {names}", 1, 1)
    if trace.nodes[trace.target].shape != ():
        raise ProgramError(f"the expression must give one number for each value of {names}", 1, 1)
    return trace, [trace.env[v].index for v in variables], trace.target
