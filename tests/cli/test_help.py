"""Options are documented once, on the config field they set: `--help` shows that text and that default."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re
from pathlib import Path
from typing import Any

import pytest
import typer

import perfcoder
from perfcoder.cli.main import cli
from perfcoder.execution.limits import Limits
from perfcoder.jobs.evaluate import EvaluateConfig
from perfcoder.jobs.generate import GenerateConfig
from perfcoder.jobs.optimize import OptimizeConfig
from perfcoder.jobs.selfplay import SelfPlayConfig
from perfcoder.models.base import SamplingParams
from perfcoder.settings import default_of, help_of
from perfcoder.verify.grown_tests import TestGenConfig
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


def config_classes() -> list[type]:
    """Every config dataclass of the package: named *Config, or one of the nested settings."""
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(perfcoder.__path__, "perfcoder."):
        if info.name.endswith("__main__") or ".call_runtime" in info.name:
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            nested = name in ("Limits", "SamplingParams", "RewardTiers")
            if (
                inspect.isclass(value)
                and dataclasses.is_dataclass(value)
                and value.__module__ == module.__name__
            ) and (name.endswith("Config") or nested):
                found[f"{module.__name__}.{name}"] = value
    return list(found.values())


def test_every_setting_of_every_config_is_documented() -> None:
    configs = config_classes()
    assert {OptimizeConfig, GenerateConfig, EvaluateConfig, TestGenConfig, SelfPlayConfig} <= set(configs)
    assert len(configs) >= 25
    for config in configs:
        undocumented = [f.name for f in dataclasses.fields(config) if "help" not in f.metadata]
        assert not undocumented, f"{config.__name__}: {undocumented}"


def commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found = [(path, command)]
    for name, sub in getattr(command, "commands", {}).items():
        found += commands(sub, (*path, name))
    return found


def test_every_option_of_every_command_is_documented_and_a_fields_help_brings_its_default() -> None:
    fields = {
        help_of(config, f.name): (config, f.name)
        for config in config_classes()
        for f in dataclasses.fields(config)
    }
    checked = 0
    for path, command in commands(typer.main.get_command(cli)):
        for param in command.params:
            if not isinstance(param, typer.core.TyperOption) or param.name == "help":
                continue
            where = f"perfcoder {' '.join(path)} {param.opts[0]}"
            assert param.help, f"{where} has no help"
            source = fields.get(param.help)
            if source is None or param.default is None or param.is_flag or source[0] is SamplingParams:
                continue  # sampling defaults are each job's own (checked above)
            default = default_of(*source)
            if isinstance(default, tuple):  # typed on the command line as a comma-separated list
                default = ",".join(f"{x:g}" for x in default)
            assert param.default == default, f"{where}: default differs from {source}"
            checked += 1
    assert checked >= 20
