"""Program runs shared by every session, and the server's heavy-work gate as a page shows it: a progress
bar while a run (a Keras fit) works, "Waiting for the server" while other users' work holds every slot;
a program's error (line, column, excerpt) with the last good run kept, and a loop's recording picked."""

import contextlib
import threading
from collections import OrderedDict

import streamlit as st
# Streamlit's "should this script run stop?" check (raises StopException / RerunException), the one its
# own contended cache waits use; Streamlit is pinned in requirements.txt, tests/test_admission.py uses it.
from streamlit.runtime.scriptrunner_utils.script_run_context import get_run_yield_check

import explorer
from explorer.admission import HEAVY
from explorer.errors import excerpt

_MAX_RUNS = 64


_STORE: tuple[OrderedDict, threading.Lock] = (OrderedDict(), threading.Lock())


def _run_store() -> tuple[OrderedDict, threading.Lock]:
    """The runs every session shares, most recent last (a Run is read-only once made). A module global,
    not st.cache_resource, so `app_pages.serve` can fill it before the first session starts."""
    return _STORE


def still_wanted() -> None:
    """Raises Streamlit's StopException when this script run was stopped (its tab closed, or the server
    stops it) and RerunException when a newer rerun replaces it — the check Streamlit itself makes while a
    run waits for a contended cache. Outside a script run (the warm-up thread, tests) it does nothing."""
    check = get_run_yield_check()
    if check is not None:
        check()


def cached_run(source: str, dtype: str, seed: int, recording: int | None = None, progress=None,
               waiting=None) -> explorer.Run:
    """The run of a program, shared between sessions and reruns. Not st.cache_resource itself: the fit
    progress bar is a page element, and Streamlit refuses elements touched inside a cached function.
    A run that must wait for a slot says so through `waiting(ahead)`, and leaves the queue without running
    once its script run is stopped or superseded (`still_wanted`)."""
    store, lock = _run_store()
    key = (source, dtype, seed, recording)
    with lock:
        run = store.get(key)
        if run is not None:
            store.move_to_end(key)
            return run
    with HEAVY.slot(on_wait=waiting, wanted=still_wanted):   # a cap on runs at once per process
        run = explorer.run(source, dtype=dtype, seed=seed, recording=recording, progress=progress)
    with lock:
        store[key] = run
        while len(store) > _MAX_RUNS:
            store.popitem(last=False)
    return run


class FitProgress:
    """A progress bar while a program's model.fit trains (shown only once training has started)."""

    def __init__(self):
        self.slot = st.empty()
        self.shown_at = 0.0

    def __call__(self, fraction: float, text: str) -> None:
        import time
        now = time.monotonic()
        if now - self.shown_at > 0.1 or fraction >= 0.9:      # the last phases (a layout) always named
            self.shown_at = now
            self.slot.progress(min(max(fraction, 0.0), 1.0), text=text)

    def waiting(self, ahead: int) -> None:
        """Other sessions' runs hold every slot of the server: say so instead of a silent stall."""
        self.slot.info(f"Waiting for the server: {ahead} run{'s' if ahead != 1 else ''} of other users "
                       "ahead of yours …", icon=":material/hourglass_top:")

    def done(self) -> None:
        self.slot.empty()


@contextlib.contextmanager
def heavy_work(shown: bool = True):
    """One slot of the server's heavy-work gate for work that is not a program run (the descent page's
    races, sweeps and compiles), with the same "Waiting for the server" message while it waits and the
    same exit when its script run is stopped. `shown=False`: background work (a warm-up), no element."""
    if not shown:
        with HEAVY.slot():
            yield
        return
    note = FitProgress()
    try:
        with HEAVY.slot(on_wait=note.waiting, wanted=still_wanted):
            note.done()
            yield
    finally:
        note.done()


def gated_run(source: str, dtype: str, seed: int, recording: int | None = None) -> explorer.Run:
    """cached_run with the page's progress bar and its "Waiting for the server" message in one place."""
    bar = FitProgress()
    try:
        return cached_run(source, dtype, seed, recording, progress=bar, waiting=bar.waiting)
    finally:
        bar.done()


def pick_recording(run: explorer.Run, key: str, on_change=None) -> explorer.Run:
    """A program whose loop records many tapes shows one recording at a time: a slider over them (the
    last by default), the caption naming the tape and iteration. Returns the run showing that one.
    `key` is the session key of the page's `recording` setting (0 or out of range: the last)."""
    n = len(run.recordings)
    if n <= 1:
        return run
    if st.session_state.get(key) not in range(1, n + 1):
        st.session_state[key] = n
    k = st.select_slider("Recording", options=list(range(1, n + 1)), key=key,
                         format_func=lambda k: f"{k} of {n}", on_change=on_change,
                         help="Each time a GradientTape records (each loop iteration) is one recording; "
                              "the graphs show the chosen one. Arrow keys step through them.")
    shown = run if k == n else gated_run(run.source, run.dtype, run.seed, k)
    rec = shown.recordings[k - 1]
    st.markdown(f"**tape `{rec.tape}`, recording {k} of {n}** — {rec.label.split(', ', 1)[1]}")
    return shown


def shown_recording(run: explorer.Run) -> int | None:
    """The `recording` argument that gives this run back from cached_run (None: the last one)."""
    return None if run.recording in (None, len(run.recordings)) else run.recording


def run_or_last_good(source: str, dtype: str, seed: int, memory: str):
    """(run, error): the program's run, or where it fails the last program that ran on this page
    (remembered under `memory` in the session) with the error, so a typo keeps the user's graph."""
    bar = FitProgress()
    try:
        run = cached_run(source, dtype, seed, progress=bar, waiting=bar.waiting)
        st.session_state[memory] = (source, dtype, seed)
        return run, None
    except explorer.ProgramError as e:
        last = st.session_state.get(memory)
        return (cached_run(*last, progress=bar, waiting=bar.waiting) if last else None), e
    finally:
        bar.done()


def show_error(source: str, error: explorer.ProgramError, kept: bool) -> None:
    st.error(f"**Line {error.line}, column {error.col}:** {error.message}" if error.line else error.message)
    if excerpt(source, error):
        st.code(excerpt(source, error), language=None)
    if kept:
        st.info("Showing the last program that ran.")
