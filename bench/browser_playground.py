"""The Network playground live in headless Chromium at 1280×720, as a student sees it: how often the picture
changes while playing (visual updates per second, read from the output's own pixels), how fast training
goes (epochs per second), how soon Pause stops the picture, how soon a setting change shows, and the same
for several students playing at once on one server. Medians of 5.

`measure(browser, url)` is imported by bench/bench_browser.py; run alone it starts its own server and
browser and prints medians:

    .venv/bin/python -m bench.browser_playground
"""

from __future__ import annotations

import statistics
import time

from bench.browser import PROJECTOR, chromium, click_to_idle, streamlit_server, wait_idle, wait_server_quiet

PAGE = "/playground"
ROOT = ".ge-playground"
PLAY = ".ge-playground [data-do=play]"

# Installed once per page: every frame drawn is recorded with its time, step, epoch and a hash of the output's
# pixels (window.__frames), from the picture's own "ge-frame" event on the document (the picture's root can
# be mounted again by Streamlit, an observer on it would go deaf); every click inside the page with its event
# time (window.__clicks); every "Starting again …" shown (window.__restarting).
RECORD_FRAMES_JS = """() => {
    window.__frames = [];
    window.__clicks = [];
    window.__restarting = [];
    const hash = (heat) => {
        const d = heat.getContext('2d').getImageData(0, 0, heat.width, heat.height).data;
        let h = 0;
        for (let i = 0; i < d.length; i += 3) h = (h * 31 + d[i]) | 0;
        return h;
    };
    document.addEventListener('ge-frame', e => {
        const root = e.detail.root;
        window.__frames.push({t: performance.now(), step: +root.dataset.step, epoch: +root.dataset.epoch,
                              gen: root.dataset.gen, heat: hash(root.querySelector('.pg-heat'))});
    });
    for (const type of ['pointerdown', 'keydown'])     // the user's inputs, by their own event times
        document.addEventListener(type, e => window.__clicks.push(e.timeStamp), true);
    document.addEventListener('ge-restarting', () => window.__restarting.push(performance.now()));
}"""


def open_playground(browser, url: str, query: str = ""):
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(url + PAGE + query)
    page.locator(f"{ROOT}[data-ready='1']").wait_for()
    wait_idle(page)
    page.evaluate(RECORD_FRAMES_JS)
    return context, page


def frames(page) -> list[dict]:
    return page.evaluate("window.__frames")


def play_for(page, seconds: float) -> list[dict]:
    """Press Play, let it run `seconds` from the first frame that moves, and return the frames drawn then."""
    start = len(frames(page))
    page.locator(PLAY).click()
    page.wait_for_function("(n) => window.__frames.slice(n).some(f => f.step > 0)", arg=start, timeout=120_000)
    page.wait_for_timeout(seconds * 1000)
    return [f for f in frames(page)[start:]]


def rates(recorded: list[dict]) -> dict[str, float]:
    """Visual updates per second (the output's pixels changed) and epochs per second over what was recorded,
    from the first moving frame on."""
    moving = [f for f in recorded if f["step"] > recorded[0]["step"]] or recorded
    span = (moving[-1]["t"] - moving[0]["t"]) / 1000 or 1e-9
    changes = sum(1 for a, b in zip(moving, moving[1:]) if a["heat"] != b["heat"])
    return {"updates/s": changes / span, "epochs/s": (moving[-1]["epoch"] - moving[0]["epoch"]) / span,
            "longest gap ms": max((b["t"] - a["t"] for a, b in zip(moving, moving[1:])), default=0.0)}


def pause(page) -> dict[str, float]:
    """Click Pause; milliseconds from the click's own event time until the button says Play, and until the
    last frame drawn after it (0 when none came); and whether the picture then holds for a second."""
    count = page.evaluate("window.__clicks.length")
    # the moment the button says Play, taken in the page (asking from here would add a round trip)
    page.locator(ROOT).evaluate("""r => { window.__stopped = null; new MutationObserver((m, o) => {
        if (r.dataset.playing === '0') { window.__stopped = performance.now(); o.disconnect(); } })
        .observe(r, {attributes: true, attributeFilter: ['data-playing']}); }""")
    page.locator(PLAY).click()
    page.wait_for_function("() => true")
    clicked = page.evaluate("(n) => window.__clicks[n]", count)
    page.locator(f"{ROOT}[data-playing='0']").wait_for()
    shown = page.evaluate("() => window.__stopped ?? performance.now()")
    page.wait_for_timeout(1000)
    step = page.locator(ROOT).get_attribute("data-step")
    moved = [f for f in frames(page) if f["t"] > clicked and str(f["step"]) != step]   # redraws of the same frame
    page.wait_for_timeout(500)                                                           # are no movement
    return {"button ms": shown - clicked, "last frame ms": max((f["t"] - clicked for f in moved), default=0.0),
            "held": page.locator(ROOT).get_attribute("data-step") == step, "step": int(step)}


def _pick(page, key: str, option: str) -> None:
    """Choose an option of a select box (a click that lands while the page redraws may not open it)."""
    for attempt in range(5):
        page.locator(f".st-key-{key}").click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=3000)
            return
        except Exception:
            if attempt == 4:
                raise
            page.keyboard.press("Escape")


def measure(browser, url: str, repeats: int = 5) -> dict[str, list[float]]:
    """Named timings and rates, `repeats` samples each (one new browser session per repeat)."""
    out: dict[str, list[float]] = {k: [] for k in (
        "first load ms", "updates/s while playing", "epochs/s while playing", "longest gap between frames ms",
        "Pause: button shows Play ms", "Pause: picture stops ms", "learning rate while playing: idle ms",
        "new network while playing: first frame ms", "data set while playing: first frame ms",
        "new network while playing: picture answers ms", "data set while playing: picture answers ms")}
    for _ in range(repeats):
        start = time.perf_counter()
        context, page = open_playground(browser, url)
        out["first load ms"].append((time.perf_counter() - start) * 1000)
        try:
            r = rates(play_for(page, 3))
            out["updates/s while playing"].append(r["updates/s"])
            out["epochs/s while playing"].append(r["epochs/s"])
            out["longest gap between frames ms"].append(r["longest gap ms"])
            out["learning rate while playing: idle ms"].append(click_to_idle(page, lambda: _pick(page, "pg_lr", "0.1")))
            for key, option, name in (("pg_activation", "relu", None), ("pg_units_0", None, "new network"),
                                      ("pg_data", "Exclusive or", "data set")):
                if name is None:
                    _pick(page, key, option)          # tuned: the picture goes on (not timed here)
                    wait_idle(page)
                    continue
                gen = page.locator(ROOT).get_attribute("data-gen")
                t0 = page.evaluate("() => performance.now()")
                for attempt in range(2):               # a press lost while the page redraws is made again
                    if option is None:
                        box = page.locator(f".st-key-{key} input")
                        box.fill("5")
                        box.press("Enter")
                    else:
                        _pick(page, key, option)
                    try:
                        page.wait_for_function("([g, t]) => window.__frames.some(f => f.gen !== g && f.t > t)",
                                               arg=[gen, t0], timeout=30_000)
                        break
                    except Exception:
                        page.screenshot(path=f"test-output/playground-bench-{name.replace(' ', '-')}.png")
                        if attempt:
                            raise
                first = page.evaluate("([g, t]) => window.__frames.find(f => f.gen !== g && f.t > t).t", [gen, t0])
                said = page.evaluate("(t) => window.__restarting.find(r => r > t)", t0)
                answer = min(first, said or first)
                # from the input that made the change (the option's click, the Enter key), by its event time
                start = page.evaluate("([t, a]) => Math.max(...window.__clicks.filter(c => c > t && c <= a))",
                                      [t0, answer])
                out[f"{name} while playing: first frame ms"].append(first - start)
                # the picture's first answer: "Starting again" over it, or the new network if that came first
                out[f"{name} while playing: picture answers ms"].append(answer - start)
                wait_idle(page)
            p = pause(page)
            out["Pause: button shows Play ms"].append(p["button ms"])
            out["Pause: picture stops ms"].append(p["last frame ms"])
        finally:
            context.close()
    return out


def students(browser, url: str, n: int, seconds: float = 5) -> list[float]:
    """n sessions playing at once (each its own browser context): each one's visual updates per second."""
    pages = [open_playground(browser, url) for _ in range(n)]
    try:
        starts = [len(frames(page)) for _, page in pages]
        for _, page in pages:
            page.locator(PLAY).click()
        time.sleep(1.5 + seconds)                     # every page plays the whole time measured
        result = []
        for (_, page), s in zip(pages, starts):
            recorded = [f for f in frames(page)[s:] if f["step"] > 0]
            late = [f for f in recorded if f["t"] >= recorded[-1]["t"] - seconds * 1000] if recorded else []
            result.append(rates(late)["updates/s"] if len(late) > 1 else 0.0)
        return result
    finally:
        for context, _ in pages:
            context.close()


def main() -> None:
    with streamlit_server() as url, chromium() as browser:
        context, page = open_playground(browser, url)    # the server's first run of the page
        context.close()
        wait_server_quiet(url)                           # its warm-up of every example done, as in a class
        results = measure(browser, url)
        print("Network playground live, headless Chromium at 1280×720, default network (circle, 4-2 tanh, batch 10), "
              "medians of 5 sessions")
        for name, samples in results.items():
            print(f"  {name:<44} {statistics.median(samples):8.1f}  (min {min(samples):.1f}, max {max(samples):.1f})")
        for n in (1, 2, 5, 8):
            each = students(browser, url, n)
            print(f"  {n} sessions playing at once: updates/s per session median {statistics.median(each):.1f}, "
                  f"lowest {min(each):.1f}")


if __name__ == "__main__":
    main()
