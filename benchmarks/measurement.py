"""Determinism, fidelity, overhead and throughput of the cost models on every shipped example.

Run: `.venv/bin/python benchmarks/measurement.py` (about 30 minutes on 2 cores). Writes
benchmarks/results/measurement.json (every number below, with per-example data).

- Determinism: each slow program against itself in one `perfcoder bench` invocation (speedup must be
  exactly 1) and its cost in that separate invocation against the in-process run (must be equal), under
  `cycles` and `instructions`; the same slow-vs-slow experiment with one `wall` run per test.
- Fidelity: Spearman rank correlation between each model's slow/fast speedup and the CPU-time speedup
  (mean of 5 interleaved runs per test), per language. Also a least-squares fit of the cycle weights.
- Overhead: wall time of a measured run / wall time of the native run, per (program, test), median.
- Throughput: (program, test) executions per second with 2 parallel jobs, native and per model.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import nnls
from scipy.stats import spearmanr

from perfcoder.environment import Comparison, make
from perfcoder.execution.engine import ExecutionConfig

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
NO_STORE = ExecutionConfig(use_store=False, jobs=2)
TIMING_REPEATS = 5


@dataclass
class Example:
    name: str
    language: str
    slow: str
    fast: str
    tests: Path
    runs: dict[str, Comparison] = field(default_factory=dict)


def examples() -> list[Example]:
    found = []
    for tests in sorted(ROOT.glob("examples/*/*/tests")):
        language = tests.parent.parent.name
        ext = ".cpp" if language == "cpp" else ".py"
        found.append(
            Example(
                name=f"{language}/{tests.parent.name}",
                language=language,
                slow=(tests.parent / f"slow{ext}").read_text(),
                fast=(tests.parent / f"fast{ext}").read_text(),
                tests=tests,
            )
        )
    return found


def measure_pass(items: list[Example], cost: str, repeats: int = 1) -> dict[str, Any]:
    """Compare slow and fast of every example under one cost model; time the whole pass."""
    start, executions = time.monotonic(), 0
    for language in ("cpp", "python"):
        env = make(language, cost, config=NO_STORE, repeats=repeats)
        for example in (e for e in items if e.language == language):
            example.runs[cost] = comparison = env.compare(example.slow, example.fast, example.tests)
            executions += 2 * len(comparison.slow.tests) * repeats
            print(f"{cost:>12} {example.name}: speedup {comparison.speedup}", flush=True)
        env.close()
    elapsed = time.monotonic() - start
    rate = round(executions / elapsed, 2)
    return {"seconds": round(elapsed, 1), "executions": executions, "per_second": rate}


def cli_bench(example: Example, cost: str) -> dict[str, Any]:
    """`perfcoder bench SLOW SLOW` in a separate process, with the store off."""
    ext = ".cpp" if example.language == "cpp" else ".py"
    slow = example.tests.parent / f"slow{ext}"
    command = [
        sys.executable,
        "-m",
        "perfcoder",
        "bench",
        str(slow),
        str(slow),
        "--tests",
        str(example.tests),
    ]
    command += ["--cost", cost, "--json", "--no-store", "--jobs", "2"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def determinism(items: list[Example]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for cost in ("cycles", "instructions"):
        rows = []
        for example in items:
            data = cli_bench(example, cost)
            in_process = example.runs[cost].slow.cost
            rows.append(
                {
                    "example": example.name,
                    "speedup": data["speedup"],
                    "verdicts": [data["slow"]["verdict"], data["fast"]["verdict"]],
                    "cost": data["slow"]["cost"],
                    "same_as_other_invocation": data["slow"]["cost"] == in_process,
                }
            )
            print(f"determinism {cost} {example.name}: {rows[-1]}", flush=True)
        out[cost] = {
            "all_speedups_exactly_1": all(row["speedup"] == 1.0 for row in rows),
            "all_costs_equal_across_invocations": all(row["same_as_other_invocation"] for row in rows),
            "rows": rows,
        }
    wall = []
    for language in ("cpp", "python"):
        env = make(language, "wall", config=NO_STORE, repeats=1)
        for example in (e for e in items if e.language == language):
            wall.append(env.compare(example.slow, example.slow, example.tests).speedup)
        env.close()
    values = [v for v in wall if v is not None]
    out["wall_single_run"] = {
        "mean": round(statistics.fmean(values), 3),
        "std": round(statistics.pstdev(values), 3),
        "max": round(max(values), 3),
        "share_over_1.1": round(sum(v > 1.1 or v < 1 / 1.1 for v in values) / len(values), 3),
    }
    return out


def fidelity(items: list[Example]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for language in ("cpp", "python"):
        subset = [e for e in items if e.language == language]
        cpu = [cpu_speedup(e) for e in subset]
        out[language] = {"pairs": len(subset)}
        for cost in ("cycles", "instructions", "wall"):
            model = [e.runs[cost].speedup or 1.0 for e in subset]
            rho = spearmanr(model, cpu).statistic
            out[language][cost] = round(float(rho), 3)
        out[language]["speedups"] = {
            e.name: {"cpu": round(c, 2), "cycles": round(e.runs["cycles"].speedup or 0, 2)}
            for e, c in zip(subset, cpu, strict=True)
        }
    return out


def cpu_speedup(example: Example) -> float:
    """CPU-time speedup from the means of the interleaved repeated runs."""
    run = example.runs["cpu"]
    slow = sum(t.costs["cpu_s_mean"] for t in run.slow.tests)
    fast = sum(t.costs["cpu_s_mean"] for t in run.fast.tests)
    return slow / fast


def calibration(items: list[Example]) -> dict[str, Any]:
    """Non-negative least squares of C++ per-test CPU seconds on the cycle model's event counts and a
    per-run constant (process start and exit). The defaults in CycleWeights come from this fit."""
    rows, target = [], []
    for example in (e for e in items if e.language == "cpp"):
        for side in ("slow", "fast"):
            counts = getattr(example.runs["cycles"], side).tests
            times = getattr(example.runs["cpu"], side).tests
            for counted, timed in zip(counts, times, strict=True):
                c = counted.costs
                rows.append([c["instructions"], c["l1_misses"], c["ll_misses"], c["syscalls"], 1.0])
                target.append(timed.costs["cpu_s_mean"])
    coefficients, _ = nnls(np.array(rows), np.array(target))
    per_instruction = coefficients[0] or 1e-12
    return {
        "seconds_per_instruction": float(per_instruction),
        "implied_weights": {
            "l1_miss": round(float(coefficients[1] / per_instruction), 1),
            "ll_miss": round(float(coefficients[2] / per_instruction), 1),
            "syscall": round(float(coefficients[3] / per_instruction), 1),
            "process": round(float(coefficients[4] / per_instruction), -4),
        },
        "rows_instructions_l1_ll_syscalls_1": rows,
        "cpu_s": target,
        "samples": len(rows),
    }


def overhead(items: list[Example]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for language in ("cpp", "python"):
        for cost in ("cycles", "instructions"):
            ratios, long_ratios = [], []
            for example in (e for e in items if e.language == language):
                for side in ("slow", "fast"):
                    native = getattr(example.runs["cpu"], side).tests
                    measured = getattr(example.runs[cost], side).tests
                    for n, m in zip(native, measured, strict=True):
                        ratios.append(m.wall_s / n.wall_s)
                        if n.wall_s >= 0.1:
                            long_ratios.append(m.wall_s / n.wall_s)
            out[f"{language}/{cost}"] = {
                "median": round(statistics.median(ratios), 1),
                "median_native_over_100ms": round(statistics.median(long_ratios), 1) if long_ratios else None,
            }
    return out


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()
    os.environ.setdefault("PYTHONHASHSEED", "0")
    items = examples()
    throughput = {
        "native": measure_pass(items, "cpu", repeats=TIMING_REPEATS),
        "wall": measure_pass(items, "wall", repeats=TIMING_REPEATS),
        "instructions": measure_pass(items, "instructions"),
        "cycles": measure_pass(items, "cycles"),
    }
    report = {
        "machine": {"cores": os.cpu_count(), "jobs": 2},
        "determinism": determinism(items),
        "fidelity": fidelity(items),
        "calibration": calibration(items),
        "overhead": overhead(items),
        "throughput": throughput,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "measurement.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "determinism"}, indent=2))


if __name__ == "__main__":
    main()
