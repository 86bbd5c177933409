"""`perfcoder optimize` end to end with a real (tiny) model, the real sandbox and cost model."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from perfcoder.jobs.optimize import OptimizeConfig
from tests.support.commands import evaluate_json, run_cli
from tests.support.files import write_rows
from tests.support.paths import DATASETS, EXAMPLES

PRIME = EXAMPLES / "python" / "prime_sum"
TINY = ("--model", "smollm2-135m", "--max-tokens", "160", "--cost", "instructions", "--time-limit", "2")


def test_optimize_never_returns_a_failing_program(private_cache: Path, tmp_path: Path) -> None:
    shutil.copy(PRIME / "slow.py", tmp_path / "slow.py")
    tests = tmp_path / "tests.json"
    tests.write_text(
        json.dumps([{"input": "10\n", "output": "17\n"}, {"input": "100\n", "output": "1060\n"}])
    )
    done = run_cli(
        "optimize", tmp_path / "slow.py", "--tests", tests, "-k", "2", *TINY, "--json", cache=private_cache
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) >= {"speedup", "verdict", "output", "candidates"} and len(result["candidates"]) == 2
    assert result["verdict"] == "accepted"
    written = Path(result["output"])
    assert written == tmp_path / "slow.optimized.py"
    accepted = [c["speedup"] for c in result["candidates"] if c["verdict"] == "accepted"]
    assert result["speedup"] == max([1.0, *accepted])  # the best accepted candidate, or the input unchanged
    judged = run_cli("run", written, "--tests", tests, "--json", cache=private_cache)
    assert json.loads(judged.stdout)["verdict"] == "accepted", judged.stdout  # whatever the model wrote
    run = json.loads((tmp_path / "slow.optimized.py.run.json").read_text())
    assert run["config"]["k"] == 2 and len(run["result"]["candidates"]) == 2
    fields = {f.name for f in dataclasses.fields(OptimizeConfig)}
    assert set(run["config"]) == fields | {"inputs"}  # the job config's own mapping, as the library writes


@pytest.mark.slow  # a whole end-to-end run (optimize --pairs, then evaluate): make test-all
def test_optimize_pairs_writes_predictions_that_evaluate_reads(private_cache: Path, tmp_path: Path) -> None:
    rows = [json.loads(line) for line in (DATASETS / "pie2023-python-inline.jsonl").read_text().splitlines()]
    pairs = write_rows(tmp_path / "pairs.jsonl", [r for r in rows if r["problem_id"] == "prime_sum"])
    predictions = tmp_path / "predictions.jsonl"
    done = run_cli(
        "optimize", "--pairs", pairs, "-o", predictions, "-k", "2", *TINY, "--json", cache=private_cache
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["written"] == 1
    (row,) = [json.loads(line) for line in predictions.read_text().splitlines()]
    assert row["id"] == "prime_sum-slow" and len(row["generated_answers"]) == 2
    assert row["samples"] == 2 and len(row["curve"]) == 2 and row["curve"] == sorted(row["curve"])
    again = run_cli(
        "optimize", "--pairs", pairs, "-o", predictions, "-k", "2", *TINY, "--json", cache=private_cache
    )
    assert json.loads(again.stdout)["resumed"] == 1 and len(predictions.read_text().splitlines()) == 1
    report = tmp_path / "report"
    scored = evaluate_json(
        private_cache, "--pairs", pairs, "--predictions", predictions, "--cost", "instructions",
        "--report", report,
    )  # fmt: skip
    assert scored["n"] == 1 and scored["speedup"] == row["best_speedup"]
    assert scored["search_curve"] == [round(value, 4) for value in row["curve"]]
    assert "Search curve: samples spent" in (report / "report.html").read_text()


def test_bad_model_inputs_are_one_line_errors(private_cache: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF but not really")
    tests = tmp_path / "tests.json"
    tests.write_text(json.dumps([{"input": "10\n", "output": "17\n"}]))
    measure = ("--cost", "cpu", "--repeats", "1", "--no-differential")  # no bearing on the model errors
    args = ("optimize", PRIME / "slow.py", "--tests", tests, *measure)
    done = run_cli(*args, "--model", str(broken), cache=private_cache)
    assert done.returncode == 2 and "cannot load it" in done.stderr and "Traceback" not in done.stderr
    unreachable = ("--model", "openai:x", "--base-url", "http://127.0.0.1:9", "--retries", "0")
    done = run_cli(*args, *unreachable, cache=private_cache)
    assert done.returncode == 2 and "cannot reach" in done.stderr and "Traceback" not in done.stderr


def test_an_example_pool_without_a_pairs_language_stops_the_run_before_any_pair(
    private_cache: Path, tmp_path: Path
) -> None:
    python = [
        json.loads(line) for line in (DATASETS / "pie2023-python-inline.jsonl").read_text().splitlines()
    ]
    cpp = [json.loads(line) for line in (DATASETS / "pie-iclr-cpp.jsonl").read_text().splitlines()]
    prime = next(r for r in python if r["problem_id"] == "prime_sum")
    endl = next(r for r in cpp if r["problem_id"] == "endl_flush")
    pairs = write_rows(tmp_path / "pairs.jsonl", [prime, endl])  # the Python pair would be spent first
    pool = write_rows(tmp_path / "pool.jsonl", python[:2])
    predictions = tmp_path / "predictions.jsonl"
    done = run_cli(
        "optimize", "--pairs", pairs, "-o", predictions, "--strategy", "fewshot", "--examples", pool, *TINY,
        cache=private_cache,
    )  # fmt: skip
    assert done.returncode == 2 and "no cpp pairs with a fast program" in done.stderr, done.stderr
    assert not predictions.exists() or not predictions.read_text().strip()


@pytest.mark.slow
def test_default_model_speeds_up_the_demo_example(private_cache: Path, tmp_path: Path) -> None:
    """The main job with the bundled 0.5B model (minutes on 2 cores): what `make demo` shows."""
    example = PRIME.parent.parent / "cpp" / "prime_sum"
    out = tmp_path / "optimized.cpp"
    args = ["optimize", example / "slow.cpp", "--tests", example / "tests", "-k", "4", "-o", out, "--json"]
    done = run_cli(*args, cache=private_cache)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["verdict"] == "accepted" and result["speedup"] > 1.0
    assert run_cli("run", out, "--tests", example / "tests", cache=private_cache).returncode == 0
