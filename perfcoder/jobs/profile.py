"""`perfcoder profile`: where a program's cost goes, per line of its own source, deterministic.

The profile is taken on one input: the largest the program answers within its budget, among the given
tests and (unless `grow` is off) the inputs differential testing grows from them, because the lines
that dominate small samples (reading input, start-up) are rarely those that dominate real sizes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfcoder.environment import Environment, Tests, as_tests
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig, Program
from perfcoder.execution.languages import CPP, language_named, language_of
from perfcoder.execution.probe import Probe
from perfcoder.execution.source import read_source
from perfcoder.execution.testcase import TestCase
from perfcoder.measure.lines import TOTAL, CppLineProbe, PythonLineProbe, line_costs
from perfcoder.measure.models import NATIVE
from perfcoder.settings import setting
from perfcoder.verify.differential import DifferentialConfig
from perfcoder.verify.funnel import oracle_for

UNITS = {"cpp": "instructions", "python": "line executions"}
LINE_INFO = "-g"  # added to the C++ flags: cachegrind attributes instructions to source lines by it


@dataclass(frozen=True)
class ProfileConfig:
    grow: bool = setting(True, "Profile on the largest input differential testing grows (off: given tests).")
    budget_s: float = setting(1.0, "Seconds (native) the program may take on the input it is profiled on.")
    top: int = setting(10, "Lines shown, the costliest first.")
    execution: ExecutionConfig = field(default_factory=ExecutionConfig)


@dataclass
class LineCost:
    line: int
    count: float
    share: float  # of the program's own lines' total
    text: str


@dataclass
class Profile:
    """A program's per-line costs on one input; `lines` holds every line that cost anything, costliest
    first."""

    language: str
    unit: str
    input_name: str
    input_bytes: int
    total: float  # C++: the whole run's instructions (libraries included); Python: own-line executions
    own: float  # the program's own lines together
    lines: list[LineCost]

    def top(self, n: int) -> list[LineCost]:
        return self.lines[:n]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def describe(self, n: int = 5) -> str:
        """The hottest lines as a model or a person reads them (for prompts and logs)."""
        rows = [f"line {c.line} ({100 * c.share:.1f}% of {self.unit}): {c.text.strip()}" for c in self.top(n)]
        return "\n".join(rows)


def profile(
    program: str | Path,
    tests: Tests,
    *,
    language: str | None = None,
    config: ProfileConfig | None = None,
) -> Profile:
    """Per-line costs of `program` (a path, or source with `language`) on the largest input it answers."""
    settings = config or ProfileConfig()
    source, lang = _source(program, language)
    given = as_tests(tests)
    execution = settings.execution
    if lang == CPP:
        flags = f"{execution.toolchain.cxx_flags} {LINE_INFO}"
        execution = dataclasses.replace(
            execution, toolchain=dataclasses.replace(execution.toolchain, cxx_flags=flags)
        )
    with Environment(lang, NATIVE, execution) as env:
        chosen = _largest_input(env, source, given, settings.grow, settings.budget_s)
        probe: Probe = CppLineProbe() if lang == CPP else PythonLineProbe()
        result = env.executor.run(Program(source, lang), [chosen], probe)
    if not result.passed:
        test = result.tests[0] if result.tests else None
        why = test.stderr[-300:] if test else result.compile_log[-300:]
        raise PerfcoderError(f"the program failed while profiled ({result.verdict}): {why}")
    return _profile(source, lang.name, chosen, result.tests[0].costs)


def _source(program: str | Path, language: str | None) -> tuple[str, Any]:
    if isinstance(program, Path):
        return read_source(program), language_named(language) if language else language_of(program)
    if language is None:
        raise PerfcoderError("give the language of a program passed as source")
    return program, language_named(language)


def _largest_input(
    env: Environment, source: str, given: list[TestCase], grow: bool, budget_s: float
) -> TestCase:
    """The largest input the program answers within its budget: given, or grown from them."""
    candidates = list(given)
    if grow:
        oracle = oracle_for(env, source, given, DifferentialConfig(variants=0, oracle_time_s=budget_s))
        candidates += oracle.tests
    largest = max(candidates, key=lambda test: (len(test.input), test.input))  # ties: larger numbers
    return TestCase(largest.name, largest.input, None)


def _profile(source: str, language: str, chosen: TestCase, costs: dict[str, float]) -> Profile:
    per_line = line_costs(costs)
    own = sum(per_line.values())
    if own <= 0:
        raise PerfcoderError("no cost was attributed to the program's own lines")
    text = source.splitlines()
    lines = [
        LineCost(number, count, count / own, text[number - 1] if 0 < number <= len(text) else "")
        for number, count in sorted(per_line.items(), key=lambda item: (-item[1], item[0]))
        if count > 0
    ]
    total = costs.get(TOTAL, own)
    return Profile(language, UNITS[language], chosen.name, len(chosen.input), total, own, lines)
