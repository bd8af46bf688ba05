"""The heavy-work gate: never more than its limit at once, first come first served, and a waiting
caller told how many are ahead."""

from __future__ import annotations

import threading
import time

import pytest

from explorer.admission import Gate


def test_at_most_limit_at_once_and_queued_in_order():
    gate = Gate(2)
    lock = threading.Lock()
    inside, peak, order, told = [0], [0], [], {}

    def work(k: int) -> None:
        with gate.slot(on_wait=lambda ahead: told.setdefault(k, ahead)):
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
                order.append(k)
            time.sleep(0.05)
            with lock:
                inside[0] -= 1

    threads = []
    for k in range(6):
        t = threading.Thread(target=work, args=(k,))
        t.start()
        threads.append(t)
        time.sleep(0.005)          # arrive in order 0, 1, 2, ...
    for t in threads:
        t.join(5)
    assert peak[0] == 2 and gate.running == 0 and gate.waiting == 0
    assert order == list(range(6))
    assert 0 not in told and 1 not in told      # free slots: no waiting message
    assert told[2] >= 1 and told[5] > told[2]   # the later ones were told more are ahead


def occupied(gate: Gate) -> tuple[threading.Thread, threading.Event]:
    """A thread holding the gate's one slot until the returned event is set."""
    held, release = threading.Event(), threading.Event()

    def hold():
        with gate.slot():
            held.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(5)
    return t, release


def test_waiting_gives_up_after_its_timeout_and_frees_its_place():
    gate = Gate(1)
    t, release = occupied(gate)
    with pytest.raises(TimeoutError):
        with gate.slot(timeout=0.1):
            pass
    assert gate.waiting == 0
    release.set()
    t.join(5)
    with gate.slot(timeout=1):
        assert gate.running == 1
    with pytest.raises(ValueError):
        Gate(0)


def test_a_waiter_stopped_while_told_to_wait_leaves_the_queue():
    """Streamlit stops a rerun script by raising from the element it writes: the waiting message. The
    stopped caller must not stay at the head of the queue, or everyone after it waits for ever."""
    gate = Gate(1)

    def stopped(ahead: int) -> None:
        raise KeyboardInterrupt("the script was stopped")     # a BaseException, as Streamlit's StopException

    t, release = occupied(gate)
    with pytest.raises(KeyboardInterrupt):
        with gate.slot(on_wait=stopped):
            pass
    assert gate.waiting == 0
    release.set()
    t.join(5)
    with gate.slot(timeout=1):                 # the next caller gets the slot
        assert gate.running == 1


def test_a_program_run_waits_for_a_slot_and_says_so(monkeypatch):
    from app_pages import _shared
    gate = Gate(1)
    monkeypatch.setattr(_shared, "HEAVY", gate)
    held, release = threading.Event(), threading.Event()

    def other_student():
        with gate.slot():
            held.set()
            release.wait(10)

    other = threading.Thread(target=other_student)
    other.start()
    held.wait(5)
    told, result = [], []
    mine = threading.Thread(target=lambda: result.append(
        _shared.cached_run("x = 2.0; x * x * 7.5", "float32", 12345, waiting=told.append)))
    mine.start()
    deadline = time.monotonic() + 5
    while not told and time.monotonic() < deadline:
        time.sleep(0.01)
    assert told == [1] and not result            # told one is ahead, and still waiting
    release.set()
    mine.join(60)
    other.join(5)
    assert result and float(result[0].gradient(result[0].default_target, "x")) == pytest.approx(30.0)  # 2·7.5·x
