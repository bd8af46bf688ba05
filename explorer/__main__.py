"""`python -m explorer program.py --view backward -o graph.svg`: a program's graph as a picture for
slides (.svg, .png with Graphviz's `dot`, .dot), as DOT on standard output, or the graph model as JSON.
A program that cannot run is reported as `file:line:col: message` with exit status 1."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m explorer", description=__doc__.split("\n")[0].strip("`"))
    p.add_argument("program", help="a program file of the safe TensorFlow language, or - for standard input")
    p.add_argument("--view", choices=("forward", "backward", "tf"), default="backward",
                   help="which graph (default: backward)")
    p.add_argument("-o", "--output", help="write the picture here; .svg, .png or .dot by suffix "
                                          "(default: DOT on standard output)")
    p.add_argument("--json", action="store_true", help="print the graph model as JSON instead of a picture")
    p.add_argument("--target", help="the value to differentiate (default: the program's own target)")
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--recording", type=int, help="which recording of a loop (default: the last)")
    p.add_argument("--layout", choices=("TB", "LR"), default="TB", help="top to bottom or left to right")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    name = "<stdin>" if args.program == "-" else args.program
    try:
        source = sys.stdin.read() if args.program == "-" else Path(args.program).read_text(encoding="utf-8")
    except OSError as e:
        print(f"{name}: cannot read: {e.strerror or e}", file=sys.stderr)
        return 2

    import explorer
    from explorer.errors import excerpt
    from explorer.notebook import run_json, view
    try:
        run = explorer.run(source, dtype=args.dtype, seed=args.seed, recording=args.recording)
        if args.json:
            text = json.dumps(run_json(run, args.target), indent=1)
            if args.output:
                Path(args.output).write_text(text + "\n", encoding="utf-8")
            else:
                print(text)
            return 0
        picture = view(run, args.view, args.target, rankdir=args.layout)
        if args.output:
            picture.save(args.output)
        else:
            print(picture.dot)
        return 0
    except explorer.ProgramError as e:
        where = f"{name}:{e.line}:{e.col}: " if e.line is not None else f"{name}: "
        print(where + e.message, file=sys.stderr)
        shown = excerpt(source, e)
        if shown:
            print(shown, file=sys.stderr)
        return 1
    except (KeyError, ValueError, RuntimeError) as e:
        print(f"{name}: {e.args[0] if isinstance(e, KeyError) and e.args else e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
