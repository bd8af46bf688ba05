"""Plotly figures for the network playground: the network with a thumbnail per neuron and weights as
edges, the output over the input plane with the data, loss curves, the boundary replay, and the input
grid as each layer bends it."""

from __future__ import annotations

import base64
import io
from collections import defaultdict

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from .palette import CLASS_COLORS, MAIN_LINE, MARK, NEGATIVE, NEUTRAL, OUTPUT_SCALE, PAPER, POSITIVE
from .playground import DOMAIN, FEATURES, Dataset, Trainer, features

FONT = dict(size=15)
GRID = 61                   # the output's heatmap: a value every 0.2 of the plane
CLICK_GRID = 31             # its invisible click targets, every 0.4 (more markers make every redraw slower)
HEIGHT = 430                # the output and the network side by side, above the fold at 1280×720


def _rgb(color: str) -> np.ndarray:
    return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def _diverging(t: np.ndarray) -> np.ndarray:
    """OUTPUT_SCALE in NumPy: t = 0 orange, 0.5 neutral, 1 blue; (..., 3) RGB."""
    a, mid, b = _rgb(NEGATIVE), _rgb(NEUTRAL), _rgb(POSITIVE)
    t = np.clip(t, 0, 1)[..., None]
    return np.where(t < 0.5, a + (mid - a) * (t * 2), mid + (b - mid) * ((t - 0.5) * 2))


def _data_uri(rgb: np.ndarray, size: int | None = None) -> str:
    """An (n, n, 3) image, row 0 at the bottom of the plane, as a PNG data URI."""
    image = Image.fromarray(np.flipud(np.round(rgb)).astype(np.uint8), "RGB")
    if size:
        image = image.resize((size, size), Image.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _png(values: np.ndarray, lo: float, hi: float, size: int = 48) -> str:
    """A small heatmap as a PNG data URI, orange below the middle and blue above."""
    return _data_uri(_diverging((values - lo) / max(hi - lo, 1e-9)), size)


def network_figure(trainer: Trainer, show_gradients: bool = False, height: int = HEIGHT) -> go.Figure:
    """Inputs, hidden neurons and outputs as columns of thumbnails (each neuron's output over the input
    plane); weights as edges, color = sign, width = magnitude, value on hover. With `show_gradients`,
    edges show d loss / d weight on the next mini-batch instead."""
    spec = trainer.spec
    grids = trainer.neuron_grids(24)
    layers = [len(spec.features)] + [g.shape[0] for g in grids]
    weights = trainer.weights()
    grads = trainer.weight_gradients() if show_gradients else None
    xs = np.linspace(0, 1, len(layers))
    pos = [[(xs[i], 1 - (j + 0.5) / max(layers)) for j in range(n)] for i, n in enumerate(layers)]
    values = [w for w, _ in (grads or weights)]
    scale = max((float(np.max(np.abs(w))) for w in values if w.size), default=1.0) or 1.0
    # one trace per (sign, width): a few traces instead of one per weight keep the figure quick to build
    segments: dict[tuple[bool, float], tuple[list, list]] = defaultdict(lambda: ([], []))
    hover_x, hover_y, hover_text = [], [], []
    name = "∂loss/∂w" if grads else "weight"
    for i, kernel in enumerate(values):
        for a in range(kernel.shape[0]):
            for b in range(kernel.shape[1]):
                v = float(kernel[a, b])
                (x0, y0), (x1, y1) = pos[i][a], pos[i + 1][b]
                width = 1 + round(5 * abs(v) / scale)
                xs_, ys_ = segments[(v > 0, width)]
                xs_ += [x0, x1, None]
                ys_ += [y0, y1, None]
                hover_x.append((x0 + x1) / 2)
                hover_y.append((y0 + y1) / 2)
                hover_text.append(f"{name} layer {i + 1}, {a} → {b}: {v:.4g}")
    traces = [go.Scatter(x=xs_, y=ys_, mode="lines", hoverinfo="skip", showlegend=False,
                         line=dict(color=POSITIVE if positive else NEGATIVE, width=width))
              for (positive, width), (xs_, ys_) in sorted(segments.items())]
    traces.append(go.Scatter(x=hover_x, y=hover_y, mode="markers", marker=dict(size=10, opacity=0),
                             hovertext=hover_text, hoverinfo="text", showlegend=False))
    fig = go.Figure(traces)
    box = 0.5 / max(layers) * 0.85
    feature_grids = _feature_grids(trainer, 24)
    images, labels = [], []
    for i, column in enumerate(pos):
        for j, (x, y) in enumerate(column):
            if i == 0:
                img, label = feature_grids[j], FEATURES[spec.features[j]]
            else:
                img, label = grids[i - 1][j], "output" if i == len(pos) - 1 else f"{i}.{j + 1}"
            lim = float(np.max(np.abs(img))) or 1.0
            images.append(dict(source=_png(img, -lim, lim), x=x, y=y, xref="x", yref="y", sizex=box * 1.6,
                               sizey=box * 1.6, xanchor="center", yanchor="middle", layer="above"))
            labels.append(dict(x=x, y=y - box * 0.95, text=label, showarrow=False, font=dict(size=14)))
    fig.update_layout(height=height, margin=dict(l=4, r=4, t=30, b=4), font=FONT, images=images,
                      annotations=labels, plot_bgcolor=PAPER,
                      xaxis=dict(visible=False, range=[-0.12, 1.12], fixedrange=True),
                      yaxis=dict(visible=False, range=[-0.02, 1.02], fixedrange=True),
                      title=dict(text="d loss / d weight on the next batch" if grads else
                                 "weights: blue +, orange −, width = size", font=dict(size=14)))
    return fig


def _feature_grids(trainer: Trainer, n: int) -> list[np.ndarray]:
    axis = np.linspace(-DOMAIN, DOMAIN, n, dtype=np.float32)
    gx, gy = np.meshgrid(axis, axis)
    f = features(np.stack([gx.ravel(), gy.ravel()], 1), trainer.spec.features)
    return [f[:, k].reshape(n, n) for k in range(f.shape[1])]


def _points(data: Dataset, name: str, symbol: str, opacity: float) -> list[go.Scatter]:
    if data.n == 0:
        return []
    # a click selects a point (that is how a click reaches the page); selecting must not fade the others
    keep = dict(selected=dict(marker=dict(opacity=opacity)), unselected=dict(marker=dict(opacity=opacity)))
    outline = dict(color=PAPER, width=0.8)
    if data.kind == "regression":
        return [go.Scatter(x=data.x[:, 0], y=data.x[:, 1], mode="markers", name=name, hoverinfo="skip", **keep,
                           marker=dict(size=8, color=data.y, colorscale=OUTPUT_SCALE, symbol=symbol, opacity=opacity,
                                       line=outline))]
    return [go.Scatter(x=data.x[data.y == c, 0], y=data.x[data.y == c, 1], mode="markers", hoverinfo="skip",
                       name=f"{name}: class {c}", **keep,
                       marker=dict(size=8, color=CLASS_COLORS[c % len(CLASS_COLORS)], symbol=symbol, opacity=opacity,
                                   line=outline))
            for c in range(data.classes)]


def _square(fig: go.Figure) -> None:
    """The input plane is a square at every size: one unit of x1 is as long as one of x2."""
    # no grid lines: they would be drawn over the output's picture
    axis = dict(range=[-DOMAIN, DOMAIN], constrain="domain", fixedrange=True, showgrid=False, zeroline=False,
                tickfont=dict(size=14))
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis, scaleanchor="x", scaleratio=1)


def _output_rgb(trainer: Trainer, z: np.ndarray, lim: float | None = None) -> np.ndarray:
    """The output's colors over the plane on white: the probability of class 1 (or the value, from -lim to
    lim) from orange to blue, or the winning class's color."""
    if trainer.kind == "classification" and trainer.outputs > 1:
        rgb, opacity = np.array([_rgb(c) for c in CLASS_COLORS])[np.round(z).astype(int)], 0.45
    elif trainer.kind == "classification":
        rgb, opacity = _diverging(z), 0.75
    else:
        lim = lim or float(np.max(np.abs(z))) or 1.0
        rgb, opacity = _diverging((z + lim) / (2 * lim)), 0.75
    paper = _rgb(PAPER)
    return paper + (rgb - paper) * opacity


def output_figure(trainer: Trainer, show_test: bool = True, discretize: bool = False, clickable: bool = True,
                  height: int = HEIGHT) -> go.Figure:
    """The network's output over the input plane behind the data, drawn as one picture (a plotly heatmap
    costs the browser more on every refresh while training). Over it, when `clickable`, a grid of
    invisible markers catches clicks anywhere on the plane (a plotly click reports a point, never empty
    background), each carrying the output there for its hover text; while training refreshes the figure
    several times a second they are left out, as the browser redraws every marker each time."""
    n, every = GRID, (GRID - 1) // (CLICK_GRID - 1)
    z = trainer.output_grid(n)
    axis = np.round(np.linspace(-DOMAIN, DOMAIN, n), 3)
    multiclass = trainer.kind == "classification" and trainer.outputs > 1
    if discretize and trainer.kind == "classification" and not multiclass:
        z = (z > 0.5).astype(float)
    what = "class %{customdata:.0f}" if multiclass else \
        "P(class 1) %{customdata:.3f}" if trainer.kind == "classification" else "output %{customdata:.3f}"
    gx, gy = np.meshgrid(axis[::every], axis[::every])
    # WebGL: ~1,000 invisible SVG markers cost the browser ~60 ms on every redraw; on a canvas, next to nothing
    clicks = go.Scattergl(x=gx.ravel(), y=gy.ravel(), customdata=np.round(z[::every, ::every], 3).ravel(),
                        mode="markers", name="click", marker=dict(size=6, opacity=0), showlegend=False,
                        selected=dict(marker=dict(opacity=0)), unselected=dict(marker=dict(opacity=0)),
                        hovertemplate=f"(%{{x:.1f}}, %{{y:.1f}}) → {what}<extra>click: add a point</extra>")
    fig = go.Figure(([clicks] if clickable else []) + _points(trainer.train_data, "train", "circle", 0.95)
                    + (_points(trainer.test_data, "test", "circle-open", 0.9) if show_test else []))
    fig.update_layout(images=[_plane_image(trainer, z)], height=height, font=FONT, margin=dict(l=36, r=4, t=40, b=30),
                      clickmode="event+select", dragmode=False, plot_bgcolor=PAPER,
                      legend=dict(orientation="h", y=1.03, yanchor="bottom", x=0, font=dict(size=12),
                                  bgcolor="rgba(0,0,0,0)"))
    _square(fig)
    return fig


def clicked_point(selection: dict | None) -> tuple[float, float] | None:
    """Where on the plane a click on the output figure landed, from Streamlit's selection state."""
    points = (selection or {}).get("selection", {}).get("points") or []
    if not points:
        return None
    return round(float(points[0]["x"]), 3), round(float(points[0]["y"]), 3)


def loss_figure(trainer: Trainer, height: int = 220) -> go.Figure:
    h = trainer.history
    epochs = h.epochs
    fig = go.Figure([go.Scatter(x=epochs, y=h.train_loss, name="train loss", line=dict(color=MAIN_LINE, width=3)),
                     go.Scatter(x=epochs, y=h.test_loss, name="test loss", line=dict(color=MARK, width=3,
                                                                                    dash="dot"))])
    fig.update_layout(height=height, font=FONT, margin=dict(l=10, r=10, t=20, b=10), xaxis_title="epoch",
                      yaxis_title="loss", legend=dict(orientation="h", y=1.15))
    return fig


def _plane_image(trainer: Trainer, z: np.ndarray, lim: float | None = None) -> dict:
    """The output over the plane as a layout image covering it (each value the center of a cell)."""
    half = DOMAIN / (z.shape[0] - 1)
    return dict(source=_data_uri(_output_rgb(trainer, z, lim)), xref="x", yref="y", x=-DOMAIN - half, y=DOMAIN + half,
                sizex=2 * (DOMAIN + half), sizey=2 * (DOMAIN + half), sizing="stretch", layer="below")


def replay_figure(trainer: Trainer, frames: list[tuple[int, np.ndarray]], height: int = 560) -> go.Figure:
    """The decision boundary over training, as plotly frames with a step slider: replayable after
    training, and saved as a standalone HTML file by the export. The plane stays square. A regression's
    colors keep one scale over all frames."""
    lim = max(float(np.max(np.abs(z))) for _, z in frames) or 1.0
    fig = go.Figure(_points(trainer.train_data, "train", "circle", 0.9))
    fig.frames = [go.Frame(layout=dict(images=[_plane_image(trainer, z, lim)],
                                       title=dict(text=f"step {step} (epoch {trainer_epoch(trainer, step):.1f})")),
                           name=f"f{step}")
                  for step, z in frames]
    steps = [s for s, _ in frames]
    fig.update_layout(
        images=[_plane_image(trainer, frames[0][1], lim)],
        height=height, font=FONT, margin=dict(l=10, r=10, t=50, b=90), title=dict(text=f"step {steps[0]}"),
        legend=dict(font=dict(size=12)), plot_bgcolor=PAPER,
        updatemenus=[dict(type="buttons", x=0, y=-0.08, xanchor="left", yanchor="top", direction="left",
                          buttons=[dict(label="▶ Play", method="animate",
                                        args=[None, dict(frame=dict(duration=120, redraw=True), fromcurrent=True)]),
                                   dict(label="❚❚ Pause", method="animate",
                                        args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate")])])],
        sliders=[dict(x=0.26, len=0.74, y=-0.04, currentvalue=dict(prefix="step "),
                      steps=[dict(label=str(s), method="animate",
                                  args=[[f"f{s}"], dict(mode="immediate", frame=dict(duration=0, redraw=True))])
                             for s in steps])])
    _square(fig)
    return fig


def trainer_epoch(trainer: Trainer, step: int) -> float:
    return trainer.epoch_at(step)


def warp_figure(trainer: Trainer, frames: int = 12) -> go.Figure:
    """The input plane's grid lines as each hidden layer maps them (2-unit layers directly, wider ones
    through a fixed projection), animated over the recorded moments of training: the textbook's chain
    of affine maps and folds."""
    from plotly.subplots import make_subplots
    lines, points = 9, 30
    moments = trainer.warp_frames(frames, lines, points)
    layers = moments[-1][1]
    if not layers:
        fig = go.Figure()
        fig.add_annotation(text="no hidden layer: the network is one affine map", showarrow=False, font=FONT)
        fig.update_layout(height=200, xaxis=dict(visible=False), yaxis=dict(visible=False))
        return fig
    titles = ["input plane"] + [f"after layer {i + 1} ({trainer.spec.hidden[i]} units"
                                + (", projected)" if trainer.spec.hidden[i] > 2 else ")") for i in range(len(layers))]
    fig = make_subplots(rows=1, cols=len(layers) + 1, subplot_titles=titles, horizontal_spacing=0.03)
    ticks = np.linspace(-DOMAIN, DOMAIN, lines)
    run = np.linspace(-DOMAIN, DOMAIN, points)
    n_lines = 2 * lines
    color = lambda k: NEGATIVE if k < lines else POSITIVE   # noqa: E731 - vertical, horizontal
    for k in range(n_lines):
        t = ticks[k % lines]
        xs, ys = (np.full_like(run, t), run) if k < lines else (run, np.full_like(run, t))
        fig.add_trace(go.Scatter(x=np.round(xs, 3), y=np.round(ys, 3), mode="lines", showlegend=False,
                                 line=dict(color=color(k), width=1), hoverinfo="skip"), row=1, col=1)
    moving = []
    for i, polylines in enumerate(moments[-1][1]):   # the current state; ▶ replays from the start
        for k, p in enumerate(polylines):
            moving.append(len(fig.data))
            fig.add_trace(go.Scatter(x=np.round(p[:, 0], 3), y=np.round(p[:, 1], 3), mode="lines", showlegend=False,
                                     line=dict(color=color(k), width=1), hoverinfo="skip"), row=1, col=i + 2)
    fig.frames = [go.Frame(data=[go.Scatter(x=np.round(p[:, 0], 3), y=np.round(p[:, 1], 3))
                                 for polylines in grid for p in polylines], traces=moving, name=f"f{step}",
                           layout=dict(title=dict(text=f"step {step} (epoch {trainer_epoch(trainer, step):.1f})")))
                  for step, grid in moments]
    for i, polylines in enumerate(layers):
        # fixed axes that hold every moment, so the animation shows the bending, not rescaling
        every = np.concatenate([np.concatenate(g[i]) for _, g in moments])
        pad = 0.05 * (np.ptp(every, axis=0) + 1e-6)
        fig.update_xaxes(range=[float(every[:, 0].min() - pad[0]), float(every[:, 0].max() + pad[0])], row=1, col=i + 2)
        fig.update_yaxes(range=[float(every[:, 1].min() - pad[1]), float(every[:, 1].max() + pad[1])], row=1, col=i + 2)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    steps = [s for s, _ in moments]
    fig.update_layout(
        height=380, font=FONT, margin=dict(l=10, r=10, t=60, b=70), title=dict(text=f"step {steps[-1]}"),
        updatemenus=[dict(type="buttons", x=0, y=-0.1, xanchor="left", yanchor="top", direction="left",
                          buttons=[dict(label="▶ Play", method="animate",
                                        args=[None, dict(frame=dict(duration=300, redraw=True), fromcurrent=True)]),
                                   dict(label="❚❚ Pause", method="animate",
                                        args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate")])])],
        sliders=[dict(x=0.26, len=0.74, y=-0.05, active=len(steps) - 1, currentvalue=dict(prefix="step "),
                      steps=[dict(label=str(s), method="animate",
                                  args=[[f"f{s}"], dict(mode="immediate", frame=dict(duration=0, redraw=True))])
                             for s in steps])])
    return fig
