"""Throughput of measuring Python programs under the `cycles` model, and what the fork server changes:
a cold `evaluate --pairs` over real PIE pairs with every run its own valgrind process ("plain") and
with Python runs batched through the fork server ("fork server", the default), plus how far the two
disagree per pair (slow program's cost, fast program's cost, speedup).

Run: `.venv/bin/python benchmarks/python_throughput.py --pairs ../shared/data/pie-py-dev.jsonl \
      --statements ../shared/data/codenet-statements-dev --limit 40`
Writes benchmarks/results/python_throughput.json (or --output). Each variant runs with a fresh, private
results store (cold) on the same pairs, one after the other, with --jobs runs at once; --fork-only
measures the fork server's way alone (for a run over many pairs).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from perfcoder.data.pairs import load_pairs
from perfcoder.data.sources import TestSources
from perfcoder.environment import Environment, make
from perfcoder.evaluation.optimization import PairEvaluation, evaluate_pairs
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.measure.cachegrind import CachegrindProbe

RESULTS = Path(__file__).resolve().parent / "results" / "python_throughput.json"
WORST = 5  # pairs named in the results, largest difference first
TARGET_RUNS, TARGET_MINUTES = 2000, 15.0  # issue 9: a PIE-Python-sized evaluation, cold, on 2 cores


def run(args: argparse.Namespace, fork: bool) -> tuple[dict[str, Any], PairEvaluation]:
    pairs = load_pairs(Path(args.pairs), "python").items[: args.limit]
    sources = TestSources(None, args.statements)
    with tempfile.TemporaryDirectory() as cache:
        config = ExecutionConfig(cache_dir=Path(cache), jobs=args.jobs)

        def environment(language: str) -> Environment:
            env = make(language, "cycles", config=config)
            assert isinstance(env.probe, CachegrindProbe)
            env.probe = dataclasses.replace(env.probe, fork_python=fork)
            return env

        started = time.monotonic()
        evaluation = evaluate_pairs(pairs, None, sources, environment)
        seconds = time.monotonic() - started
    runs = sum(record.tests * (2 if record.reference else 1) for record in evaluation.records)
    summary = {
        "pairs_evaluated": len(evaluation.records),
        "pairs_skipped": len(evaluation.skipped),
        "measured_runs": runs,
        "seconds": round(seconds, 1),
        "runs_per_second": round(runs / seconds, 3),
        "projected_minutes_for_2000_runs": round(TARGET_RUNS / (runs / seconds) / 60, 1),
        "human_speedup": round(evaluation.human.speedup, 4),
    }
    return summary, evaluation


def disagreement(plain: PairEvaluation, fork: PairEvaluation) -> dict[str, Any]:
    """Relative differences, pair by pair, of what the two ways measured."""
    by_id = {record.id: record for record in plain.records}
    rows: dict[str, list[float]] = {"slow_cost": [], "fast_cost": [], "speedup": []}
    worst: list[tuple[float, str, str]] = []
    for record in fork.records:
        other = by_id.get(record.id)
        if other is None or record.reference is None or other.reference is None:
            continue
        pairs = [
            ("slow_cost", record.slow.cost, other.slow.cost),
            ("fast_cost", record.reference.cost, other.reference.cost),
            ("speedup", record.reference.speedup, other.reference.speedup),
        ]
        for name, mine, theirs in pairs:
            if mine is not None and theirs:
                rows[name].append(abs(mine / theirs - 1))
                worst.append((abs(mine / theirs - 1), record.id, name))
    spreads: dict[str, Any] = {name: _spread(values) for name, values in rows.items()}
    spreads["worst"] = [
        {"pair": pair, "what": name, "relative_difference": round(value, 6)}
        for value, pair, name in sorted(worst, reverse=True)[:WORST]
    ]
    return spreads


def _spread(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"pairs": 0}
    ordered = sorted(values)
    return {
        "pairs": len(values),
        "median": round(statistics.median(ordered), 6),
        "p90": round(ordered[int(0.9 * (len(ordered) - 1))], 6),
        "max": round(ordered[-1], 6),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", required=True)
    parser.add_argument("--statements", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--fork-only", action="store_true", help="measure only the fork server's way")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    fork, fork_evaluation = run(args, fork=True)
    result: dict[str, Any] = {
        "command": f"benchmarks/python_throughput.py --limit {args.limit} --jobs {args.jobs}"
        + (" --fork-only" if args.fork_only else ""),
        "target": f"{TARGET_RUNS} runs in {TARGET_MINUTES:.0f} min",
        "fork_server": fork,
    }
    if not args.fork_only:
        plain, plain_evaluation = run(args, fork=False)
        result |= {
            "plain": plain,
            "speedup": round(plain["seconds"] / fork["seconds"], 3),
            "relative_difference": disagreement(plain_evaluation, fork_evaluation),
        }
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
