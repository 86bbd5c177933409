"""How often differential testing rejects a correct program because a generated input breaks the problem's
constraints, and what validators change: every PIE Python dev pair of the problems that have a validator
in benchmarks/validators/ (written from the statements' constraints), with the statements' sample tests;
each pair's human fast program is checked against its slow one on generated inputs, without and with the
problem's validator.

Run: `.venv/bin/python benchmarks/differential_validators.py --pairs ../shared/data/pie-py-dev.jsonl \
      --statements ../shared/data/codenet-statements-dev`
Writes benchmarks/results/differential_validators.json (or --output): per pair, the fast program's
mismatch each way (None: it agrees on every generated input), and the count of inputs each validator kept
out. Costs are not the point here (`cpu`, one run per test)."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from perfcoder.data.pairs import load_pairs
from perfcoder.data.sources import TestSources
from perfcoder.environment import Environment, make
from perfcoder.evaluation.optimization import PairEvaluation, evaluate_pairs
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.verify.differential import DifferentialConfig

HERE = Path(__file__).resolve().parent
VALIDATORS = HERE / "validators"
RESULTS = HERE / "results" / "differential_validators.json"


def run(args: argparse.Namespace, validators: Path | None) -> PairEvaluation:
    problems = {path.stem for path in VALIDATORS.glob("p*.py")}
    pairs = [pair for pair in load_pairs(Path(args.pairs), "python").items if pair.problem_id in problems]
    sources = TestSources(None, args.statements)
    with tempfile.TemporaryDirectory() as cache:
        config = ExecutionConfig(cache_dir=Path(cache), jobs=args.jobs)

        def environment(language: str) -> Environment:
            return make(language, "cpu", repeats=1, config=config)

        checks = DifferentialConfig(validator=validators)
        return evaluate_pairs(pairs, None, sources, environment, differential=checks)


def rows(plain: PairEvaluation, validated: PairEvaluation) -> list[dict[str, Any]]:
    """Per pair whose fast program passes the samples: its mismatch without and with the validator."""
    checked = {record.id: record for record in validated.records}
    table = []
    for record in plain.records:
        other = checked.get(record.id)
        if other is None or record.reference is None or other.reference is None:
            continue
        if record.reference.verdict != "accepted":
            continue
        table.append(
            {
                "pair": record.id,
                "problem": record.problem_id,
                "without_validator": record.reference.mismatch,
                "with_validator": other.reference.mismatch,
                "inputs_without": (record.differential or {}).get("inputs"),
                "inputs_with": (other.differential or {}).get("inputs"),
                "invalid": (other.differential or {}).get("invalid"),
            }
        )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", required=True)
    parser.add_argument("--statements", type=Path, required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    plain, validated = run(args, None), run(args, VALIDATORS)
    table = rows(plain, validated)
    summary = {
        "command": "benchmarks/differential_validators.py",
        "problems": sorted({row["problem"] for row in table}),
        "pairs_checked": len(table),
        "pairs_skipped": len(plain.skipped),
        "fast_rejected_without_validator": sum(row["without_validator"] is not None for row in table),
        "fast_rejected_with_validator": sum(row["with_validator"] is not None for row in table),
        "inputs_kept_out": sum(row["invalid"] or 0 for row in table),
        "pairs": table,
    }
    args.output.write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps({key: value for key, value in summary.items() if key != "pairs"}, indent=1))


if __name__ == "__main__":
    main()
