"""The Tensors page's figures (plotly), drawn from what `explorer.tensors` computes."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import palette as P
from .tensors import (OPS, Affine, Broadcast, DotTrace, Movement, TensorInfo, broadcast_columns,
                      leading_indices, original_entries, relu)

FONT = 16                       # the smallest type a projector's back row reads
GREYS = [[0.0, P.PAPER], [1.0, P.EDGE_MUTED]]
CHOSEN = [[0.0, P.PENDING_FILL], [1.0, P.HIGHLIGHT]]
MAX_CELLS = 40                  # a grid's rows drawn (more: every k-th; a grid with numbers is cut instead)
MAX_WIDE = 400                  # columns of a grid without numbers (a timeseries' timesteps)
MAX_PANELS = 4
MAX_TEXT = 12                   # numbers are written in the cells of grids up to this size
MAX_TEXT_PANEL = 6              # … and in the cells of a strip's panels up to this size


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


def _steps(shape: tuple[int, ...], text: bool, picture: bool) -> tuple[int, int]:
    """(every k-th row, every k-th column) drawn: all of a grid with numbers (cut at MAX_CELLS instead);
    a picture the same k both ways (it keeps its proportions); other grids each axis on its own."""
    rows, cols = shape
    if text:
        return 1, 1
    kr, kc = max(-(-rows // MAX_CELLS), 1), max(-(-cols // MAX_WIDE), 1)
    if picture:
        kr = kc = max(kr, -(-cols // MAX_CELLS))
    return kr, kc


def _grid(fig, z: np.ndarray, mask: np.ndarray | None, row: int, col: int, lo: float, hi: float,
          text: bool, index: tuple[int, ...] = (), picture: bool = False, stage: str | None = None) -> None:
    """One 2-D grid: every entry in grey, the selected ones over it in orange (lists, not NumPy arrays,
    so the browser's figure holds plain numbers and null where nothing is selected). Each trace's `meta`
    says which slice of the tensor it is (`index` of the leading axes) and which rows and columns are
    drawn (`step`: every k-th), so a reader (or a test) can put the drawn numbers back in the tensor."""
    kr, kc = _steps(z.shape, text, picture)
    cut = (slice(0, MAX_CELLS), slice(0, MAX_CELLS)) if text else (slice(None, None, kr), slice(None, None, kc))
    z, mask = z[cut], None if mask is None else mask[cut]
    meta = {"index": list(index), "step": [kr, kc]} | ({"stage": stage} if stage else {})
    labels = np.vectorize(lambda v: f"{v:.3g}")(z) if text and z.size else None
    gap = 1 if max(z.shape) <= MAX_CELLS else 0
    common = dict(zmin=lo, zmax=hi if hi > lo else lo + 1, showscale=False, xgap=gap, ygap=gap, hoverinfo="z")
    fig.add_trace(go.Heatmap(z=z.tolist(), colorscale=GREYS, text=labels, texttemplate="%{text}" if text else None,
                             textfont=dict(size=FONT), meta=meta, **common), row=row, col=col)
    if mask is not None and mask.any():
        fig.add_trace(go.Heatmap(z=np.where(mask, z, np.nan).tolist(), colorscale=CHOSEN, text=labels,
                                 texttemplate="%{text}" if text else None, textfont=dict(size=FONT),
                                 meta=meta | {"selected": True}, **common),
                      row=row, col=col)
    _frame(fig, row, col, text)


def _frame(fig, row: int, col: int, ticks: bool) -> None:
    ticks = dict(dtick=1, tickfont=dict(size=FONT)) if ticks else dict(showticklabels=False, ticks="")
    frame = dict(showline=True, mirror=True, linecolor=P.EDGE_MUTED)     # an all-zero tensor still shows its outline
    fig.update_yaxes(autorange="reversed", showgrid=False, zeroline=False, row=row, col=col, **ticks, **frame)
    fig.update_xaxes(showgrid=False, zeroline=False, row=row, col=col, **ticks, **frame)


def colour_values(rgb: np.ndarray) -> np.ndarray:
    """A colour picture's values as 0 … 255 for drawing: values in [0, 1] times 255, values in [0, 255] as
    they are, anything else stretched from its least to its largest value."""
    lo, hi = (float(np.nanmin(rgb)), float(np.nanmax(rgb))) if rgb.size else (0.0, 1.0)
    if lo >= 0 and hi <= 1:
        return rgb * 255.0
    if lo >= 0 and hi <= 255:
        return rgb
    return (rgb - lo) / (hi - lo if hi > lo else 1.0) * 255.0


def _image(fig, rgb: np.ndarray, mask: np.ndarray | None, row: int, col: int, index: tuple[int, ...]) -> None:
    """One colour picture (height, width, 3 or 4 channels, already 0 … 255) as an image, the selected
    pixels shaded orange over it."""
    k, _ = _steps(rgb.shape[:2], False, True)
    rgb, mask = rgb[::k, ::k], None if mask is None else mask[::k, ::k]
    meta = {"index": list(index), "step": [k, k]}
    model = "rgb" if rgb.shape[-1] == 3 else "rgba256"
    fig.add_trace(go.Image(z=np.round(rgb, 3).tolist(), colormodel=model, meta=meta), row=row, col=col)
    if mask is not None and mask.any():
        fig.add_trace(go.Heatmap(z=np.where(mask, 1.0, np.nan).tolist(), colorscale=[[0, P.HIGHLIGHT], [1, P.HIGHLIGHT]],
                                 opacity=0.55, showscale=False, hoverinfo="skip", meta=meta | {"selected": True}),
                      row=row, col=col)
    _frame(fig, row, col, False)


def panels(shape: tuple[int, ...], mask: np.ndarray | None) -> list[tuple[int, ...]]:
    """Which leading indices (all but the last two axes of `shape`, without channels) get a panel of their
    own: the first MAX_PANELS; with a slice, the first two and the first ones it selects from."""
    lead = shape[:-2]
    everything = list(np.ndindex(*lead))
    if mask is None or not mask.any():
        return everything[:MAX_PANELS]
    first = everything[:2]
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


def _panel_label(info: TensorInfo, index: tuple[int, ...]) -> str:
    """'sample 3', 'sample 0, frame 1' for a named data kind; '[1, :, :]' for a plain tensor."""
    if info.kind.startswith("rank"):
        return "[" + ", ".join([str(i) for i in index] + [":", ":"]) + "]"
    return ", ".join(f"{n.removesuffix('s')} {i}" for n, i in zip(info.axes, index))


def tensor_figure(value: np.ndarray, info: TensorInfo, mask: np.ndarray | None = None, title: str = "") -> go.Figure:
    """The tensor drawn as tf.shape says it is: a cell (rank 0), a row (rank 1), a grid of rows × columns
    (rank 2), and from rank 3 a strip of panels, one per index of the leading axes, each a grid of the
    last two axes (shape[-2] rows × shape[-1] columns). Pictures are drawn as pictures: grey images as grey
    grids, images and video with 3 or 4 channels in colour, one panel per sample (and frame); a timeseries
    is drawn with timesteps across. `mask` (the tensor's shape) highlights what a slice selects."""
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
    channels = info.kind in ("images", "video")
    colour = channels and info.shape[-1] in (3, 4)
    if channels and not colour:       # one channel: its values; another count (a forced reading): their mean
        z = z[..., 0] if info.shape[-1] == 1 else z.mean(axis=-1)
    if channels:
        mask = None if mask is None else mask.any(axis=-1)
    timeseries = info.kind == "timeseries"
    if timeseries:                    # timesteps across, features down: each feature a band over time
        z = np.swapaxes(z, 1, 2)
        mask = None if mask is None else np.swapaxes(mask, 1, 2)
    grids = z.shape[:-1] if colour else z.shape
    ids = panels(grids, mask)
    picture = info.kind in ("grayscale images", "images", "video")
    pixels = colour_values(z) if colour else None
    lo, hi = (float(np.nanmin(z)), float(np.nanmax(z))) if z.size else (0.0, 1.0)
    fig = make_subplots(rows=len(ids) if timeseries else 1, cols=1 if timeseries else len(ids),
                        subplot_titles=[_panel_label(info, ix) for ix in ids], horizontal_spacing=0.03,
                        vertical_spacing=0.12)
    text = max(grids[-2:]) <= MAX_TEXT_PANEL
    for k, ix in enumerate(ids):
        r, c = (k + 1, 1) if timeseries else (1, k + 1)
        if colour:
            _image(fig, pixels[ix], None if mask is None else mask[ix], r, c, ix)
        else:
            _grid(fig, z[ix], None if mask is None else mask[ix], r, c, lo, hi, text, ix, picture)
        if picture:      # pictures keep their proportions
            fig.update_yaxes(scaleanchor=f"x{k + 1 if k else ''}", row=r, col=c)
    _axis_titles(fig, info, len(ids), timeseries)
    if not timeseries:              # the rows' numbers once, left of the first panel (not inside the one before)
        fig.update_yaxes(showticklabels=False)
        fig.update_yaxes(showticklabels=text, col=1)
    # a strip of square pictures is as tall as its panels are wide (about 500 px across beside the editor)
    height = max(250, min(340, 130 + 480 // len(ids))) if picture else 330
    fig = _layout(fig, height, title or strip_caption(info, ids))
    fig.update_layout(title_font=dict(size=FONT, color=P.INK))
    return fig


def _axis_titles(fig, info: TensorInfo, count: int, timeseries: bool) -> None:
    """Name the axes each panel's rows and columns are: the tensor's last two (timesteps and features
    swapped for a timeseries)."""
    if info.kind in ("grayscale images", "images", "video"):
        return
    rows, cols = (info.axes[-1], info.axes[-2]) if timeseries else (info.axes[-2], info.axes[-1])
    if timeseries:
        fig.update_xaxes(title_text=cols, title_standoff=2, row=count, col=1)
        for k in range(count):
            fig.update_yaxes(title_text=rows, title_standoff=2, row=k + 1, col=1)
        return
    rank = info.rank
    label = (lambda a, n: f"{n} (axis {a})") if not info.kind.startswith("rank") else (lambda a, n: n)
    fig.update_yaxes(title_text=label(rank - 2, rows), title_standoff=2, row=1, col=1)
    for k in range(count):
        fig.update_xaxes(title_text=label(rank - 1, cols), row=1, col=k + 1)


def strip_caption(info: TensorInfo, ids: list[tuple[int, ...]]) -> str:
    """Under a strip of panels: which leading axis runs along it, how many there are and which are drawn."""
    lead = info.rank - (3 if info.kind in ("images", "video") else 2)
    names = [f"axis {k}" + ("" if info.kind.startswith("rank") else f" ({info.axes[k]})") for k in range(lead)]
    counts = " × ".join(str(info.shape[k]) for k in range(lead))
    drawn = "all drawn" if len(ids) == int(np.prod(info.shape[:lead])) else f"{len(ids)} drawn"
    return f"Panels along {' and '.join(names)} →  {counts} in all, {drawn}"


def broadcast_figure(stages: dict[str, np.ndarray], plan: Broadcast, op: str = "add") -> go.Figure:
    """Each stage as explorer.tensors.broadcast_columns orders them (the operand that broadcasts: as it is,
    with axes added, repeated; the other as it is; the result), one column each. A tensor of rank 3 or more
    is drawn by its last two axes at a few leading indices, one row each (explorer.tensors.leading_indices),
    so a repeat along a leading axis shows as equal panels down a column. In a repeated stage the
    operand's own entries are orange and their copies grey."""
    columns = broadcast_columns(plan)
    rows = leading_indices(plan.result)
    titles = {"x": "x", "y": "y", "x added": "x, axes added", "y added": "y, axes added", "x repeated": "x repeated",
              "y repeated": "y repeated", "result": OPS[op][0]}
    grids = {}
    for name in columns:
        a = _plain(stages[name])
        a = a.reshape((1,) * max(0, 2 - a.ndim) + a.shape)
        for r, ix in enumerate(rows if a.ndim == len(plan.result) else rows[:1]):
            ix = ix if a.ndim == len(plan.result) else (0,) * (a.ndim - 2)
            if all(i < n for i, n in zip(ix, a.shape)):
                grids[name, r] = (ix, a[ix])
    values = [g for _, g in grids.values() if g.size]
    lo, hi = min(float(g.min()) for g in values), max(float(g.max()) for g in values)
    fig = make_subplots(rows=len(rows), cols=len(columns), horizontal_spacing=0.03, vertical_spacing=0.06,
                        subplot_titles=[f"{titles[n]}<br>{tuple(stages[n].shape)}" if r == 0 else ""
                                        for r in range(len(rows)) for n in columns])
    text = max(plan.result[-2:] if len(plan.result) >= 2 else plan.result or (1,)) <= MAX_TEXT_PANEL
    for (name, r), (ix, g) in grids.items():
        c = columns.index(name) + 1
        own = None
        if name.endswith("repeated"):
            own = original_entries(plan, name[0])
            own = own.reshape((1,) * max(0, 2 - own.ndim) + own.shape)[ix]
        _grid(fig, g, own, r + 1, c, lo, hi, text, ix, stage=name)
    fig.update_yaxes(showticklabels=False)          # one set of row numbers, on the left: no overlap with the panel before
    fig.update_yaxes(showticklabels=text, col=1)
    for r in range(len(rows)):
        for c in range(len(columns)):
            if (columns[c], r) not in grids:
                fig.update_xaxes(visible=False, row=r + 1, col=c + 1)
                fig.update_yaxes(visible=False, row=r + 1, col=c + 1)
    if len(rows) > 1:         # each row named by its leading index, beside its first panel
        for r, ix in enumerate(rows):
            first = min(columns.index(n) for n, k in grids if k == r)
            fig.update_yaxes(title_text="[" + ", ".join(map(str, ix)) + "]", title_standoff=2, row=r + 1,
                             col=first + 1)
    return _layout(fig, 330 if len(rows) == 1 else 120 + 110 * len(rows))


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
    """The figure before (faint), after the first map (and the second), and folded by relu. With a second
    map the figure after the first alone is drawn dotted ("first"); "after" is the one map the two compose
    into. With an `activation` (a layer's, applied entry by entry) the affine image is drawn too ("affine",
    dotted) and "after" is the activation of it."""
    figure = figure or {}
    fig = go.Figure()
    steps = [("before", Affine(), P.EDGE_FAINT)]
    moved = first if second is None else first.then(second)
    if second is not None:                  # halfway: after the first map only
        steps.append(("first", first, P.SKY_BLUE))
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
            if stage in ("affine", "first"):
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
    channels = info.kind in ("images", "video")
    grid = info.axes[:-1] if channels else info.axes
    down, across = (grid[-1], grid[-2]) if info.kind == "timeseries" else (grid[-2], grid[-1])
    if info.kind.startswith("rank"):
        lead = " × ".join(str(d) for d in info.shape[:-2])
        axes = "axis 0" if info.rank == 3 else "axes " + ", ".join(str(k) for k in range(info.rank - 2))
        text = (f"Each panel is one index of {axes}: shape {info.shape} is {lead} "
                f"grid{'s' if np.prod(info.shape[:-2]) != 1 else ''} of "
                f"{info.shape[-2]} rows (axis {info.rank - 2}) × {info.shape[-1]} columns (axis {info.rank - 1})")
    else:
        text = f"Each panel is one {' and '.join(a.removesuffix('s') for a in grid[:-2])}: {down} down, {across} across"
    if channels:
        n = info.shape[-1]
        text += (" in colour (its 3 channels as red, green, blue)" if n == 3 else
                 " in colour (red, green, blue and opacity)" if n == 4 else
                 " (its one channel)" if n == 1 else f" (the mean of its {n} {info.axes[-1]})")
    return text + (f"; at most {MAX_PANELS} panels; a panel over {MAX_CELLS} rows or {MAX_WIDE} columns shows "
                   "every k-th row and column.")
