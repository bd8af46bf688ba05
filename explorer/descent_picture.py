"""The optimizers race as plain data for the browser's own picture (app_pages/components/descent.js): the
surface as a banded PNG, and for every optimizer its whole path, the direction of steepest descent and,
for momentum methods, the velocity at every step. The browser draws and animates it (Play, Pause, a step
slider that reaches every step) with no Plotly and no round trip to the server.

Plotly is not imported here: a page that shows only this picture never loads Plotly's 4.7 MB bundle.
Colours come from the palette as data; numbers are rounded (points to 4 decimals, directions to whole
degrees), which keeps Rosenbrock's six 1,000-step paths near 150 KB.
"""

from __future__ import annotations

import base64
import io

import numpy as np

from . import palette
from .descent import Path, Surface, grid
from .descent_verdicts import verdict

COLORS = palette.SERIES                 # one per optimizer (Okabe-Ito, color-blind safe)


def _hex_rgb(color: str) -> np.ndarray:
    return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def contour_image(s: Surface, n: int = 360, levels: int = 18) -> str:
    """The surface as a banded picture with level lines, as a PNG data URI (light where f is low, so the
    paths stand out)."""
    from PIL import Image

    _, _, z = grid(s, n)
    zc = np.log10(z - z.min() + 1e-3) if s.log_color else z
    lo, hi = float(np.nanmin(zc)), float(np.nanmax(zc))
    band = np.clip(((np.nan_to_num(zc, nan=hi) - lo) / max(hi - lo, 1e-12) * levels).astype(int), 0, levels - 1)
    t = band / (levels - 1)
    light, dark = _hex_rgb(palette.SURFACE_SCALE[0][1]), _hex_rgb(palette.SURFACE_SCALE[-1][1])
    rgb = light[None, None, :] * (1 - 0.6 * t[..., None]) + dark[None, None, :] * 0.6 * t[..., None]
    edge = np.zeros_like(band, dtype=bool)
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    rgb[edge] = _hex_rgb(palette.SURFACE_SCALE[-1][1])
    image = Image.fromarray(np.flipud(rgb).astype(np.uint8), "RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _numbers(a: np.ndarray, decimals: int) -> list:
    """A flat list for JSON: rounded, None where not finite (JSON has no NaN or infinity)."""
    a = np.asarray(a, dtype=np.float64).ravel()
    rounded = np.round(a, decimals)
    if decimals == 0:
        out = [int(v) if np.isfinite(v) else None for v in rounded]
    else:
        out = rounded.tolist()
        if not np.all(np.isfinite(rounded)):
            out = [v if np.isfinite(v) else None for v in out]
    return out


def _degrees(v: np.ndarray) -> np.ndarray:
    """Each row's direction in degrees (x axis 0, y axis 90); NaN where it has none."""
    norm = np.linalg.norm(v, axis=1)
    ok = np.isfinite(norm) & (norm > 0)
    return np.where(ok, np.degrees(np.arctan2(v[:, 1], v[:, 0])), np.nan)


def _lane(i: int, p: Path, s: Surface, arrows: bool) -> dict:
    lane = {"name": p.label.split(" (")[0], "label": p.label, "note": verdict(p, s).short,
            "color": COLORS[i % len(COLORS)], "diverged_at": p.diverged_at,
            "xy": _numbers(np.clip(p.points, -1e7, 1e7), 4),
            "down": _numbers(_degrees(-p.gradients), 0) if arrows else None, "velocity": None}
    if p.velocities is not None:
        size = np.linalg.norm(p.velocities, axis=1)
        biggest = float(np.max(size[np.isfinite(size)], initial=0.0))
        share = np.where(np.isfinite(size), size / max(biggest, 1e-12), np.nan)
        lane["velocity"] = _numbers(np.stack([_degrees(p.velocities), 100 * share], axis=1), 0)
    return lane


def race_picture(s: Surface, paths: list[Path], arrows: bool = True, image: str | None = None) -> dict:
    """What the browser needs to draw and animate the race. `image` is contour_image(s), where the caller
    keeps it (it depends on the surface only). Each lane's `xy` is x0, y0, x1, y1, … (one pair per point:
    the start, then each step; shorter where it diverged), `down` the direction of −gradient at each point
    in degrees, `velocity` (momentum methods) the velocity's direction and its length as a percentage of
    the largest on the path, pairs again."""
    start = paths[0].points[0] if paths else (0.0, 0.0)
    return {
        "title": f"{s.title}: f(x, y) = {s.formula}",
        "scene": f"{s.key}|{s.formula}|{float(start[0]):.6g},{float(start[1]):.6g}",   # the step slider's
        # place is kept while only the optimizers' settings change
        "image": image or contour_image(s),
        "x": [float(v) for v in s.x_range], "y": [float(v) for v in s.y_range],
        "minima": [[float(x), float(y)] for x, y in s.minima],
        "steps": max(p.steps for p in paths),
        "arrows": bool(arrows),
        "colors": {"ink": palette.INK, "paper": palette.PAPER, "black": palette.BLACK,
                   "frame": palette.CONTOUR_LINE, "mark": palette.MARK, "muted": palette.EDGE_MUTED},
        "paths": [_lane(i, p, s, arrows) for i, p in enumerate(paths)],
    }
