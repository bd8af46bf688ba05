"""The library in Jupyter and on the command line: graph pictures that display themselves, the graph
model as JSON, and a link that opens a program in the app.

    import explorer
    r = explorer.run(source)
    r                                   # in a notebook: the backward graph, inline as SVG
    explorer.view(r, "forward")         # forward / backward / tf, each a GraphView
    explorer.app_url(source, page="walkthrough")

A `GraphView` offers SVG (laid out by Graphviz's `dot`, else graphviz-pure, as the app does) and a text
listing of every value and gradient; where neither layout program is there, the text is what shows.
`register(ip)` teaches IPython to show runs, graphs, walkthrough steps, gradient checks, descent paths
and playground trainers; `explorer` calls it on import inside a running IPython.
"""

from __future__ import annotations

import html
from pathlib import Path as _FilePath
from typing import Any
from urllib.parse import urlencode

import numpy as np

from . import images
from .graph import Graph

VIEWS = ("forward", "backward", "tf")
PAGES = {"graph": "", "walkthrough": "walkthrough"}   # pages that open a program from a link


class GraphView:
    """One picture of a run: its DOT source, SVG where a layout program exists, and a text listing."""

    def __init__(self, dot: str, text: str, title: str):
        self.dot = dot
        self.text = text
        self.title = title

    @property
    def svg(self) -> str | None:
        return images.svg(self.dot)

    def _repr_svg_(self) -> str | None:
        return self.svg

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        bundle = {"text/plain": self.text}
        picture = self.svg
        if picture is not None:
            bundle["image/svg+xml"] = picture
        return bundle

    def __repr__(self) -> str:
        return self.text

    def save(self, path: str | _FilePath) -> _FilePath:
        """Write the picture; the format follows the suffix: .svg, .png (needs `dot`) or .dot."""
        path = _FilePath(path)
        data = image_bytes(self.dot, path.suffix)
        path.write_bytes(data)
        return path


def image_bytes(dot: str, suffix: str) -> bytes:
    """The bytes of a picture in the format a file suffix names; ValueError saying what is possible."""
    fmt = suffix.lower().lstrip(".")
    if fmt in ("dot", "gv"):
        return dot.encode("utf-8")
    if fmt not in ("svg", "png"):
        raise ValueError(f"cannot write a {suffix or 'suffix-less'} file: use .svg, .png or .dot")
    data = images.render(dot, fmt)
    if data is None:
        raise ValueError("PNG needs Graphviz's `dot` (apt-get install graphviz); .svg and .dot work without it"
                         if fmt == "png" else "no Graphviz layout program: install graphviz or graphviz-pure")
    return data


def default_target(run, target: str | None) -> str | None:
    """`target`, else the program's own, else (as the Graph page does) the first value that can be
    differentiated: `y = x * x` under a tape with no `tape.gradient` call still has a backward graph."""
    if target:
        return target
    if run.graph.target is None and run.targets():
        return run.targets()[0]
    return None


def view(run, which: str = "backward", target: str | None = None, rankdir: str = "TB") -> GraphView:
    """The forward or backward graph of `target` (None: the program's own, else its first differentiable
    value), or TensorFlow's graph ("tf")."""
    if which not in VIEWS:
        raise ValueError(f"view {which!r} is not one of {', '.join(VIEWS)}")
    if which == "tf":
        tf_graph = run.tf_graph()
        if tf_graph.error:
            raise ValueError(f"TensorFlow's graph could not be traced: {tf_graph.error}")
        return GraphView(tf_graph.to_dot(), tf_graph_text(tf_graph), "TensorFlow's graph")
    graph = run.graph_for(default_target(run, target))
    if which == "backward" and graph.target is None:
        raise ValueError("the program has no target to differentiate: name one with target=")
    return graph_view(graph, which, rankdir)


def graph_view(graph: Graph, which: str, rankdir: str = "TB") -> GraphView:
    return GraphView(graph.to_dot(which, rankdir=rankdir), graph_text(graph, which), f"{which} graph")


def graph_text(graph: Graph, which: str = "backward") -> str:
    """The text fallback: one line per value, as the Values & gradients table has them."""
    rows = graph.table()
    head = f"{which} graph: {len(rows)} values"
    if graph.target is not None:
        head += f", gradients of {graph.nodes[graph.target].label}"
    lines = [head]
    for row in rows:
        line = f"  {row['name']} = {row['computed as']}  [{row['shape']} {row['dtype']}]  value {row['value']}"
        if which == "backward" and graph.target is not None:
            line += f"  gradient {row['gradient']}"
        lines.append(line)
    return "\n".join(lines)


def tf_graph_text(tf_graph) -> str:
    lines = [f"TensorFlow's graph: {len(tf_graph.ops)} ops, {len(tf_graph.gradient_ops)} of them gradient ops"]
    lines += [f"  {op.name}: {op.type}({', '.join(op.inputs)})" for op in tf_graph.ops]
    return "\n".join(lines)


# ---- the graph model as JSON -------------------------------------------------------------------------

def _array(x) -> Any:
    if x is None:
        return None
    a = np.asarray(x)
    if a.dtype.kind == "c":
        return {"real": a.real.tolist(), "imag": a.imag.tolist()}
    if a.dtype.kind in "fiub":
        return a.tolist()
    return str(a.tolist())


def graph_json(graph: Graph) -> dict[str, Any]:
    """The graph model as plain data: nodes with values and TensorFlow's gradients (or why None), edges
    with local derivatives and contributions, and the chain-rule check at each node."""
    return {
        "target": None if graph.target is None else graph.nodes[graph.target].id,
        "tape": graph.tape_name,
        "chain_rule_ok": graph.chain_rule_ok,
        "nodes": [{
            "index": n.index, "id": n.id, "name": n.name, "op": n.op, "kind": n.kind, "text": n.text,
            "line": n.line, "col": n.col, "dtype": n.dtype, "shape": list(n.shape), "inputs": list(n.inputs),
            "value": _array(n.value), "gradient": _array(graph.gradients.get(n.index)),
            "none_reason": graph.reasons.get(n.index),
            "chain_rule": None if n.index not in graph.checks else {
                "terms": [_array(t) for t in graph.checks[n.index].terms],
                "sum": _array(graph.checks[n.index].total), "ok": graph.checks[n.index].ok},
        } for n in graph.nodes],
        "edges": [{
            "src": e.src, "dst": e.dst, "position": e.position, "kind": e.kind, "rule": e.rule,
            "local": _array(e.local), "upstream": _array(e.upstream), "contribution": _array(e.contribution),
            "note": e.note,
        } for e in graph.edges],
    }


def run_json(run, target: str | None = None) -> dict[str, Any]:
    """A run as plain data (`json.dumps` writes it as it is): the program, its dtype, seed and recording,
    and the graph model of `target` (None: the program's own, else its first differentiable value)."""
    return {"source": run.source, "dtype": run.dtype, "seed": run.seed, "recording": run.recording,
            "graph": graph_json(run.graph_for(default_target(run, target)))}


# ---- a link into the app -----------------------------------------------------------------------------

def app_url(source: str, page: str = "graph", base: str = "http://localhost:8501", **settings: Any) -> str:
    """A link that opens `source` on the Graph page or the step-through (page="walkthrough") of the app
    served at `base`; other settings of that page's table (dtype, seed, target, view, step, ...) by name."""
    from .page_settings import GRAPH, WALKTHROUGH
    if page not in PAGES:
        raise ValueError(f"page {page!r} is not one of {', '.join(PAGES)}")
    table = GRAPH if page == "graph" else WALKTHROUGH
    values = {"program": source, **settings}
    for name, value in values.items():
        table[name].decode(table[name].encode(value))   # KeyError for an unknown name, ValueError for a bad value
    params = table.encode(values)
    if "program" not in params:                        # the page's default program: a link still names it
        params = {"program": table["program"].encode(source), **params}
    query = urlencode(params)
    return f"{base.rstrip('/')}/{PAGES[page]}" + (f"?{query}" if query else "")


# ---- IPython displays --------------------------------------------------------------------------------

def _run_bundle(run) -> dict[str, str]:
    graph = run.graph
    return graph_view(graph, "backward" if graph.target is not None else "forward")._repr_mimebundle_()


def _graph_bundle(graph: Graph) -> dict[str, str]:
    return graph_view(graph, "backward" if graph.target is not None else "forward")._repr_mimebundle_()


def _tf_graph_bundle(tf_graph) -> dict[str, str]:
    if tf_graph.error:
        return {"text/plain": f"TensorFlow's graph could not be traced: {tf_graph.error}"}
    return GraphView(tf_graph.to_dot(), tf_graph_text(tf_graph), "TensorFlow's graph")._repr_mimebundle_()


def _fmt(x) -> str:
    from .render import fmt
    return fmt(x) if x is not None else "None"


def step_markdown(step) -> str:
    """A walkthrough step: its title, what happens in words, and the formula."""
    parts = [f"**{step.title}**" if step.title else "", step.text]
    if step.latex:
        parts.append(f"$$ {step.latex} $$")
    return "\n\n".join(p for p in parts if p)


def checks_html(checks) -> str:
    """Gradient checks as a table: TensorFlow beside the finite difference and the symbolic derivative."""
    head = "<tr><th>source</th><th>TensorFlow</th><th>finite difference</th><th>symbolic</th><th>agree</th><th>note</th></tr>"
    rows = [f"<tr><td>{html.escape(c.source)}</td><td>{html.escape(_fmt(c.tensorflow))}</td>"
            f"<td>{html.escape(_fmt(c.finite_difference))}</td><td>{html.escape(_fmt(c.symbolic))}</td>"
            f"<td>{'✓' if c.agree else '✗' if c.agree is False else '—'}</td><td>{html.escape(c.note)}</td></tr>"
            for c in checks]
    return f"<table>{head}{''.join(rows)}</table>"


def register(ip) -> None:
    """Teach an IPython shell to show the library's objects: graphs as SVG (text where no layout program
    exists), walkthrough steps as Markdown with their formula, gradient checks as a table, descent
    paths and playground trainers as plotly figures."""
    from . import descent, descent_plots, playground, playground_plots
    from .checks import GradientCheck
    from .run import Run
    from .tfgraph import TFGraph
    from .walkthrough import Step

    mimebundle = ip.display_formatter.mimebundle_formatter
    mimebundle.for_type(Run, lambda r, include=None, exclude=None: _run_bundle(r))
    mimebundle.for_type(Graph, lambda g, include=None, exclude=None: _graph_bundle(g))
    mimebundle.for_type(TFGraph, lambda g, include=None, exclude=None: _tf_graph_bundle(g))
    formatters = ip.display_formatter.formatters
    formatters["text/markdown"].for_type(Step, step_markdown)
    formatters["text/html"].for_type(GradientCheck, lambda c: checks_html([c]))

    def figure(make):
        return lambda obj, include=None, exclude=None: make(obj)._repr_mimebundle_()
    mimebundle.for_type(descent.Path, figure(lambda p: descent_plots.loss_chart([p])))
    mimebundle.for_type(descent.Path1D, figure(descent_plots.x_versus_step))
    mimebundle.for_type(descent.Classifier, figure(descent_plots.classifier_curves))
    mimebundle.for_type(playground.Trainer, figure(playground_plots.output_figure))
    mimebundle.for_type(playground.TrainResult, figure(lambda t: playground_plots.loss_figure(t.trainer)))


def register_if_ipython() -> None:
    import sys
    if "IPython" not in sys.modules:
        return
    from IPython import get_ipython
    ip = get_ipython()
    if ip is not None and hasattr(ip, "display_formatter"):
        register(ip)
