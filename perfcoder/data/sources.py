"""Where a pair's tests come from: inline `test_cases`, a tests root laid out
`{problem_id}/input.{i}.txt` + `output.{i}.txt` (PIE, CodeNet, `perfcoder tests generate`), or the
sample tests of CodeNet statements `{problem_id}.html`; the first that has the problem wins."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from perfcoder.data.pairs import OptimizationPair
from perfcoder.data.statements import statement_tests
from perfcoder.data.testsuite import load_tests
from perfcoder.errors import PerfcoderError
from perfcoder.execution.testcase import TestCase


@dataclass
class TestSources:
    tests_root: Path | None = None
    statements: Path | None = None
    _cache: dict[str, list[TestCase]] = field(default_factory=dict, repr=False)

    __test__ = False  # not a pytest class

    def __post_init__(self) -> None:
        for path in (self.tests_root, self.statements):
            if path is not None and not path.is_dir():
                raise PerfcoderError(f"{path}: not a directory")

    def for_pair(self, pair: OptimizationPair) -> list[TestCase]:
        """The pair's tests; a PerfcoderError naming what was looked for when there are none."""
        if pair.tests is not None:
            return pair.tests
        tests = self.for_problem(pair.problem_id)
        if pair.test_indices is None:
            return tests
        by_name = {test.name: test for test in tests}
        missing = [i for i in pair.test_indices if str(i) not in by_name]
        if missing:
            raise PerfcoderError(f"problem {pair.problem_id} has no test files for indices {missing}")
        return [by_name[str(i)] for i in pair.test_indices]

    def for_problem(self, problem_id: str) -> list[TestCase]:
        if problem_id not in self._cache:
            self._cache[problem_id] = self._find(problem_id)
        return self._cache[problem_id]

    def _find(self, problem_id: str) -> list[TestCase]:
        if self.tests_root is not None and (self.tests_root / problem_id).is_dir():
            return load_tests(self.tests_root / problem_id)
        if self.statements is not None and (self.statements / f"{problem_id}.html").is_file():
            return statement_tests(self.statements, problem_id)
        looked = [str(p) for p in (self.tests_root, self.statements) if p is not None]
        where = f" in {' or '.join(looked)}" if looked else " (no test_cases, --tests-root or --statements)"
        raise PerfcoderError(f"no tests for problem {problem_id}{where}")
