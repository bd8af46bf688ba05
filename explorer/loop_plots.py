"""Charts of a loop: every tf.Variable it changes, and every value a tape differentiated in it (the loss),
over the iterations, with the chosen recording marked (explorer.trace.Series)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .descent_plots import COLORS, FONT
from .palette import GRID
from .trace import Series

MAX_LINES = 12          # entries drawn per chart; a 3x3 kernel draws 9 lines, a larger one its first 12


def _lines(series: Series, names: list[str]) -> list[tuple[str, list[int], list[float]]]:
    out = []
    for name in names:
        points = series.values[name]
        width = len(points[0][1])
        for j in range(min(width, MAX_LINES - len(out))):
            xs = [k + 1 for k, v in points if len(v) == width]
            ys = [v[j] for k, v in points if len(v) == width]
            out.append((name if width == 1 else f"{name}[{j}]", xs, ys))
    return out


def _chart(lines, title: str, iteration: int | None, log: bool) -> go.Figure:
    """Lines over the iterations; a dotted vertical line marks the iteration whose recording is shown."""
    fig = go.Figure()
    for i, (name, xs, ys) in enumerate(lines):
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=name, line=dict(width=3, color=COLORS[i % len(COLORS)]),
                                 hovertemplate=f"{name}<br>iteration %{{x}}: %{{y:.6g}}<extra></extra>"))
    if iteration is not None:
        fig.add_vline(x=iteration + 1, line=dict(color="#555", width=2, dash="dot"))
    fig.update_layout(height=300, font=FONT, margin=dict(l=10, r=10, t=46, b=10), plot_bgcolor="white",
                      title=dict(text=title, font=dict(size=18)), xaxis_title="iteration",
                      showlegend=len(lines) > 1, legend=dict(font=dict(size=14)))
    fig.update_xaxes(gridcolor=GRID, tickfont=dict(size=15))
    fig.update_yaxes(gridcolor=GRID, type="log" if log else "linear", tickfont=dict(size=15),
                     exponentformat="e" if log else "B")
    return fig


def variable_chart(series: Series, iteration: int | None = None) -> go.Figure | None:
    """The loop's variables over the iterations; a named number the loss compares a variable with
    (`x - x_f`) is a dashed line labelled with its name."""
    names = [n for n in series.values if n not in series.targets]
    if not names:
        return None
    lines = _lines(series, names)
    fig = _chart(lines, f"{', '.join(names[:3])}{', …' if len(names) > 3 else ''} over the iterations", iteration,
                 False)
    for name in names:
        for ref, value in series.references.get(name, {}).items():
            fig.add_hline(y=value, line=dict(color="#222", width=2, dash="dash"),
                          annotation=dict(text=f"{ref} = {value:g}", font=dict(size=16)),
                          annotation_position="bottom right")
    return fig


def loss_chart(series: Series, iteration: int | None = None) -> go.Figure | None:
    """The values a tape differentiated in the loop (its losses); a log axis when they are positive and
    span more than three decades."""
    names = [n for n in series.values if n in series.targets]
    if not names:
        return None
    lines = _lines(series, names)
    ys = np.concatenate([np.asarray(y, dtype=float) for _, _, y in lines])
    finite = ys[np.isfinite(ys)]
    log = bool(finite.size and (finite > 0).all() and finite.max() / finite.min() > 1e3)
    return _chart(lines, f"{', '.join(names[:3])}" + (" (log scale)" if log else " over the iterations"),
                  iteration, log)
