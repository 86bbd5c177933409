"""Result records of judged runs; plain dataclasses that serialise to the JSON every command prints."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from perfcoder.execution.verdict import Verdict

PREVIEW_CHARS = 2000  # output kept per test: enough for feedback to a model, small enough to store


@dataclass
class TestResult:
    name: str
    verdict: Verdict
    exit_code: int | None = None
    wall_s: float = 0.0
    cpu_s: float = 0.0
    max_rss_kb: int = 0
    costs: dict[str, float] = field(default_factory=dict)
    stdout: str = ""
    stderr: str = ""
    from_store: bool = False

    __test__ = False  # not a pytest class

    @property
    def passed(self) -> bool:
        return self.verdict == Verdict.ACCEPTED

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = str(self.verdict)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestResult:
        return cls(**{**data, "verdict": Verdict(data["verdict"])})


@dataclass
class SubmissionResult:
    """One program judged on a test suite: accepted only if every test is."""

    verdict: Verdict
    language: str
    tests: list[TestResult]
    compile_log: str = ""

    @property
    def passed(self) -> bool:
        return self.verdict == Verdict.ACCEPTED

    @property
    def stored_tests(self) -> int:
        """How many of its tests were answered from the results store."""
        return sum(test.from_store for test in self.tests)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": str(self.verdict),
            "language": self.language,
            "passed": sum(t.passed for t in self.tests),
            "total": len(self.tests),
            "stored_tests": self.stored_tests,
            "compile_log": self.compile_log,
            "tests": [test.to_dict() for test in self.tests],
        }


def overall_verdict(tests: list[TestResult]) -> Verdict:
    """The verdict of the first failed test in test order (deterministic under parallelism)."""
    for test in tests:
        if not test.passed:
            return test.verdict
    return Verdict.ACCEPTED
