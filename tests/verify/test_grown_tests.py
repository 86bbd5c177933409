"""Test generation: mutated inputs keep their shape; only inputs that every reference accepts and
agrees on are kept (real programs, real sandbox)."""

from __future__ import annotations

import json
import random
from pathlib import Path

from perfcoder.data.testsuite import load_tests
from perfcoder.execution.engine import Executor, Program
from perfcoder.execution.languages import PYTHON
from perfcoder.verify.grown_tests import TestGenConfig, accepted_references, generate_tests
from perfcoder.verify.mutation import mutate
from tests.support.commands import run_cli
from tests.support.files import program
from tests.support.paths import EXAMPLES

PAIRS = EXAMPLES / "python" / "pair_count"
ONLY_SMALL = """n, k = map(int, input().split())
a = list(map(int, input().split()))
print(sum(a[i] + a[j] == k for i in range(n) for j in range(i + 1, n)) if n <= 8 else 0)
"""
GENERATOR = """import random
rng = random.Random(int(input()))
n = rng.randint(50, 60)
print(n, 1000)
print(*(rng.randint(1, 999) for _ in range(n)))
"""


def grow(text: str, scale: float, seed: int = 1) -> list[list[str]]:
    out = mutate(text.encode(), random.Random(seed), scale, 10**6)
    assert out is not None
    return [line.split() for line in out.decode().splitlines()]


def test_rows_scale_with_their_count_and_keep_column_ranges() -> None:
    lines = grow("3\n1 2 300\n3 3 600\n1 4 800\n", 4.0)
    assert lines[0] == ["12"] and len(lines) == 13
    assert all(len(row) == 3 for row in lines[1:])
    assert all(1 <= int(r[0]) <= 3 and 2 <= int(r[1]) <= 4 and 300 <= int(r[2]) <= 800 for r in lines[1:])


def test_vectors_strings_and_grids_scale() -> None:
    assert [len(line) for line in grow("5 7\n1 2 3 4 5\n", 3.0)] == [2, 15]
    assert grow("5 7\n1 2 3 4 5\n", 3.0)[0] == ["15", "7"]
    grid = grow("2 3\nabc\ncab\n", 2.0)
    assert grid[0] == ["4", "6"] and len(grid) == 5
    assert all(len(row[0]) == 6 and set(row[0]) <= set("abc") for row in grid[1:])
    assert grow("4\nabba\n", 2.0) == [["8"], [grow("4\nabba\n", 2.0)[1][0]]]
    assert len(grow("4\nabba\n", 2.0)[1][0]) == 8


def test_inputs_without_sizes_grow_by_magnitude() -> None:
    assert grow("10\n", 4.0) == [["40"]]
    assert grow("3 -2 x\n", 2.0) == [["6", "-2", "x"]]


def test_generated_tests_are_vouched_for_by_the_references(executor: Executor) -> None:
    samples = load_tests(PAIRS / "tests")[:1]
    references = [program(PAIRS / "slow.py"), program(PAIRS / "fast.py")]
    config = TestGenConfig(count=6, scales=(1.0, 4.0, 16.0))
    report = generate_tests(references, samples, executor, config)
    assert report.tried == 6 and report.kept + report.dropped == 6 and report.kept >= 4
    assert max(len(t.input) for t in report.tests) > 8 * len(samples[0].input)
    for reference in references:
        assert executor.run(reference, report.tests).passed


def test_a_reference_that_disagrees_drops_the_input(executor: Executor) -> None:
    samples = load_tests(PAIRS / "tests")[:1]
    wrong = Program(ONLY_SMALL, PYTHON)
    references = accepted_references(executor, [program(PAIRS / "fast.py"), wrong], samples)
    assert len(references) == 2  # the wrong one is right on the small sample
    report = generate_tests(references, samples, executor, TestGenConfig(count=6, scales=(1.0, 4.0, 16.0)))
    assert report.disagreed >= 2
    assert all(int(t.input.split()[0]) <= 8 or t.output == b"0\n" for t in report.tests)  # where both agree


def test_a_user_generator_makes_inputs(executor: Executor) -> None:
    samples = load_tests(PAIRS / "tests")[:1]
    config = TestGenConfig(count=3, mutate=False, seed=5)
    report = generate_tests(
        [program(PAIRS / "fast.py")], samples, executor, config, Program(GENERATOR, PYTHON)
    )
    assert report.kept == 3 and report.generator_failed == 0
    assert all(50 <= int(t.input.split()[0]) <= 60 for t in report.tests)


SMALL_N_VALIDATOR = "n, k = map(int, input().split())\nassert n <= 16 and len(input().split()) == n\n"


def test_a_validator_keeps_inputs_outside_the_constraints_out(executor: Executor) -> None:
    samples = load_tests(PAIRS / "tests")[:1]
    config = TestGenConfig(count=6, scales=(1.0, 4.0, 16.0))
    validator = Program(SMALL_N_VALIDATOR, PYTHON)
    report = generate_tests([program(PAIRS / "fast.py")], samples, executor, config, validator=validator)
    assert report.invalid >= 2 and report.kept >= 1 and report.kept + report.dropped == report.tried == 6
    assert all(int(t.input.split()[0]) <= 16 for t in report.tests)


def test_cli_writes_samples_then_generated_tests(private_cache: Path, tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    samples.mkdir()
    for name in ("input.1.txt", "output.1.txt"):
        (samples / name).write_bytes((PAIRS / "tests" / name).read_bytes())
    out = tmp_path / "grown"
    args = ["tests", "generate", "--tests", samples, "-r", PAIRS / "fast.py", "-r", PAIRS / "slow.py"]
    done = run_cli(*args, "-o", out, "-n", "4", "--json", cache=private_cache)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    (row,) = summary["problems"]
    assert row["references"] == 2 and row["kept"] == summary["kept"] >= 3
    written = load_tests(out)
    assert len(written) == 1 + row["kept"] and written[0].input == (samples / "input.1.txt").read_bytes()
