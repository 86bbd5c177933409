"""Throughput of the local executor (threads) against Ray (a local Ray instance on this machine), with
the same number of workers, no results store (every job really runs), and the cost Ray adds per job.

Run: `.venv/bin/python benchmarks/executors.py [--jobs 2] [--runs 200]`
Two workloads: `runs` sandboxed runs of a small Python program (start-up bound: where per-job overhead
shows), and the shipped C++ pairs judged and measured under the default cycles cost model (cachegrind:
seconds per job). Ray's start (cluster and actors) is timed apart from its steady state, which is measured
on a second, identical batch. Writes benchmarks/results/executors.json.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from perfcoder.data.pairs import load_pairs
from perfcoder.data.sources import TestSources
from perfcoder.execution.engine import ExecutionConfig, Executor, Program
from perfcoder.execution.languages import PYTHON, language_named
from perfcoder.execution.testcase import TestCase
from perfcoder.measure.cost_models import cost_model, probe_for

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "executors.json"
DOUBLE = Program("print(2 * int(input()))\n", PYTHON)
PAIRS = ROOT / "examples" / "datasets" / "pie-iclr-cpp.jsonl"
TESTS = ROOT / "examples" / "datasets" / "tests-cpp"


def small_runs(count: int) -> Callable[[Executor], int]:
    tests = [TestCase(str(i), f"{i}\n".encode(), f"{2 * i}\n".encode()) for i in range(count)]

    def run(executor: Executor) -> int:
        result = executor.run(DOUBLE, tests)
        assert result.passed, result.verdict
        return len(tests)

    return run


def measured_pairs(executor: Executor) -> int:
    """Both programs of every shipped pair on their tests, under cachegrind (the cycles model)."""
    sources, probe, jobs = TestSources(TESTS), probe_for(cost_model("cycles")), 0
    for pair in load_pairs(PAIRS).items:
        tests = sources.for_pair(pair)
        language = language_named(pair.language)
        programs = [Program(pair.slow, language), Program(pair.fast or pair.slow, language)]
        results = executor.run_many(programs, tests, probe)
        assert all(r.passed for r in results), [r.verdict for r in results]
        jobs += len(programs) * len(tests)
    return jobs


def timed(executor: Executor, work: Callable[[Executor], int]) -> tuple[float, int]:
    started = time.monotonic()
    jobs = work(executor)
    return time.monotonic() - started, jobs


def compare(name: str, work: Callable[[Executor], int], workers: int, scratch: Path) -> dict[str, object]:
    row: dict[str, object] = {}
    for executor in ("local", "ray"):
        config = ExecutionConfig(executor=executor, jobs=workers, use_store=False, cache_dir=scratch)
        with Executor(config) as engine:
            first, jobs = timed(engine, work)  # Ray: starts the cluster and its actors
            steady, _ = timed(engine, work)
        row[executor] = {
            "first_s": round(first, 2),
            "steady_s": round(steady, 2),
            "jobs_per_s": round(jobs / steady, 1),
        }
        row["jobs"] = jobs
    local, ray = row["local"], row["ray"]
    assert isinstance(local, dict) and isinstance(ray, dict)
    jobs = int(str(row["jobs"]))
    row["ray_overhead_ms_per_job"] = round(1000 * (ray["steady_s"] - local["steady_s"]) * workers / jobs, 1)
    row["ray_start_s"] = round(ray["first_s"] - ray["steady_s"], 2)
    print(name, json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        workloads = {
            f"python_small_x{args.runs}": compare("small", small_runs(args.runs), args.jobs, Path(scratch)),
            "cpp_pairs_cycles": compare("pairs", measured_pairs, args.jobs, Path(scratch)),
        }
    result = {
        "command": f".venv/bin/python benchmarks/executors.py --jobs {args.jobs} --runs {args.runs}",
        "machine": f"{os.cpu_count()} cores",
        "workers": args.jobs,
        "note": "ray_overhead_ms_per_job = (Ray steady - local steady) x workers / jobs: worker time Ray "
        "adds to each job (scheduling, pickling, result transfer); ray_start_s = cluster and actor start.",
        "workloads": workloads,
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
