"""Optimizing a function of the example project (examples/project) with scripted models: its calls are
captured from the project's pytest run, replayed and grown in the sandbox; each kind of wrong rewrite is
rejected with the call (or the command output) that shows it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from perfcoder.data.call_capture import CallsConfig
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.verdict import Verdict
from perfcoder.jobs.optimize import OptimizeConfig
from perfcoder.jobs.optimize_function import FunctionResult, optimize_function
from perfcoder.models.base import Message, SamplingParams

EXAMPLE = Path(__file__).parents[2] / "examples" / "project"
TRACE = "python -m pytest -q -p no:cacheprovider tests"

SLOWER_CORRECT = """```python
def unique_words(words: list[str]) -> list[str]:
    seen = set()
    out = []
    for word in words:
        if word not in seen:
            seen.add(word)
            out.append(word)
    return out
```"""
WRONG_WHEN_LARGE = """```python
def unique_words(words: list[str]) -> list[str]:
    if len(words) > 1000:
        return sorted(set(words))
    return list(dict.fromkeys(words))
```"""
BREAKS_UNDER_PYTEST = """```python
import sys


def unique_words(words: list[str]) -> list[str]:
    if "pytest" in sys.modules:
        return []
    return list(dict.fromkeys(words))
```"""
NO_MUTATION = """```python
def dedupe_in_place(items: list[int]) -> int:
    return len(items) - len(dict.fromkeys(items))
```"""
OTHER_EXCEPTION = """```python
def moving_average(values: list[float], window: int) -> list[float]:
    if window <= 0:
        raise TypeError("window must be positive")
    total = sum(values[:window])
    out = [total / window] if len(values) >= window else []
    for i in range(window, len(values)):
        total += values[i] - values[i - window]
        out.append(total / window)
    return out
```"""
NEW_SIGNATURE = """```python
def moving_average(values, window, scale=1.0):
    return []
```"""


def scripted(replies: Sequence[str]):  # type: ignore[no-untyped-def]
    def model(messages: list[Message], params: SamplingParams) -> list[str]:
        assert "Keep its name and signature" in messages[-1]["content"]
        return list(replies)[: params.n]

    return model


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("project") / "textstats-project"
    shutil.copytree(EXAMPLE, copy)
    return copy


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> OptimizeConfig:
    cache = tmp_path_factory.mktemp("cache")
    return OptimizeConfig(cost="instructions", execution=ExecutionConfig(cache_dir=cache))


def run(
    project: Path, settings: OptimizeConfig, function: str, replies: Sequence[str], **kw: object
) -> FunctionResult:
    return optimize_function(
        f"textstats/core.py::{function}", TRACE, project=project, model=scripted(replies), config=settings,
        k=len(replies), calls=CallsConfig(keep=4, generated=2), **kw,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.fixture(scope="module")
def unique(project: Path, settings: OptimizeConfig) -> FunctionResult:
    replies = [SLOWER_CORRECT, WRONG_WHEN_LARGE, BREAKS_UNDER_PYTEST]
    return run(project, settings, "unique_words", replies, apply=True)


def test_calls_are_captured_from_the_command_and_grown(unique: FunctionResult) -> None:
    calls = unique.calls
    assert calls["capture"]["seen"] >= 2 and calls["recorded"] >= 2
    assert calls["generated"] >= 1
    names = [row.name for row in unique.per_call]
    assert any(name.startswith("recorded") for name in names)
    assert any(name.startswith("generated") for name in names)


def test_a_faster_correct_rewrite_is_returned_and_applied(unique: FunctionResult, project: Path) -> None:
    assert unique.improved and unique.speedup >= 1.0 + unique.min_gain
    assert unique.min_gain >= max(0.05, 2 * unique.noise) and 0.0 <= unique.noise < 0.05
    assert "seen.add(word)" in unique.function
    assert unique.diff.startswith("--- a/textstats/core.py")
    assert unique.applied and "seen.add(word)" in (project / "textstats" / "core.py").read_text()
    largest = max(unique.per_call, key=lambda row: row.original)
    assert largest.speedup is not None and largest.speedup > 1.0
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=project
    )
    assert tests.returncode == 0


def test_a_rewrite_wrong_only_on_a_generated_call_is_rejected_with_it(unique: FunctionResult) -> None:
    wrong = unique.search.candidates[1]
    assert wrong.verdict != Verdict.ACCEPTED and wrong.stage == "tests"
    assert "test generated" in wrong.note


def test_a_rewrite_that_breaks_the_command_is_rejected_with_its_output(unique: FunctionResult) -> None:
    hack = unique.search.candidates[2]
    assert hack.stage == "command" and hack.verdict == Verdict.REJECTED
    assert "failed" in hack.note
    assert [check["passed"] for check in unique.command_checks] == [False, True]


def test_a_rewrite_that_stops_mutating_its_argument_is_rejected(
    project: Path, settings: OptimizeConfig
) -> None:
    result = run(project, settings, "dedupe_in_place", [NO_MUTATION])
    rejected = result.search.candidates[0]
    assert not result.improved and rejected.stage == "tests"
    assert "test recorded" in rejected.note and "args after" in rejected.note


def test_a_rewrite_raising_another_exception_or_changing_the_signature_is_rejected(
    project: Path, settings: OptimizeConfig
) -> None:
    result = run(project, settings, "moving_average", [OTHER_EXCEPTION, NEW_SIGNATURE])
    raised, signature = result.search.candidates
    assert raised.stage == "tests" and "raised ValueError" not in raised.note and "TypeError" in raised.note
    assert signature.stage == "no_code" and "signature" in signature.note
    assert not result.improved and result.diff == ""


def test_a_function_the_command_never_calls_is_refused(project: Path, settings: OptimizeConfig) -> None:
    with pytest.raises(PerfcoderError, match="never called"):
        optimize_function(
            "textstats/core.py::word_counts", "python -c pass", project=project,
            model=scripted([SLOWER_CORRECT]), config=settings,
        )  # fmt: skip
