"""Throughput of measuring Python programs under the `cycles` model, before and after a change of the
valgrind settings: (program, test) runs per second of a cold `evaluate --pairs` over real PIE pairs.

Run: `.venv/bin/python benchmarks/python_throughput.py --pairs ../shared/data/pie-py-dev.jsonl \
      --statements ../shared/data/codenet-statements-dev --limit 20`
Writes benchmarks/results/python_throughput.json. Each variant runs with a fresh, private results store
(cold), on the same pairs, one after the other; "before" is valgrind's default translation settings,
"after" is perfcoder's (`perfcoder.measure.cachegrind.TRANSLATION`).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import perfcoder.measure.cachegrind as cachegrind
from perfcoder.data.pairs import load_pairs
from perfcoder.data.sources import TestSources
from perfcoder.environment import Environment, make
from perfcoder.evaluation.optimization import evaluate_pairs
from perfcoder.execution.engine import ExecutionConfig

RESULTS = Path(__file__).resolve().parent / "results" / "python_throughput.json"


def run(args: argparse.Namespace, translation: tuple[str, ...]) -> dict[str, Any]:
    cachegrind.TRANSLATION = translation
    pairs = load_pairs(Path(args.pairs), "python").items[: args.limit]
    sources = TestSources(None, args.statements)
    with tempfile.TemporaryDirectory() as cache:
        config = ExecutionConfig(cache_dir=Path(cache), jobs=args.jobs)

        def environment(language: str) -> Environment:
            return make(language, "cycles", config=config)

        started = time.monotonic()
        evaluation = evaluate_pairs(pairs, None, sources, environment)
        seconds = time.monotonic() - started
    runs = sum(record.tests * (2 if record.reference else 1) for record in evaluation.records)
    return {
        "translation": list(translation),
        "pairs_evaluated": len(evaluation.records),
        "pairs_skipped": len(evaluation.skipped),
        "measured_runs": runs,
        "seconds": round(seconds, 1),
        "runs_per_second": round(runs / seconds, 3),
        "human_speedup": round(evaluation.human.speedup, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", required=True)
    parser.add_argument("--statements", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    after = cachegrind.TRANSLATION
    before = run(args, ())
    now = run(args, after)
    result = {
        "command": f"benchmarks/python_throughput.py --limit {args.limit} --jobs {args.jobs}",
        "before": before,
        "after": now,
        "speedup": round(before["seconds"] / now["seconds"], 3),
        "projected_minutes_for_2000_runs": round(2000 / now["runs_per_second"] / 60, 1),
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
