"""A cap on heavy work in one server process: at most `limit` program runs or training ticks at once,
the rest queued first come, first served. One student's long `model.fit` then cannot take every core
from a class; the others wait their turn, and `on_wait(ahead)` lets a page say so instead of stalling.

The one gate a server shares is `HEAVY`. Its size: the environment variable GE_HEAVY_SLOTS, else the
CPUs this process may use — the fewest of the core count, the CPU affinity mask and a cgroup CPU quota
(a container's `--cpus` or a pod's CPU limit), since os.cpu_count() reports the machine's cores even in
a container allowed two of them.

Streamlit-free: the pages pass a callback that writes the waiting message and one that says whether the
run is still wanted (a script run that was stopped, or whose tab closed, must not take a slot)."""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

POLL = 0.25      # seconds between "is this run still wanted?" checks while waiting


class Withdrawn(Exception):
    """The caller's `wanted()` said the run is no longer wanted while it waited: it left the queue."""


class Gate:
    def __init__(self, limit: int):
        if limit < 1:
            raise ValueError("a gate needs at least one slot")
        self.limit = limit
        self._cond = threading.Condition()
        self._running = 0
        self._queue: list[int] = []
        self._tickets = itertools.count()

    @property
    def running(self) -> int:
        return self._running

    @property
    def waiting(self) -> int:
        return len(self._queue)

    @contextlib.contextmanager
    def slot(self, on_wait: Callable[[int], None] | None = None, timeout: float | None = None,
             wanted: Callable[[], object] | None = None, poll: float = POLL) -> Iterator[None]:
        """Hold one slot for the block. Where none is free, `on_wait(ahead)` is called with the number
        of callers queued in front (again whenever that number changes) and the caller blocks until its
        turn; TimeoutError after `timeout` seconds of waiting.

        `wanted()` is asked every `poll` seconds while the caller waits and once more when its turn
        comes, before it takes the slot: if it returns False (Withdrawn is raised) or raises (Streamlit's
        check raises StopException for a stopped run or a closed tab, RerunException for a superseded
        one), the caller leaves the queue without running. Callbacks run outside the gate's lock."""
        with self._cond:
            ticket = next(self._tickets)
            self._queue.append(ticket)
        try:
            self._wait_for_turn(ticket, on_wait, timeout, wanted, poll)
        except BaseException:
            with self._cond:
                self._queue.remove(ticket)
                self._cond.notify_all()
            raise
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify_all()

    def _ahead(self, ticket: int) -> int:
        """Callers in front of `ticket` (a full gate counts as one more); 0: its turn. Under the lock."""
        return self._queue.index(ticket) + (self._running >= self.limit)

    def _wait_for_turn(self, ticket, on_wait, timeout, wanted, poll) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        told = None
        while True:
            with self._cond:
                ahead = self._ahead(ticket)
            if ahead == 0:
                # Only the head of the queue takes a slot, so the turn stays ours while we ask.
                _ask(wanted)
                with self._cond:
                    self._queue.pop(0)
                    self._running += 1
                    self._cond.notify_all()
                return
            if on_wait is not None and ahead != told:
                told = ahead
                on_wait(ahead)
            _ask(wanted)
            with self._cond:
                if self._ahead(ticket) == 0:
                    continue
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise TimeoutError(f"no slot for heavy work within {timeout:.0f} s")
                waits = [w for w in (left, poll if wanted is not None else None) if w is not None]
                self._cond.wait(min(waits) if waits else None)     # woken when a slot frees


def _ask(wanted: Callable[[], object] | None) -> None:
    if wanted is not None and wanted() is False:
        raise Withdrawn("the run was withdrawn while it waited for a slot")


# ---- how many slots: the CPUs this process may use ------------------------------------------------------

def cgroup_cpus(root: Path = Path("/sys/fs/cgroup"), self_cgroup: Path = Path("/proc/self/cgroup")) -> float | None:
    """The CPU quota of this process's cgroup and its ancestors, in CPUs (the smallest found), or None
    where none is set. cgroup v2: `cpu.max` ("max 100000" or "200000 100000"); v1: the cpu controller's
    `cpu.cfs_quota_us` / `cpu.cfs_period_us` (quota -1: none). Inside a container the process's own
    cgroup is the root of what it sees; on a host it is the path /proc/self/cgroup names."""
    try:
        lines = self_cgroup.read_text().splitlines()
    except OSError:
        lines = []
    v2, v1 = None, None
    for line in lines:
        _, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if controllers == "" and v2 is None:
            v2 = path
        elif "cpu" in controllers.split(",") and v1 is None:
            v1 = (controllers, path)
    found: list[float] = []
    for directory in _with_ancestors(root, v2 or "/"):
        found += _quota_v2(directory / "cpu.max")
    mounts = [root / "cpu", root / "cpu,cpuacct", root / "cpuacct,cpu"]
    if v1 is not None:
        mounts.insert(0, root / v1[0])
    for mount in dict.fromkeys(mounts):
        for directory in _with_ancestors(mount, v1[1] if v1 else "/"):
            found += _quota_v1(directory)
    return min(found) if found else None


def _with_ancestors(mount: Path, path: str) -> list[Path]:
    parts = [p for p in path.strip("/").split("/") if p and p != ".."]
    return [mount.joinpath(*parts[:k]) for k in range(len(parts), -1, -1)]


def _quota_v2(path: Path) -> list[float]:
    try:
        quota, period = (path.read_text().split() + ["100000"])[:2]
        return [] if quota == "max" else [int(quota) / int(period)]
    except (OSError, ValueError, ZeroDivisionError):
        return []


def _quota_v1(directory: Path) -> list[float]:
    try:
        quota = int((directory / "cpu.cfs_quota_us").read_text())
        period = int((directory / "cpu.cfs_period_us").read_text())
        return [quota / period] if quota > 0 and period > 0 else []
    except (OSError, ValueError):
        return []


def usable_cpus() -> int:
    """The fewest of: the machine's cores, the CPUs this process may be scheduled on, and its cgroup
    quota rounded up (1.5 CPUs: two runs at once, each slowed, rather than one and half a core idle)."""
    counts = [os.cpu_count() or 1]
    if hasattr(os, "sched_getaffinity"):
        counts.append(len(os.sched_getaffinity(0)))
    quota = cgroup_cpus()
    if quota is not None:
        counts.append(math.ceil(quota))
    return max(1, min(counts))


def _default_limit() -> int:
    text = os.environ.get("GE_HEAVY_SLOTS", "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else usable_cpus()


HEAVY = Gate(_default_limit())
