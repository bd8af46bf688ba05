"""Two real replicas of the app behind HAProxy with the repository's deploy/haproxy.cfg: a browser's
session stays on the replica it started on, across a reload and while a second browser works on the
other one, and a dropped websocket (a network blip) reconnects to the same Streamlit session. Which
replica served what is read from HAProxy's own per-server counters."""

from __future__ import annotations

import shutil

import pytest

from bench.browser import PROJECTOR, wait_idle
from bench.proxy import replicas, sessions
from explorer.presets import PRESETS
from explorer.share import encode_program

# Keep every websocket the page opens, so the test can drop them as a network blip would.
KEEP_SOCKETS = """
window.__sockets = [];
window.WebSocket = class extends window.WebSocket {
    constructor(...args) { super(...args); window.__sockets.push(this); }
};
"""


@pytest.fixture(scope="module")
def two_replicas_behind_haproxy():
    if not shutil.which("haproxy"):
        pytest.skip("haproxy is not installed (.ci/run installs it: apt-get install haproxy)")
    with replicas(2) as (url, stats):
        yield url, stats


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
        # its last request: the Graph page fetches Streamlit's Plotly code once it has been idle 2 s
        b.wait_for_function("() => performance.getEntriesByType('resource').some(r => r.name.includes('PlotlyChart'))",
                            timeout=30_000)
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


def pick(page, title: str) -> None:
    page.get_by_role("combobox", name="Example").click()
    page.get_by_role("option", name=title, exact=True).click()
    page.wait_for_function("(s) => document.querySelector('textarea').value === s",
                           arg=next(p.source for p in PRESETS if p.title == title))
    wait_idle(page)


def test_a_dropped_websocket_comes_back_to_its_session(browser, two_replicas_behind_haproxy):
    """The session is what stickiness protects: after the websocket drops, the browser reconnects through
    HAProxy to the same replica, which still holds its session. Session-only state shows it: a typed
    program stays in the Example list as "(your own program)" after an example is picked (the address
    bar then names only the example, so a new session on the other replica would not list it)."""
    url, stats = two_replicas_behind_haproxy
    context = browser.new_context(viewport=PROJECTOR)
    context.add_init_script(KEEP_SOCKETS)
    try:
        page = context.new_page()
        page.set_default_timeout(90_000)
        before = sessions(stats)
        open_graph(page, url)                               # a typed program: "(your own program)"
        first, second = PRESETS[0].title, PRESETS[1].title
        pick(page, first)
        opened = sessions(stats)
        used = {s for s in opened if opened[s] > before[s]}
        assert len(used) == 1, (before, opened)

        page.evaluate("window.__sockets.forEach(s => s.close())")
        page.wait_for_function("() => window.__sockets.length >= 2 && "
                               "window.__sockets[window.__sockets.length - 1].readyState === WebSocket.OPEN")
        pick(page, second)                                  # a rerun on the reconnected websocket
        after = sessions(stats)
        assert {s for s in after if after[s] > opened[s]} == used, (opened, after)   # the same replica

        page.get_by_role("combobox", name="Example").click()
        assert page.get_by_role("option", name="(your own program)", exact=True).count() == 1   # the same session
        page.keyboard.press("Escape")
    finally:
        context.close()
