"""`perfcoder tests generate` on the real PIE Python dev pairs (../shared/data, not shipped): for each of
the 43 problems, grow tests from the statement's sample inputs, with every slow and fast program of the
problem that passes the samples as a reference. Records kept / dropped counts per problem and how much
larger the kept inputs are than the samples.
Results: benchmarks/results/testgen_pie.json. Run: `.venv/bin/python benchmarks/testgen_pie.py`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from perfcoder.data.testsuite import load_tests

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "benchmarks" / "results" / "testgen_pie.json"


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()
    if not (DATA / "pie-py-dev.jsonl").is_file():
        sys.exit(f"{DATA} not found: this benchmark reads the shared development data")
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "tests"
        pairs, statements = DATA / "pie-py-dev.jsonl", DATA / "codenet-statements-dev"
        command = [sys.executable, "-m", "perfcoder", "tests", "generate", "--pairs", str(pairs),
                   "--statements", str(statements), "-o", str(out), "-n", "6", "--scales", "1,4,16",
                   "--time-limit", "2", "--json"]  # fmt: skip
        start = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        wall = time.monotonic() - start
        summary = json.loads(done.stdout)
        for row in summary["problems"]:
            if row.get("output"):
                tests = load_tests(Path(row["output"]))
                samples = tests[: len(tests) - row["kept"]]
                grown = tests[len(samples) :]
                row["largest_sample_bytes"] = max(len(t.input) for t in samples)
                row["largest_generated_bytes"] = max((len(t.input) for t in grown), default=0)
    with_kept = sum(1 for row in summary["problems"] if row["kept"])
    result = {"wall_s": round(wall, 1), "problems": len(summary["problems"]),
              "problems_with_new_tests": with_kept, "kept": summary["kept"], "dropped": summary["dropped"],
              "rows": summary["problems"]}  # fmt: skip
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}))


if __name__ == "__main__":
    main()
