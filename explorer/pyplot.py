"""matplotlib.pyplot, as a program sees it: every call is noted, nothing is drawn on the server.

The course material plots with matplotlib (`plt.plot(history)`, `plt.scatter(...)`, `plt.imshow(digit)`).
A program here keeps its plotting lines: each call is recorded with its data, and `figures_to_plotly`
draws the figures again with plotly on the page. Nothing can reach a file (`savefig` is refused).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from . import limits
from .trace import Figure

# the calls a figure records; everything else in pyplot is refused with a message
PLOT_CALLS = ("plot", "scatter", "imshow", "hist", "bar", "axhline", "axvline", "fill_between", "errorbar", "step",
              "semilogy", "semilogx", "loglog", "contour", "contourf", "matshow", "text")
DECORATION_CALLS = ("legend", "xlabel", "ylabel", "title", "suptitle", "grid", "xlim", "ylim", "xticks", "yticks",
                    "axis", "colorbar", "tight_layout", "margins", "xscale", "yscale", "gca", "gcf", "clf", "close",
                    "subplots_adjust", "box", "annotate")
CONTROL_CALLS = ("figure", "show", "subplot", "subplots", "ion", "ioff", "pause", "draw")
REFUSED = {"savefig": "saving a figure writes a file, which programs cannot do: the page draws your plots",
           "imsave": "saving an image writes a file, which programs cannot do",
           "imread": "reading an image reads a file, which programs cannot do",
           "switch_backend": "the page draws the plots; there is no backend to choose",
           "install_repl_displayhook": "not available", "connect": "not available"}

COLORMAPS = ("binary", "gray", "grey", "viridis", "plasma", "inferno", "magma", "cividis", "hot", "cool", "jet",
             "seismic", "RdBu", "coolwarm", "Greys", "Blues", "Reds", "Greens", "bwr", "PiYG", "Spectral", "rainbow",
             "gray_r", "binary_r", "tab10")


def plain(value: Any) -> Any:
    """A plotted value as plain data: tensors and arrays as NumPy arrays (bounded), the rest as is."""
    if isinstance(value, (str, bool, int, float)) or value is None:
        return value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        return str(value)
    if arr.dtype == object:
        try:
            arr = np.asarray([np.asarray(x, dtype=float).reshape(-1)[0] if np.size(x) == 1 else np.nan
                              for x in np.ravel(arr)], dtype=float).reshape(arr.shape)
        except (TypeError, ValueError):
            return [str(x) for x in np.ravel(arr)][:1000]
    if arr.size > limits.MAX_PLOT_POINTS:
        raise ValueError(f"a plot of {arr.size:,} values is more than the page draws ({limits.MAX_PLOT_POINTS:,})")
    return arr


class Pyplot:
    """The state one run's pyplot keeps: the figure being drawn and the list of figures."""

    def __init__(self, figures: list[Figure]):
        self.figures = figures
        self.current: Figure | None = None
        self.limits: dict[str, tuple] = {}

    def record(self, name: str, args: tuple, kwargs: dict) -> Any:
        if name in REFUSED:
            raise ValueError(f"plt.{name} is not available: {REFUSED[name]}")
        if name == "figure":
            self._new()
            return None
        if name == "show" or name in ("ion", "ioff", "pause", "draw"):
            if name == "show":
                self.current = None
            return None
        if name in ("subplots",):
            self._new()
            self.current.calls.append(("subplots", tuple(plain(a) for a in args), {k: plain(v) for k, v in
                                                                                   kwargs.items()}))
            return None
        if name in ("xlim", "ylim") and not args and not kwargs:
            return self.limits.get(name, (0.0, 1.0))
        if self.current is None:
            self._new()
        if len(self.current.calls) >= 200:
            raise ValueError("a figure takes at most 200 plotting calls")
        self.current.calls.append((name, tuple(plain(a) for a in args), {k: plain(v) for k, v in kwargs.items()}))
        if name in ("xlim", "ylim") and args:
            self.limits[name] = tuple(np.ravel(args[0])) if len(args) == 1 else tuple(args[:2])
        return None

    def _new(self) -> None:
        if len(self.figures) >= 20:
            raise ValueError("a program draws at most 20 figures")
        self.current = Figure()
        self.figures.append(self.current)


_COLOR_CODES = {"r": "red", "g": "green", "b": "blue", "k": "black", "c": "cyan", "m": "magenta", "y": "gold",
                "w": "white"}


def _line_style(fmt: str) -> dict:
    out: dict[str, Any] = {}
    color = next((c for c in fmt if c in _COLOR_CODES), None)
    if color:
        out["line"] = {"color": _COLOR_CODES[color]}
        out["marker"] = {"color": _COLOR_CODES[color]}
    markers = any(c in fmt for c in ".ox+*sd^v")
    lines = any(c in fmt for c in "-:")
    out["mode"] = "lines+markers" if markers and lines else "markers" if markers else "lines"
    if "--" in fmt:
        out.setdefault("line", {})["dash"] = "dash"
    elif ":" in fmt:
        out.setdefault("line", {})["dash"] = "dot"
    return out


def figures_to_plotly(figures: list[Figure]) -> list[go.Figure]:
    """The program's figures drawn with plotly: lines, scatters, images, histograms, bars, labels."""
    return [_figure(f) for f in figures if f.calls]


def _figure(fig: Figure) -> go.Figure:
    out = go.Figure()
    legend_labels: list[str] | None = None
    n_traces = 0
    layout: dict[str, Any] = {}
    for name, args, kwargs in fig.calls:
        label = kwargs.get("label")
        if name in ("plot", "semilogy", "semilogx", "loglog", "step"):
            rest = list(args)
            while rest:
                y = np.asarray(rest.pop(0), dtype=float)
                x = None
                if rest and not isinstance(rest[0], str):
                    x, y = y, np.asarray(rest.pop(0), dtype=float)
                fmt = rest.pop(0) if rest and isinstance(rest[0], str) else ""
                ys = y.reshape(len(y), -1) if y.ndim > 1 else y.reshape(-1, 1)
                xs = np.arange(len(ys)) if x is None else np.asarray(x, dtype=float).reshape(-1)
                for j in range(ys.shape[1]):
                    style = _line_style(fmt)
                    out.add_trace(go.Scatter(x=xs, y=ys[:, j], name=label or f"line {n_traces + 1}",
                                             line_shape="hv" if name == "step" else None, **style))
                    n_traces += 1
            if name in ("semilogy", "loglog"):
                layout["yaxis_type"] = "log"
            if name in ("semilogx", "loglog"):
                layout["xaxis_type"] = "log"
        elif name == "scatter":
            x, y = (np.asarray(a, dtype=float).reshape(-1) for a in args[:2])
            c = kwargs.get("c")
            marker: dict[str, Any] = {"size": 6}
            if c is not None and not isinstance(c, str):
                marker.update(color=np.asarray(c, dtype=float).reshape(-1), colorscale="Viridis")
            elif isinstance(c, str):
                marker["color"] = _COLOR_CODES.get(c, c)
            out.add_trace(go.Scatter(x=x, y=y, mode="markers", marker=marker, name=label or f"points {n_traces + 1}"))
            n_traces += 1
        elif name in ("imshow", "matshow"):
            img = np.asarray(args[0], dtype=float)
            cmap = kwargs.get("cmap")
            scale = "gray_r" if cmap in ("binary", "Greys", "gray_r") else "gray" if cmap in ("gray", "grey") else \
                "RdBu_r" if cmap in ("seismic", "bwr", "coolwarm", "RdBu") else "Viridis"
            if img.ndim == 3 and img.shape[-1] in (3, 4):
                out.add_trace(go.Image(z=np.clip(img * (255 if img.max() <= 1 else 1), 0, 255)))
            else:
                out.add_trace(go.Heatmap(z=img.reshape(img.shape[0], -1), colorscale=scale, zmin=kwargs.get("vmin"),
                                         zmax=kwargs.get("vmax"), showscale=False))
                layout["yaxis_autorange"] = "reversed"
                layout["yaxis_scaleanchor"] = "x"
        elif name == "hist":
            out.add_trace(go.Histogram(x=np.asarray(args[0], dtype=float).reshape(-1), name=label or "histogram"))
        elif name == "bar":
            out.add_trace(go.Bar(x=np.asarray(args[0]).reshape(-1), y=np.asarray(args[1], dtype=float).reshape(-1),
                                 name=label or "bars"))
        elif name in ("axhline", "axvline"):
            v = float(np.asarray(args[0] if args else kwargs.get("y", kwargs.get("x", 0))).reshape(-1)[0])
            if name == "axhline":
                out.add_hline(y=v)
            else:
                out.add_vline(x=v)
        elif name == "legend":
            if args:
                first = args[0]
                legend_labels = [str(x) for x in (first if isinstance(first, (list, tuple, np.ndarray)) else args)]
            layout["showlegend"] = True
        elif name in ("xlabel", "ylabel", "title", "suptitle") and args:
            key = {"xlabel": "xaxis_title", "ylabel": "yaxis_title", "title": "title", "suptitle": "title"}[name]
            layout[key] = str(args[0])
        elif name in ("xlim", "ylim") and args:
            lo_hi = list(np.ravel(args[0])) if len(args) == 1 else list(args[:2])
            layout["xaxis_range" if name == "xlim" else "yaxis_range"] = [float(v) for v in lo_hi[:2]]
    if legend_labels:
        for trace, text in zip(out.data, legend_labels):
            trace.name = text
    out.update_layout(height=420, margin=dict(l=10, r=10, t=50, b=10), font=dict(size=16),
                      showlegend=layout.pop("showlegend", n_traces > 1 or bool(legend_labels)), **layout)
    return out
