"""`perfcoder evaluate` end to end: real programs in the sandbox, real cost measurement, real files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from perfcoder.data.code_tasks import load_tasks, tasks_path
from perfcoder.evaluation.code_samples import canonical_samples, evaluate_samples
from perfcoder.execution.engine import Executor
from tests.support.commands import evaluate_json, run_cli
from tests.support.files import write_rows
from tests.support.paths import DATASETS, EXAMPLES, SHARED, needs_shared

PROBLEMS = ("pair_count", "prime_sum", "membership")


def small_pairs(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    """Three C++ pairs of the shipped PIE ICLR file, on their first (small) test only."""
    rows = [json.loads(line) for line in (DATASETS / "pie-iclr-cpp.jsonl").read_text().splitlines()]
    chosen = [{**row, "tests": [1]} for row in rows if row["problem_id"] in PROBLEMS]
    return write_rows(tmp_path / "pairs.jsonl", chosen), chosen


def test_slow_as_prediction_is_speedup_one_and_fast_is_the_human_row(
    private_cache: Path, tmp_path: Path
) -> None:
    pairs, rows = small_pairs(tmp_path)
    root = ("--tests-root", DATASETS / "tests-cpp")
    slow = write_rows(
        tmp_path / "slow.jsonl", [{"src_id": r["src_id"], "generated_answers": [r["src_code"]]} for r in rows]
    )
    fast = write_rows(
        tmp_path / "fast.jsonl", [{"src_id": r["src_id"], "generated_answers": r["tgt_code"]} for r in rows]
    )
    same = evaluate_json(private_cache, "--pairs", pairs, "--predictions", slow, *root)
    assert (same["n"], same["speedup"], same["pct_opt"], same["pct_correct"], same["rtr"]) == (
        3,
        1.0,
        0.0,
        100.0,
        0.0,
    )
    report = tmp_path / "report"
    human = evaluate_json(private_cache, "--pairs", pairs, "--predictions", fast, *root, "--report", report)
    assert human["model"] == {**human["human"], "k": None}
    assert human["speedup"] > 1.0 and human["skipped"] == 0
    assert {p.name for p in report.iterdir()} == {
        "config.yaml",
        "summary.json",
        "results.jsonl",
        "report.md",
        "report.html",
    }
    assert "<svg" in (report / "report.html").read_text() and "SPEEDUP" in (report / "report.md").read_text()
    assert len((report / "results.jsonl").read_text().splitlines()) == 3


def test_a_baseline_is_compared_pair_by_pair(private_cache: Path, tmp_path: Path) -> None:
    """The human fast programs against the slow ones on two pairs and against themselves on a third, on
    each pair's second test (small inputs, where the fast programs are many times faster)."""
    rows = [json.loads(line) for line in (DATASETS / "pie-iclr-cpp.jsonl").read_text().splitlines()]
    chosen = [
        {**row, "tests": [2]}
        for row in rows
        if row["problem_id"] in ("endl_flush", "prime_sum", "tribonacci")
    ]
    pairs = write_rows(tmp_path / "pairs.jsonl", chosen)
    fast = [{"src_id": r["src_id"], "generated_answers": [r["tgt_code"]]} for r in chosen]
    slow = [
        {**f, "generated_answers": [r["src_code"]]} if r["problem_id"] != "tribonacci" else f
        for f, r in zip(fast, chosen, strict=True)
    ]
    report = tmp_path / "report"
    summary = evaluate_json(
        private_cache, "--pairs", pairs, "--predictions", write_rows(tmp_path / "fast.jsonl", fast),
        "--baseline", write_rows(tmp_path / "slow.jsonl", slow), "--tests-root", DATASETS / "tests-cpp",
        "--report", report,
    )  # fmt: skip
    against = summary["baseline"]
    assert (against["pairs"], against["predictions"], against["model"]) == (3, "slow.jsonl", summary["model"])
    optimized = [r["best_speedup"] >= 1.1 for r in map(json.loads, (report / "results.jsonl").open())]
    assert optimized == [True, True, True]
    assert against["baseline"]["pct_opt"] == pytest.approx(100 / 3)  # tribonacci's fast program in both
    paired = against["paired"]
    assert (paired["opt_only_a"], paired["opt_only_b"], paired["faster_a"], paired["even"]) == (2, 0, 2, 1)
    assert paired["opt_p"] == 0.5  # two pairs out of two: both tails of 1/4
    assert "McNemar" in (report / "report.md").read_text()
    elsewhere = write_rows(tmp_path / "other.jsonl", [{"src_id": "unknown", "generated_answers": ["x"]}])
    nothing = run_cli(
        "evaluate", "--pairs", pairs, "--predictions", tmp_path / "fast.jsonl", "--baseline", elsewhere,
        "--tests-root", DATASETS / "tests-cpp", cache=private_cache,
    )  # fmt: skip
    assert nothing.returncode != 0 and "other.jsonl: no usable row" in nothing.stderr


def test_best_at_k_uses_only_the_first_k_answers(private_cache: Path, tmp_path: Path) -> None:
    pairs, rows = small_pairs(tmp_path)
    wrong = "int main() { return 0; }\n"
    answers = [{"src_id": r["src_id"], "generated_answers": [wrong, r["tgt_code"]]} for r in rows]
    predictions = write_rows(tmp_path / "p.jsonl", answers)
    root = ("--tests-root", DATASETS / "tests-cpp")
    at1 = evaluate_json(private_cache, "--pairs", pairs, "--predictions", predictions, *root, "-k", "1")
    at2 = evaluate_json(private_cache, "--pairs", pairs, "--predictions", predictions, *root, "-k", "2")
    assert (at1["speedup"], at1["pct_correct"], at1["model"]["pass_rate"]) == (1.0, 0.0, 0.0)
    assert at2["speedup"] == pytest.approx(at2["human"]["speedup"]) and at2["pct_correct"] == 100.0


def test_bad_rows_are_named_counted_and_the_rest_evaluated(private_cache: Path, tmp_path: Path) -> None:
    pairs, rows = small_pairs(tmp_path)
    extra = [rows[0], {**rows[0], "src_id": "orphan", "problem_id": "nope"}, {**rows[1], "shade": 1}]
    pairs = write_rows(tmp_path / "more.jsonl", [*rows, *extra])
    answers = [{"src_id": r["src_id"], "generated_answers": [r["src_code"]]} for r in rows]
    answers += [
        answers[0],
        {"src_id": "ghost", "generated_answers": ["x"]},
        {"src_id": "orphan", "generated_answers": 3},
    ]
    predictions = write_rows(tmp_path / "p.jsonl", answers)
    result = evaluate_json(
        private_cache, "--pairs", pairs, "--predictions", predictions, "--tests-root", DATASETS / "tests-cpp"
    )
    assert result["n"] == 3
    skipped = "\n".join(result["skipped_rows"])
    assert result["skipped"] == 6, skipped
    for expected in (
        "more.jsonl:4 (membership-slow): duplicate id (first on line 1)",
        "more.jsonl:6 (pair_count-slow): duplicate id (first on line 2)",
        "p.jsonl:4 (membership-slow): duplicate prediction (first on line 1)",
        "p.jsonl:5 (ghost): prediction for an unknown pair id",
        "p.jsonl:6 (orphan): `generated_answers` must be",
        "more.jsonl:5 (orphan): no prediction for this pair",
    ):
        assert expected in skipped
    assert result["warnings"] == ["more.jsonl: ignored unknown columns: shade (1 rows)"]


def test_samples_give_unbiased_pass_at_k(private_cache: Path) -> None:
    tasks, samples = DATASETS / "tasks-humaneval.jsonl", DATASETS / "samples.jsonl"
    result = evaluate_json(private_cache, "--tasks", tasks, "--samples", samples, "--time-limit", "2")
    assert (result["n"], result["samples"], result["skipped"]) == (4, 12, 1)
    assert result["pass@1"] == pytest.approx(1 / 3) and "pass@10" not in result
    assert "samples.jsonl:13 (Own/99): sample for an unknown task_id" in result["skipped_rows"]
    verdicts = {r["task_id"]: set(r["verdicts"]) for r in result["failed_tasks"]}
    assert verdicts["Own/0"] == {"accepted", "runtime_error", "compile_error"}  # a failed assert exits 1
    assert "timeout" in verdicts["Own/1"]


def test_canonical_solutions_pass(private_cache: Path) -> None:
    for tasks in (
        DATASETS / "tasks-humaneval.jsonl",
        DATASETS / "tasks-mbpp.jsonl",
        EXAMPLES / "cert" / "tasks.jsonl",
    ):
        result = evaluate_json(private_cache, "--tasks", tasks)
        assert result["scored"] == "canonical" and result["pass@1"] == 1.0 and result["skipped"] == 0


def test_humaneval_canonical_solutions_pass(executor: Executor) -> None:
    tasks = load_tasks(tasks_path("humaneval")).items
    evaluation = evaluate_samples(tasks, canonical_samples(tasks), executor)
    assert len(evaluation.records) == 164 and evaluation.pass_at == {1: 1.0}


@needs_shared
@pytest.mark.parametrize("name", ["pandaseval", "numpyeval"])
def test_library_tasks_canonical_solutions_pass(executor: Executor, name: str) -> None:
    tasks = load_tasks(SHARED / f"{name}-dev.jsonl").items
    evaluation = evaluate_samples(tasks, canonical_samples(tasks), executor)
    assert evaluation.pass_at == {1: 1.0}, evaluation.summary()["failed_tasks"]


def test_either_pairs_or_tasks(private_cache: Path) -> None:
    done = run_cli("evaluate", cache=private_cache)
    assert done.returncode == 2 and "either --pairs or --tasks" in done.stderr
    alone = run_cli(
        "evaluate", "--pairs", DATASETS / "pie-iclr-cpp.jsonl", "--baseline", "b.jsonl", cache=private_cache
    )
    assert alone.returncode != 0 and "baseline is compared with predictions" in alone.stderr
