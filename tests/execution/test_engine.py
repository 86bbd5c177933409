"""The executor's batch contract: results in the caller's order, a repeated program judged once."""

from __future__ import annotations

from collections import Counter

from perfcoder.execution.engine import Executor, Program
from perfcoder.execution.languages import PYTHON
from perfcoder.execution.results import TestResult
from perfcoder.execution.testcase import TestCase
from perfcoder.execution.verdict import Verdict

DOUBLE = Program("print(2 * int(input()))\n", PYTHON)
TRIPLE = Program("print(3 * int(input()))\n", PYTHON)
TESTS = [TestCase("a", b"1\n", b"2\n"), TestCase("b", b"5\n", b"10\n")]


def test_a_repeated_program_is_judged_once_and_reported_for_every_copy(executor: Executor) -> None:
    seen: Counter[tuple[int, int]] = Counter()

    def count(program: int, test: int, _result: TestResult) -> None:
        seen[program, test] += 1

    first, wrong, again = executor.run_many([DOUBLE, TRIPLE, DOUBLE], TESTS, on_result=count)
    assert first.verdict == Verdict.ACCEPTED and wrong.verdict == Verdict.WRONG_ANSWER
    assert again is first  # one run, shared
    assert seen == Counter({(p, t): 1 for p in range(3) for t in range(2)})
    stored = executor.run_many([TRIPLE, DOUBLE], TESTS)
    assert [r.verdict for r in stored] == [Verdict.WRONG_ANSWER, Verdict.ACCEPTED]
    assert all(t.from_store for r in stored for t in r.tests)
