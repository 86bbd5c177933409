"""Every shipped example judged in the real sandbox: slow and fast accepted, wrong_fast caught."""

from pathlib import Path

import pytest

from perfcoder.data.testsuite import load_tests
from perfcoder.execution.engine import ExecutionConfig, Executor
from perfcoder.execution.verdict import Verdict
from tests.support.files import program
from tests.support.paths import EXAMPLES

EXAMPLE_DIRS = sorted(p for p in EXAMPLES.glob("*/*") if (p / "tests").is_dir())
KINDS = {"cpp": ".cpp", "python": ".py"}


def test_enough_examples_per_language() -> None:
    for language in KINDS:
        assert len([d for d in EXAMPLE_DIRS if d.parent.name == language]) >= 10
    assert len([d for d in EXAMPLE_DIRS if any(d.glob("wrong_fast.*"))]) >= 3


@pytest.fixture(scope="module")
def shared_executor(tmp_path_factory: pytest.TempPathFactory) -> Executor:
    return Executor(ExecutionConfig(cache_dir=tmp_path_factory.mktemp("examples-cache")))


@pytest.mark.parametrize("example", EXAMPLE_DIRS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example_verdicts(shared_executor: Executor, example: Path) -> None:
    tests = load_tests(example / "tests")
    ext = KINDS[example.parent.name]
    programs = [example / f"slow{ext}", example / f"fast{ext}", *example.glob(f"wrong_fast{ext}")]
    results = shared_executor.run_many([program(p) for p in programs], tests)
    assert results[0].verdict == Verdict.ACCEPTED, results[0].to_dict()
    assert results[1].verdict == Verdict.ACCEPTED, results[1].to_dict()
    for wrong in results[2:]:
        assert wrong.tests[0].verdict == Verdict.ACCEPTED  # right on the small sample...
        assert wrong.verdict == Verdict.WRONG_ANSWER  # ...wrong on the large inputs
