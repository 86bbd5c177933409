"""`perfcoder profile`: where a program's cost goes, per line of its own source, deterministic.

The profile is taken on one input: the largest the program answers within its budget, among the given
tests and (unless `grow` is off) the inputs differential testing grows from them, because the lines
that dominate small samples (reading input, start-up) are rarely those that dominate real sizes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfcoder.environment import Environment, Tests, as_tests
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.languages import language_named, language_of
from perfcoder.execution.source import read_source
from perfcoder.execution.testcase import TestCase
from perfcoder.measure.cost_models import NATIVE
from perfcoder.measure.lines import Profile, largest_input, profile_run, profiling_config
from perfcoder.settings import setting, setting_factory, with_overrides
from perfcoder.verify.differential import DifferentialConfig
from perfcoder.verify.funnel import oracle_for


@dataclass(frozen=True)
class ProfileConfig:
    grow: bool = setting(True, "Profile on the largest input differential testing grows (off: given tests).")
    budget_s: float = setting(1.0, "Seconds (native) the program may take on the input it is profiled on.")
    top: int = setting(10, "Lines shown, the costliest first.")
    execution: ExecutionConfig = setting_factory(
        ExecutionConfig, "Sandbox, limits, toolchain and results store."
    )


def profile(
    program: str | Path,
    tests: Tests,
    *,
    language: str | None = None,
    config: ProfileConfig | None = None,
    **overrides: Any,
) -> Profile:
    """Per-line costs of `program` (a path, or source with `language`) on the largest input it answers;
    keyword overrides set ProfileConfig fields."""
    settings = with_overrides(ProfileConfig, config, overrides)
    source, lang = _source(program, language)
    given = as_tests(tests)
    with Environment(lang, NATIVE, profiling_config(settings.execution)) as env:
        chosen = _largest_input(env, source, given, settings.grow, settings.budget_s)
        return profile_run(env.executor, source, lang, chosen)


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
    return largest_input(candidates)
