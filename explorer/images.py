"""DOT to SVG/PNG bytes. Graphviz's `dot` where it is installed; otherwise `graphviz-pure` (a
self-contained Graphviz 16.1 port installed with the requirements), so a fresh machine with only
Python lays graphs out on the server too. PNG needs `dot`."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from pathlib import Path


@functools.lru_cache(maxsize=1)
def _programs() -> dict[str, str]:
    found = {}
    if shutil.which("dot"):
        found["dot"] = shutil.which("dot")
    pure = shutil.which("graphviz-pure") or str(Path(sys.executable).with_name("graphviz-pure"))
    if Path(pure).exists():
        found["pure"] = pure
    return found


def dot_available() -> bool:
    """Can the server draw PNG (Graphviz's `dot` installed)?"""
    return "dot" in _programs()


def svg_available() -> bool:
    return bool(_programs())


def render(dot_source: str, fmt: str) -> bytes | None:
    """SVG or PNG bytes of a DOT graph, or None where no layout program can make that format."""
    programs = _programs()
    program = programs.get("dot") or (programs.get("pure") if fmt == "svg" else None)
    if fmt not in ("svg", "png") or program is None:
        return None
    done = subprocess.run([program, f"-T{fmt}"], input=dot_source.encode("utf-8"), capture_output=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"Graphviz could not lay out the graph: {done.stderr.decode(errors='replace')[:300]}")
    return done.stdout


@functools.lru_cache(maxsize=256)
def svg(dot_source: str) -> str | None:
    """The SVG text of a graph (cached: the same picture is asked for on every rerun)."""
    data = render(dot_source, "svg")
    return None if data is None else data.decode("utf-8")
