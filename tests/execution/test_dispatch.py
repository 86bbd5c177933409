"""The Ray executor against the local one: a real local Ray instance, real sandboxed runs on its workers,
and results that match the local executor's exactly (each with its own, empty results store, so nothing
is answered from a store)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig, Executor, Program
from perfcoder.execution.languages import PYTHON
from perfcoder.execution.testcase import TestCase
from tests.support.commands import run_cli
from tests.support.paths import DATASETS

ray = pytest.importorskip("ray")
SQUARE = Program("n = int(input())\nprint(n * n if n < 4 else n // 0)\n", PYTHON)


@pytest.fixture(scope="module", autouse=True)
def cluster() -> Iterator[None]:
    """One local Ray instance for the module's executors (an executor that finds one leaves it running)."""
    ray.init(include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield
    ray.shutdown()


def evaluate(cache: Path, report: Path, *executor: str) -> dict[str, object]:
    pairs = ("--pairs", DATASETS / "pie-iclr-cpp.jsonl", "--tests-root", DATASETS / "tests-cpp")
    done = run_cli("evaluate", *pairs, "--report", report, "--json", *executor, cache=cache)
    assert done.returncode == 0, done.stderr[-3000:]
    summary: dict[str, object] = json.loads(done.stdout)
    summary.pop("wall_s")  # the one figure that is a clock reading
    return summary


@pytest.mark.slow  # a whole end-to-end run: make test-all
def test_evaluate_on_ray_returns_exactly_the_local_json(tmp_path: Path) -> None:
    local = evaluate(tmp_path / "local-cache", tmp_path / "local")
    remote = evaluate(tmp_path / "ray-cache", tmp_path / "ray", "--executor", "ray", "--jobs", "2")
    assert remote == local and local["n"] == 11 and local["pct_correct"] == 100.0
    records = (tmp_path / "local" / "results.jsonl").read_text()
    assert (tmp_path / "ray" / "results.jsonl").read_text() == records  # every pair's costs, to the unit


def test_ray_workers_judge_and_answer_like_local_ones_and_the_driver_stores(tmp_path: Path) -> None:
    tests = [TestCase(str(n), f"{n}\n".encode(), f"{n * n}\n".encode()) for n in range(6)]
    outcomes = {}
    for executor in ("local", "ray"):
        config = ExecutionConfig(cache_dir=tmp_path / executor, executor=executor, jobs=2)
        with Executor(config) as engine:
            judged = engine.run(SQUARE, tests)
            answers = engine.answers(SQUARE, [t.input for t in tests])
            stored = len(engine.store) if engine.store is not None else 0
        verdicts = [str(t.verdict) for t in judged.tests]
        outcomes[executor] = (verdicts, [(str(a.verdict), a.stdout) for a in answers], stored)
    assert outcomes["ray"] == outcomes["local"]
    verdicts, answers, stored = outcomes["ray"]
    assert verdicts == ["accepted"] * 4 + ["runtime_error"] * 2 and answers[3] == ("accepted", b"9\n")
    assert stored == 12  # 6 judged runs and 6 answers, written by the driver


def test_an_unknown_executor_is_refused() -> None:
    with pytest.raises(PerfcoderError, match="local, ray or ray://HOST:PORT"):
        ExecutionConfig(executor="spark")


LOOP = Program("t = 0\nfor i in range(int(input())):\n    t += i * i\nprint(t)\n", PYTHON)


def test_python_counts_are_the_same_alone_in_a_batch_and_on_ray(tmp_path: Path) -> None:
    """Exact repeatability: each batched run is measured against the start-up program at its own process
    number. Alone on Ray, and locally in a batch among others (local runs alone against crowded ones, and
    numpy's batches: tests/measure/test_forkserver.py; fixed entropy: tests/execution/test_sandbox.py)."""
    from perfcoder.measure.cachegrind import CachegrindProbe

    probe = CachegrindProbe(model="cycles")
    tests = [TestCase("a", b"2000\n", None)]
    others = [Program(f"print(int(input()) + {n})\n", PYTHON) for n in range(5)]
    counts = {}
    for name, executor, programs in (
        ("batch", "local", [*others, LOOP, *others[:2]]),
        ("alone on ray", "ray", [LOOP]),
    ):
        config = ExecutionConfig(use_store=False, executor=executor, jobs=2)
        with Executor(config) as engine:
            results = engine.run_many(programs, tests, probe)
        measured = {p: r.tests[0].costs for p, r in zip(programs, results, strict=True)}
        counts[name] = measured[LOOP]
    assert counts["batch"]["ll_misses"] > 0
    assert counts["alone on ray"] == counts["batch"]
