"""Walkthrough hot path: run a generated 200-op program and build every step (forward and backward),
against the same ops run eagerly under a plain tf.GradientTape with one tape.gradient call; then the
time to draw one step's graph, which is what each Next / Play tick costs."""

from __future__ import annotations

import explorer
from bench.bench_graph import baseline, median_seconds, program
from explorer.walkthrough import step_dot


def main() -> None:
    source, ops = program(200)
    steps_time = median_seconds(lambda: explorer.run(source).walkthrough(), 11)
    eager = median_seconds(lambda: baseline(ops), 11)
    run = explorer.run(source)
    steps = run.walkthrough()
    graph = run.graph
    middle = len(steps) // 2
    draw = median_seconds(lambda: step_dot(graph, steps, middle), 11)
    print("walkthrough: run + all steps for a 200-op program vs eager forward + one tape.gradient (medians)")
    print(f"  {len(steps)} steps in {steps_time * 1e3:.1f} ms vs eager {eager * 1e3:.1f} ms: "
          f"{steps_time / eager:.2f}x; one step's graph drawn in {draw * 1e3:.1f} ms "
          f"({draw / eager:.2f}x eager)")


if __name__ == "__main__":
    main()
