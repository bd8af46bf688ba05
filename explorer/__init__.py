"""Gradient Explorer's library: run TensorFlow programs safely and see their gradients.

    import explorer
    run = explorer.run(source)          # raises explorer.ProgramError with .line and .col
    run.values["x2"], run.gradient("loss_val", "w"), run.graph.to_dot(view="backward")
    explorer.view(run, "backward")      # a picture that shows itself in Jupyter (SVG, text fallback)
    explorer.app_url(source)            # a link that opens the program in the app

Never imports streamlit: usable from a notebook as it is.
"""

import os as _os
import sys as _sys

_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _xla_for_small_networks() -> None:
    """XLA on the CPU, for the small networks and loops compiled here (the playground's training steps, the
    descent race): one thread per compiled call and the older fusion emitters cut a 2→8→8→1 network's
    step from ~22 µs to ~14 µs, and running the compiled kernels in program order instead of the scheduler
    that orders them for concurrency cut it again to ~8 µs (thread hand-offs and per-kernel overhead
    dominate such tiny matrices); one call per core serves several sessions better than all cores for one.
    Read by XLA at its first compile; a flag the environment already sets is left as it is."""
    flags = _os.environ.get("XLA_FLAGS", "")
    ours = ("--xla_cpu_multi_thread_eigen=false", "--xla_cpu_use_fusion_emitters=false",
            "--xla_cpu_enable_concurrency_optimized_scheduler=false")
    _os.environ["XLA_FLAGS"] = " ".join([flags] + [f for f in ours if f.split("=")[0] not in flags]).strip()


_xla_for_small_networks()


def _import_tensorflow_quietly() -> None:
    """TensorFlow's C++ side writes to file descriptor 2 while it loads (absl's "oneDNN custom operations
    are on", which TF_CPP_MIN_LOG_LEVEL does not reach): `python -m explorer` reports a bad program as
    `file:line:col: message` on stderr, and that must be the first thing there. A Python error raised by
    the import is printed after the descriptor is restored."""
    if "tensorflow" in _sys.modules:
        return
    _sys.stderr.flush()
    saved = _os.dup(2)
    try:
        null = _os.open(_os.devnull, _os.O_WRONLY)
        _os.dup2(null, 2)
        _os.close(null)
        import tensorflow  # noqa: F401
    finally:
        _os.dup2(saved, 2)
        _os.close(saved)


_import_tensorflow_quietly()

from .errors import ProgramError  # noqa: E402
from .graph import Check, Edge, Graph, Node  # noqa: E402
from .presets import PRESETS, Preset  # noqa: E402
from .run import Run, run  # noqa: E402
from .checks import GradientCheck, check_gradients  # noqa: E402
from .walkthrough import Step  # noqa: E402
from .notebook import GraphView, app_url, view  # noqa: E402

import gc as _gc  # noqa: E402

# TensorFlow's import leaves ~10^6 long-lived objects that every full garbage collection walks again; a
# run allocates enough to trigger several, which cost a third of its time. Moving what exists now to the
# permanent generation (it is never freed anyway) keeps collections to the run's own objects.
_gc.freeze()

from .notebook import register_if_ipython as _register_if_ipython  # noqa: E402

_register_if_ipython()   # in Jupyter, runs, graphs, steps and checks display themselves

__all__ = ["run", "Run", "ProgramError", "Graph", "Node", "Edge", "Check", "PRESETS", "Preset",
           "check_gradients", "GradientCheck", "Step",
           "view", "GraphView", "app_url"]
