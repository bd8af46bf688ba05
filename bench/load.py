"""How many students one server holds: N simulated students in headless Chromium, all at once, each
through a short lesson against one app server (or several behind deploy/haproxy.cfg), on localhost only.

The lesson, per student: open the Graph page; change the example; open the step-through and step five
steps; open the playground, Play for 10 s, Pause. Each server-bound action is timed from the click (or
the navigation) until the app is idle and painted (bench.browser's "click to idle"; for Play, until the
first trained frame is drawn); the report gives p50/p95 of those times and the number of students whose
lesson failed, per N.

    .venv/bin/python -m bench.load                       # N = 1 2 4 8 against one server
    .venv/bin/python -m bench.load --students 1 2 4 --replicas 2

Bounded: at most --max-students students; each action times out after --timeout s; the warm-up lesson
and the rounds together stop when --budget s have passed: a round still running then is cut short, its
unfinished lessons closed and counted as errors ("cut short by --budget"), later rounds not run (the
server's start and stop come on top). Chromium runs on the same machine as the server(s) and takes its
share of the cores, so the numbers are an upper bound for the server's own time to answer.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from bench.browser import CHROMIUM_ARGS, PROJECTOR, _IDLE_JS, _PAINTED_JS, chromium_path, streamlit_server
from explorer.presets import PRESETS

SECOND_EXAMPLE = PRESETS[0].title          # the Graph page opens on PRESETS[1]; the lesson switches to [0]
PLAY_SECONDS = 10.0
OUTPUT_DRAWN = "[class*=st-key-pg_output] .imagelayer image"      # the playground of Streamlit buttons
LIVE = ".ge-playground"                                              # the playground drawn in the browser
LIVE_PLAY = f"{LIVE} [data-do=play]"


async def idle(page, timeout: float, settle_ms: float = 150) -> float:
    """perf_counter time at which the app became idle and painted (as bench.browser.wait_idle)."""
    deadline = time.perf_counter() + timeout
    quiet_since = painted = None
    while time.perf_counter() < deadline:
        if await page.evaluate(_IDLE_JS):
            if quiet_since is None:
                quiet_since = time.perf_counter()
                await page.evaluate(_PAINTED_JS)
                painted = time.perf_counter()
            if (time.perf_counter() - quiet_since) * 1000 >= settle_ms:
                return painted
        else:
            quiet_since = None
        await page.wait_for_timeout(20)
    raise TimeoutError(f"the app was still running after {timeout:.0f} s")


async def lesson(browser, url: str, timeout: float) -> dict[str, float]:
    """One student's lesson; seconds to idle per action."""
    context = await browser.new_context(viewport=PROJECTOR)
    page = await context.new_page()
    page.set_default_timeout(timeout * 1000)
    times: dict[str, float] = {}
    try:
        start = time.perf_counter()
        await page.goto(url + "/")
        await page.locator(".ge-view svg g.node").first.wait_for()
        times["graph: open"] = await idle(page, timeout) - start

        start = time.perf_counter()
        await page.get_by_role("combobox", name="Example").click()
        await page.get_by_role("option", name=SECOND_EXAMPLE, exact=True).click()
        times["graph: change example"] = await idle(page, timeout) - start

        start = time.perf_counter()
        await page.goto(url + "/walkthrough")
        await page.locator(".ge-stepper[data-step]").wait_for()
        times["step-through: open"] = await idle(page, timeout) - start
        for k in range(2, 7):                  # five steps: in the browser, no server round trip
            await page.locator(".ge-stepper [data-do=next]").click()
            await page.locator(f".ge-stepper[data-step='{k}']").wait_for()

        await playground(page, url, timeout, times)
        return times
    finally:
        await context.close()


BUDGET_ERROR = "cut short by --budget"


async def first_frame(page, timeout: float) -> float:
    """perf_counter time at which the browser-side playground drew a trained frame (its data-step > 0)."""
    deadline = time.perf_counter() + timeout
    root = page.locator(LIVE)
    while time.perf_counter() < deadline:
        if int(await root.get_attribute("data-step") or 0) > 0:
            return time.perf_counter()
        await page.wait_for_timeout(20)
    raise TimeoutError(f"no trained frame {timeout:.0f} s after Play")


async def playground(page, url: str, timeout: float, times: dict[str, float]) -> None:
    """Open the playground, Play for PLAY_SECONDS, Pause: with the page's own Play button, whichever of
    its two forms the server draws (buttons inside the browser-side component, where the time from Play
    to the first trained frame is measured too, or Streamlit buttons)."""
    start = time.perf_counter()
    await page.goto(url + "/playground")
    # locators, not document.querySelector: they also look inside the component's shadow root
    await page.locator(f"{LIVE}[data-ready='1']").or_(page.locator(OUTPUT_DRAWN)).first.wait_for()
    times["playground: open"] = await idle(page, timeout) - start
    if await page.locator(LIVE_PLAY).count():
        play = page.locator(LIVE_PLAY)
        start = time.perf_counter()
        await play.click()
        times["playground: first frame"] = await first_frame(page, timeout) - start
        await page.wait_for_timeout(max(0.0, PLAY_SECONDS - (time.perf_counter() - start)) * 1000)
        start = time.perf_counter()
        await play.click()
        await page.locator(f"{LIVE}[data-playing='0']").wait_for()
    else:
        # .first: while the page reruns under load, Streamlit can show the old button beside the new one
        play = page.locator(".st-key-pg_play button").first
        await play.click()
        await page.wait_for_timeout(PLAY_SECONDS * 1000)
        start = time.perf_counter()
        await play.click()
        await page.wait_for_function("() => document.querySelector('.st-key-pg_play button')"
                                     ".textContent.includes('Play')", timeout=timeout * 1000)
    times["playground: pause"] = await idle(page, timeout) - start


async def round_of(browser, url: str, n: int, timeout: float, stop: float) -> tuple[list[dict[str, float]], list[str]]:
    """n lessons at once, until they end or the monotonic clock reaches `stop`: then the unfinished ones
    are cancelled (each closes its browser context) and reported as errors."""
    tasks = [asyncio.create_task(lesson(browser, url, timeout)) for _ in range(n)]
    _, pending = await asyncio.wait(tasks, timeout=max(0.0, stop - time.monotonic()))
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    done, errors = [], []
    for task in tasks:
        if task in pending:
            errors.append(BUDGET_ERROR)
        elif task.exception() is not None:
            e = task.exception()
            errors.append(f"{type(e).__name__}: {str(e).splitlines()[0][:120] if str(e) else ''}")
        else:
            done.append(task.result())
    return done, errors


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def report(n: int, done: list[dict[str, float]], errors: list[str], wall: float) -> str:
    every = [t for d in done for t in d.values()]
    line = f"  N={n:<3} errors {len(errors)}/{n}   lesson wall {wall:5.1f} s"
    if every:
        line += f"   time to idle p50 {statistics.median(every):5.2f} s  p95 {percentile(every, 0.95):5.2f} s"
        actions = {a for d in done for a in d}
        for action in sorted(actions, key=lambda a: list(done[0]).index(a) if a in done[0] else 99):
            samples = [d[action] for d in done if action in d]
            line += f"\n      {action:24s} p50 {statistics.median(samples):5.2f} s  p95 {percentile(samples, 0.95):5.2f} s"
    for e in sorted(set(errors)):
        line += f"\n      error: {e}"
    return line


async def measure(url: str, students: list[int], timeout: float, budget: float) -> list[str]:
    from playwright.async_api import async_playwright
    lines = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            stop = time.monotonic() + budget
            _, warm_errors = await round_of(browser, url, 1, timeout, stop)   # warm: first runs import and compile
            if warm_errors:
                lines.append(f"  warm-up lesson: {warm_errors[0]}")
                print(lines[-1], flush=True)
            for n in students:
                if time.monotonic() >= stop:
                    lines.append(f"  N={n}: not run (the --budget of {budget:.0f} s was spent)")
                    print(lines[-1], flush=True)
                    continue
                start = time.perf_counter()
                done, errors = await round_of(browser, url, n, timeout, stop)
                lines.append(report(n, done, errors, time.perf_counter() - start))
                print(lines[-1], flush=True)
        finally:
            await browser.close()
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--replicas", type=int, default=1, help="app servers; more than 1: behind HAProxy")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds one action may take")
    parser.add_argument("--budget", type=float, default=900.0,
                        help="seconds for the warm-up lesson and all rounds together; a round still running then is cut short")
    parser.add_argument("--max-students", type=int, default=16)
    args = parser.parse_args(argv)
    if chromium_path() is None:
        print("load test: skipped (no Chromium; install Debian's chromium)")
        return
    students = [n for n in args.students if 1 <= n <= args.max_students]
    where = "one server" if args.replicas == 1 else f"{args.replicas} replicas behind HAProxy (deploy/haproxy.cfg)"
    print(f"load: N students at once through the lesson, {where}, localhost, Chromium on the same 2 cores")
    if args.replicas == 1:
        with streamlit_server() as url:
            asyncio.run(measure(url, students, args.timeout, args.budget))
    else:
        from bench.proxy import replicas
        with replicas(args.replicas) as (url, _):
            asyncio.run(measure(url, students, args.timeout, args.budget))


if __name__ == "__main__":
    main()
