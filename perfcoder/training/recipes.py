"""The training recipes by name, their configs read from YAML (the file `perfcoder train` takes), and
one entry point that runs any of them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from perfcoder.errors import PerfcoderError
from perfcoder.settings import from_mapping, read_mapping, with_given
from perfcoder.training.rrhf import RrhfConfig, RrhfTrainer
from perfcoder.training.trl_recipes import (
    ClmConfig,
    GrpoConfig,
    Log,
    SftConfig,
    train_clm,
    train_grpo,
    train_sft,
)

TrainingConfig = SftConfig | RrhfConfig | GrpoConfig | ClmConfig


def _train_rrhf(config: RrhfConfig, log: Log | None) -> Path:
    return RrhfTrainer(config, log).train()


RECIPES: dict[str, tuple[type, Callable[[Any, Log | None], Path]]] = {
    "sft": (SftConfig, train_sft),
    "rrhf": (RrhfConfig, _train_rrhf),
    "grpo": (GrpoConfig, train_grpo),
    "clm": (ClmConfig, train_clm),
}


def load_recipe(path: Path, recipe: str) -> TrainingConfig:
    """The config of `recipe` from a YAML file; a `recipe:` key in the file must agree."""
    if recipe not in RECIPES:
        raise PerfcoderError(f"unknown recipe {recipe!r} (known: {', '.join(RECIPES)})")
    data = read_mapping(path, "a training config is a mapping")
    named = data.pop("recipe", recipe)
    if named != recipe:
        raise PerfcoderError(f"{path} is a {named!r} config, not {recipe!r}")
    config: TrainingConfig = from_mapping(RECIPES[recipe][0], data, str(path))
    return config


def with_run_overrides(config: TrainingConfig, **overrides: Any) -> TrainingConfig:
    """The config with some of its `run:` settings replaced (None leaves one as it is)."""
    return dataclasses.replace(config, run=with_given(config.run, **overrides))


def train(recipe: str, config: TrainingConfig, log: Log | None = None) -> Path:
    """Run a recipe; the directory of the final model (a plain Hugging Face directory)."""
    kind, run = RECIPES[recipe]
    if not isinstance(config, kind):
        raise PerfcoderError(f"recipe {recipe!r} takes a {kind.__name__}, not {type(config).__name__}")
    return run(config, log)
