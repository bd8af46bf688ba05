"""Every view of a run, and what a view says when it cannot show something.

A view that cannot answer for a program (too large, not scalar, no gradient, a path TensorFlow does not
differentiate) raises `ViewError` with a sentence the page shows in place of the picture; any other
exception from a view is a bug. `every_view` runs them all, as the pages do, for the fuzz test and for a
notebook that wants to know what each view would say."""

from __future__ import annotations

from typing import Any


class ViewError(ValueError):
    """This view has nothing to show for this program, and the message says why."""


def every_view(run, target: str | None = None, checks: bool = True) -> dict[str, Any]:
    """Each view's answer for `target` (None: the one the pages choose first), or its ViewError message."""
    from .checks import check_gradients
    from .higher import forward_and_reverse, hessian, inputs_of, jacobian
    from .stepper import frames, look_at
    from .walkthrough import paths

    out: dict[str, Any] = {}

    def attempt(name, fn):
        try:
            out[name] = fn()
        except ViewError as e:
            out[name] = f"ViewError: {e}"

    out["tf_code"] = run.tf_code
    out["output"] = (run.output, run.display, run.notes)
    attempt("plots", run.plots)
    attempt("tf_graph", lambda: run.tf_graph().to_dot() if not run.tf_graph().error else run.tf_graph().error)
    if target is None:
        target = next(iter(run.targets()), None)
    graph = run.graph_for(target)
    out["forward"] = graph.to_dot("forward")
    out["table"] = graph.table()
    if graph.target is None:
        return out
    out["backward"] = graph.to_dot("backward")
    attempt("walkthrough", lambda: run.walkthrough(target))
    steps = out["walkthrough"]
    if not isinstance(steps, str):
        from .images import svg
        fr = frames(graph, steps)
        out["steps"] = {"dot": fr.dot, "svg": svg(fr.dot), "looks": [look_at(fr, k) for k in _sample(len(steps))],
                        "quiz": [look_at(fr, k, quiz=True) for k in _sample(len(steps))], "panels": fr.panels}
    leaves = [n for n in graph.nodes if n.is_leaf and n.kind != "literal" and graph.gradients.get(n.index) is not None]
    for leaf in leaves:
        attempt(f"paths {leaf.label}", lambda: paths(graph, leaf.index))
    if checks:
        attempt("checks", lambda: check_gradients(run, target))
    name = graph.nodes[graph.target].label if target is None else target
    for i in inputs_of(run.trace, graph.target):
        attempt(f"jacobian {run.trace.nodes[i].label}", lambda: jacobian(run, name, run.trace.nodes[i].label))
    attempt("hessian", lambda: hessian(run, target))
    attempt("modes", lambda: forward_and_reverse(run, target))
    return out


def _sample(n: int) -> list[int]:
    """The steps a person clicking through would see first, in the middle and last."""
    return sorted({k for k in (0, 1, 2, n // 2, n - 2, n - 1) if 0 <= k < n})
