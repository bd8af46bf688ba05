"""What happened to an optimizer's path, in words a student can trust.

A verdict reads the path and what is known about the surface: its global minima (a textbook's), whether
it is bounded below, and the Hessian at the last point (`Path.hessian`, from nested tapes). "Gradient
≈ 0" alone does not make a minimum: Rosenbrock's valley floor has a small gradient and a positive
definite Hessian everywhere, and its only minimum is (1, 1). A path has stopped at a stationary point only
when Newton's method, started from its last point, converges to one close by (`Path.stationary`); the
Hessian's eigenvalues there say whether it is a minimum or a saddle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .descent import Path, Surface

REACHED = 0.05            # within this distance of a known minimum counts as reached
STATIONARY = 0.01         # a stationary point this close (a share of the window) is where a path stopped
FLAT = 1e-6               # gradient and curvature below this (relative to f's size): flat ground


@dataclass(frozen=True)
class Verdict:
    kind: str     # diverged | unbounded | minimum | local minimum | saddle | flat | oscillating | descending
    text: str     # | not started
    short: str    # for a legend or a small chart's title

    def __str__(self) -> str:
        return self.text


def _at(point) -> str:
    return "(" + ", ".join(f"{round(float(v), 3) + 0.0:g}" for v in point) + ")"


def _falling_without_bound(path: Path, s: Surface) -> bool:
    """Below everything the window shows, falling through the last quarter (a wiggle allowed), and the slope
    not easing off. A minimum outside the window fails the last test: near any minimum the gradient shrinks."""
    losses, n = path.losses, len(path.losses)
    if s.bounded_below is True or s.window_min is None or n < 20 or not losses[-1] < s.window_min:
        return False
    q = n // 4
    tail = np.diff(losses[n - q - 1:])
    slope = np.linalg.norm(path.gradients, axis=1)
    easing = np.median(slope[-max(2, n // 10):]) < 0.99 * np.median(slope[n // 2:n - q])
    return bool(losses[-1] < losses[n - q - 1] and np.mean(tail > 0) <= 0.1 and not easing)


def _diverged(path: Path, s: Surface) -> Verdict:
    k = path.diverged_at
    finite = path.losses[:k][np.isfinite(path.losses[:k])]
    downhill = len(finite) >= 2 and bool(np.all(np.diff(finite) <= 0)) and finite[-1] < finite[0]
    last = path.losses[k] if k < len(path.losses) else np.nan
    if s.bounded_below is not True and downhill and not (np.isfinite(last) and last > finite[-1]):
        return Verdict("unbounded", f"diverged to −∞ at step {k}: f is unbounded below",
                       f"→ −∞ at step {k} (unbounded)")
    return Verdict("diverged", f"diverged at step {k}", f"diverged at step {k}")


def _stationary(path: Path, s: Surface) -> Verdict | None:
    """A minimum, saddle or flat ground where the path ended, or None if it is not at a stationary point."""
    if path.hessian is None:
        return None
    end, g = path.points[-1], path.gradients[-1]
    scale = max(1.0, abs(float(path.losses[-1])))
    if float(np.linalg.norm(g)) <= FLAT * scale and float(np.max(np.abs(path.hessian))) <= FLAT * scale:
        return Verdict("flat", "stopped on flat ground: gradient and curvature ≈ 0", "flat: gradient ≈ 0")
    span = max(s.x_range[1] - s.x_range[0], s.y_range[1] - s.y_range[0])
    if path.stationary is None or float(np.hypot(*(path.stationary[0] - end))) > STATIONARY * span:
        return None
    there, h = path.stationary
    eig = np.linalg.eigvalsh((h + h.T) / 2)
    if eig[0] > 0:
        if any(np.hypot(*(there - m)) < REACHED for m in s.minima):
            return None          # closing in on the known minimum: "reached" once it is there
        if s.minima:
            best = " or ".join(_at(m) for m in s.minima[:2])
            return Verdict("local minimum", f"stuck in a local minimum near {_at(there)}; the lowest is at {best}",
                           f"local minimum {_at(there)}")
        return Verdict("local minimum", f"reached a minimum near {_at(there)} (maybe not the lowest)",
                       f"a minimum {_at(there)}")
    if eig[0] < 0 < eig[1]:
        return Verdict("saddle", f"stuck at a saddle point near {_at(there)}", f"saddle point {_at(there)}")
    return None


def verdict(path: Path, s: Surface) -> Verdict:
    """What happened: diverged (to −∞ where f is unbounded below), reached a known minimum, stuck at a
    local minimum or a saddle point, falling without bound, oscillating, or still descending."""
    if path.diverged_at is not None:
        return _diverged(path, s)
    losses = path.losses
    if len(losses) < 2:
        return Verdict("not started", "not started", "not started")
    end = path.points[-1]
    near = [m for m in s.minima if np.hypot(end[0] - m[0], end[1] - m[1]) < REACHED]
    if near:
        which = "the minimum" if len(s.minima) == 1 else "a minimum"
        return Verdict("minimum", f"reached {which} {_at(near[0])}", f"reached {_at(near[0])}")
    found = _stationary(path, s)
    if found is not None:
        return found
    if _falling_without_bound(path, s):
        return Verdict("unbounded", f"falling without bound (f = {losses[-1]:.4g} and dropping): "
                                    "f is unbounded below", "unbounded below")
    rises = float(np.mean(np.diff(losses) > 1e-9 * max(1.0, abs(losses[0]))))
    if rises > 0.3:
        return Verdict("oscillating", "oscillating", "oscillating")
    return Verdict("descending", "still descending (slow)", "still descending")
