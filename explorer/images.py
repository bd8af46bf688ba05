"""DOT to SVG/PNG bytes, where Graphviz's `dot` program is installed (the page offers DOT always)."""

from __future__ import annotations

import shutil


def dot_available() -> bool:
    return shutil.which("dot") is not None


def render(dot_source: str, fmt: str) -> bytes | None:
    """SVG or PNG bytes of a DOT graph, or None where `dot` is not installed."""
    if fmt not in ("svg", "png") or not dot_available():
        return None
    import graphviz
    return graphviz.Source(dot_source).pipe(format=fmt)
