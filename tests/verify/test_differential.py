"""Differential testing against the original program, on real programs in the real sandbox: a candidate
that is wrong only on large inputs is caught, a correct one passes, and an original too slow for large
inputs limits how far the inputs grow instead of failing the run."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import perfcoder
from perfcoder.environment import Environment
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import Executor, Program
from perfcoder.execution.languages import CPP, PYTHON
from perfcoder.execution.testcase import TestCase
from perfcoder.strategies.catalog import make_strategy
from perfcoder.strategies.search import SearchConfig, optimize_program
from perfcoder.verify.differential import DifferentialConfig, build_oracle, check_programs
from perfcoder.verify.validation import validator_program
from tests.support.commands import evaluate_json, run_cli
from tests.support.files import write_rows
from tests.support.models import ScriptedModel, fenced
from tests.support.sums import GIVEN, INT_FORMULA, LOOP_SUM, WIDE_FORMULA


def test_a_candidate_that_overflows_only_on_large_inputs_is_rejected(executor: Executor) -> None:
    oracle = build_oracle(Program(LOOP_SUM, CPP), GIVEN, executor)
    wrong, right = check_programs(oracle, [Program(INT_FORMULA, CPP), Program(WIDE_FORMULA, CPP)], executor)
    assert right is None
    assert wrong is not None and wrong.verdict == "wrong_answer"
    n = int(wrong.input)
    assert n > 46340 and wrong.expected == f"{n * (n + 1) // 2}\n" and wrong.actual != wrong.expected
    values = [int(t.input) for t in oracle.tests]
    assert all(m <= 46340 for m in values if m < n)  # the smallest input that shows the bug is reported
    assert max(int(t.input) for t in oracle.tests) > 10**6  # the ladder went far past the given tests
    assert [len(t.input) for t in oracle.tests] == sorted(len(t.input) for t in oracle.tests)


def test_every_generated_input_carries_the_originals_answer(executor: Executor) -> None:
    oracle = build_oracle(Program(LOOP_SUM, CPP), GIVEN, executor, DifferentialConfig(max_inputs=5))
    assert 1 <= len(oracle.tests) <= 5 and oracle.summary()["inputs"] == len(oracle.tests)
    for test in oracle.tests:
        n = int(test.input)
        assert test.output == f"{n * (n + 1) // 2}\n".encode()
    assert not {t.input for t in oracle.tests} & {t.input for t in GIVEN}


QUADRATIC = """#include <cstdio>
int main() {
    long long n, count = 0; scanf("%lld", &n);
    for (long long i = 0; i < n; i++) for (long long j = i + 1; j < n; j++) count += (i + j) % 7 == 0;
    printf("%lld\\n", count);
}
"""
LINEAR = """#include <cstdio>
int main() {
    long long n, count = 0, seen[7] = {0}; scanf("%lld", &n);
    for (long long j = 0; j < n; j++) { count += seen[(7 - j % 7) % 7]; seen[j % 7]++; }
    printf("%lld\\n", count);
}
"""


def test_an_original_too_slow_for_large_inputs_limits_the_scale(executor: Executor) -> None:
    given = [TestCase("1", b"50\n", None), TestCase("2", b"2000\n", None)]
    config = DifferentialConfig(oracle_time_s=0.3)
    oracle = build_oracle(Program(QUADRATIC, CPP), given, executor, config)
    assert oracle.unanswered >= 1 and any("timeout" in stop for stop in oracle.ladder_stops)
    largest = max(int(t.input) for t in oracle.tests)
    assert 4000 <= largest < 2000 * 2**config.max_steps  # grew, and stopped where the original gave out
    assert check_programs(oracle, [Program(LINEAR, CPP)], executor) == [None]


ONLY_SMALL_IS_STABLE = "import os\nn = int(input())\nprint(n if n <= 100 else os.urandom(8).hex())\n"


def test_inputs_where_the_original_is_not_repeatable_are_dropped(executor: Executor) -> None:
    oracle = build_oracle(Program(ONLY_SMALL_IS_STABLE, PYTHON), [TestCase("1", b"10\n", None)], executor)
    before = len(oracle.tests)
    assert check_programs(oracle, [Program("print(input())\n", PYTHON)], executor) == [None]
    assert oracle.unstable >= 1 and len(oracle.tests) == before - oracle.unstable
    assert all(int(t.input) <= 100 for t in oracle.tests)


# 1 + 2 + ... + n for 1 <= n <= 1000: the original answers any n, the table only the valid ones
LOOP_PY = "n = int(input())\nprint(sum(range(n + 1)))\n"
TABLE_PY = "T = [i * (i + 1) // 2 for i in range(1001)]\nprint(T[int(input())])\n"
HALF_TABLE_PY = (
    "T = [i * (i + 1) // 2 for i in range(1001)]\nn = int(input())\nprint(T[n] if n < 950 else 0)\n"
)
VALIDATOR_PY = "n = int(input())\nassert 1 <= n <= 1000\n"
SMALL = [TestCase(str(n), f"{n}\n".encode(), None) for n in (10, 250, 900)]


def test_a_validator_keeps_inputs_outside_the_constraints_out(executor: Executor, tmp_path: Path) -> None:
    without = build_oracle(Program(LOOP_PY, PYTHON), SMALL, executor)
    (rejected,) = check_programs(without, [Program(TABLE_PY, PYTHON)], executor)
    assert rejected is not None and int(rejected.input) > 1000 and rejected.verdict == "runtime_error"

    validator = tmp_path / "validator.py"
    validator.write_text(VALIDATOR_PY)
    config = DifferentialConfig(validator=validator)
    oracle = build_oracle(Program(LOOP_PY, PYTHON), SMALL, executor, config)
    values = [int(t.input) for t in oracle.tests]
    assert values and all(1 <= n <= 1000 for n in values) and max(values) >= 600
    assert oracle.invalid >= 1 and oracle.summary()["invalid"] == oracle.invalid
    assert any("validator rejected" in stop for stop in oracle.ladder_stops)
    table, half = check_programs(
        oracle, [Program(TABLE_PY, PYTHON), Program(HALF_TABLE_PY, PYTHON)], executor
    )
    assert table is None  # right on every valid input
    assert half is not None and int(half.input) >= 950 and half.actual == "0\n"  # wrong inside them


# degrees of a tree: N, then N - 1 edges
DEGREES_PY = """n = int(input())
deg = [0] * (n + 1)
for _ in range(n - 1):
    a, b = map(int, input().split())
    deg[a] += 1
    deg[b] += 1
print(max(deg), deg.count(1))
"""
TREE_VALIDATOR_PY = """import sys
n, *ends = map(int, sys.stdin.read().split())
parent = list(range(n + 1))
def root(x):
    while parent[x] != x:
        x = parent[x]
    return x
assert 2 <= n <= 10**5 and len(ends) == 2 * (n - 1)
for a, b in zip(ends[::2], ends[1::2]):
    assert 1 <= a <= n and 1 <= b <= n and root(a) != root(b)
    parent[root(a)] = root(b)
"""
TREES = [
    TestCase(str(n), text.encode(), None)
    for n, text in enumerate(("5\n1 2\n2 3\n3 4\n3 5\n", "4\n1 2\n1 3\n1 4\n", "2\n1 2\n"))
]


def test_grown_trees_stay_trees_so_validated_testing_keeps_large_inputs(
    executor: Executor, tmp_path: Path
) -> None:
    validator = tmp_path / "tree.py"
    validator.write_text(TREE_VALIDATOR_PY)
    config = DifferentialConfig(validator=validator, max_steps=8)
    oracle = build_oracle(Program(DEGREES_PY, PYTHON), TREES, executor, config)
    sizes = [int(t.input.split()[0]) for t in oracle.tests]
    assert oracle.invalid == 0 and len(sizes) >= 6 and max(sizes) >= 5 * 2**8
    small_array = Program(DEGREES_PY.replace("[0] * (n + 1)", "[0] * 101"), PYTHON)
    (mismatch,) = check_programs(oracle, [small_array], executor)
    assert (
        mismatch is not None and mismatch.verdict == "runtime_error" and int(mismatch.input.split()[0]) > 100
    )


def test_a_validator_that_rejects_a_given_test_stops_the_run(executor: Executor, tmp_path: Path) -> None:
    validator = tmp_path / "validator.py"
    validator.write_text("n = int(input())\nassert n <= 100\n")
    with pytest.raises(PerfcoderError, match="rejects given test 250"):
        build_oracle(Program(LOOP_PY, PYTHON), SMALL, executor, DifferentialConfig(validator=validator))


def test_a_directory_of_validators_is_picked_by_problem(tmp_path: Path) -> None:
    (tmp_path / "p1.py").write_text(VALIDATOR_PY)
    program = validator_program(tmp_path, "p1")
    assert program is not None and program.source == VALIDATOR_PY and program.language == PYTHON
    assert validator_program(tmp_path, "p2") is None  # no validator for that problem: inputs unfiltered
    with pytest.raises(PerfcoderError, match="is a directory"):
        validator_program(tmp_path)
    assert validator_program(None, "p1") is None


def test_bad_settings_are_refused() -> None:
    with pytest.raises(PerfcoderError, match="growth"):
        DifferentialConfig(growth=1.0)
    with pytest.raises(PerfcoderError, match="oracle_time_s"):
        DifferentialConfig(oracle_time_s=0)


@pytest.fixture
def env(private_cache: Path) -> Iterator[Environment]:
    environment = perfcoder.make("cpp", cost="instructions", time_s=2)
    yield environment
    environment.close()


def test_the_search_rejects_a_candidate_wrong_past_the_tests(env: Environment) -> None:
    model = ScriptedModel([[fenced(INT_FORMULA, "cpp"), fenced(WIDE_FORMULA, "cpp")]])
    result = optimize_program(
        LOOP_SUM, GIVEN, env, model, make_strategy("instruction", "cpp"), SearchConfig(k=2, min_gain=0.0)
    )  # on tests this small the formula's gain is start-up's rounding: below the default minimum
    overflow, correct = result.candidates
    assert overflow.verdict == "wrong_answer" and overflow.cost is None and overflow.mismatch is not None
    assert "differs from the original on generated input" in overflow.note
    assert correct.verdict == "accepted" and correct.mismatch is None
    assert result.improved and result.code == WIDE_FORMULA
    assert result.differential is not None and result.differential["inputs"] >= 1


def test_without_differential_testing_the_same_candidate_passes(env: Environment) -> None:
    model = ScriptedModel([[fenced(INT_FORMULA, "cpp")]])
    config = SearchConfig(k=1, differential=dataclasses.replace(DifferentialConfig(), enabled=False))
    result = optimize_program(LOOP_SUM, GIVEN, env, model, make_strategy("instruction", "cpp"), config)
    assert result.candidates[0].verdict == "accepted" and result.differential is None


def test_the_search_accepts_a_candidate_right_on_every_valid_input(
    private_cache: Path, tmp_path: Path
) -> None:
    validator = tmp_path / "validator.py"
    validator.write_text(VALIDATOR_PY)
    given = [TestCase(t.name, t.input, str(sum(range(int(t.input) + 1))).encode() + b"\n") for t in SMALL]
    model = ScriptedModel([[fenced(TABLE_PY, "python"), fenced(HALF_TABLE_PY, "python")]])
    checks = DifferentialConfig(validator=validator)
    with perfcoder.make("python", cost="cpu", time_s=2) as python:
        result = optimize_program(
            LOOP_PY,
            given,
            python,
            model,
            make_strategy("instruction", "python"),
            SearchConfig(k=2, differential=checks),
        )
    table, half = result.candidates
    assert table.mismatch is None and table.verdict == "accepted"
    assert half.mismatch is not None and half.verdict == "wrong_answer"
    assert result.differential is not None and result.differential["invalid"] >= 1


def test_evaluate_reports_correctness_on_the_tests_and_under_differential_testing(
    private_cache: Path, tmp_path: Path
) -> None:
    cases = [{"input": t.input.decode(), "output": (t.output or b"").decode()} for t in GIVEN]
    pair = {"id": "sum", "problem_id": "sum", "language": "cpp", "input": LOOP_SUM, "target": WIDE_FORMULA}
    pairs = write_rows(tmp_path / "pairs.jsonl", [{**pair, "test_cases": cases}])
    predictions = write_rows(tmp_path / "pred.jsonl", [{"id": "sum", "generated_answers": [INT_FORMULA]}])
    args = ("--pairs", pairs, "--predictions", predictions, "--cost", "instructions", "--time-limit", "2")
    plain = evaluate_json(private_cache, *args)
    assert plain["pct_correct"] == 100.0 and plain["differential"] is None
    checked = evaluate_json(private_cache, *args, "--differential")
    # the overflow does not show on the given tests, on a generated input it does
    assert checked["pct_correct"] == 0.0 and checked["speedup"] == 1.0
    assert checked["human"]["pct_correct"] == 100.0  # the long long formula is right
    assert checked["differential"]["generated_inputs"] >= 1
    # the wrong candidate was never measured: only the human program was
    assert checked["verification"]["stopped"]["differential"] == 1
    assert checked["verification"]["measured"] == 1 and checked["verification"]["spared"] == 1


def test_bench_checks_fast_against_slow_on_request(private_cache: Path, tmp_path: Path) -> None:
    (tmp_path / "slow.cpp").write_text(LOOP_SUM)
    (tmp_path / "fast.cpp").write_text(INT_FORMULA)
    tests = write_rows(tmp_path / "tests.jsonl", [{"input": "1000\n", "output": "500500\n"}])
    args = ("bench", tmp_path / "slow.cpp", tmp_path / "fast.cpp", "--tests", tests, "--cost", "instructions")
    plain = json.loads(run_cli(*args, "--json", cache=private_cache).stdout)
    assert plain["speedup"] > 1.0 and plain["verification"] is None
    checked = json.loads(run_cli(*args, "--json", "--differential", cache=private_cache).stdout)
    verified = checked["verification"]
    assert checked["speedup"] is None and verified["stage"] == "differential"
    assert verified["mismatch"]["verdict"] == "wrong_answer" and verified["measured"] == 0


def test_evaluate_uses_each_problems_validator(private_cache: Path, tmp_path: Path) -> None:
    cases = [
        {"input": t.input.decode(), "output": f"{int(t.input) * (int(t.input) + 1) // 2}\n"} for t in SMALL
    ]
    pair = {"id": "tri", "problem_id": "tri", "language": "python", "input": LOOP_PY, "target": TABLE_PY}
    pairs = write_rows(tmp_path / "pairs.jsonl", [{**pair, "test_cases": cases}])
    validators = tmp_path / "validators"
    validators.mkdir()
    (validators / "tri.py").write_text(VALIDATOR_PY)
    args = ("--pairs", pairs, "--cost", "cpu", "--time-limit", "2", "--differential")
    unchecked = evaluate_json(private_cache, *args)
    assert unchecked["human"]["pct_correct"] == 0.0  # the table fails past n = 1000, outside the constraints
    checked = evaluate_json(private_cache, *args, "--validator", validators)
    assert checked["human"]["pct_correct"] == 100.0 and checked["differential"]["invalid_inputs"] >= 1


def test_a_validator_without_differential_testing_is_refused(private_cache: Path, tmp_path: Path) -> None:
    (tmp_path / "slow.py").write_text(LOOP_PY)
    (tmp_path / "validator.py").write_text(VALIDATOR_PY)
    tests = write_rows(tmp_path / "tests.jsonl", [{"input": "10\n", "output": "55\n"}])
    args = ("bench", tmp_path / "slow.py", tmp_path / "slow.py", "--tests", tests, "--cost", "cpu")
    refused = run_cli(*args, "--validator", tmp_path / "validator.py", cache=private_cache)
    assert refused.returncode != 0 and "differential" in refused.stderr
    accepted = run_cli(*args, "--differential", "--validator", tmp_path / "validator.py", cache=private_cache)
    assert accepted.returncode == 0, accepted.stderr
