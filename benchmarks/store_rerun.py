"""How much faster a repeated `perfcoder run` is when the results store answers it.

Runs every shipped example's slow program twice through the CLI with a fresh store and records both wall
times. Results: benchmarks/results/store_rerun.json. Run: `.venv/bin/python benchmarks/store_rerun.py`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "store_rerun.json"


def timed_run(program: Path, tests: Path, cache: str) -> tuple[float, dict[str, object]]:
    env = {**os.environ, "PERFCODER_CACHE": cache}
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "perfcoder", "run", str(program), "--tests", str(tests), "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return time.monotonic() - start, json.loads(done.stdout)


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        for example in sorted(ROOT.glob("examples/*/*/tests")):
            slow = next(example.parent.glob("slow.*"))
            first, _ = timed_run(slow, example, cache)
            second, report = timed_run(slow, example, cache)
            rows.append(
                {
                    "example": str(example.parent.relative_to(ROOT)),
                    "first_s": round(first, 3),
                    "second_s": round(second, 3),
                    "speedup": round(first / second, 1),
                    "from_store": report["from_store"],
                    "tests": report["total"],
                }
            )
            print(rows[-1])
    summary = {
        "median_speedup": statistics.median(r["speedup"] for r in rows),
        "min_speedup": min(r["speedup"] for r in rows),
        "all_from_store": all(r["from_store"] == r["tests"] for r in rows),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"summary": summary, "rows": rows}, indent=2) + "\n")
    print(summary)


if __name__ == "__main__":
    main()
