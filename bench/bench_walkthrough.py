"""Walkthrough hot path: run a generated 200-op program and build every step (forward and backward),
against the same ops run eagerly under a plain tf.GradientTape with one tape.gradient call; then the
time to lay out every step for the browser once (explorer.stepper.frames plus the one SVG layout), which is
what a new program or target costs before Next / Play answer in the browser with no server work."""

from __future__ import annotations

import explorer
from bench.bench_graph import baseline, median_seconds, program
from explorer.images import svg
from explorer.stepper import frames


def main() -> None:
    source, ops = program(200)
    steps_time = median_seconds(lambda: explorer.run(source).walkthrough(), 11)
    eager = median_seconds(lambda: baseline(ops), 11)
    run = explorer.run(source)
    steps = run.walkthrough()
    graph = run.graph
    svg.cache_clear()
    draw = median_seconds(lambda: (svg.cache_clear(), svg(frames(graph, steps).dot)), 5)
    print("walkthrough: run + all steps for a 200-op program vs eager forward + one tape.gradient (medians)")
    print(f"  {len(steps)} steps in {steps_time * 1e3:.1f} ms vs eager {eager * 1e3:.1f} ms: "
          f"{steps_time / eager:.2f}x; every step laid out for the browser in {draw * 1e3:.1f} ms "
          f"({draw / eager:.2f}x eager)")


if __name__ == "__main__":
    main()
