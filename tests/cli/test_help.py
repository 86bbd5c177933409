"""Options are documented once, on the config field they set: `--help` shows that text and that default."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from perfcoder.execution.limits import Limits
from perfcoder.jobs.evaluate import EvaluateConfig
from perfcoder.jobs.generate import GenerateConfig
from perfcoder.jobs.optimize import OptimizeConfig
from perfcoder.jobs.selfplay import SelfPlayConfig
from perfcoder.models.base import SamplingParams
from perfcoder.settings import help_of
from perfcoder.verify.testgen import TestGenConfig
from tests.support.commands import run_cli


def flattened(help_text: str) -> str:
    """Typer wraps help into columns; compare with whitespace collapsed."""
    return re.sub(r"\s+", " ", help_text)


@pytest.mark.parametrize(
    ("command", "config", "name", "default"),
    [
        (["optimize"], OptimizeConfig, "k", OptimizeConfig.k),
        (["optimize"], OptimizeConfig, "strategy", OptimizeConfig.strategy),
        (["optimize"], SamplingParams, "max_tokens", OptimizeConfig().sampling.max_tokens),
        (["generate"], GenerateConfig, "n", GenerateConfig.n),
        (["generate"], SamplingParams, "temperature", GenerateConfig().sampling.temperature),
        (["evaluate"], EvaluateConfig, "repeats", EvaluateConfig.repeats),
        (["run"], Limits, "time_s", Limits.time_s),
        (["tests", "generate"], TestGenConfig, "count", TestGenConfig.count),
        (["selfplay"], SelfPlayConfig, "limit", SelfPlayConfig.limit),
    ],
)
def test_help_is_the_config_fields_documentation_and_default(
    private_cache: Path, command: list[str], config: type, name: str, default: object
) -> None:
    done = run_cli(*command, "--help", cache=private_cache)
    assert done.returncode == 0, done.stderr
    text = flattened(done.stdout)
    assert flattened(help_of(config, name)) in text
    assert f"{flattened(help_of(config, name))} [default: {default}]" in text


def test_every_setting_of_the_job_configs_is_documented() -> None:
    for config in (OptimizeConfig, GenerateConfig, EvaluateConfig, TestGenConfig, SelfPlayConfig):
        undocumented = [f.name for f in dataclasses.fields(config) if "help" not in f.metadata]
        assert not undocumented, f"{config.__name__}: {undocumented}"
