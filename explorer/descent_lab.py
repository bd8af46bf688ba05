"""What the Gradient descent page shows, made once and kept for every session and rerun: each optimizer's
path (a new setting for one optimizer runs that one alone; a new surface or start runs them all side by
side in one compiled loop), the race picture for the browser, the 3-D view and the loss curves, the
sweep, the 1-D descent and the classifier with their figures, and the warm-up that makes every built-in
surface's first race before anyone asks for it.

Streamlit-free: the page says how to show progress (`progress(fraction, text)`) and how to wait for a slot
of the server (`gate()`, a context manager entered only when something must be computed).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, ContextManager

import numpy as np

from . import descent as gd
from . import descent_settings as ds
from .descent_picture import contour_image, race_picture

Progress = Callable[[float, str], None]
Gate = Callable[[], ContextManager]


class Kept:
    """Values made once per key for every session, the most recently used last, at most `size` of them."""

    def __init__(self, size: int = 256):
        self.size = size
        self.lock = threading.Lock()
        self.store: OrderedDict[tuple, Any] = OrderedDict()

    def peek(self, key: tuple) -> tuple[bool, Any]:
        with self.lock:
            if key in self.store:
                self.store.move_to_end(key)
                return True, self.store[key]
        return False, None

    def put(self, key: tuple, value: Any) -> Any:
        with self.lock:
            self.store[key] = value
            while len(self.store) > self.size:
                self.store.popitem(last=False)
        return value

    def get(self, key: tuple, make: Callable, progress: Progress | None = None, gate: Gate | None = None):
        """make() once per key, or make(progress) where `progress` is given. `gate()` is held while make
        runs; a key another session made while this one waited for it is not made again."""
        found, value = self.peek(key)
        if found:
            return value
        with gate() if gate is not None else contextlib.nullcontext():
            found, value = self.peek(key)
            if found:
                return value
            value = make(progress) if progress is not None else make()
        return self.put(key, value)


KEPT = Kept()


def surface(key: str, formula: str, gate: Gate | None = None) -> gd.Surface:
    """The chosen surface (`formula` for your own); ProgramError for a formula that cannot be one."""
    if key != ds.CUSTOM:
        return gd.SURFACES[key]
    return KEPT.get(("surface", formula.strip()), lambda: gd.custom_surface(formula), gate=gate)


def race(s: gd.Surface, configs: tuple, start: tuple, steps: int, progress: Progress | None = None,
         gate: Gate | None = None) -> list[gd.Path]:
    """Each optimizer's path for the settings `configs` (ds.optimizer_configs), each kept on its own. What is
    missing runs in the race's compiled loop where there is one (a new learning rate is an input to it),
    else in a loop of the missing optimizers alone (a new momentum compiles one optimizer, not six)."""
    lane = {c: ("path", s.key, s.formula, c, start, steps) for c in configs}
    found = {}
    for c, key in lane.items():
        there, path = KEPT.peek(key)
        if there:
            found[c] = path
    missing = tuple(c for c in configs if c not in found)
    if missing:
        items = lambda cs: [(name, dict(params)) for name, params in cs]     # noqa: E731
        run = configs if gd.compiled(s, items(configs)) else missing

        def make(report=None):
            return gd.race(s, items(run), start, steps, progress=report)
        for c, path in zip(run, KEPT.get(("race", s.key, s.formula, run, start, steps), make, progress, gate)):
            if c not in found:
                found[c] = KEPT.put(lane[c], path)
    return [found[c] for c in configs]


def picture(s: gd.Surface, paths: list[gd.Path], run: tuple, arrows: bool) -> dict:
    """The race as data for the browser's picture; `run` names the paths (surface, configs, start, steps)."""
    image = KEPT.get(("image", s.key, s.formula), lambda: contour_image(s))
    return KEPT.get(("picture", *run, arrows), lambda: race_picture(s, paths, arrows, image=image))


def race_figure(view: str, s: gd.Surface, paths: list[gd.Path], run: tuple):
    """The race's other pictures, with Plotly: "3d" (the paths on the surface) or "losses"."""
    from . import descent_plots as plots
    if view == "3d":
        return KEPT.get(("3d", *run), lambda: plots.race_surface3d(s, paths))
    return KEPT.get(("losses", *run), lambda: plots.loss_chart(
        paths, log=s.bounded_below is True, labels=[p.label.split(" (")[0] for p in paths],
        floor=gd.lowest_value(s), height=plots.RACE_HEIGHT))


def random_start(s: gd.Surface, seed: int) -> dict[str, float]:
    """A start drawn uniformly from the surface's window with the shown seed (three decimals, as typed)."""
    rng = np.random.default_rng(seed)
    return {"x0": round(float(rng.uniform(*s.x_range)), 3), "y0": round(float(rng.uniform(*s.y_range)), 3)}


def race_table(s: gd.Surface, paths: list[gd.Path]) -> list[dict]:
    """Where each optimizer ended and what happened, one row each."""
    from .descent_verdicts import verdict
    return [{"optimizer": p.label, "ends at": f"({p.points[-1][0]:.4g}, {p.points[-1][1]:.4g})",
             "final loss": f"{p.losses[-1]:.4g}", "what happened": verdict(p, s).text} for p in paths]


def sweep(s: gd.Surface, name: str, params: dict, rates: tuple, start: tuple, steps: int,
          progress: Progress | None = None, gate: Gate | None = None):
    """(grid figure, loss figure) of one optimizer at several learning rates."""
    from . import descent_plots as plots
    run = (s.key, s.formula, name, tuple(sorted(params.items())), rates, start, steps)
    paths = KEPT.get(("sweep", *run), lambda report=None: gd.sweep(s, name, list(rates), start, steps,
                                                                    progress=report, **params), progress, gate)
    image = KEPT.get(("image", s.key, s.formula), lambda: contour_image(s))
    grid = KEPT.get(("sweep grid", *run), lambda: plots.sweep_chart(s, paths, list(rates), image))
    losses = KEPT.get(("sweep losses", *run), lambda: plots.loss_chart(
        paths, log=s.bounded_below is True, labels=[f"lr = {r:g}" for r in rates], floor=gd.lowest_value(s)))
    return grid, losses


def sweep_caption(title: str, start: tuple, steps: int) -> str:
    return f"{title} from ({start[0]:g}, {start[1]:g}), {steps} steps (set on the Optimizers race tab)."


def one_d(formula: str, lr: float, steps: int, seed: int, target: float | None, gate: Gate | None = None):
    """(path, tangent animation, x against the step) for SGD on L(x); ProgramError for a bad formula."""
    def make():
        from . import descent_plots as plots
        path = gd.descend_1d(formula, None, lr, steps, seed)
        ends = [float(path.xs.min()), float(path.xs.max())] + ([target] if target is not None else [])
        xs, ys = gd.curve_1d(formula, min(ends) - 2.0, max(ends) + 2.0)
        return path, plots.tangent_animation(path, xs, ys, target), plots.x_versus_step(path, target)
    return KEPT.get(("1d", formula.strip(), lr, steps, seed, target), make, gate=gate)


def one_d_summary(path: gd.Path1D, seed: int, target: float | None) -> str:
    steps = len(path.xs) - 1
    return (f"x starts at **{path.xs[0]:.4f}** (seed {seed}) and ends at **{path.xs[-1]:.6f}** after {steps} steps "
            "of `x.assign(x - lr * grad)`" + (f"; the target x_f = {target:g}." if target is not None else "."))


def classifier(loss: str, lr: float, steps: int, seed: int, gate: Gate | None = None):
    """(Classifier, its animation, its loss and accuracy curves)."""
    def make():
        from . import descent_plots as plots
        c = gd.linear_classifier(loss, lr, steps, seed=seed)
        return c, plots.classifier_animation(c), plots.classifier_curves(c)
    return KEPT.get(("classifier", loss, lr, steps, seed), make, gate=gate)


_STOP = threading.Event()               # set when the process exits: the warm-up ends after its current surface


def _stop_warming(thread: threading.Thread) -> None:
    """At exit, let the warm-up finish the loop it is compiling rather than be killed inside XLA's compiler
    (a daemon thread killed there aborts the whole process: a test run that passed would exit 134)."""
    _STOP.set()
    thread.join(timeout=60)


def start_warm_up(gate: Gate | None = None) -> threading.Thread:
    """warm_up in a daemon thread (it does not keep a server from stopping; see _stop_warming)."""
    thread = threading.Thread(target=warm_up, kwargs={"gate": gate}, name="descent warm-up", daemon=True)
    thread.start()
    atexit.register(_stop_warming, thread)
    return thread


def warm_up(delay: float = 1.0, pause: float = 0.2, gate: Gate | None = None) -> None:
    """Every built-in surface's default race, picture and sweep, so that choosing a surface draws it at once
    instead of compiling its loop (0.5–1 s each). Meant for a background thread started by the page's
    first run: it waits `delay` seconds (that run's page is drawn first), and `pause` seconds between
    surfaces let a user's click in the meantime have the interpreter."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)   # Linux: this thread only, below users
    except (AttributeError, OSError):
        pass
    time.sleep(delay)
    try:
        for key, s in gd.SURFACES.items():
            first = {**ds.SETTINGS.defaults(), **ds.surface_defaults(key)}
            configs, start = ds.optimizer_configs(first), (first["x0"], first["y0"])
            paths = race(s, configs, start, first["steps"], gate=gate)
            picture(s, paths, (s.key, s.formula, configs, start, first["steps"]), first["arrows"])
            sweep(s, first["sweep_optimizer"], ds.sweep_params(first), tuple(sorted(first["rates"])), start,
                  first["steps"], gate=gate)
            if _STOP.wait(pause):
                return
    except Exception:                   # noqa: BLE001 - the page computes what it needs itself
        logging.getLogger("gradient_explorer").exception("descent warm-up stopped")


def classifier_summary(c: gd.Classifier) -> str:
    steps = len(c.losses) - 1
    return (f"{len(c.inputs):,} points (seed {c.seed}); after {steps} steps: loss **{c.losses[-1]:.4f}**, training "
            f"accuracy **{100 * c.accuracy[-1]:.1f} %**, W = [{c.W[-1][0, 0]:.4f}, {c.W[-1][1, 0]:.4f}], "
            f"b = {c.b[-1][0]:.4f}.")
