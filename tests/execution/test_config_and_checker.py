"""YAML configs and custom checker programs."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfcoder.errors import PerfcoderError
from perfcoder.execution.config import config_to_mapping, load_execution_config
from perfcoder.execution.engine import ExecutionConfig, Executor, Program
from perfcoder.execution.judge import JudgeConfig
from perfcoder.execution.languages import PYTHON
from perfcoder.execution.testcase import TestCase
from perfcoder.execution.verdict import Verdict

CHECKER = """
import sys
_, expected, actual = (open(p).read().split() for p in sys.argv[1:4])
sys.exit(0 if sorted(expected) == sorted(actual) else 1)
"""


def test_yaml_config_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "perfcoder.yaml"
    path.write_text("limits: {time_s: 3, memory_mb: 512}\njudge: {mode: exact}\njobs: 1\n")
    config = load_execution_config(path)
    assert config.limits.time_s == 3 and config.limits.memory_mb == 512
    assert config.judge.mode == "exact" and config.jobs == 1
    assert config_to_mapping(config)["limits"]["time_s"] == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("limits: {time_seconds: 3}\n", "unknown keys"),
        ("speed: fast\n", "unknown keys"),
        ("limits: {time_s: -1}\n", "must be positive"),
        ("- a list\n", "mapping of sections"),
    ],
)
def test_bad_config_is_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(PerfcoderError, match=message):
        load_execution_config(path)


def test_checker_accepts_any_order(private_cache: Path, tmp_path: Path) -> None:
    checker = tmp_path / "checker.py"
    checker.write_text(CHECKER)
    config = ExecutionConfig(judge=JudgeConfig(checker=checker), cache_dir=private_cache)
    executor = Executor(config)
    tests = [TestCase("1", b"", b"1 2 3\n")]
    reversed_order = executor.run(Program("print(3, 2, 1)\n", PYTHON), tests)
    wrong = executor.run(Program("print(3, 2, 2)\n", PYTHON), tests)
    executor.close()
    assert reversed_order.verdict == Verdict.ACCEPTED
    assert wrong.verdict == Verdict.WRONG_ANSWER
