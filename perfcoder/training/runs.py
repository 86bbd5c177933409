"""What every training run shares: its limits (steps, batch, learning rate, checkpoints) and its files —
the config written next to the outputs, the examples trained on, metrics as JSONL and a chart,
resumable checkpoints and the final model as a plain Hugging Face directory."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from perfcoder.errors import PerfcoderError
from perfcoder.report.charts import line_chart
from perfcoder.settings import setting, setting_factory, to_mapping
from perfcoder.training.examples import TrainingData, TrainingExample, write_examples
from perfcoder.training.policy import Policy, PolicyConfig

CHECKPOINT_PREFIX = "checkpoint-"
CHARTED = ("loss", "rank_loss", "tuning_loss", "pass_rate", "reward")


@dataclass(frozen=True)
class TrainingLimits:
    output_dir: Path = setting(Path("runs/train"), "Where config, metrics, checkpoints and the model go.")
    steps: int = setting(10, "Optimizer steps.")
    batch_size: int = setting(1, "Prompts per step.")
    learning_rate: float = setting(1e-5, "AdamW learning rate.")
    weight_decay: float = setting(0.0, "AdamW weight decay.")
    save_every: int = setting(0, "Checkpoint every N steps (0: only the final model).")
    resume: bool = setting(True, "Continue from the last checkpoint in output_dir.")
    seed: int = setting(0, "Seed of the data order and the sampling.")
    cpu: bool = setting(False, "Train on the CPU even when a GPU is there.")

    def __post_init__(self) -> None:
        if self.steps < 1 or self.batch_size < 1 or self.learning_rate <= 0 or self.save_every < 0:
            raise PerfcoderError("need steps >= 1, batch_size >= 1, learning_rate > 0, save_every >= 0")

    def optimizer(self, model: Any) -> Any:
        import torch

        trainable = [p for p in model.parameters() if p.requires_grad]
        return torch.optim.AdamW(trainable, lr=self.learning_rate, weight_decay=self.weight_decay)


@dataclass(frozen=True)
class RecipeConfig:
    """What every recipe's config starts with: the model, the data and the run."""

    policy: PolicyConfig = setting_factory(PolicyConfig, "The model trained.")
    data: TrainingData = setting_factory(TrainingData, "The pairs trained on.")
    run: TrainingLimits = setting_factory(TrainingLimits, "Steps, learning rate, output and checkpoints.")


@dataclass(frozen=True)
class Checkpoint:
    directory: Path
    step: int

    @property
    def weights(self) -> Path:
        return self.directory / "model"

    def restore(self, optimizer: Any) -> int:
        """The optimizer's saved state loaded; the step to continue from."""
        import torch

        optimizer.load_state_dict(torch.load(self.directory / "optimizer.pt", weights_only=True))
        return self.step


class RunFiles:
    def __init__(self, output_dir: Path) -> None:
        self.root = output_dir
        self.root.mkdir(parents=True, exist_ok=True)
        self.metrics = self.root / "metrics.jsonl"
        self._rows = (
            [json.loads(line) for line in self.metrics.read_text().splitlines()]
            if self.metrics.is_file()
            else []
        )

    def write_config(self, recipe: str, config: Any) -> None:
        text = yaml.safe_dump({"recipe": recipe, **to_mapping(config)}, sort_keys=False)
        (self.root / "config.yaml").write_text(text)

    def write_examples(self, examples: list[TrainingExample]) -> None:
        write_examples(examples, self.root / "examples.jsonl")

    def log(self, metrics: dict[str, Any]) -> None:
        """One JSON line per step, and the chart redrawn from all of them."""
        with self.metrics.open("a") as out:
            out.write(json.dumps(metrics) + "\n")
        self._rows.append(metrics)
        rows = self._rows
        series = {name: [float(r[name]) for r in rows] for name in CHARTED if all(name in r for r in rows)}
        if series:
            top = max(max(values) for values in series.values()) or 1.0
            chart = line_chart([str(r["step"]) for r in rows], series, "training", top)
            (self.root / "metrics.svg").write_text(chart)

    def last_checkpoint(self) -> Checkpoint | None:
        found = [
            Checkpoint(d, int(d.name.removeprefix(CHECKPOINT_PREFIX)))
            for d in self.root.glob(f"{CHECKPOINT_PREFIX}*")
            if (d / "optimizer.pt").is_file()
        ]
        return max(found, key=lambda c: c.step, default=None)

    def save_checkpoint(self, step: int, policy: Policy, optimizer: Any) -> Path:
        """Weights (LoRA adapters alone under LoRA), tokenizer and optimizer state; written last, the
        optimizer file marks a checkpoint complete."""
        import torch

        directory = self.root / f"{CHECKPOINT_PREFIX}{step}"
        policy.model.save_pretrained(directory / "model")
        policy.tokenizer.save_pretrained(directory / "model")
        torch.save(optimizer.state_dict(), directory / "optimizer.pt")
        return directory

    def save_final(self, policy: Policy) -> Path:
        return policy.save(self.root / "final")
