"""1,000 mutated programs through the run and every view, in worker processes (tests/fuzz.py): no
exception other than ProgramError and ViewError, no crash, no run past the time limit, no view past
its own, no worker past the memory bound. `make fuzz` runs 10,000."""

from pathlib import Path

from tests import fuzz

ROOT = Path(__file__).resolve().parents[1]


def test_a_thousand_mutants_through_every_view():
    records = fuzz.run_workers(1000, seed=0, workers=2, out_dir=ROOT / "test-output" / "fuzz", timeout=900)
    assert len(records) == 1000, f"{1000 - len(records)} programs have no record"
    accepted = [r for r in records if r["outcome"] == "result"]
    assert len(accepted) >= 300                       # the mutants exercise the views, not only the parser
    bad = fuzz.problems(records)
    assert not bad, "\n".join(str(b)[:1500] for b in bad[:5])
