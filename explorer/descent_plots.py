"""Plotly figures for the descent lab: the 3-D surface with each optimizer's path, the loss curves, the
learning-rate sweep, the 1-D tangent, the linear classifier's moving line, and the animated contour of a
race for notebooks (the page draws the race in the browser instead: explorer/descent_picture.py).

Animations are plotly frames with play/pause and a step slider, so they play in the browser without a
server round trip. Frames carry only what moves (current points, arrows, a short trail) and numbers are
rounded, which keeps the default view well under 1.5 MB. Text is 16 px or larger: the back row of a
lecture hall reads it on a 1280×720 projector.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from . import palette
from .descent import Classifier, Path, Path1D, Surface, decision_line, grid
from .descent_picture import contour_image
from .descent_verdicts import verdict

COLORS = palette.SERIES                 # one per optimizer (Okabe-Ito, color-blind safe)
FONT = dict(size=16)
TEXT = 16                               # every label, legend and title, in px
TRAIL = 30                              # recent steps drawn bold in each frame
MAX_FRAMES = 60
PICK_GRID = 21                          # invisible points over the race, 20 px apart: a click picks the start
RACE_HEIGHT = 530                       # the race and the panel beside it fit a 1280×720 screen
BELOW_AXIS = 58                         # px from the plot's bottom edge to Play / Pause: under the axis title
PAPER_SEE_THROUGH = "rgba(255, 255, 255, 0.85)"   # a legend over the plot, the curve still showing through
ANIMATED_MARGIN = 130                   # px under the plot for the axis, Play / Pause and the step slider
CLIP_DECADES = 2                        # the loss axis runs this many decades above the highest start


class AnimatedFigure(go.Figure):
    """A figure whose animation frames stay plain dicts. Plotly validates every trace of every frame
    when frames are assigned (0.5 s for the race's 60 frames of 20 traces, on every change of a setting);
    the browser only needs their JSON, and `to_dict` (what Streamlit and `to_json` read) hands it over."""

    def __init__(self, *args, raw_frames: list[dict] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._raw_frames = list(raw_frames or [])

    def to_dict(self) -> dict:
        out = super().to_dict()
        if self._raw_frames:
            out["frames"] = self._raw_frames
        return out


def _readable(fig: go.Figure) -> go.Figure:
    """Every axis's numbers and title at TEXT px: Streamlit's chart theme sets them smaller (12.75 and
    14.9 px) unless a figure says otherwise."""
    fig.update_xaxes(tickfont=FONT, title_font=FONT)
    fig.update_yaxes(tickfont=FONT, title_font=FONT)
    fig.update_scenes(**{axis: dict(tickfont=FONT, title_font=FONT) for axis in ("xaxis", "yaxis", "zaxis")})
    return fig


def frame_steps(n_steps: int, frames: int = MAX_FRAMES) -> list[int]:
    """Which steps become frames: all of them for short runs, evenly spaced (first and last kept) otherwise."""
    if n_steps + 1 <= frames:
        return list(range(n_steps + 1))
    return sorted(set(np.linspace(0, n_steps, frames).round().astype(int).tolist()))


def _r(a) -> list:
    return np.round(np.asarray(a, dtype=np.float64), 4).tolist()


def _xy(points: np.ndarray) -> dict:
    """A frame's scatter update from points already rounded."""
    return {"type": "scatter", "x": points[:, 0].tolist(), "y": points[:, 1].tolist()}


def _at(path: Path, k: int) -> int:
    return min(k, len(path.points) - 1)


def _slider_and_buttons(steps: list[int], prefix: str = "step ", redraw: bool = False) -> dict:
    """Play / Pause and a step slider. Scatter traces animate smoothly without a redraw; 3-D scenes and
    frames that change the title need one."""
    return dict(
        updatemenus=[dict(type="buttons", showactive=False, x=0.0, y=0, xanchor="left", yanchor="top",
                          direction="left", pad=dict(t=BELOW_AXIS, r=10), font=FONT,
                          buttons=[dict(label="▶ Play", method="animate",
                                        args=[None, dict(frame=dict(duration=80, redraw=redraw), fromcurrent=True,
                                                         transition=dict(duration=0))]),
                                   dict(label="❚❚ Pause", method="animate",
                                        args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate",
                                                           transition=dict(duration=0))])])],
        sliders=[dict(active=0, x=0.4, len=0.6, y=0, yanchor="top", pad=dict(t=BELOW_AXIS - 12),
                      currentvalue=dict(prefix=prefix, xanchor="right", font=dict(size=TEXT, color=palette.INK)),
                      font=FONT, ticklen=3,
                      steps=[dict(label=str(k), method="animate",
                                  args=[[f"f{k}"], dict(mode="immediate", frame=dict(duration=0, redraw=redraw),
                                                        transition=dict(duration=0))]) for k in steps])])


def wrap(text: str, width: int = 60) -> str:
    """A long formula broken into lines before its outermost " + " and " - " (plotly cuts a title at the
    chart's edge)."""
    parts, depth, begin = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and text[i:i + 3] in (" + ", " - ") and i > begin:
            parts.append(text[begin:i])
            begin = i
    parts.append(text[begin:])
    lines = [""]
    for part in parts:
        if lines[-1] and len(lines[-1]) + len(part) > width:
            lines.append(part.lstrip())
        else:
            lines[-1] += part
    return "<br>".join(lines)


def _legend(label: str, note: str) -> str:
    """The optimizer and what happened, on two short lines so the legend leaves the picture its width
    (its settings are in the table under the picture and on hover)."""
    return f"<b>{label.split(' (')[0]}</b><br><i>{note}</i>"


def _scale(s: Surface) -> float:
    return 0.08 * max(s.x_range[1] - s.x_range[0], s.y_range[1] - s.y_range[0])


def _units(v: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (0 where it has no direction)."""
    n = np.linalg.norm(v, axis=1, keepdims=True)
    ok = (n > 0) & np.isfinite(n) & np.all(np.isfinite(v), axis=1, keepdims=True)
    return np.where(ok, v / np.where(ok, n, 1.0), 0.0)


def _arrows(p: Path, arrow: float) -> tuple[np.ndarray, np.ndarray | None]:
    """For every step, (start, end) of the steepest-descent arrow and, for momentum methods, of the
    velocity arrow (its length relative to the largest velocity on the path), rounded for the browser."""
    down = np.stack([p.points, p.points - _units(p.gradients) * arrow], axis=1)
    if p.velocities is None:
        return np.round(down, 4), None
    size = np.linalg.norm(p.velocities, axis=1, keepdims=True)
    biggest = float(np.max(size[np.isfinite(size)], initial=0.0))
    scale = np.minimum(1.0, np.nan_to_num(size) / max(1e-12, biggest))
    velocity = np.stack([p.points, p.points + _units(p.velocities) * scale * 2 * arrow], axis=1)
    return np.round(down, 4), np.round(velocity, 4)


def race_contour(s: Surface, paths: list[Path], show_gradient: bool = True, height: int = RACE_HEIGHT,
                 image: str | None = None) -> go.Figure:
    """Contour of the surface with every optimizer's path animated step by step: the current point, a
    trail, the direction of steepest descent (−gradient) and, for momentum methods, the velocity. An
    invisible grid of points on top makes a click anywhere on the surface a selectable start. `image` is
    contour_image(s), where the caller keeps it (it depends on the surface only).

    Traces are plain dicts given to plotly unvalidated (validating them took 0.3 s a change); the tests
    read the figure's JSON and the browser draws it."""
    traces = [dict(type="scatter", x=[mx], y=[my], mode="markers", name="minimum", showlegend=False,
                   marker=dict(symbol="star", size=18, color=palette.PAPER, line=dict(color=palette.BLACK, width=1.5)),
                   hovertemplate="minimum (%{x}, %{y})<extra></extra>") for mx, my in s.minima]
    steps = frame_steps(max(p.steps for p in paths))
    moving = [(np.round(p.points, 4), *_arrows(p, _scale(s))) for p in paths]
    for i, (p, (points, _, _)) in enumerate(zip(paths, moving)):
        traces.append(dict(**_xy(points), mode="lines", opacity=0.75, hoverinfo="skip",
                           line=dict(color=COLORS[i % len(COLORS)], width=2), legendgroup=str(i),
                           name=_legend(p.label, verdict(p, s).short)))
    dynamic = []
    for i, (p, (points, down, velocity)) in enumerate(zip(paths, moving)):
        color = COLORS[i % len(COLORS)]
        arrowhead = dict(symbol="arrow", angleref="previous", size=[0, 14])
        moved = [dict(**_xy(points[:1]), mode="lines", line=dict(color=color, width=3.5), hoverinfo="skip"),
                 dict(**_xy(points[:1]), mode="markers", marker=dict(size=14, color=color,
                                                                     line=dict(color=palette.BLACK, width=1.5)),
                      hovertemplate=f"{p.label}<br>(%{{x}}, %{{y}})<extra></extra>")]
        if show_gradient:
            moved.append(dict(**_xy(down[0]), mode="lines+markers", line=dict(color=color, width=2, dash="dot"),
                              marker=dict(**arrowhead, color=color), hoverinfo="skip"))
        if velocity is not None:
            moved.append(dict(**_xy(velocity[0][:1].repeat(2, axis=0)), mode="lines+markers", hoverinfo="skip",
                              line=dict(color=palette.BLACK, width=2.5), marker=dict(**arrowhead, color=palette.BLACK)))
        for trace in moved:
            dynamic.append(len(traces))
            traces.append(dict(trace, legendgroup=str(i), showlegend=False))
    frames = []
    for k in steps:
        data = []
        for p, (points, down, velocity) in zip(paths, moving):
            j = _at(p, k)
            data += [_xy(points[max(0, j - TRAIL):j + 1]), _xy(points[j:j + 1])]
            if show_gradient:
                data.append(_xy(down[j]))
            if velocity is not None:
                data.append(_xy(velocity[j]))
        frames.append({"data": data, "traces": dynamic, "name": f"f{k}"})
    gx, gy = np.meshgrid(np.linspace(*s.x_range, PICK_GRID), np.linspace(*s.y_range, PICK_GRID))
    traces.append(dict(type="scatter", x=_r(gx.ravel()), y=_r(gy.ravel()), mode="markers", name="pick a start",
                       marker=dict(size=14, opacity=0), hoverinfo="none", showlegend=False))
    fig = AnimatedFigure(data=traces, raw_frames=frames, _validate=False)
    fig.add_layout_image(source=image or contour_image(s), xref="x", yref="y", x=s.x_range[0], y=s.y_range[1],
                         sizex=s.x_range[1] - s.x_range[0], sizey=s.y_range[1] - s.y_range[0],
                         sizing="stretch", layer="below")
    title = wrap(f"{s.title}: f(x, y) = {s.formula}")
    fig.update_layout(height=height, font=FONT, margin=dict(l=10, r=10, t=18 + 22 * (title.count("<br>") + 1),
                                                            b=ANIMATED_MARGIN),
                      plot_bgcolor=palette.PAPER, clickmode="event+select",
                      xaxis=dict(range=list(s.x_range), title="x", showgrid=False, zeroline=False),
                      yaxis=dict(range=list(s.y_range), title=dict(text="y", standoff=4), showgrid=False,
                                 zeroline=False),
                      legend=dict(x=1.02, y=1, xanchor="left", font=FONT, itemwidth=30, tracegroupgap=4),
                      title=dict(text=title, font=FONT, x=0, xanchor="left", y=0.99, yanchor="top"),
                      **_slider_and_buttons(steps))
    return _readable(fig)


def race_surface3d(s: Surface, paths: list[Path], height: int = RACE_HEIGHT) -> go.Figure:
    """The same race on the 3-D surface: each path lifted onto f, with its current point animated."""
    xs, ys, z = grid(s, 45)
    floor = min(float(np.nanmin(z)), *(float(np.nanmin(p.losses)) for p in paths))   # paths may go below
    zs = np.log10(z - floor + 1e-3) if s.log_color else z
    lift = (lambda v: np.log10(np.maximum(v - floor, 0) + 1e-3)) if s.log_color else (lambda v: v)
    fig = AnimatedFigure(go.Surface(x=_r(xs), y=_r(ys), z=_r(zs), colorscale="Viridis", opacity=0.85,
                                    showscale=False, hoverinfo="skip"))
    steps = frame_steps(max(p.steps for p in paths), 40)
    dynamic = []
    for i, p in enumerate(paths):
        color = COLORS[i % len(COLORS)]
        inside = (p.points[:, 0] >= s.x_range[0]) & (p.points[:, 0] <= s.x_range[1]) & \
                 (p.points[:, 1] >= s.y_range[0]) & (p.points[:, 1] <= s.y_range[1])
        pts, lz = p.points[inside], lift(p.losses[inside])
        fig.add_trace(go.Scatter3d(x=_r(pts[:, 0]), y=_r(pts[:, 1]), z=_r(lz), mode="lines",
                                   line=dict(color=color, width=5), name=p.label.split(" (")[0]))
        dynamic.append(len(fig.data))
        fig.add_trace(go.Scatter3d(x=_r(p.points[:1, 0]), y=_r(p.points[:1, 1]), z=_r(lift(p.losses[:1])),
                                   mode="markers", showlegend=False,
                                   marker=dict(size=7, color=color, line=dict(color=palette.BLACK, width=2))))
    frames = []
    for k in steps:
        data = []
        for p in paths:
            j = _at(p, k)
            data.append({"type": "scatter3d", "x": _r(p.points[j:j + 1, 0]), "y": _r(p.points[j:j + 1, 1]),
                         "z": _r(lift(p.losses[j:j + 1]))})
        frames.append({"data": data, "traces": dynamic, "name": f"f{k}"})
    fig._raw_frames = frames
    fig.update_layout(height=height, font=FONT, margin=dict(l=0, r=0, t=10, b=ANIMATED_MARGIN),
                      scene=dict(xaxis_title="x", yaxis_title="y",
                                 zaxis_title="log₁₀ f" if s.log_color else "f(x, y)"),
                      legend=dict(x=1.0, y=1, xanchor="right", font=FONT),
                      **_slider_and_buttons(steps, redraw=True))
    return _readable(fig)


def _loss_window(paths: list[Path], ys: list[np.ndarray], log: bool) -> tuple[float, float]:
    """The y range the loss chart shows: everything the paths that did not diverge went through and every
    start, with room above; a diverged curve is cut where it leaves it (it would stretch the axis to 10³⁶
    and squash every other curve flat)."""
    kept = [y for p, y in zip(paths, ys) if p.diverged_at is None]
    values = np.concatenate([y[np.isfinite(y)] for y in kept] + [y[:1][np.isfinite(y[:1])] for y in ys])
    if not len(values):
        values = np.array([1.0])
    if log:
        positive = values[values > 0]
        lo = float(positive.min()) if len(positive) else 1e-12
        return max(lo, 1e-12), float(values.max()) * 10 ** CLIP_DECADES
    lo, hi = float(values.min()), float(values.max())
    pad = 0.05 * max(hi - lo, 1e-9)
    return lo - pad, hi + pad


def loss_chart(paths: list[Path], log: bool = True, labels: list[str] | None = None, height: int = 360,
               floor: float | None = None) -> go.Figure:
    """The loss against the step, one curve per path; a diverged curve ends with ✕ where it leaves the chart,
    and its legend entry says at which step it diverged (labels on the chart would overprint each other).
    On the log scale the chart shows loss − floor: the surface's lowest value where it is known (a path
    measured against its own last loss would plunge to zero at its last step), else the lowest loss seen."""
    finite = [p.losses[np.isfinite(p.losses)] for p in paths]
    lowest = floor if floor is not None else min((float(f.min()) for f in finite if len(f)), default=0.0)
    ys = [np.maximum(p.losses - lowest, 1e-12) if log else p.losses.copy() for p in paths]
    lo, hi = _loss_window(paths, ys, log)
    fig = go.Figure()
    for i, (p, y) in enumerate(zip(paths, ys)):
        color = COLORS[i % len(COLORS)]
        name = labels[i] if labels else p.label
        steps = np.arange(len(y))
        if p.diverged_at is not None:
            out = ~np.isfinite(y) | (y > hi) | (y < lo)
            cut = int(np.argmax(out)) if out.any() else len(y)
            edge = hi if cut >= len(y) or not np.isfinite(y[cut]) or y[cut] > hi else lo
            steps, y = np.append(steps[:cut], cut), np.append(y[:cut], edge)
            name = f"{name} — diverged at step {p.diverged_at}"
        fig.add_trace(go.Scatter(x=steps.tolist(), y=_r(y), mode="lines", line=dict(color=color, width=3),
                                 name=name, legendgroup=str(i)))
        if p.diverged_at is not None:
            fig.add_trace(go.Scatter(x=[int(steps[-1])], y=_r(y[-1:]), mode="markers", legendgroup=str(i),
                                     showlegend=False, marker=dict(symbol="x", size=14, color=color),
                                     hovertemplate=f"diverged at step {p.diverged_at}<extra></extra>"))
    span = [np.log10(lo), np.log10(hi)] if log else [lo, hi]
    fig.update_layout(height=height, font=FONT, margin=dict(l=10, r=10, t=30, b=10), xaxis_title="step",
                      plot_bgcolor=palette.PAPER,
                      xaxis=dict(gridcolor=palette.GRID), legend=dict(font=FONT),
                      yaxis=dict(type="log" if log else "linear", range=span, gridcolor=palette.GRID,
                                 exponentformat="power", dtick=1 if log else None,   # decades only: plotly
                                 # labels 2 and 5 between them at 12 px
                                 title=("loss − lowest loss seen" if floor is None else f"loss − min f ({floor:g})")
                                 if log else "loss"))
    return _readable(fig)


def sweep_chart(s: Surface, paths: list[Path], rates: list[float], image: str | None = None) -> go.Figure:
    """One optimizer at several learning rates: paths side by side on the surface, with what happened. The
    surface is contour_image(s) under each panel (`image`, where the caller keeps it): a picture, not
    contour traces the browser would have to compute four times."""
    from plotly.subplots import make_subplots
    cols = min(4, len(paths))
    rows = (len(paths) + cols - 1) // cols
    titles = [f"lr = {r:g}<br><i>{verdict(p, s).short}</i>" for p, r in zip(paths, rates)]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.03,
                        vertical_spacing=0.14)
    image = image or contour_image(s)
    for i, p in enumerate(paths):
        r, c = i // cols + 1, i % cols + 1
        fig.add_layout_image(source=image, xref=f"x{i + 1 if i else ''}", yref=f"y{i + 1 if i else ''}",
                             x=s.x_range[0], y=s.y_range[1], sizex=s.x_range[1] - s.x_range[0],
                             sizey=s.y_range[1] - s.y_range[0], sizing="stretch", layer="below")
        inside = np.all(np.isfinite(p.points), axis=1)
        pts = np.clip(p.points[inside], [s.x_range[0], s.y_range[0]], [s.x_range[1], s.y_range[1]])
        color = palette.MARK if p.diverged_at is not None else palette.MAIN_LINE
        fig.add_trace(go.Scatter(x=_r(pts[:, 0]), y=_r(pts[:, 1]), mode="lines+markers",
                                 marker=dict(size=4, color=color), line=dict(color=color, width=2),
                                 showlegend=False), row=r, col=c)
        fig.update_xaxes(range=list(s.x_range), row=r, col=c, showticklabels=False, showgrid=False, zeroline=False)
        fig.update_yaxes(range=list(s.y_range), row=r, col=c, showticklabels=False, showgrid=False, zeroline=False)
    fig.update_annotations(font=FONT)
    fig.update_layout(height=260 * rows + 60, font=FONT, margin=dict(l=10, r=10, t=60, b=10))
    return _readable(fig)


def tangent_animation(path: Path1D, xs: np.ndarray, ys: np.ndarray, target: float | None = None,
                      height: int = 440) -> go.Figure:
    """f(x) with the tangent line at the current x: its slope is the derivative SGD steps against."""
    steps = frame_steps(len(path.xs) - 1)
    span = float(xs.max() - xs.min()) * 0.15

    def tangent(k):
        x0, y0, g = path.xs[k], path.losses[k], path.slopes[k]
        tx = np.array([x0 - span, x0 + span])
        return _r(tx), _r(y0 + g * (tx - x0))

    def title(k):
        return (f"step {k}: x = {path.xs[k]:.4f}, dL/dx = {path.slopes[k]:.4f},<br>"
                f"next x = x − {path.learning_rate:g} × {path.slopes[k]:.4f}")

    fig = AnimatedFigure([go.Scatter(x=_r(xs), y=_r(ys), mode="lines", line=dict(color=palette.MAIN_LINE, width=3),
                                     name=f"L(x) = {path.formula}")])
    tx, ty = tangent(0)
    fig.add_trace(go.Scatter(x=tx, y=ty, mode="lines", line=dict(color=palette.MARK, width=3),
                             name="tangent: slope dL/dx"))
    fig.add_trace(go.Scatter(x=_r(path.xs[:1]), y=_r(path.losses[:1]), mode="markers", name="x",
                             marker=dict(size=16, color=palette.MARK, line=dict(color=palette.BLACK, width=1.5))))
    frames = []
    for k in steps:
        tx, ty = tangent(k)
        frames.append({"data": [{"type": "scatter", "x": tx, "y": ty},
                                {"type": "scatter", "x": _r(path.xs[k:k + 1]), "y": _r(path.losses[k:k + 1])}],
                       "traces": [1, 2], "name": f"f{k}", "layout": {"title": {"text": title(k)}}})
    fig._raw_frames = frames
    lo, hi = float(np.min(ys)), float(np.max(ys))
    fig.update_layout(height=height, font=FONT, margin=dict(l=10, r=10, t=70, b=ANIMATED_MARGIN), xaxis_title="x",
                      yaxis=dict(title="L(x)", range=[lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)]),
                      title=dict(text=title(0), font=FONT),
                      legend=dict(font=FONT, x=0.99, xanchor="right", y=0.99, yanchor="top", bgcolor=PAPER_SEE_THROUGH),
                      **_slider_and_buttons(steps, redraw=True))
    if target is not None:
        fig.add_vline(x=target, line=dict(color=palette.CONTOUR_LINE, dash="dash"))
    return _readable(fig)


def x_versus_step(path: Path1D, target: float | None = None) -> go.Figure:
    fig = go.Figure(go.Scatter(x=list(range(len(path.xs))), y=_r(path.xs), mode="lines", name="x",
                               line=dict(color=palette.MAIN_LINE, width=3)))
    if target is not None:
        fig.add_hline(y=target, line=dict(color=palette.MARK, dash="dash"), annotation_text=f"x_f = {target:g}",
                      annotation_font=FONT)
    fig.update_layout(height=320, font=FONT, margin=dict(l=10, r=10, t=30, b=10), xaxis_title="step",
                      yaxis_title="x")
    return _readable(fig)


def classifier_animation(c: Classifier, max_points: int = 2000, height: int = 480) -> go.Figure:
    """The two clouds and the decision line moving with every full-batch step."""
    rng = np.random.default_rng(0)
    idx = np.arange(len(c.inputs)) if len(c.inputs) <= max_points else rng.choice(len(c.inputs), max_points, False)
    x, y = c.inputs[idx], c.targets[idx, 0]
    lo, hi = float(c.inputs[:, 0].min()) - 0.5, float(c.inputs[:, 0].max()) + 0.5
    ylo, yhi = float(c.inputs[:, 1].min()) - 0.5, float(c.inputs[:, 1].max()) + 0.5
    line_x = np.array([lo, hi])

    def title(k):
        return f"step {k}: loss {c.losses[k]:.4f}, accuracy {100 * c.accuracy[k]:.1f} %"

    fig = AnimatedFigure([
        go.Scatter(x=_r(x[y == 0, 0]), y=_r(x[y == 0, 1]), mode="markers", name="class 0: mean (0, 3)",
                   marker=dict(size=5, color=palette.BLUE, opacity=0.6)),
        go.Scatter(x=_r(x[y == 1, 0]), y=_r(x[y == 1, 1]), mode="markers", name="class 1: mean (3, 0)",
                   marker=dict(size=5, color=palette.ORANGE, opacity=0.6)),
        go.Scatter(x=_r(line_x), y=_r(decision_line(c.W[0], c.b[0], c.threshold, line_x)), mode="lines",
                   line=dict(color=palette.BLACK, width=4), name="decision line"),
    ])
    steps = list(range(len(c.losses)))
    fig._raw_frames = [{"data": [{"type": "scatter", "x": _r(line_x),
                                  "y": _r(decision_line(c.W[k], c.b[k], c.threshold, line_x))}],
                        "traces": [2], "name": f"f{k}", "layout": {"title": {"text": title(k)}}} for k in steps]
    fig.update_layout(height=height, font=FONT, margin=dict(l=10, r=10, t=80, b=ANIMATED_MARGIN),
                      xaxis=dict(range=[lo, hi], title="x₁"), yaxis=dict(range=[ylo, yhi], title="x₂"),
                      title=dict(text=title(0), font=FONT, y=0.98, yanchor="top"),
                      legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0, font=FONT),
                      **_slider_and_buttons(steps, redraw=True))
    return _readable(fig)


def classifier_curves(c: Classifier, height: int = 320) -> go.Figure:
    """Loss and training accuracy against the step."""
    fig = go.Figure(go.Scatter(x=list(range(len(c.losses))), y=_r(c.losses), mode="lines+markers",
                               line=dict(color=palette.MAIN_LINE, width=3), name="loss"))
    fig.add_trace(go.Scatter(x=list(range(len(c.accuracy))), y=_r(100 * c.accuracy), yaxis="y2", mode="lines",
                             line=dict(color=palette.ORANGE, width=3, dash="dot"), name="accuracy %"))
    fig.update_layout(height=height, font=FONT, margin=dict(l=10, r=10, t=30, b=10), xaxis_title="step",
                      yaxis=dict(title="loss"), legend=dict(orientation="h", y=1.15, font=FONT),
                      yaxis2=dict(title="accuracy %", overlaying="y", side="right", range=[0, 100]))
    return _readable(fig)


def payload_kb(fig: go.Figure) -> float:
    """Size of the figure's JSON, what the browser receives for it."""
    return len(fig.to_json().encode()) / 1024
