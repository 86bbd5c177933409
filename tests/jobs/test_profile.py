"""`perfcoder profile` on the shipped examples, in the real sandbox: the loop that dominates is the
hottest line, and the counts repeat exactly."""

from __future__ import annotations

import json
from pathlib import Path

import perfcoder
from perfcoder.execution.testcase import TestCase
from perfcoder.jobs.profile import ProfileConfig
from tests.support.commands import run_cli
from tests.support.paths import EXAMPLES

PRIME_CPP = EXAMPLES / "cpp" / "prime_sum"
PRIME_PY = EXAMPLES / "python" / "prime_sum"


def test_the_trial_division_loop_is_the_hottest_line_of_the_cpp_example() -> None:
    found = perfcoder.profile(PRIME_CPP / "slow.cpp", PRIME_CPP / "tests", config=ProfileConfig(grow=False))
    hottest, second = found.top(2)
    assert "i % j" in hottest.text and "for (int j = 2; j < i; j++)" in second.text
    assert hottest.share + second.share > 0.99 and found.unit == "instructions"
    assert found.own <= found.total  # the run's total holds the library's instructions too


def test_python_lines_are_counted_exactly_on_a_grown_input(private_cache: Path) -> None:
    first = perfcoder.profile(PRIME_PY / "slow.py", PRIME_PY / "tests")
    assert first.input_name.startswith("gen")  # larger than any given test
    assert {first.top(2)[0].line, first.top(2)[1].line} == {6, 7}  # the inner loop and its test
    assert first.unit == "line executions" and first.own == first.total
    done = run_cli("profile", PRIME_PY / "slow.py", "--tests", PRIME_PY / "tests", "--json", "--top", "3",
                   "--no-store", cache=private_cache)  # fmt: skip
    assert done.returncode == 0, done.stderr
    again = json.loads(done.stdout)
    assert [line["count"] for line in again["lines"]] == [c.count for c in first.top(3)]
    assert again["input_name"] == first.input_name


# the work of line 5 is done in the fractions module's Python code, that of line 8 on the line itself
LIBRARY_CALLS = """import fractions
n = int(input())
total = fractions.Fraction(0)
for i in range(1, n):
    total += fractions.Fraction(1, i)
x = 0
for i in range(n):
    x += i
print(total.denominator % 7, x)
"""


def test_a_python_line_is_charged_with_the_library_code_it_runs() -> None:
    found = perfcoder.profile(
        LIBRARY_CALLS, [TestCase("1", b"3000\n", None)], language="python", config=ProfileConfig(grow=False)
    )
    counts = {line.line: line.count for line in found.lines}
    assert found.top(1)[0].line == 5 and counts[5] > 10 * counts[8]
    assert counts[8] == 3000 and counts[1] > 1000  # its own executions; importing fractions runs its code
