"""Work done once per program and shared by every session: the step-through's frames, and the warm-up
that runs and lays out every example before a visitor picks it (`make run` starts `warm_presets` in a
background thread, app_pages.serve), so changing the example is never a wait — the Keras presets train
a model, seconds of work that a class should not watch.

Module globals, not st.cache_data: the warm-up thread fills them before any session exists."""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections import OrderedDict

import explorer
from explorer.images import svg
from explorer.stepper import Frames, frames

# Streamlit comes with it: import this module in the main thread before starting the warm-up (two threads
# importing Streamlit at once deadlock, or build its singletons twice)
from app_pages._runs import cached_run

_MAX_FRAMES = 48
_FRAMES: tuple[OrderedDict, threading.Lock] = (OrderedDict(), threading.Lock())


def cached_frames(run: explorer.Run, target: str, progress=None) -> Frames:
    """The step-through of `run` for `target`, laid out (frames and the Graphviz SVG) once per program,
    dtype, seed, recording and target. `progress(fraction, text)` hears how far a new one is."""
    store, lock = _FRAMES
    key = (run.source, run.dtype, run.seed, run.recording, target)
    with lock:
        fr = store.get(key)
        if fr is not None:
            store.move_to_end(key)
            return fr
    fr = frames(run.graph_for(target), run.walkthrough(target), progress=progress)
    if progress is not None:
        progress(0.95, f"Laying out the graph of {len(fr.deltas)} steps (Graphviz) …")
    svg(fr.dot)                               # cached by explorer.images: the page asks for it next
    with lock:
        store[key] = fr
        while len(store) > _MAX_FRAMES:
            store.popitem(last=False)
    return fr


def warm_one(source: str, dtype: str = "float32", seed: int = 0) -> None:
    """What picking this example draws first, on both pages: its run, the Graph page's forward and
    backward pictures for the first target, and the step-through for it."""
    from explorer.views import ViewError
    run = cached_run(source, dtype, seed)
    targets = run.targets()
    graph = run.graph_for(targets[0]) if targets else run.graph
    for view in ("forward", "backward"):
        svg(graph.to_dot(view, collapsed=set(), rankdir="TB"))
    if targets:
        try:
            cached_frames(run, targets[0])
        except ViewError:
            pass                              # nothing to step through: the page says so in words


def warm_presets(pause: float = 0.2) -> None:
    """Every example of the Graph page and the step-through: in float32 the pages' first examples, then
    the rest in the order of the list; then in float64 those that run in it (`Preset.float64`). Meant for
    a background thread at server start: it runs at a lower priority than the sessions' own work, rests
    `pause` seconds between examples so a visitor's click gets the interpreter, and a program that fails
    is skipped."""
    import time
    from explorer.page_settings import GRAPH, WALKTHROUGH
    from explorer.presets import PRESETS
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)   # Linux: this thread only
    except (AttributeError, OSError):
        pass
    start = time.monotonic()
    order = dict.fromkeys([GRAPH["program"].default, WALKTHROUGH["program"].default] + [p.source for p in PRESETS])
    work = [(source, "float32") for source in order] + [(p.source, "float64") for p in PRESETS if p.float64]
    for source, dtype in work:
        try:
            warm_one(source, dtype)
        except explorer.ProgramError:
            pass                              # the page shows the program's error when it is picked
        except Exception:                     # noqa: BLE001 - a warm-up must never take the server down
            logging.getLogger("gradient_explorer").exception("warming an example failed")
        if _STOP.wait(pause):
            return
    logging.getLogger("gradient_explorer").info("%d examples warmed in %.1f s", len(work), time.monotonic() - start)


_STOP = threading.Event()       # set at exit: the warm-up stops after its current example


def _stop_warming(thread: threading.Thread) -> None:
    """At exit, let the warm-up finish the example it is running rather than be killed inside TensorFlow
    (a daemon thread killed there aborts the process)."""
    _STOP.set()
    thread.join(timeout=60)


def start_warming() -> threading.Thread:
    """warm_presets in a daemon thread (what `python -m app_pages.serve` does at start). Call it from the
    thread that imported this module, so Streamlit is imported before the warm-up runs."""
    thread = threading.Thread(target=warm_presets, name="warm-presets", daemon=True)
    thread.start()
    atexit.register(_stop_warming, thread)
    return thread
