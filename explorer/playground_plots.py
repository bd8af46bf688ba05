"""Plotly figures for the network playground: the network with a thumbnail per neuron and weights as
edges, the output over the input plane with the data, loss curves, the boundary replay, and the input
grid as each layer bends it."""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from .playground import DOMAIN, FEATURES, Dataset, Trainer

FONT = dict(size=15)
CLASS_COLORS = ["#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00"]   # Okabe-Ito
# diverging orange (class 0, negative) to blue (class 1, positive), as TensorFlow Playground
DIVERGING = [[0.0, "#f59322"], [0.5, "#e8eaeb"], [1.0, "#0877bd"]]


def _png(values: np.ndarray, lo: float, hi: float, size: int = 48) -> str:
    """A small heatmap as a PNG data URI, orange below the middle and blue above."""
    t = np.clip((values - lo) / max(hi - lo, 1e-9), 0, 1)
    a, mid, b = np.array([245, 147, 34]), np.array([232, 234, 235]), np.array([8, 119, 189])
    rgb = np.where(t[..., None] < 0.5, a + (mid - a) * (t[..., None] * 2), mid + (b - mid) * ((t[..., None] - 0.5) * 2))
    image = Image.fromarray(np.flipud(rgb).astype(np.uint8), "RGB").resize((size, size), Image.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def network_figure(trainer: Trainer, show_gradients: bool = False) -> go.Figure:
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
    fig = go.Figure()
    values = [w for w, _ in (grads or weights)]
    scale = max((float(np.max(np.abs(w))) for w in values if w.size), default=1.0) or 1.0
    hover_x, hover_y, hover_text = [], [], []
    for i, kernel in enumerate(values):
        for a in range(kernel.shape[0]):
            for b in range(kernel.shape[1]):
                v = float(kernel[a, b])
                (x0, y0), (x1, y1) = pos[i][a], pos[i + 1][b]
                fig.add_trace(go.Scatter(x=[x0, x1], y=[y0, y1], mode="lines", hoverinfo="skip", showlegend=False,
                                         line=dict(color="#0877bd" if v > 0 else "#f59322",
                                                   width=0.5 + 6 * abs(v) / scale)))
                hover_x.append((x0 + x1) / 2)
                hover_y.append((y0 + y1) / 2)
                name = "∂loss/∂w" if grads else "weight"
                hover_text.append(f"{name} layer {i + 1}, {a} → {b}: {v:.4g}")
    fig.add_trace(go.Scatter(x=hover_x, y=hover_y, mode="markers", marker=dict(size=10, opacity=0),
                             hovertext=hover_text, hoverinfo="text", showlegend=False))
    box = 0.5 / max(layers) * 0.85
    feature_grids = _feature_grids(trainer, 24)
    for i, column in enumerate(pos):
        for j, (x, y) in enumerate(column):
            if i == 0:
                img = feature_grids[j]
                label = FEATURES[spec.features[j]]
            else:
                img = grids[i - 1][j]
                label = "output" if i == len(pos) - 1 else f"{i}.{j + 1}"
            lim = float(np.max(np.abs(img))) or 1.0
            fig.add_layout_image(source=_png(img, -lim, lim), x=x, y=y, xref="x", yref="y", sizex=box * 1.6,
                                 sizey=box * 1.6, xanchor="center", yanchor="middle", layer="above")
            fig.add_annotation(x=x, y=y - box * 0.95, text=label, showarrow=False, font=dict(size=12))
    fig.update_layout(height=max(360, 90 * max(layers)), margin=dict(l=10, r=10, t=30, b=10), font=FONT,
                      xaxis=dict(visible=False, range=[-0.12, 1.12]), yaxis=dict(visible=False, range=[-0.02, 1.02]),
                      plot_bgcolor="white",
                      title=dict(text="d loss / d weight on the next batch" if grads else
                                 "weights: blue +, orange −, width = size",
                                 font=dict(size=14)))
    return fig


def _feature_grids(trainer: Trainer, n: int) -> list[np.ndarray]:
    from .playground import features
    axis = np.linspace(-DOMAIN, DOMAIN, n, dtype=np.float32)
    gx, gy = np.meshgrid(axis, axis)
    f = features(np.stack([gx.ravel(), gy.ravel()], 1), trainer.spec.features)
    return [f[:, k].reshape(n, n) for k in range(f.shape[1])]


def _points(data: Dataset, name: str, symbol: str, opacity: float) -> list[go.Scatter]:
    if data.n == 0:
        return []
    if data.kind == "regression":
        return [go.Scatter(x=data.x[:, 0], y=data.x[:, 1], mode="markers", name=name,
                           marker=dict(size=7, color=data.y, colorscale=DIVERGING, symbol=symbol, opacity=opacity,
                                       line=dict(color="white", width=0.8)))]
    return [go.Scatter(x=data.x[data.y == c, 0], y=data.x[data.y == c, 1], mode="markers",
                       name=f"{name}: class {c}", marker=dict(size=7, color=CLASS_COLORS[c % 5], symbol=symbol,
                                                               opacity=opacity, line=dict(color="white", width=0.8)))
            for c in range(data.classes)]


def output_figure(trainer: Trainer, show_test: bool = True, discretize: bool = False, n: int = 60) -> go.Figure:
    z = trainer.output_grid(n)
    axis = np.linspace(-DOMAIN, DOMAIN, n)
    multiclass = trainer.kind == "classification" and trainer.outputs > 1
    if discretize and trainer.kind == "classification" and not multiclass:
        z = (z > 0.5).astype(float)
    if multiclass:
        scale = [[k / max(1, trainer.outputs - 1), CLASS_COLORS[k]] for k in range(trainer.outputs)]
        heat = go.Heatmap(x=axis, y=axis, z=z, colorscale=scale, zmin=0, zmax=trainer.outputs - 1, opacity=0.45,
                          showscale=False, hovertemplate="(%{x:.2f}, %{y:.2f}) → class %{z:.0f}<extra></extra>")
    else:
        lo, hi = (0.0, 1.0) if trainer.kind == "classification" else (float(-np.max(np.abs(z))), float(np.max(np.abs(z))))
        heat = go.Heatmap(x=axis, y=axis, z=z, colorscale=DIVERGING, zmin=lo, zmax=hi, opacity=0.75,
                          colorbar=dict(title="P(class 1)" if trainer.kind == "classification" else "output"),
                          hovertemplate="(%{x:.2f}, %{y:.2f}) → %{z:.3f}<extra></extra>")
    fig = go.Figure([heat] + _points(trainer.train_data, "train", "circle", 0.95)
                    + (_points(trainer.test_data, "test", "circle-open", 0.9) if show_test else []))
    fig.update_layout(height=520, font=FONT, margin=dict(l=10, r=10, t=30, b=10),
                      xaxis=dict(range=[-DOMAIN, DOMAIN], title="x₁", constrain="domain"),
                      yaxis=dict(range=[-DOMAIN, DOMAIN], title="x₂", constrain="domain"),
                      legend=dict(orientation="h", y=1.08, font=dict(size=12)), clickmode="event+select")
    return fig


def loss_figure(trainer: Trainer) -> go.Figure:
    h = trainer.history
    epochs = [s * min(trainer.spec.batch_size, int(trainer.xtr.shape[0])) / int(trainer.xtr.shape[0]) for s in h.steps]
    fig = go.Figure([go.Scatter(x=epochs, y=h.train_loss, name="train loss", line=dict(color="#0072B2", width=3)),
                     go.Scatter(x=epochs, y=h.test_loss, name="test loss", line=dict(color="#D55E00", width=3,
                                                                                   dash="dot"))])
    fig.update_layout(height=260, font=FONT, margin=dict(l=10, r=10, t=20, b=10), xaxis_title="epoch",
                      yaxis_title="loss", legend=dict(orientation="h", y=1.15))
    return fig


def replay_figure(trainer: Trainer, frames: list[tuple[int, np.ndarray]]) -> go.Figure:
    """The decision boundary over training, as plotly frames with a step slider: replayable after
    training, and saved as a standalone HTML file by the export."""
    n = frames[0][1].shape[0]
    axis = np.round(np.linspace(-DOMAIN, DOMAIN, n), 3).tolist()
    lo, hi = (0.0, 1.0) if trainer.kind == "classification" else \
        (-float(max(np.max(np.abs(f)) for _, f in frames)), float(max(np.max(np.abs(f)) for _, f in frames)))
    colors = DIVERGING if not (trainer.kind == "classification" and trainer.outputs > 1) else \
        [[k / (trainer.outputs - 1), CLASS_COLORS[k]] for k in range(trainer.outputs)]
    if trainer.outputs > 1:
        lo, hi = 0.0, float(trainer.outputs - 1)
    fig = go.Figure([go.Heatmap(x=axis, y=axis, z=np.round(frames[0][1], 2).tolist(), colorscale=colors, zmin=lo,
                                zmax=hi, opacity=0.8, showscale=False)] + _points(trainer.train_data, "train", "circle", 0.9))
    fig.frames = [go.Frame(data=[go.Heatmap(z=np.round(z, 2).tolist())], traces=[0], name=f"f{step}",
                           layout=dict(title=dict(text=f"step {step} (epoch {trainer_epoch(trainer, step):.1f})")))
                  for step, z in frames]
    steps = [s for s, _ in frames]
    fig.update_layout(
        height=540, font=FONT, margin=dict(l=10, r=10, t=50, b=90), title=dict(text=f"step {steps[0]}"),
        xaxis=dict(range=[-DOMAIN, DOMAIN]), yaxis=dict(range=[-DOMAIN, DOMAIN]),
        updatemenus=[dict(type="buttons", x=0, y=-0.08, xanchor="left", yanchor="top", direction="left",
                          buttons=[dict(label="▶ Play", method="animate",
                                        args=[None, dict(frame=dict(duration=120, redraw=True), fromcurrent=True)]),
                                   dict(label="❚❚ Pause", method="animate",
                                        args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate")])])],
        sliders=[dict(x=0.26, len=0.74, y=-0.04, currentvalue=dict(prefix="step "),
                      steps=[dict(label=str(s), method="animate",
                                  args=[[f"f{s}"], dict(mode="immediate", frame=dict(duration=0, redraw=True))])
                             for s in steps])])
    return fig


def trainer_epoch(trainer: Trainer, step: int) -> float:
    n = int(trainer.xtr.shape[0])
    return step * min(trainer.spec.batch_size, n) / n


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
    color = lambda k: "#f59322" if k < lines else "#0877bd"   # noqa: E731 - vertical, horizontal
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
