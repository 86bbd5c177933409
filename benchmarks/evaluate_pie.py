"""`perfcoder evaluate` on the real PIE Python dev pairs (../shared/data, not shipped), with the sample
tests of the CodeNet statements, under the deterministic `cycles` cost model:

1. predictions = each pair's slow program: SPEEDUP must be exactly 1.0 and %OPT 0;
2. predictions = each pair's human fast program: must reproduce the human reference row.

Each run's wall time is recorded; the first run fills the results store, so the second mostly reads it
(both wall times are reported, with the store's share). Results: benchmarks/results/pie_py_dev.json.
Run: `.venv/bin/python benchmarks/evaluate_pie.py [--limit N]`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "benchmarks" / "results" / "pie_py_dev.json"


def predictions(pairs: Path, column: str, out: Path) -> None:
    with pairs.open() as rows, out.open("w") as sink:
        for line in rows:
            row = json.loads(line)
            sink.write(
                json.dumps({"submission_id_v0": row["submission_id_v0"], "generated_answers": [row[column]]})
            )
            sink.write("\n")


def evaluate(pairs: Path, prediction_file: Path, report: Path) -> tuple[float, dict[str, Any]]:
    command = [
        sys.executable, "-m", "perfcoder", "evaluate", "--pairs", str(pairs), "--predictions",
        str(prediction_file), "--statements", str(DATA / "codenet-statements-dev"), "--cost", "cycles",
        "--json", "--report", str(report),
    ]  # fmt: skip
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.monotonic() - start, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N pairs")
    args = parser.parse_args()
    source = DATA / "pie-py-dev.jsonl"
    if not source.is_file():
        sys.exit(f"{source} not found: this benchmark reads the shared development data")
    runs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        pairs = source
        if args.limit:
            pairs = work / "pairs.jsonl"
            pairs.write_text("".join(source.read_text().splitlines(keepends=True)[: args.limit]))
        for name, column in (("slow_as_prediction", "input"), ("human_fast_as_prediction", "target")):
            prediction_file = work / f"{name}.jsonl"
            predictions(pairs, column, prediction_file)
            wall, summary = evaluate(pairs, prediction_file, RESULTS.parent / f"pie_py_dev_{name}")
            runs[name] = {**summary, "command_wall_s": round(wall, 1)}
            print(
                name,
                json.dumps({key: runs[name][key] for key in ("n", "speedup", "pct_opt", "command_wall_s")}),
            )
    slow, fast = runs["slow_as_prediction"], runs["human_fast_as_prediction"]
    checks = {
        "slow: SPEEDUP exactly 1.0": slow["speedup"] == 1.0,
        "slow: %OPT exactly 0": slow["pct_opt"] == 0.0,
        "fast: model row equals the human reference row": fast["model"] == {**fast["human"], "k": None},
    }
    RESULTS.write_text(
        json.dumps({"pairs": str(source.name), "limit": args.limit, "checks": checks, **runs}, indent=2)
    )
    print(json.dumps(checks, indent=2))


if __name__ == "__main__":
    main()
