"""The Tensors page's figures (plotly), drawn from what `explorer.tensors` computes."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import palette as P
from .tensors import Affine, DotTrace, Movement, TensorInfo, relu

FONT = 16                       # the smallest type a projector's back row reads
GREYS = [[0.0, P.PAPER], [1.0, P.EDGE_MUTED]]
CHOSEN = [[0.0, P.PENDING_FILL], [1.0, P.HIGHLIGHT]]
MAX_CELLS = 40                  # a grid's rows drawn (more: every k-th; a grid with numbers is cut instead)
MAX_WIDE = 400                  # columns of a grid without numbers (a timeseries' timesteps)
MAX_PANELS = 4
MAX_TEXT = 12                   # numbers are written in the cells of grids up to this size


def _layout(fig: go.Figure, height: int, title: str = "") -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=70 if title else 50, b=10),
                      font=dict(size=FONT), plot_bgcolor=P.PAPER, paper_bgcolor=P.PAPER,
                      title=dict(text=title, font=dict(size=FONT + 2)) if title else None, showlegend=False)
    fig.update_annotations(font_size=FONT)
    return fig


def _plain(value: np.ndarray) -> np.ndarray:
    """Numbers a heatmap can colour (strings and booleans become 0/1 or their length)."""
    if value.dtype.kind in "SUO":
        return np.vectorize(lambda s: float(len(s)))(value) if value.size else value.astype(float)
    return value.astype(np.float64)


def _grid(fig, z: np.ndarray, mask: np.ndarray | None, row: int, col: int, lo: float, hi: float,
          text: bool) -> None:
    """One 2-D grid: every entry in grey, the selected ones over it in orange (lists, not NumPy arrays,
    so the browser's figure holds plain numbers and null where nothing is selected)."""
    if text:
        z, mask = z[:MAX_CELLS, :MAX_CELLS], None if mask is None else mask[:MAX_CELLS, :MAX_CELLS]
    else:           # a large picture: every k-th row and column (the same k for both keeps its proportions)
        k = max(-(-z.shape[0] // MAX_CELLS), -(-z.shape[1] // MAX_WIDE), 1)
        z, mask = z[::k, ::k], None if mask is None else mask[::k, ::k]
    labels = np.vectorize(lambda v: f"{v:.3g}")(z) if text and z.size else None
    gap = 1 if max(z.shape) <= MAX_CELLS else 0
    common = dict(zmin=lo, zmax=hi if hi > lo else lo + 1, showscale=False, xgap=gap, ygap=gap, hoverinfo="z")
    fig.add_trace(go.Heatmap(z=z.tolist(), colorscale=GREYS, text=labels, texttemplate="%{text}" if text else None,
                             textfont=dict(size=FONT), **common), row=row, col=col)
    if mask is not None and mask.any():
        fig.add_trace(go.Heatmap(z=np.where(mask, z, np.nan).tolist(), colorscale=CHOSEN, text=labels,
                                 texttemplate="%{text}" if text else None, textfont=dict(size=FONT), **common),
                      row=row, col=col)
    ticks = dict(dtick=1, tickfont=dict(size=FONT)) if text else dict(showticklabels=False, ticks="")
    frame = dict(showline=True, mirror=True, linecolor=P.EDGE_MUTED)     # an all-zero tensor still shows its outline
    fig.update_yaxes(autorange="reversed", showgrid=False, zeroline=False, row=row, col=col, **ticks, **frame)
    fig.update_xaxes(showgrid=False, zeroline=False, row=row, col=col, **ticks, **frame)


def panels(shape: tuple[int, ...], mask: np.ndarray | None) -> list[tuple[int, ...]]:
    """Which leading indices (all but the last two axes of `shape`, channels already averaged) get a
    panel of their own: the first two, and the first ones the slice selects from, at most MAX_PANELS."""
    lead = shape[:-2]
    everything = list(np.ndindex(*lead))
    first = everything[:2]
    chosen = []
    if mask is not None:
        flat = mask.reshape(lead + (-1,))
        chosen = [ix for ix in everything if flat[ix].any()][:MAX_PANELS - len(first)]
    return sorted(set(first) | set(chosen))[:MAX_PANELS]


def selected_range(mask: np.ndarray, axis: int = 0) -> str:
    """'10 … 99 (90 of 200)' : the indices of one axis holding a selected entry."""
    other = tuple(k for k in range(mask.ndim) if k != axis)
    hit = np.flatnonzero(mask.any(axis=other) if other else mask)
    if hit.size == 0:
        return "none"
    span = f"{hit[0]}" if hit.size == 1 else f"{hit[0]} … {hit[-1]}"
    return f"{span} ({hit.size} of {mask.shape[axis]})"


def tensor_figure(value: np.ndarray, info: TensorInfo, mask: np.ndarray | None = None, title: str = "") -> go.Figure:
    """The tensor drawn by its rank: a cell, a row, a grid, or panels (one per sample; for video one
    per sample and frame) of its last two axes; images with channels show their channels' mean.
    `mask` (the tensor's shape) highlights what a slice selects."""
    z = _plain(np.asarray(value))
    if info.rank <= 2:
        z2 = z.reshape((1, -1)) if info.rank < 2 else z
        m2 = None if mask is None else mask.reshape(z2.shape)
        fig = make_subplots(rows=1, cols=1)
        small = max(z2.shape) <= MAX_TEXT
        _grid(fig, z2, m2, 1, 1, float(np.nanmin(z2)) if z2.size else 0.0, float(np.nanmax(z2)) if z2.size else 1.0,
              small)
        names = info.axes or ("",)
        fig.update_xaxes(title_text=names[-1] if info.rank else "", side="top", row=1, col=1)
        if info.rank == 2:
            fig.update_yaxes(title_text=names[0], row=1, col=1)
        else:
            fig.update_yaxes(showticklabels=False, row=1, col=1)
        rows = min(z2.shape[0], MAX_CELLS)
        return _layout(fig, int(min(560, max(200, 60 + 46 * rows))), title)
    channels = info.rank >= 4     # images and video: a picture per sample (and frame), its channels' mean
    if channels:
        z = z.mean(axis=-1)
        mask = None if mask is None else mask.any(axis=-1)
    if info.kind == "timeseries":   # timesteps across, features down: each feature a band over time
        z = np.swapaxes(z, -1, -2)
        mask = None if mask is None else np.swapaxes(mask, -1, -2)
    ids = panels(z.shape, mask)
    lo, hi = float(np.nanmin(z)), float(np.nanmax(z))
    names = info.axes[:-1] if channels else info.axes
    labels = [", ".join(f"{n.removesuffix('s')} {i}" for n, i in zip(names, ix)) for ix in ids]
    vertical = 1 if info.kind == "timeseries" else len(ids)
    rows = len(ids) if vertical == 1 else 1
    fig = make_subplots(rows=rows, cols=vertical, subplot_titles=labels, horizontal_spacing=0.03,
                        vertical_spacing=0.12)
    square = z.shape[-1] == z.shape[-2]
    for k, ix in enumerate(ids):
        r, c = (k + 1, 1) if vertical == 1 else (1, k + 1)
        _grid(fig, z[ix], None if mask is None else mask[ix], r, c, lo, hi, max(z[ix].shape) <= 6)
        if square:      # images keep their proportions
            fig.update_yaxes(scaleanchor=f"x{k + 1 if k else ''}", row=r, col=c)
    return _layout(fig, 300 if square else 330, title)


def broadcast_figure(stages: dict[str, np.ndarray], title: str = "") -> go.Figure:
    """y, y with axes added, y repeated, x, and the sum: each drawn by its last two axes (leading axes
    at index 0)."""
    names = ["y", "y added", "y repeated", "x", "x + y"]

    def last_two(a: np.ndarray) -> np.ndarray:
        a = _plain(a)
        a = a.reshape((1,) * max(0, 2 - a.ndim) + a.shape)
        return a[(0,) * (a.ndim - 2)]

    grids = [last_two(stages[n]) for n in names]
    lo = min(float(g.min()) for g in grids if g.size)
    hi = max(float(g.max()) for g in grids if g.size)
    fig = make_subplots(rows=1, cols=len(names), horizontal_spacing=0.04,
                        subplot_titles=[f"{n}<br>{tuple(stages[n].shape)}" for n in names])
    for k, g in enumerate(grids):
        _grid(fig, g, None, 1, k + 1, lo, hi, False)
    return _layout(fig, 360, title)


def dot_figure(trace: DotTrace) -> go.Figure:
    """x with the traced row, y with the traced column, and the output with the traced entry."""
    def as_grid(a: np.ndarray, column: bool) -> np.ndarray:
        return a.reshape((-1, 1)) if (a.ndim == 1 and column) else a.reshape((1, -1)) if a.ndim == 1 else a

    a, b = as_grid(trace.a, False), as_grid(trace.b, True)
    out = np.asarray(trace.out)
    o = out.reshape((1, 1)) if out.ndim == 0 else as_grid(out, trace.b.ndim == 1)
    ma, mb, mo = np.zeros(a.shape, bool), np.zeros(b.shape, bool), np.zeros(o.shape, bool)
    i = trace.index[0] if trace.a.ndim == 2 else 0
    j = trace.index[-1] if trace.b.ndim == 2 else 0
    ma[i if trace.a.ndim == 2 else 0, :] = True
    mb[:, j if trace.b.ndim == 2 else 0] = True
    mo[(i if trace.a.ndim == 2 else 0), (j if trace.b.ndim == 2 else 0)] = True
    fig = make_subplots(rows=1, cols=3, horizontal_spacing=0.06,
                        subplot_titles=[f"x {tuple(trace.a.shape)}", f"y {tuple(trace.b.shape)}",
                                        f"x · y {tuple(out.shape)}"])
    for k, (g, m) in enumerate(((a, ma), (b, mb), (o, mo))):
        _grid(fig, g, m, 1, k + 1, float(g.min()), float(g.max()), max(g.shape) <= MAX_TEXT)
    return _layout(fig, 340)


def geometry_figure(first: Affine, second: Affine | None = None, fold: bool = False,
                    figure: dict[str, np.ndarray] | None = None, activation=None) -> go.Figure:
    """The figure before (faint), after the first map (and the second), and folded by relu. With an
    `activation` (a layer's, applied entry by entry) the affine image is drawn too ("affine", dotted) and
    "after" is the activation of it."""
    figure = figure or {}
    fig = go.Figure()
    steps = [("before", Affine(), P.EDGE_FAINT)]
    moved = first if second is None else first.then(second)
    if activation is not None:
        steps.append(("affine", moved, P.SKY_BLUE))
    steps.append(("after", moved, P.BLUE))
    for label, points in figure.items():
        cloud = label.startswith("class")
        for stage, affine, color in steps:
            xy = affine(points)
            if activation is not None and stage == "after":
                xy = activation(xy)
            if fold and stage == "after":
                xy = relu(xy)
            if stage == "affine":
                fig.add_trace(go.Scatter(x=xy[:, 0].tolist(), y=xy[:, 1].tolist(), name=f"{label} {stage}",
                                         mode="markers" if cloud else "lines",
                                         marker=dict(size=4, color=color, opacity=0.5),
                                         line=dict(color=color, width=3 if label == "F" else 1, dash="dot")))
                continue
            k = int(label[-1]) if cloud else 0
            fig.add_trace(go.Scatter(
                x=xy[:, 0].tolist(), y=xy[:, 1].tolist(), name=f"{label} {stage}",
                mode="markers" if cloud else "lines",
                marker=dict(size=6, color=P.CLASS_COLORS[k] if stage == "after" else P.EDGE_FAINT),
                line=dict(color=(P.MARK if label == "F" else color) if stage == "after" else P.EDGE_FAINT,
                          width=5 if label == "F" else 1.5)))
    fig.add_trace(go.Scatter(x=[0], y=[0], mode="markers", marker=dict(size=9, color=P.BLACK), name="origin"))
    fig.update_xaxes(range=[-4.5, 4.5], zeroline=True, zerolinecolor=P.EDGE, gridcolor=P.GRID,
                     tickfont=dict(size=FONT))
    fig.update_yaxes(range=[-4.5, 4.5], scaleanchor="x", scaleratio=1, zeroline=True, zerolinecolor=P.EDGE,
                     gridcolor=P.GRID, tickfont=dict(size=FONT))
    return _layout(fig, 500)


POSITION_SCALE = [[0.0, P.PENDING_FILL], [0.5, P.NEGATIVE], [1.0, P.POSITIVE]]   # position 0 light, the last dark


def as_rows(a: np.ndarray) -> np.ndarray:
    """A tensor as a 2-D grid for drawing: its last axis across, all leading axes merged down (row-major, so
    reading the grid left to right, top to bottom reads the tensor in order)."""
    a = np.asarray(a)
    return a.reshape((1, -1)) if a.ndim < 2 else a.reshape((-1, a.shape[-1]))


def movement_figure(m: Movement) -> go.Figure:
    """Source and result side by side, each entry coloured and numbered by its row-major position in the
    source: a reshape reads 0, 1, 2, … in both; a transpose does not."""
    src = as_rows(np.arange(m.source.size).reshape(m.source.shape))
    out = as_rows(m.positions)
    names = [f"{m.source_text} {tuple(m.source.shape)}", f"{m.op}(…) {tuple(m.result.shape)}"]
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08, subplot_titles=names,
                        column_widths=[max(src.shape[1], 1), max(out.shape[1], 1)])
    hi = max(m.source.size - 1, 1)
    for k, (grid, values) in enumerate(((src, as_rows(m.source)), (out, as_rows(m.result)))):
        numbers = max(grid.shape) <= 2 * MAX_TEXT
        fig.add_trace(go.Heatmap(z=grid.tolist(), zmin=0, zmax=hi, colorscale=POSITION_SCALE, showscale=False,
                                 xgap=1, ygap=1, text=[[f"{int(p)}" for p in row] for row in grid] if numbers else None,
                                 texttemplate="%{text}" if numbers else None, textfont=dict(size=FONT),
                                 customdata=_plain(values).tolist(),
                                 hovertemplate="position %{z}<br>value %{customdata:.4g}<extra></extra>"),
                      row=1, col=k + 1)
        ticks = dict(dtick=1, tickfont=dict(size=FONT)) if max(grid.shape) <= MAX_CELLS else dict(showticklabels=False)
        fig.update_yaxes(autorange="reversed", showgrid=False, zeroline=False, row=1, col=k + 1, **ticks)
        fig.update_xaxes(showgrid=False, zeroline=False, side="bottom", row=1, col=k + 1, **ticks)
    rows = min(max(src.shape[0], out.shape[0]), MAX_CELLS)
    return _layout(fig, int(min(560, max(220, 90 + 40 * rows))))


def panel_caption(info: TensorInfo) -> str:
    """What the panels of tensor_figure show, for ranks 3 and up ('' below)."""
    if info.rank < 3:
        return ""
    axes = info.axes[:-1] if info.rank >= 4 else info.axes
    lead = " and ".join(a.removesuffix("s") for a in axes[:-2])
    down, across = (axes[-1], axes[-2]) if info.kind == "timeseries" else (axes[-2], axes[-1])
    text = f"Each panel is one {lead}: {down} down, {across} across"
    if info.rank >= 4:
        text += f" (the mean of its {info.shape[-1]} {info.axes[-1]})"
    return text + (f"; at most {MAX_PANELS} panels; a panel over {MAX_CELLS} rows or {MAX_WIDE} columns shows "
                   "every k-th row and column.")
