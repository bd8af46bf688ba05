"""The heavy-work gate: never more than its limit at once, first come first served, a waiting caller
told how many are ahead, a caller whose run is no longer wanted gone without running, and the gate's
size from the CPUs a container may use. Page level: real Streamlit script runs (AppTest) that wait show
"Waiting for the server", and one stopped while it waits (as a closed tab's run is) never runs."""

from __future__ import annotations

import threading
import time

import pytest

from explorer import admission
from explorer.admission import Gate, Withdrawn


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


def occupied(gate: Gate, hold_at_most: float = 5) -> tuple[threading.Thread, threading.Event]:
    """A thread holding the gate's one slot until the returned event is set."""
    held, release = threading.Event(), threading.Event()

    def hold():
        with gate.slot():
            held.set()
            release.wait(hold_at_most)

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
    from app_pages import _runs
    gate = Gate(1)
    monkeypatch.setattr(_runs, "HEAVY", gate)
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
        _runs.cached_run("x = 2.0; x * x * 7.5", "float32", 12345, waiting=told.append)))
    mine.start()
    deadline = time.monotonic() + 5
    while not told and time.monotonic() < deadline:
        time.sleep(0.01)
    assert told == [1] and not result            # told one is ahead, and still waiting
    release.set()
    mine.join(60)
    other.join(5)
    assert result and float(result[0].gradient(result[0].default_target, "x")) == pytest.approx(30.0)  # 2·7.5·x


def queued(gate: Gate, work, n: int) -> threading.Thread:
    """Start `work` in a thread and wait until it is the gate's n-th waiter."""
    t = threading.Thread(target=work)
    t.start()
    deadline = time.monotonic() + 5
    while gate.waiting < n:
        assert time.monotonic() < deadline, "the caller never queued"
        time.sleep(0.005)
    return t


def test_a_withdrawn_waiter_at_the_head_of_the_queue_leaves_without_running():
    """The audit's case: a closed tab's run is first in the queue when the slot frees. It must not take
    the slot and run its program; the caller behind it runs instead, at once (not after a poll)."""
    gate = Gate(1)
    holder, release = occupied(gate)
    closed, ran, errors = threading.Event(), [], []

    def head():
        try:
            with gate.slot(wanted=lambda: not closed.is_set(), poll=60):   # no poll would notice in time
                ran.append("closed tab")
        except Withdrawn as e:
            errors.append(e)

    def behind():
        with gate.slot(timeout=10):
            ran.append("next student")

    first = queued(gate, head, 1)
    second = queued(gate, behind, 2)
    closed.set()                     # the tab closes while its run waits at the head ...
    release.set()                    # ... and the slot frees before any poll
    for t in (holder, first, second):
        t.join(10)
        assert not t.is_alive()
    assert ran == ["next student"] and len(errors) == 1
    assert gate.running == 0 and gate.waiting == 0


def test_a_waiter_whose_run_is_stopped_leaves_while_the_slot_is_still_taken():
    """Streamlit's check raises (StopException, a BaseException) once a run is stopped: the waiter leaves
    within a poll, and the one behind it moves up and is told so."""
    gate = Gate(1)
    holder, release = occupied(gate)
    stopped, outcome, told = threading.Event(), [], []

    def check():
        if stopped.is_set():
            raise KeyboardInterrupt("the script run was stopped")

    def head():
        try:
            with gate.slot(wanted=check, poll=0.05):
                outcome.append("ran")
        except KeyboardInterrupt:
            outcome.append("left")

    got = threading.Event()

    def behind():
        with gate.slot(on_wait=told.append, timeout=10):
            got.set()

    first = queued(gate, head, 1)
    second = queued(gate, behind, 2)
    stopped.set()
    first.join(5)
    assert outcome == ["left"] and gate.running == 1        # it left while the other run still held the slot
    deadline = time.monotonic() + 5
    while told[-1:] != [1] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert told == [2, 1]                                     # the one behind it was told it moved up
    assert not got.is_set()
    release.set()
    holder.join(5)
    second.join(5)
    assert got.is_set() and gate.running == 0 and gate.waiting == 0     # then the second caller ran


# ---- the gate's size ---------------------------------------------------------------------------------

def write(root, files: dict[str, str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.mark.parametrize("files, cpus", [
    ({"proc": "0::/\n", "cg/cpu.max": "200000 100000\n"}, 2.0),                 # docker --cpus 2, cgroup v2
    ({"proc": "0::/\n", "cg/cpu.max": "max 100000\n"}, None),                   # no limit
    ({"proc": "0::/\n", "cg/cpu.max": "150000 100000\n"}, 1.5),
    # a pod's container cgroup without a limit of its own, under a pod cgroup limited to half a CPU
    ({"proc": "0::/kubepods/pod1/ctr\n", "cg/kubepods/pod1/ctr/cpu.max": "max 100000\n",
      "cg/kubepods/pod1/cpu.max": "50000 100000\n", "cg/kubepods/cpu.max": "max 100000\n"}, 0.5),
    # cgroup v1: the cpu controller's quota and period (the kubelet's 2-CPU limit)
    ({"proc": "4:cpu,cpuacct:/\n1:name=systemd:/\n", "cg/cpu,cpuacct/cpu.cfs_quota_us": "200000\n",
      "cg/cpu,cpuacct/cpu.cfs_period_us": "100000\n"}, 2.0),
    ({"proc": "3:cpu:/\n2:cpuacct:/\n", "cg/cpu/cpu.cfs_quota_us": "-1\n", "cg/cpu/cpu.cfs_period_us": "100000\n"},
     None),                                                                     # v1, no quota (-1)
    # v1 without a cgroup namespace: /proc/self/cgroup names the host's path, the mount is the container's
    ({"proc": "4:cpu:/docker/abc\n", "cg/cpu/cpu.cfs_quota_us": "300000\n", "cg/cpu/cpu.cfs_period_us": "100000\n"},
     3.0),
    ({"proc": "0::/\n"}, None),                                                 # no cgroup files at all
    ({"proc": "0::/\n", "cg/cpu.max": "garbage\n"}, None),
])
def test_cgroup_quota_from_fake_files(tmp_path, files, cpus):
    write(tmp_path, files)
    assert admission.cgroup_cpus(tmp_path / "cg", tmp_path / "proc") == cpus


def test_slots_are_the_fewest_cpus_the_process_may_use(monkeypatch):
    monkeypatch.delenv("GE_HEAVY_SLOTS", raising=False)
    monkeypatch.setattr(admission.os, "cpu_count", lambda: 64)              # the node's cores ...
    monkeypatch.setattr(admission.os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    monkeypatch.setattr(admission, "cgroup_cpus", lambda: 1.5)               # ... a 1.5-CPU container limit
    assert admission._default_limit() == 2
    monkeypatch.setattr(admission, "cgroup_cpus", lambda: None)
    assert admission._default_limit() == 8                                   # the affinity mask
    monkeypatch.setattr(admission, "cgroup_cpus", lambda: 0.25)
    assert admission._default_limit() == 1
    monkeypatch.setenv("GE_HEAVY_SLOTS", "3")
    assert admission._default_limit() == 3                                   # set explicitly: it wins
    monkeypatch.setenv("GE_HEAVY_SLOTS", "0")
    assert admission._default_limit() == 1                                   # nonsense: the CPUs


# ---- pages under real Streamlit script runs ----------------------------------------------------------

class Watched:
    """AppTest's script runner, remembered so that a test can stop its run as a closed tab's is stopped
    (Streamlit's session manager calls request_script_stop when the websocket goes)."""
    runners: list = []

    @classmethod
    def install(cls, monkeypatch):
        from streamlit.testing.v1 import app_test
        base = app_test.LocalScriptRunner

        class Runner(base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                cls.runners.append(self)

        cls.runners = []
        monkeypatch.setattr(app_test, "LocalScriptRunner", Runner)


def waiting_texts(at) -> list[str]:
    return [e.value for e in at.info if "Waiting for the server" in str(e.value)]


@pytest.fixture
def full_gate(monkeypatch):
    """The server's gate with one slot, taken by another student's run until released (or 60 s)."""
    from app_pages import _runs
    gate = Gate(1)
    monkeypatch.setattr(_runs, "HEAVY", gate)
    holder, release = occupied(gate, hold_at_most=60)
    yield gate, release
    release.set()
    holder.join(65)


def stop_when_queued(gate: Gate, after: float = 1.0) -> threading.Thread:
    """Stop the page's script run once it has waited in the gate's queue for `after` seconds."""
    def stop():
        deadline = time.monotonic() + 120
        while gate.waiting == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(after)                   # the waiting message is written on joining the queue
        Watched.runners[-1].request_stop()
    t = threading.Thread(target=stop, daemon=True)
    t.start()
    return t


def test_a_page_run_waiting_for_the_server_says_so_and_once_stopped_never_runs(monkeypatch, full_gate):
    """The step-through page with a program nobody has run, the server's one slot taken: the page shows
    "Waiting for the server"; its run is stopped while it waits (a closed tab), leaves the queue at once
    although the slot is still taken, and its program is never run, not even once the slot frees."""
    from tests.apptest import page_path
    from streamlit.testing.v1 import AppTest
    Watched.install(monkeypatch)
    ran = []
    real_run = __import__("explorer").run
    monkeypatch.setattr("explorer.run", lambda *a, **k: (ran.append(a[0]), real_run(*a, **k))[1])
    at = AppTest.from_file(page_path("walkthrough"), default_timeout=60)
    at.query_params["program"] = __import__("explorer.share", fromlist=["x"]).encode_program(
        "x = 1.25; x * x * 7.0 + 0.5")
    gate, release = full_gate
    stopper = stop_when_queued(gate)
    at.run()
    stopper.join(5)
    assert gate.running == 1 and gate.waiting == 0     # it left while the other run still held the slot
    assert waiting_texts(at) == ["Waiting for the server: 1 run of other users ahead of yours …"]
    release.set()                                       # the slot frees: the stopped run must not start now
    with gate.slot(timeout=65):
        pass
    assert ran == []


def test_the_descent_race_waits_for_the_server_with_the_same_message(monkeypatch, full_gate):
    from tests.apptest import page_path
    from streamlit.testing.v1 import AppTest
    Watched.install(monkeypatch)
    at = AppTest.from_file(page_path("descent"), default_timeout=60)
    at.query_params["x0"] = "1.2345"                    # a race nobody has run: not in the page's store
    gate, _ = full_gate
    stopper = stop_when_queued(gate)
    at.run()
    stopper.join(5)
    assert gate.running == 1 and gate.waiting == 0
    assert waiting_texts(at) == ["Waiting for the server: 1 run of other users ahead of yours …"]
    assert not at.get("plotly_chart")                    # nothing raced while it waited: no chart, no race picture
    assert not [e for e in at.get("bidi_component") if e.proto.component_name == "gradient_explorer.descent"]


def test_every_program_run_a_page_starts_can_say_it_waits():
    """Each cached_run call in the pages passes the waiting message, except the warm-ups (background work
    before any page: no element to write to)."""
    import ast
    from tests.apptest import ROOT
    silent = []
    for path in sorted((ROOT / "app_pages").glob("*.py")):
        tree = ast.parse(path.read_text())
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef) or fn.name.startswith("warm"):
                continue
            for call in ast.walk(fn):
                if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "cached_run" and \
                        not any(k.arg == "waiting" for k in call.keywords):
                    silent.append(f"{path.name}:{call.lineno} in {fn.name}")
    assert silent == [], silent
