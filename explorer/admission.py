"""A cap on heavy work in one server process: at most `limit` program runs or training ticks at once,
the rest queued first come, first served. One student's long `model.fit` then cannot take every core
from a class; the others wait their turn, and `on_wait(ahead)` lets a page say so instead of stalling.

The one gate a server shares is `HEAVY` (its size: the environment variable GE_HEAVY_SLOTS, else the
number of cores). Streamlit-free: the pages pass a callback that writes the waiting message."""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from typing import Callable, Iterator


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
    def slot(self, on_wait: Callable[[int], None] | None = None, timeout: float | None = None) -> Iterator[None]:
        """Hold one slot for the block. Where none is free, `on_wait(ahead)` is called with the number
        of callers queued in front (again whenever that number changes) and the caller blocks until its
        turn; TimeoutError after `timeout` seconds of waiting."""
        with self._cond:
            ticket = next(self._tickets)
            self._queue.append(ticket)
            told = None
            try:
                while self._queue[0] != ticket or self._running >= self.limit:
                    ahead = self._queue.index(ticket) + (self._running >= self.limit)
                    if on_wait is not None and ahead != told:
                        told = ahead
                        on_wait(ahead)
                    if not self._cond.wait(timeout):
                        raise TimeoutError(f"no slot for heavy work within {timeout:.0f} s")
            except BaseException:
                # a timeout, or on_wait raising (Streamlit stops a script that is rerun or whose tab
                # closed by raising from the element it writes): leave the queue, or it is stuck behind us
                self._queue.remove(ticket)
                self._cond.notify_all()
                raise
            self._queue.pop(0)
            self._running += 1
            self._cond.notify_all()
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify_all()


def _default_limit() -> int:
    text = os.environ.get("GE_HEAVY_SLOTS", "")
    return int(text) if text.isdigit() and int(text) > 0 else (os.cpu_count() or 1)


HEAVY = Gate(_default_limit())
