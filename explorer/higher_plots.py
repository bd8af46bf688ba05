"""The Jacobian and Hessian as labelled heatmaps (built here, where tests can check them)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .render import fmt
from .views import ViewError

MAX_HEATMAP_CELLS = 2_500     # a labelled heatmap stays readable (and its payload small) up to this


def _heatmap(matrix: np.ndarray, xlab: list[str], ylab: list[str], title: str, height: int) -> go.Figure:
    fig = go.Figure(go.Heatmap(z=matrix, x=xlab, y=ylab, colorscale="RdBu", zmid=0,
                               text=[[fmt(v) for v in row] for row in matrix], texttemplate="%{text}"))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10), font=dict(size=16), title=title,
                      yaxis=dict(autorange="reversed"))
    return fig


def jacobian_figure(j: np.ndarray, out_name: str, out_shape: tuple, src: str) -> go.Figure:
    """∂out/∂src as an m × n heatmap, one labelled row per output entry and column per input entry."""
    in_shape = np.shape(j)[len(out_shape):]
    m = int(np.prod(out_shape)) if out_shape else 1
    n = int(np.prod(in_shape)) if in_shape else 1
    matrix = np.reshape(j, (m, n))
    if m * n > MAX_HEATMAP_CELLS:
        raise ViewError(f"∂{out_name}/∂{src} is {m} × {n} = {m * n:,} entries, more than a heatmap can show "
                        f"({MAX_HEATMAP_CELLS:,}); entries from {fmt(matrix.min())} to {fmt(matrix.max())}, "
                        f"{int(np.count_nonzero(matrix)):,} non-zero")
    ylab = [out_name] if not out_shape else [f"{out_name}[{','.join(map(str, k))}]" for k in np.ndindex(*out_shape)]
    xlab = [src] if not in_shape else [f"{src}[{','.join(map(str, k))}]" for k in np.ndindex(*in_shape)]
    return _heatmap(matrix, xlab, ylab, f"∂{out_name}/∂{src}: {m} × {n}", 120 + 40 * m)


def hessian_figure(h, target: str) -> go.Figure:
    return _heatmap(h.matrix, h.names, h.names, f"∂²{target} / ∂(row) ∂(column)", 140 + 40 * len(h.names))
