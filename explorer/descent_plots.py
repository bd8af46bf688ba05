"""Plotly figures for the descent lab: animated contour and 3-D surface with each optimizer's path, the
loss curves, the learning-rate sweep, the 1-D tangent, and the linear classifier's moving line.

Animations are plotly frames with play/pause and a step slider, so they play in the browser without a
server round trip. Frames carry only what moves (current points, arrows, a short trail) and numbers are
rounded, which keeps the default view well under 1.5 MB.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .descent import Classifier, Path, Path1D, Surface, decision_line, grid, verdict

# Okabe-Ito: distinguishable with every common color-vision deficiency
COLORS = ["#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#0072B2", "#F0E442", "#000000"]
FONT = dict(size=16)
TRAIL = 30            # recent steps drawn bold in each frame
LIGHT = [[0.0, "#ffffff"], [0.5, "#e2e8f0"], [1.0, "#94a3b8"]]   # low loss light, so paths stand out
MAX_FRAMES = 60


def frame_steps(n_steps: int, frames: int = MAX_FRAMES) -> list[int]:
    """Which steps become frames: all of them for short runs, evenly spaced (first and last kept) otherwise."""
    if n_steps + 1 <= frames:
        return list(range(n_steps + 1))
    return sorted(set(np.linspace(0, n_steps, frames).round().astype(int).tolist()))


def _r(a) -> list:
    return np.round(np.asarray(a, dtype=np.float64), 4).tolist()


def _at(path: Path, k: int) -> int:
    return min(k, len(path.points) - 1)


def _arrow(p: np.ndarray, v: np.ndarray, scale: float) -> tuple[list, list]:
    end = p + v * scale
    return [float(p[0]), float(end[0])], [float(p[1]), float(end[1])]


def _slider_and_buttons(steps: list[int], prefix: str = "step ", redraw: bool = False) -> dict:
    """Play / Pause and a step slider. Scatter traces animate smoothly without a redraw; 3-D scenes and
    frames that change the title need one."""
    return dict(
        updatemenus=[dict(type="buttons", showactive=False, x=0.0, y=-0.08, xanchor="left", yanchor="top",
                          direction="left", pad=dict(t=0, r=10),
                          buttons=[dict(label="▶ Play", method="animate",
                                        args=[None, dict(frame=dict(duration=80, redraw=redraw), fromcurrent=True,
                                                         transition=dict(duration=0))]),
                                   dict(label="❚❚ Pause", method="animate",
                                        args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate",
                                                           transition=dict(duration=0))])])],
        sliders=[dict(active=0, x=0.26, len=0.74, y=-0.04, currentvalue=dict(prefix=prefix, font=FONT),
                      steps=[dict(label=str(k), method="animate",
                                  args=[[f"f{k}"], dict(mode="immediate", frame=dict(duration=0, redraw=redraw),
                                                        transition=dict(duration=0))]) for k in steps])])


def contour_image(s: Surface, n: int = 360, levels: int = 18) -> str:
    """The surface as a banded picture with level lines, as a PNG data URI. Plotly drops contour and
    heatmap traces from the screen when an animation starts (plotly.js #4491), so the animated views put
    the surface underneath as a layout image instead."""
    import base64
    import io

    from PIL import Image

    _, _, z = grid(s, n)
    zc = np.log10(z - z.min() + 1e-3) if s.log_color else z
    lo, hi = float(np.nanmin(zc)), float(np.nanmax(zc))
    band = np.clip(((zc - lo) / max(hi - lo, 1e-12) * levels).astype(int), 0, levels - 1)
    t = band / (levels - 1)
    light, dark = np.array([255, 255, 255]), np.array([203, 213, 225])
    rgb = (light[None, None, :] * (1 - t[..., None]) + dark[None, None, :] * t[..., None])
    edge = np.zeros_like(band, dtype=bool)
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    rgb[edge] = [148, 163, 184]
    image = Image.fromarray(np.flipud(rgb).astype(np.uint8), "RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _legend(label: str, note: str) -> str:
    """'Adam (lr=0.05, beta_1=0.9)' and what happened, on short lines so the legend stays narrow."""
    name, _, settings = label.partition(" (")
    return f"<b>{name}</b><br>{settings.rstrip(')').replace(', ', ' ')}<br><i>{note}</i>"


def _scale(s: Surface) -> float:
    return 0.08 * max(s.x_range[1] - s.x_range[0], s.y_range[1] - s.y_range[0])


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 and np.isfinite(n) else np.zeros(2)


def race_contour(s: Surface, paths: list[Path], show_gradient: bool = True) -> go.Figure:
    """Contour of the surface with every optimizer's path animated step by step: the current point, a
    trail, the direction of steepest descent (−gradient) and, for momentum methods, the velocity."""
    fig = go.Figure()
    fig.add_layout_image(source=contour_image(s), xref="x", yref="y", x=s.x_range[0], y=s.y_range[1],
                         sizex=s.x_range[1] - s.x_range[0], sizey=s.y_range[1] - s.y_range[0],
                         sizing="stretch", layer="below")
    for mx, my in s.minima:
        fig.add_trace(go.Scatter(x=[mx], y=[my], mode="markers", marker=dict(symbol="star", size=16, color="white",
                                 line=dict(color="black", width=1.5)), name="minimum", showlegend=False,
                                 hovertemplate="minimum (%{x}, %{y})<extra></extra>"))
    steps = frame_steps(max(p.steps for p in paths))
    arrow = _scale(s)
    dynamic = []
    for i, p in enumerate(paths):
        color = COLORS[i % len(COLORS)]
        note = verdict(p, s.minima)
        fig.add_trace(go.Scatter(x=_r(p.points[:, 0]), y=_r(p.points[:, 1]), mode="lines", opacity=0.75,
                                 line=dict(color=color, width=2), name=_legend(p.label, note),
                                 legendgroup=str(i), hoverinfo="skip"))
    for i, p in enumerate(paths):
        color = COLORS[i % len(COLORS)]
        k = 0
        dynamic.append(len(fig.data))
        fig.add_trace(go.Scatter(x=_r(p.points[:1, 0]), y=_r(p.points[:1, 1]), mode="lines",
                                 line=dict(color=color, width=3.5), legendgroup=str(i), showlegend=False,
                                 hoverinfo="skip"))
        dynamic.append(len(fig.data))
        fig.add_trace(go.Scatter(x=_r(p.points[k:k + 1, 0]), y=_r(p.points[k:k + 1, 1]), mode="markers",
                                 marker=dict(size=14, color=color, line=dict(color="black", width=1.5)),
                                 legendgroup=str(i), showlegend=False,
                                 hovertemplate=f"{p.label}<br>(%{{x}}, %{{y}})<extra></extra>"))
        if show_gradient:
            dynamic.append(len(fig.data))
            gx, gy = _arrow(p.points[0], -_unit(p.gradients[0]), arrow)
            fig.add_trace(go.Scatter(x=gx, y=gy, mode="lines+markers", line=dict(color=color, width=2, dash="dot"),
                                     marker=dict(symbol="arrow", angleref="previous", size=[0, 14], color=color),
                                     legendgroup=str(i), showlegend=False, hoverinfo="skip"))
        if p.velocities is not None:
            dynamic.append(len(fig.data))
            fig.add_trace(go.Scatter(x=[float(p.points[0, 0])] * 2, y=[float(p.points[0, 1])] * 2,
                                     mode="lines+markers", line=dict(color="black", width=2.5),
                                     marker=dict(symbol="arrow", angleref="previous", size=[0, 14], color="black"),
                                     legendgroup=str(i), showlegend=False, hoverinfo="skip"))
    frames = []
    for k in steps:
        data = []
        for p in paths:
            j = _at(p, k)
            lo = max(0, j - TRAIL)
            data.append(go.Scatter(x=_r(p.points[lo:j + 1, 0]), y=_r(p.points[lo:j + 1, 1])))
            data.append(go.Scatter(x=_r(p.points[j:j + 1, 0]), y=_r(p.points[j:j + 1, 1])))
            if show_gradient:
                gx, gy = _arrow(p.points[j], -_unit(p.gradients[j]), arrow)
                data.append(go.Scatter(x=_r(gx), y=_r(gy)))
            if p.velocities is not None:
                v = p.velocities[j]
                vx, vy = _arrow(p.points[j], v / max(1e-12, float(np.linalg.norm(v))) * min(
                    1.0, float(np.linalg.norm(v)) / max(1e-12, float(np.abs(p.velocities).max()))), 2 * arrow)
                data.append(go.Scatter(x=_r(vx), y=_r(vy)))
        frames.append(go.Frame(data=data, traces=dynamic, name=f"f{k}"))
    fig.frames = frames
    fig.update_layout(height=640, font=FONT, margin=dict(l=10, r=10, t=40, b=90), plot_bgcolor="white",
                      xaxis=dict(range=list(s.x_range), title="x", showgrid=False, zeroline=False),
                      yaxis=dict(range=list(s.y_range), title="y", showgrid=False, zeroline=False),
                      legend=dict(x=1.02, y=1, xanchor="left", font=dict(size=14), itemwidth=40),
                      title=dict(text=f"{s.title}: f(x, y) = {s.formula}", font=dict(size=16)),
                      **_slider_and_buttons(steps))
    return fig


def race_surface3d(s: Surface, paths: list[Path]) -> go.Figure:
    """The same race on the 3-D surface: each path lifted onto f, with its current point animated."""
    xs, ys, z = grid(s, 45)
    floor = min(float(z.min()), *(float(np.nanmin(p.losses)) for p in paths))   # paths may go below the grid
    zs = np.log10(z - floor + 1e-3) if s.log_color else z
    lift = (lambda v: np.log10(np.maximum(v - floor, 0) + 1e-3)) if s.log_color else (lambda v: v)
    fig = go.Figure(go.Surface(x=_r(xs), y=_r(ys), z=_r(zs), colorscale="Viridis", opacity=0.85, showscale=False,
                               hoverinfo="skip"))
    steps = frame_steps(max(p.steps for p in paths), 40)
    dynamic = []
    for i, p in enumerate(paths):
        color = COLORS[i % len(COLORS)]
        inside = (p.points[:, 0] >= s.x_range[0]) & (p.points[:, 0] <= s.x_range[1]) & \
                 (p.points[:, 1] >= s.y_range[0]) & (p.points[:, 1] <= s.y_range[1])
        pts, lz = p.points[inside], lift(p.losses[inside])
        fig.add_trace(go.Scatter3d(x=_r(pts[:, 0]), y=_r(pts[:, 1]), z=_r(lz), mode="lines",
                                   line=dict(color=color, width=5), name=p.label))
        dynamic.append(len(fig.data))
        fig.add_trace(go.Scatter3d(x=_r(p.points[:1, 0]), y=_r(p.points[:1, 1]), z=_r(lift(p.losses[:1])),
                                   mode="markers", marker=dict(size=7, color=color, line=dict(color="black", width=2)),
                                   showlegend=False))
    frames = []
    for k in steps:
        data = []
        for p in paths:
            j = _at(p, k)
            data.append(go.Scatter3d(x=_r(p.points[j:j + 1, 0]), y=_r(p.points[j:j + 1, 1]),
                                     z=_r(lift(p.losses[j:j + 1]))))
        frames.append(go.Frame(data=data, traces=dynamic, name=f"f{k}"))
    fig.frames = frames
    fig.update_layout(height=640, font=FONT, margin=dict(l=0, r=0, t=40, b=90),
                      scene=dict(xaxis_title="x", yaxis_title="y",
                                 zaxis_title="log₁₀ f" if s.log_color else "f(x, y)"),
                      legend=dict(orientation="h", y=1.02, x=0, font=dict(size=14)),
                      **_slider_and_buttons(steps, redraw=True))
    return fig


def loss_chart(paths: list[Path], log: bool = True, labels: list[str] | None = None) -> go.Figure:
    fig = go.Figure()
    for i, p in enumerate(paths):
        losses = p.losses
        shift = losses - min(float(np.min(q.losses)) for q in paths) if log else losses
        fig.add_trace(go.Scatter(x=list(range(len(losses))), y=_r(np.maximum(shift, 1e-12) if log else shift),
                                 mode="lines", line=dict(color=COLORS[i % len(COLORS)], width=2.5),
                                 name=(labels[i] if labels else p.label)))
        if p.diverged_at is not None:
            fig.add_annotation(x=p.diverged_at, y=0.95, yref="paper", text=f"diverged at {p.diverged_at}",
                               showarrow=False, font=dict(color=COLORS[i % len(COLORS)], size=14))
    fig.update_layout(height=360, font=FONT, margin=dict(l=10, r=10, t=30, b=10), xaxis_title="step",
                      yaxis=dict(type="log" if log else "linear",
                                 title="loss − lowest loss seen" if log else "loss"),
                      legend=dict(font=dict(size=13)))
    return fig


def sweep_chart(s: Surface, paths: list[Path]) -> go.Figure:
    """One optimizer at several learning rates: paths side by side on the contour, with what happened."""
    from plotly.subplots import make_subplots
    cols = min(4, len(paths))
    rows = (len(paths) + cols - 1) // cols
    titles = [f"lr = {p.label.split('lr=')[1].split(',')[0].rstrip(')')}: {verdict(p, s.minima)}" for p in paths]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.04,
                        vertical_spacing=0.12)
    xs, ys, z = grid(s, 50)
    zc = np.log10(z - z.min() + 1e-3) if s.log_color else z
    for i, p in enumerate(paths):
        r, c = i // cols + 1, i % cols + 1
        fig.add_trace(go.Contour(x=_r(xs), y=_r(ys), z=_r(zc), colorscale=LIGHT, showscale=False, ncontours=20,
                                 line=dict(width=0.7, color="#64748b"), hoverinfo="skip"), row=r, col=c)
        inside = np.all(np.isfinite(p.points), axis=1)
        pts = np.clip(p.points[inside], [s.x_range[0], s.y_range[0]], [s.x_range[1], s.y_range[1]])
        color = "#D55E00" if p.diverged_at is not None else COLORS[5]
        fig.add_trace(go.Scatter(x=_r(pts[:, 0]), y=_r(pts[:, 1]), mode="lines+markers",
                                 marker=dict(size=3, color=color), line=dict(color=color, width=1.5),
                                 showlegend=False), row=r, col=c)
        fig.update_xaxes(range=list(s.x_range), row=r, col=c, showticklabels=False)
        fig.update_yaxes(range=list(s.y_range), row=r, col=c, showticklabels=False)
    fig.update_annotations(font=dict(size=14))
    fig.update_layout(height=300 * rows + 40, font=FONT, margin=dict(l=10, r=10, t=50, b=10))
    return fig


def tangent_animation(path: Path1D, xs: np.ndarray, ys: np.ndarray, target: float | None = None) -> go.Figure:
    """f(x) with the tangent line at the current x: its slope is the derivative SGD steps against."""
    steps = frame_steps(len(path.xs) - 1)
    span = float(xs.max() - xs.min()) * 0.15

    def tangent(k):
        x0, y0, g = path.xs[k], path.losses[k], path.slopes[k]
        tx = np.array([x0 - span, x0 + span])
        return _r(tx), _r(y0 + g * (tx - x0))

    fig = go.Figure([go.Scatter(x=_r(xs), y=_r(ys), mode="lines", line=dict(color="#0072B2", width=3),
                                name=f"L(x) = {path.formula}")])
    tx, ty = tangent(0)
    fig.add_trace(go.Scatter(x=tx, y=ty, mode="lines", line=dict(color="#D55E00", width=3), name="tangent: slope dL/dx"))
    fig.add_trace(go.Scatter(x=_r(path.xs[:1]), y=_r(path.losses[:1]), mode="markers",
                             marker=dict(size=16, color="#D55E00", line=dict(color="black", width=1.5)),
                             name="x"))
    frames = []
    for k in steps:
        tx, ty = tangent(k)
        frames.append(go.Frame(data=[go.Scatter(x=tx, y=ty), go.Scatter(x=_r(path.xs[k:k + 1]),
                                                                        y=_r(path.losses[k:k + 1]))],
                               traces=[1, 2], name=f"f{k}",
                               layout=dict(title=dict(text=f"step {k}: x = {path.xs[k]:.4f}, dL/dx = "
                                                           f"{path.slopes[k]:.4f}, next x = x − {path.learning_rate:g}"
                                                           f" × {path.slopes[k]:.4f}"))))
    fig.frames = frames
    lo, hi = float(np.min(ys)), float(np.max(ys))
    fig.update_layout(height=480, font=FONT, margin=dict(l=10, r=10, t=50, b=90), xaxis_title="x",
                      yaxis=dict(title="L(x)", range=[lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)]),
                      title=dict(text=f"step 0: x = {path.xs[0]:.4f}"), legend=dict(font=dict(size=14)),
                      **_slider_and_buttons(steps, redraw=True))
    if target is not None:
        fig.add_vline(x=target, line=dict(color="gray", dash="dash"))
    return fig


def x_versus_step(path: Path1D, target: float | None = None) -> go.Figure:
    fig = go.Figure(go.Scatter(x=list(range(len(path.xs))), y=_r(path.xs), mode="lines", name="x",
                               line=dict(color="#0072B2", width=3)))
    if target is not None:
        fig.add_hline(y=target, line=dict(color="#D55E00", dash="dash"), annotation_text=f"x_f = {target:g}")
    fig.update_layout(height=360, font=FONT, margin=dict(l=10, r=10, t=30, b=10), xaxis_title="step",
                      yaxis_title="x")
    return fig


def classifier_animation(c: Classifier, max_points: int = 2000) -> go.Figure:
    """The two clouds and the decision line moving with every full-batch step."""
    rng = np.random.default_rng(0)
    idx = np.arange(len(c.inputs)) if len(c.inputs) <= max_points else rng.choice(len(c.inputs), max_points, False)
    x, y = c.inputs[idx], c.targets[idx, 0]
    lo, hi = float(c.inputs[:, 0].min()) - 0.5, float(c.inputs[:, 0].max()) + 0.5
    ylo, yhi = float(c.inputs[:, 1].min()) - 0.5, float(c.inputs[:, 1].max()) + 0.5
    line_x = np.array([lo, hi])
    fig = go.Figure([
        go.Scatter(x=_r(x[y == 0, 0]), y=_r(x[y == 0, 1]), mode="markers", name="class 0: mean (0, 3)",
                   marker=dict(size=5, color="#0072B2", opacity=0.6)),
        go.Scatter(x=_r(x[y == 1, 0]), y=_r(x[y == 1, 1]), mode="markers", name="class 1: mean (3, 0)",
                   marker=dict(size=5, color="#E69F00", opacity=0.6)),
        go.Scatter(x=_r(line_x), y=_r(decision_line(c.W[0], c.b[0], c.threshold, line_x)), mode="lines",
                   line=dict(color="black", width=4), name="decision line"),
    ])
    steps = list(range(len(c.losses)))
    fig.frames = [go.Frame(data=[go.Scatter(x=_r(line_x), y=_r(decision_line(c.W[k], c.b[k], c.threshold, line_x)))],
                           traces=[2], name=f"f{k}",
                           layout=dict(title=dict(text=f"step {k}: loss {c.losses[k]:.4f}, accuracy "
                                                       f"{100 * c.accuracy[k]:.1f} %")))
                  for k in steps]
    fig.update_layout(height=560, font=FONT, margin=dict(l=10, r=10, t=50, b=90),
                      xaxis=dict(range=[lo, hi], title="x₁"), yaxis=dict(range=[ylo, yhi], title="x₂"),
                      title=dict(text=f"step 0: loss {c.losses[0]:.4f}, accuracy {100 * c.accuracy[0]:.1f} %"),
                      legend=dict(orientation="h", y=1.08, x=0), **_slider_and_buttons(steps, redraw=True))
    return fig


def payload_kb(fig: go.Figure) -> float:
    """Size of the figure's JSON, what the browser receives for it."""
    return len(fig.to_json().encode()) / 1024
