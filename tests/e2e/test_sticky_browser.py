"""Two real replicas of the app behind HAProxy with the repository's deploy/haproxy.cfg: a browser's
session stays on the replica it started on, across a reload and while a second browser works on the
other one. Which replica served what is read from HAProxy's own per-server counters."""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
import subprocess
import time
import urllib.request

import pytest

from bench.browser import PROJECTOR, free_port, streamlit_server, wait_idle
from explorer.share import encode_program
from tests.test_deploy import local_config


def sessions(stats_port: int) -> dict[str, int]:
    """Connections HAProxy has sent to each replica so far (health checks not counted)."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{stats_port}/stats;csv", timeout=5).read().decode()
    rows = csv.DictReader(io.StringIO(text.lstrip("# ")))
    return {r["svname"]: int(r["stot"]) for r in rows if r["pxname"] == "streamlit" and r["svname"].startswith("app")}


@pytest.fixture(scope="module")
def two_replicas_behind_haproxy(tmp_path_factory):
    haproxy = shutil.which("haproxy")
    if not haproxy:
        pytest.skip("haproxy is not installed (.ci/run installs it: apt-get install haproxy)")
    where = tmp_path_factory.mktemp("haproxy")
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(streamlit_server()) for _ in range(2)]
        front, stats = free_port(), free_port()
        ports = [int(u.rsplit(":", 1)[1]) for u in urls]
        cfg = local_config(front, ports) + (f"\nfrontend stats\n    bind 127.0.0.1:{stats}\n"
                                            "    stats enable\n    stats uri /stats\n")
        (where / "haproxy.cfg").write_text(cfg)
        proxy = subprocess.Popen([haproxy, "-db", "-f", str(where / "haproxy.cfg")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stack.callback(proxy.wait, 10)
        stack.callback(proxy.terminate)
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{front}/_stcore/health", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline and proxy.poll() is None, "HAProxy did not start"
                time.sleep(0.2)
        time.sleep(1)    # both replicas pass their first health check
        yield f"http://127.0.0.1:{front}", stats


def open_graph(page, url: str) -> None:
    page.goto(url + "/?program=" + encode_program("x = 3.0; x * x"))
    page.locator(".ge-view svg g.node").first.wait_for()
    wait_idle(page)


def test_a_session_stays_on_its_replica(browser, two_replicas_behind_haproxy):
    url, stats = two_replicas_behind_haproxy
    first = browser.new_context(viewport=PROJECTOR)
    second = browser.new_context(viewport=PROJECTOR)
    try:
        a = first.new_page()
        a.set_default_timeout(90_000)
        before = sessions(stats)
        open_graph(a, url)
        a.reload()
        a.locator(".ge-view svg g.node").first.wait_for()
        wait_idle(a)
        after_a = sessions(stats)
        used = {s for s in after_a if after_a[s] > before[s]}
        assert len(used) == 1, (before, after_a)            # page, static files and websocket: one replica
        cookie = {c["name"]: c["value"] for c in first.cookies()}
        assert "GE_REPLICA" in cookie

        b = second.new_page()                               # another student, another cookie jar
        b.set_default_timeout(90_000)
        open_graph(b, url)
        after_b = sessions(stats)
        assert all(after_b[s] > after_a[s] for s in after_b if s not in used)   # least busy: the other one

        a.reload()                                          # the first student again: the same replica
        a.locator(".ge-view svg g.node").first.wait_for()
        wait_idle(a)
        after_again = sessions(stats)
        assert {s for s in after_again if after_again[s] > after_b[s]} == used, (after_b, after_again)
        assert a.locator(".ge-view svg text").filter(has_text="x").count() > 0
    finally:
        first.close()
        second.close()
