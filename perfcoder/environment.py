"""The gym-like environment of PIE's simulator, on our sandbox and cost models.

env = perfcoder.make(language="cpp", cost="cycles", flags="-O3")
result = env.run(code, tests)                # per-test verdicts and costs, aggregate cost
comparison = env.compare(slow, fast, tests)  # speedup = cost(slow) / cost(fast)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self, cast

from perfcoder.data.testsuite import case_from_mapping, load_tests
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig, Executor, Program
from perfcoder.execution.languages import CPP, PYTHON, Language, language_named
from perfcoder.execution.probe import BatchProbe
from perfcoder.execution.results import SubmissionResult, TestResult
from perfcoder.execution.testcase import TestCase
from perfcoder.execution.verdict import Verdict
from perfcoder.measure.cost_models import DEFAULT_REPEATS, CostModel, cost_model, probe_for, speedup

EMPTY_PROGRAMS = {CPP.name: "int main() { return 0; }\n", PYTHON.name: "pass\n"}
MIN_COST = 1e-9  # keeps a start-up-subtracted cost positive, so a speedup is always defined

Tests = Path | str | Sequence[TestCase] | Sequence[Mapping[str, str]]


@dataclass
class Measurement:
    """One program measured on a test suite: cost is the sum over tests, None unless every test passed."""

    submission: SubmissionResult
    cost_model: str
    deterministic: bool
    cost: float | None
    startup_cost: float | None  # subtracted from cost when start-up subtraction is on

    @property
    def verdict(self) -> Verdict:
        return self.submission.verdict

    @property
    def tests(self) -> list[TestResult]:
        return self.submission.tests

    @property
    def passed(self) -> bool:
        return self.submission.passed

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.submission.to_dict(),
            "cost": self.cost,
            "startup_cost": self.startup_cost,
            "cost_model": self.cost_model,
            "deterministic": self.deterministic,
        }


@dataclass
class Comparison:
    """Two programs on the same tests; speedup = cost(slow) / cost(fast), None unless both passed."""

    cost_model: str
    slow: Measurement
    fast: Measurement
    speedup: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "cost_model": self.cost_model,
            "deterministic": self.slow.deterministic,
            "slow": self.slow.to_dict(),
            "fast": self.fast.to_dict(),
            "speedup": self.speedup,
        }


class Environment:
    """Judges and measures programs of one language under one cost model."""

    def __init__(
        self,
        language: Language,
        cost: CostModel,
        config: ExecutionConfig,
        *,
        subtract_startup: bool = False,
        repeats: int = DEFAULT_REPEATS,
        startup: Callable[[str], str] | None = None,
        batched: bool = True,
    ) -> None:
        """`startup`: for a program, the program whose cost is subtracted from its own (default: an
        empty one), e.g. a function's replay harness without the call; giving one turns subtraction on.
        `batched=False` measures every Python run in a process of its own, never in the fork server."""
        self.language = language
        self.cost_model = cost
        self.executor = Executor(config)
        self.probe = probe_for(cost, repeats, language.name)
        if not batched and isinstance(self.probe, BatchProbe):
            self.probe = self.probe.unbatched()
        self.subtract_startup = subtract_startup or startup is not None
        self.startup = startup or (lambda _: EMPTY_PROGRAMS[language.name])

    def run(self, code: str, tests: Tests) -> Measurement:
        return self.run_many([code], tests)[0]

    def compare(self, slow: str, fast: str, tests: Tests) -> Comparison:
        return self.compare_many([slow, fast], tests)

    def compare_many(self, codes: Sequence[str], tests: Tests, on_result: Any = None) -> Comparison:
        """Measure [slow, fast] together (interleaved when timed) and compare them."""
        before, after = self.run_many(codes, tests, on_result)
        return Comparison(self.cost_model.name, before, after, speedup(before.cost, after.cost))

    def run_many(self, codes: Sequence[str], tests: Tests, on_result: Any = None) -> list[Measurement]:
        """Measure programs together: timed models interleave their runs, so drift hits all alike."""
        suite = as_tests(tests)
        programs = [Program(code, self.language) for code in codes]
        results = self.executor.run_many(programs, suite, self.probe, on_result)
        if not self.subtract_startup:
            return [self._measurement(result, None) for result in results]
        return [
            self._measurement(r, self._startup_cost(suite, c)) for r, c in zip(results, codes, strict=True)
        ]

    def close(self) -> None:
        self.executor.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _measurement(self, result: SubmissionResult, startup: float | None) -> Measurement:
        total = None
        if result.passed:
            total = sum(test.costs[self.cost_model.cost_key] for test in result.tests)
            if startup is not None:
                total = max(total - startup, MIN_COST)
        return Measurement(result, self.cost_model.name, self.cost_model.deterministic, total, startup)

    def _startup_cost(self, suite: Sequence[TestCase], code: str) -> float:
        return float(sum(self.startup_costs(suite, code)))

    def startup_costs(self, suite: Sequence[TestCase], code: str) -> list[float]:
        """What the program's start-up program (an empty one unless given) costs on each test: start-up
        and whatever else it does besides the work being measured."""
        empty = Program(self.startup(code), self.language)
        inputs = [TestCase(test.name, test.input, None) for test in suite]
        result = self.executor.run(empty, inputs, self.probe)
        if not result.passed:
            failed = next((t for t in result.tests if not t.passed), None)
            detail = f": {failed.stderr.strip()[-300:]}" if failed is not None else ""
            raise PerfcoderError(f"the start-up program failed ({result.verdict}){detail}")
        return [test.costs[self.cost_model.cost_key] for test in result.tests]


def as_tests(tests: Tests) -> list[TestCase]:
    """Tests from a path (directory or JSON), TestCase objects, or {"input", "output"} mappings."""
    if isinstance(tests, str | Path):
        return load_tests(Path(tests))
    items = cast(Sequence[TestCase | Mapping[str, str]], tests)
    suite = [_as_test(item, n) for n, item in enumerate(items, 1)]
    if not suite:
        raise PerfcoderError("no tests given")
    return suite


def _as_test(item: TestCase | Mapping[str, str], number: int) -> TestCase:
    return item if isinstance(item, TestCase) else case_from_mapping(item, f"test {number}", str(number))


def make(
    language: str = "cpp",
    cost: str = "cycles",
    flags: str | None = None,
    *,
    subtract_startup: bool = False,
    repeats: int = DEFAULT_REPEATS,
    config: ExecutionConfig | None = None,
    **limits: Any,
) -> Environment:
    """An environment for one language and cost model; `limits` sets Limits fields (e.g. time_s=5)."""
    config = config or ExecutionConfig()
    if flags is not None:
        config = dataclasses.replace(config, toolchain=dataclasses.replace(config.toolchain, cxx_flags=flags))
    if limits:
        config = dataclasses.replace(config, limits=dataclasses.replace(config.limits, **limits))
    return Environment(
        language_named(language), cost_model(cost), config, subtract_startup=subtract_startup, repeats=repeats
    )
