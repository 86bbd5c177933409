"""SFT (optionally performance- or value-conditioned, with AlphaCode's tempering and GOLD), GRPO and
CERT's continual pre-training (CLM) on TRL's trainers: our examples and corpora as their datasets, our
execution rewards as GRPO's reward functions, our run files (config, metrics, final model) around them.
TRL brings checkpoints, resumption and multi-GPU (accelerate) with no change here."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfcoder.data.corpus import CORPUS_ROLES, build_corpora
from perfcoder.data.rows import read_jsonl
from perfcoder.data.sketch import SKETCH_MODES
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.limits import Limits
from perfcoder.rewards import ExecutionReward, RewardTiers, perfrl_reward, speedup_reward
from perfcoder.settings import setting, setting_factory
from perfcoder.training.examples import load_examples
from perfcoder.training.objectives import TokenObjective, objective_loss
from perfcoder.training.policy import TRAIN_EXTRA, Policy, PolicyConfig, load_policy
from perfcoder.training.runs import RecipeConfig, RunFiles, TrainingLimits

GRPO_REWARDS = ("perfrl", "speedup")
Log = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class SftConfig(RecipeConfig):
    max_length: int = setting(2048, "Prompt + target tokens at most.")
    objective: TokenObjective = setting_factory(
        TokenObjective, "AlphaCode's token-level choices: softmax tempering and GOLD."
    )


@dataclass(frozen=True)
class GrpoConfig(RecipeConfig):
    reward: str = setting("perfrl", "perfrl (R1..R4 tiers) or speedup (cost ratio, failure 0).")
    tiers: RewardTiers = setting_factory(RewardTiers, "PerfRL's reward levels, for reward: perfrl.")
    reward_cost: str = setting("instructions", "Cost model of the reward.")
    time_limit: float = setting(5.0, "Seconds per test of each completion.")
    generations: int = setting(4, "Completions per prompt (the group GRPO normalises over).")
    max_new_tokens: int = setting(512, "Tokens per completion.")
    temperature: float = setting(1.0, "Sampling temperature.")
    beta: float = setting(0.0, "KL weight against the starting model (0: no reference model).")

    def __post_init__(self) -> None:
        if self.reward not in GRPO_REWARDS:
            raise PerfcoderError(f"reward must be one of {', '.join(GRPO_REWARDS)}, not {self.reward!r}")
        if self.generations < 2:
            raise PerfcoderError("GRPO needs at least 2 generations per prompt")

    def reward_function(self) -> ExecutionReward:
        execution = ExecutionConfig(limits=Limits(time_s=self.time_limit))
        if self.reward == "perfrl":
            return perfrl_reward(cost=self.reward_cost, tiers=self.tiers, execution=execution)
        return speedup_reward(cost=self.reward_cost, execution=execution)


@dataclass(frozen=True)
class CorpusData:
    """What continual pre-training reads: a ready corpus, or a directory of code made into CERT's corpus
    for one role."""

    text: Path | None = setting(None, 'A JSONL of {"text": ...} rows (perfcoder sketch-corpus writes them).')
    source: Path | None = setting(None, "Or a directory of Python files, made into `role`'s corpus.")
    library: str = setting("pandas", "source: keep the files that import it.")
    role: str = setting(
        "sketcher",
        "source: sketcher (sketched files) or generator (sketch, # [segmentation], code per block).",
    )
    mode: str = setting("constants", "source: what the sketches anonymise (constants, names or both).")

    def __post_init__(self) -> None:
        if (self.text is None) == (self.source is None):
            raise PerfcoderError("corpus: give either text (a JSONL corpus) or source (a directory of code)")
        if self.role not in CORPUS_ROLES or self.mode not in SKETCH_MODES:
            roles, modes = ", ".join(CORPUS_ROLES), ", ".join(SKETCH_MODES)
            raise PerfcoderError(f"corpus: role must be one of {roles} and mode one of {modes}")

    def rows(self, run_dir: Path) -> list[dict[str, str]]:
        """The texts trained on; a corpus made from `source` is written into the run directory first."""
        path = self.text
        if self.source is not None:
            made = build_corpora(self.source, self.library, run_dir / "corpus", self.mode)
            path = made.sketcher if self.role == "sketcher" else made.generator
        assert path is not None
        rows = [row for _, row in read_jsonl(path) if isinstance(row, dict)]
        texts = [{"text": row["text"]} for row in rows if isinstance(row.get("text"), str) and row["text"]]
        if not texts:
            raise PerfcoderError(f"corpus: {path} holds no {{'text': ...}} rows")
        return texts


@dataclass(frozen=True)
class ClmConfig:
    """CERT's continual pre-training: the model's own language-modelling loss on every token of a corpus
    (a sketcher's sketched files, a generator's sketch-then-code blocks)."""

    policy: PolicyConfig = setting_factory(PolicyConfig, "The model trained.")
    corpus: CorpusData = setting_factory(
        lambda: CorpusData(text=Path("corpus.jsonl")), "The texts trained on."
    )
    run: TrainingLimits = setting_factory(TrainingLimits, "Steps, learning rate, output and checkpoints.")
    max_length: int = setting(1024, "Tokens per text at most (longer ones are cut).")


def train_sft(config: SftConfig, log: Log | None = None) -> Path:
    """Supervised fine-tuning on the fast programs, loss on the answer only; the final model's directory."""
    trl, datasets = _trl()
    files = RunFiles(config.run.output_dir)
    files.write_config("sft", config)
    examples = load_examples(config.data)
    files.write_examples(examples)
    policy = load_policy(config.policy)
    rows = [{k: v for k, v in e.row().items() if k in ("prompt", "completion")} for e in examples]
    args = trl.SFTConfig(
        **_common_args(config.run, len(examples)), max_length=config.max_length, completion_only_loss=True
    )
    trainer = _sft_trainer(trl.SFTTrainer, config.objective)
    return _fit(trainer, args, policy, datasets.Dataset.from_list(rows), files, log, config.run)


def train_clm(config: ClmConfig, log: Log | None = None) -> Path:
    """Continual pre-training on a corpus (CERT's sketcher or generator); the final model's directory."""
    trl, datasets = _trl()
    files = RunFiles(config.run.output_dir)
    files.write_config("clm", config)
    rows = config.corpus.rows(files.root)
    (files.root / "corpus.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    policy = load_policy(config.policy)
    args = trl.SFTConfig(
        **_common_args(config.run, len(rows)), max_length=config.max_length, dataset_text_field="text"
    )
    return _fit(trl.SFTTrainer, args, policy, datasets.Dataset.from_list(rows), files, log, config.run)


def train_grpo(config: GrpoConfig, log: Log | None = None) -> Path:
    """GRPO with an execution reward judged in the sandbox; the final model's directory."""
    trl, datasets = _trl()
    files = RunFiles(config.run.output_dir)
    files.write_config("grpo", config)
    reward = config.reward_function()
    examples = load_examples(config.data, reward.config.execution)
    files.write_examples(examples)
    policy = load_policy(config.policy)
    rows = [{k: v for k, v in e.row().items() if k != "completion"} for e in examples]
    args = trl.GRPOConfig(
        **_common_args(config.run, len(examples), per_step=config.generations),
        num_generations=config.generations, max_completion_length=config.max_new_tokens,
        temperature=config.temperature, beta=config.beta, log_completions=False,
    )  # fmt: skip
    dataset = datasets.Dataset.from_list(rows)
    try:
        return _fit(trl.GRPOTrainer, args, policy, dataset, files, log, config.run, reward_funcs=[reward])
    finally:
        reward.close()


def _fit(
    trainer_class: type,
    args: Any,
    policy: Policy,
    dataset: Any,
    files: RunFiles,
    log: Log | None,
    run: TrainingLimits,
    **extra: Any,
) -> Path:
    """A TRL trainer over the dataset with our metrics log, resumed from the last checkpoint if asked;
    the final model's directory."""
    trainer = trainer_class(
        model=policy.model, args=args, train_dataset=dataset, processing_class=policy.tokenizer,
        callbacks=[_metrics_callback(files, log)], **extra,
    )  # fmt: skip
    _quiet(trainer)
    trainer.train(resume_from_checkpoint=_resumable(run))
    return files.save_final(policy)


def _sft_trainer(base: type, objective: TokenObjective) -> type:
    """TRL's SFTTrainer, or (tempering, GOLD) a subclass whose loss is ours, as TRL advises: the fused
    LM head it uses otherwise never builds the logits these objectives need."""
    if objective.plain:
        return base

    class ObjectiveSftTrainer(base):  # type: ignore[misc]
        def compute_loss(
            self,
            model: Any,
            inputs: dict[str, Any],
            return_outputs: bool = False,
            num_items_in_batch: Any = None,
        ) -> Any:
            forward = {k: v for k, v in inputs.items() if k != "labels"}
            outputs = model(**forward, use_cache=False)
            loss = objective_loss(outputs.logits, inputs["labels"], objective, num_items_in_batch)
            return (loss, outputs) if return_outputs else loss

    return ObjectiveSftTrainer


def _common_args(run: TrainingLimits, examples: int, per_step: int = 1) -> dict[str, Any]:
    """TrainingArguments both recipes share; one step sees `batch_size` prompts (x `per_step` for GRPO,
    whose batch counts completions)."""
    if examples < 1:
        raise PerfcoderError("no training examples")
    return {
        "output_dir": str(run.output_dir),
        "max_steps": run.steps,
        "per_device_train_batch_size": run.batch_size * per_step,
        "learning_rate": run.learning_rate,
        "weight_decay": run.weight_decay,
        "logging_steps": 1,
        "save_steps": run.save_every or run.steps,
        "save_strategy": "steps" if run.save_every else "no",
        "seed": run.seed,
        "use_cpu": run.cpu,
        "bf16": False,
        "report_to": "none",
        "disable_tqdm": True,
    }


def _resumable(run: TrainingLimits) -> bool:
    return run.resume and any(run.output_dir.glob("checkpoint-*"))


def _metrics_callback(files: RunFiles, log: Log | None) -> Any:
    from transformers import TrainerCallback

    class Metrics(TrainerCallback):  # type: ignore[misc]
        """TRL's logs, one line per step, into the run's metrics.jsonl (and chart)."""

        def on_log(
            self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **_: Any
        ) -> None:
            if logs and "loss" in logs:
                metrics = {"step": state.global_step, **{k: v for k, v in logs.items() if _number(v)}}
                files.log(metrics)
                if log is not None:
                    log(metrics)

    return Metrics()


def _quiet(trainer: Any) -> None:
    """Our metrics callback reports each step; TRL's printer would repeat it as text."""
    from transformers import PrinterCallback

    trainer.remove_callback(PrinterCallback)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _trl() -> tuple[Any, Any]:
    try:
        import datasets
        import trl
    except ImportError:
        raise PerfcoderError(TRAIN_EXTRA) from None
    return trl, datasets


__all__ = ["ClmConfig", "CorpusData", "GrpoConfig", "SftConfig", "train_clm", "train_grpo", "train_sft"]
