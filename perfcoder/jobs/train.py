"""`perfcoder.train`: one training recipe (sft, rrhf, grpo, clm) from its config (a dataclass or a YAML
file), with `run:` settings overridden by keyword, and what it produced."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfcoder.errors import PerfcoderError
from perfcoder.training.recipes import (
    RECIPES,
    TrainingConfig,
    load_recipe,
    with_run_overrides,
)
from perfcoder.training.recipes import (
    train as run_recipe,
)

OnMetrics = Callable[[dict[str, Any]], None]


@dataclass
class TrainResult:
    """The final model (a Hugging Face directory), where the run wrote, and its last logged metrics."""

    recipe: str
    model: Path
    output_dir: Path
    last: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "recipe": self.recipe,
            "model": str(self.model),
            "output_dir": str(self.output_dir),
            "last": self.last,
        }


def train(
    recipe: str,
    config: TrainingConfig | str | Path | None = None,
    *,
    on_metrics: OnMetrics | None = None,
    **overrides: Any,
) -> TrainResult:
    """Train with `recipe`; `config` is its config dataclass, a YAML file, or None for the recipe's
    defaults; keyword overrides set `run:` fields (`steps=10`, `output_dir=...`)."""
    if recipe not in RECIPES:
        raise PerfcoderError(f"unknown recipe {recipe!r} (known: {', '.join(RECIPES)})")
    kind, _ = RECIPES[recipe]
    settings = load_recipe(Path(config), recipe) if isinstance(config, str | Path) else config or kind()
    if overrides:
        names = {f.name for f in dataclasses.fields(settings.run)}
        unknown = set(overrides) - names
        if unknown:
            raise PerfcoderError(f"unknown run settings {sorted(unknown)} (known: {sorted(names)})")
        settings = with_run_overrides(settings, **overrides)
    last: dict[str, Any] = {}

    def log(metrics: dict[str, Any]) -> None:
        last.update(metrics)
        if on_metrics is not None:
            on_metrics(metrics)

    final = run_recipe(recipe, settings, log)
    return TrainResult(recipe, final, Path(settings.run.output_dir), last)
