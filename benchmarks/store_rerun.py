"""How much faster a repeated `perfcoder run` is when the results store answers it.

Runs every shipped example's slow program twice through the CLI with a fresh store and records both wall
times, once with native timing and once measured with `--cost cycles`.
Results: benchmarks/results/store_rerun.json. Run: `.venv/bin/python benchmarks/store_rerun.py`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "store_rerun.json"


def timed_run(program: Path, tests: Path, cache: str, cost: list[str]) -> tuple[float, dict[str, object]]:
    env = {**os.environ, "PERFCODER_CACHE": cache}
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "perfcoder", "run", str(program), "--tests", str(tests), "--json", *cost],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return time.monotonic() - start, json.loads(done.stdout)


def rerun_rows(cost: list[str]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as cache:
        for example in sorted(ROOT.glob("examples/*/*/tests")):
            slow = next(example.parent.glob("slow.*"))
            first, _ = timed_run(slow, example, cache, cost)
            second, report = timed_run(slow, example, cache, cost)
            rows.append(
                {
                    "example": str(example.parent.relative_to(ROOT)),
                    "first_s": round(first, 3),
                    "second_s": round(second, 3),
                    "speedup": round(first / second, 1),
                    "from_store": report["stored_tests"],
                    "tests": report["total"],
                }
            )
            print(rows[-1])
    return rows


def summary(rows: list[dict[str, Any]]) -> dict[str, object]:
    return {
        "median_speedup": statistics.median(r["speedup"] for r in rows),
        "min_speedup": min(r["speedup"] for r in rows),
        "median_second_s": statistics.median(r["second_s"] for r in rows),
        "all_from_store": all(r["stored_tests"] == r["tests"] for r in rows),
    }


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()
    report = {}
    for label, cost in (("native", []), ("cycles", ["--cost", "cycles"])):
        rows = rerun_rows(cost)
        report[label] = {"summary": summary(rows), "rows": rows}
        print(label, report[label]["summary"])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
