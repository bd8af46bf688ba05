"""Fuzzing the views: mutated programs through explorer.run and then every view, as the pages show them.

    python -m tests.fuzz --count 10000 --seed 1        # `make fuzz`
    tests/test_fuzz.py runs 1,000 of them in `make test`

The mutants come from the presets and the small programs of tests/corpus, changed token by token
(numbers, operators, names, TensorFlow functions, shapes) and line by line. A worker process runs a slice
of them and writes one JSON line per program; the parent sees a crash (a segmentation fault ends the
worker with the program it was on), a hang or a memory blow-up that an in-process test could not
survive. Allowed outcomes: a result, explorer.ProgramError from the run, ViewError from a view."""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import sys
import time
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"

NUMBERS = ["0", "0.0", "1", "-1.0", "2", "0.5", "3.0", "1e-30", "1e30", "100", "1e-7", "-2.5", "7", "2**31",
           "[]", "[[]]", "[1.0, 2.0]", "[[1.0], [2.0]]", "float('nan')", "0.1"]
OPERATORS = [["+", "-", "*", "/", "**", "@", "//", "%"], ["<", ">", "==", "!=", "<=", ">="], ["+=", "-=", "*=", "/="]]
FUNCTIONS = ["tf.sin", "tf.exp", "tf.math.log", "tf.sqrt", "tf.abs", "tf.nn.relu", "tf.tanh", "tf.square",
             "tf.reduce_sum", "tf.reduce_mean", "tf.reduce_max", "tf.nn.softmax", "tf.sigmoid", "tf.transpose",
             "tf.linalg.matrix_transpose", "tf.stop_gradient", "tf.math.reciprocal", "tf.reduce_logsumexp",
             "tf.math.cumsum", "tf.norm", "tf.zeros_like", "tf.identity", "tf.squeeze", "tf.math.argmax",
             "tf.nn.softmax_cross_entropy_with_logits", "tf.constant", "tf.Variable", "tf.cast", "tf.round"]
SUFFIXES = ["[None]", "[0]", "[1:]", "[:, 0]", ".numpy()", ".shape", "[..., None]", "[::-1]"]


SLOW = {"mit_sgd.py", "ch3_linear_classifier.py", "ch2_from_scratch.py", "tf_loops_in_tape.py", "ch2_timing.py",
        "guide_basics.py", "guide_advanced.py"}


def bases() -> list[str]:
    """The programs mutants start from: every preset, and the corpus programs but the few long loops (a
    fixed list, so that a seed always gives the same programs)."""
    import explorer
    return [p.source for p in explorer.PRESETS] + [p.read_text() for p in sorted(CORPUS.glob("*.py"))
                                                   if p.name not in SLOW]


def mutate(source: str, rng: random.Random, n: int) -> str:
    for _ in range(n):
        source = rng.choice([_token_mutation, _token_mutation, _token_mutation, _line_mutation])(source, rng)
    return source


def _token_mutation(source: str, rng: random.Random) -> str:
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source
    names = [t.string for t in tokens if t.type == tokenize.NAME and t.string.isidentifier()]
    picks = [i for i, t in enumerate(tokens) if t.type in (tokenize.NUMBER, tokenize.OP, tokenize.NAME)]
    if not picks:
        return source
    i = rng.choice(picks)
    t = tokens[i]
    if t.type == tokenize.NUMBER:
        new = rng.choice(NUMBERS)
    elif t.type == tokenize.OP:
        group = next((g for g in OPERATORS if t.string in g), None)
        if group is None:
            if t.string == ")" and rng.random() < 0.5:
                new = ")" + rng.choice(SUFFIXES)
            else:
                return source
        else:
            new = rng.choice(group)
    else:
        if i + 2 < len(tokens) and tokens[i + 1].string == "." and rng.random() < 0.5:
            new = rng.choice(FUNCTIONS)            # tf . sin -> another function (the dots stay valid)
            end = i
            while end + 2 < len(tokens) and tokens[end + 1].string == ".":
                end += 2
            return _replace(source, tokens[i], tokens[end], new)
        new = rng.choice(names) if names and rng.random() < 0.7 else t.string + rng.choice(SUFFIXES)
    return _replace(source, t, t, new)


def _replace(source: str, first, last, new: str) -> str:
    lines = source.splitlines(keepends=True)
    (r0, c0), (r1, c1) = first.start, last.end
    before = "".join(lines[:r0 - 1]) + lines[r0 - 1][:c0]
    after = lines[r1 - 1][c1:] + "".join(lines[r1:])
    return before + new + after


def _line_mutation(source: str, rng: random.Random) -> str:
    """Delete, duplicate or swap simple statements, keeping each line's indentation (blocks stay blocks)."""
    lines = source.splitlines()
    simple = [i for i, x in enumerate(lines) if x.strip() and not x.rstrip().endswith((":", "\\", ",", "(", "["))
              and not x.lstrip().startswith(("#", ")", "]"))]
    if len(simple) < 2:
        return source
    k, j = rng.choice(simple), rng.choice(simple)
    indent = lambda x: x[:len(x) - len(x.lstrip())]          # noqa: E731
    choice = rng.random()
    if choice < 0.4:
        del lines[k]
    elif choice < 0.8:
        lines.insert(k, indent(lines[k]) + lines[j].lstrip())
    else:
        lines[k], lines[j] = indent(lines[k]) + lines[j].lstrip(), indent(lines[j]) + lines[k].lstrip()
    return "\n".join(lines)


def programs(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    base = bases()
    return [mutate(rng.choice(base), rng, rng.randint(1, 2)) for _ in range(count)]


def exercise(source: str) -> dict:
    """One program through the run and every view, for up to two targets. The outcome, never raises."""
    import explorer
    from explorer.views import ViewError, every_view
    out: dict = {"outcome": "result", "views": 0.0}
    start = time.monotonic()
    try:
        run = explorer.run(source)
    except explorer.ProgramError as e:
        return {"outcome": "refused", "seconds": time.monotonic() - start, "message": str(e)[:200]}
    except Exception as e:                                        # noqa: BLE001 - what the fuzz is for
        return {"outcome": "crash", "where": "run", "error": f"{type(e).__name__}: {e}"[:500],
                "seconds": time.monotonic() - start, "source": source}
    out["seconds"] = run.seconds
    views_start = time.monotonic()
    try:
        for target in run.targets()[:2] or [None]:
            every_view(run, target)
    except ViewError:                                             # a view with nothing to show: said in words
        pass
    except Exception as e:                                        # noqa: BLE001
        import traceback
        out.update(outcome="crash", where="views", error=f"{type(e).__name__}: {e}"[:500],
                   trace=traceback.format_exc(limit=-4)[-1500:], source=source)
    out["views"] = time.monotonic() - views_start
    return out


def worker(count: int, seed: int, start: int, stop: int, path: str) -> None:
    """Programs start..stop of programs(count, seed), one JSON line each to `path`, flushed before the
    next begins: the last line names the program a crash happened on."""
    import warnings
    warnings.simplefilter("ignore")
    import logging
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    progs = programs(count, seed)
    with open(path, "a") as f:
        for k in range(start, stop):
            f.write(json.dumps({"k": k, "begin": True}) + "\n")
            f.flush()
            result = exercise(progs[k])
            result.update(k=k, rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
            f.write(json.dumps(result) + "\n")
            f.flush()


def run_workers(count: int, seed: int, workers: int, out_dir: Path, timeout: float) -> list[dict]:
    """Run the programs in `workers` subprocesses; the records of every program, and a crash record
    for a worker that died or hung (with the program it was on)."""
    import subprocess
    out_dir.mkdir(parents=True, exist_ok=True)
    procs = []
    per = -(-count // workers)
    for w in range(workers):
        start, stop = w * per, min(count, (w + 1) * per)
        path = out_dir / f"fuzz-{seed}-{w}.jsonl"
        path.unlink(missing_ok=True)
        env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
        procs.append((subprocess.Popen([sys.executable, "-m", "tests.fuzz", "--worker", str(count), str(seed),
                                        str(start), str(stop), str(path)], cwd=ROOT, env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), path))
    records: list[dict] = []
    deadline = time.monotonic() + timeout
    for proc, path in procs:
        try:
            _, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
            died = proc.returncode != 0
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
            died = True
        lines = [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []
        records += [r for r in lines if not r.get("begin")]
        if died:
            done = {r["k"] for r in lines if not r.get("begin")}
            begun = [r["k"] for r in lines if r.get("begin") and r["k"] not in done]
            records.append({"k": begun[-1] if begun else None, "outcome": "crash", "where": "worker",
                            "error": f"worker ended with {proc.returncode}: {err.decode()[-800:]}"})
    return records


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--worker", nargs=5)
    args = parser.parse_args()
    if args.worker:
        count, seed, start, stop, path = args.worker
        worker(int(count), int(seed), int(start), int(stop), path)
        return
    start = time.monotonic()
    records = run_workers(args.count, args.seed, args.workers, ROOT / "test-output" / "fuzz", timeout=24 * 3600)
    report(records, time.monotonic() - start)
    sys.exit(1 if problems(records) else 0)


def problems(records: list[dict]) -> list[dict]:
    """Crashes, runs past the time limit, views past theirs, and workers past the memory bound."""
    from explorer import limits
    bad = []
    for r in records:
        if r["outcome"] == "crash":
            bad.append(r)
        elif r.get("seconds", 0) > limits.MAX_SECONDS:
            bad.append({**r, "problem": f"the run took {r['seconds']:.2f} s"})
        elif r.get("views", 0) > limits.MAX_VIEW_SECONDS:
            bad.append({**r, "problem": f"the views took {r['views']:.2f} s"})
        elif r.get("rss_mb", 0) > limits.MAX_RUN_MEMORY_MB * 2:
            bad.append({**r, "problem": f"the worker grew to {r['rss_mb']:.0f} MB"})
    return bad


def report(records: list[dict], seconds: float) -> None:
    from collections import Counter
    counts = Counter(r["outcome"] for r in records)
    runs = sorted(r.get("seconds", 0) for r in records)
    views = sorted(r.get("views", 0) for r in records)
    print(f"{len(records)} programs in {seconds:.0f} s: {dict(counts)}")
    if runs:
        print(f"run seconds: median {runs[len(runs) // 2]:.3f}, max {runs[-1]:.2f}; view seconds: median "
              f"{views[len(views) // 2]:.3f}, max {views[-1]:.2f}; worker memory max "
              f"{max(r.get('rss_mb', 0) for r in records):.0f} MB")
    for r in problems(records)[:20]:
        print("PROBLEM", json.dumps(r)[:2000])


if __name__ == "__main__":
    main()
