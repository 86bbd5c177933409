"""The model being trained: a Hugging Face directory, a GGUF file dequantized through transformers (the
bundled models included), or a tiny randomly initialised model with a real model's architecture and
tokenizer (tests and CPU smoke runs). Full fine-tuning or LoRA (peft). Heavy imports happen on use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfcoder.errors import PerfcoderError
from perfcoder.models.weights import BUNDLED, DEFAULT_MODEL, model_file
from perfcoder.settings import setting
from perfcoder.store import default_cache_dir, digest

TINY_PREFIX = "tiny:"
TRAIN_EXTRA = "training needs: pip install 'perfcoder[train]'"


@dataclass(frozen=True)
class TinyShape:
    """The size of a tiny model: small enough that a training step takes a second on a CPU."""

    layers: int = 2
    hidden: int = 64
    heads: int = 4
    kv_heads: int = 2
    intermediate: int = 128


@dataclass(frozen=True)
class PolicyConfig:
    model: str = setting(
        DEFAULT_MODEL,
        "A Hugging Face model directory, a .gguf file or a bundled model name (dequantized through "
        "transformers), or tiny:NAME (randomly initialised, NAME's architecture and tokenizer).",
    )
    lora_rank: int = setting(0, "LoRA rank (0: full fine-tuning).")
    lora_alpha: int = setting(32, "LoRA scaling numerator (scale = alpha / rank).")
    lora_dropout: float = setting(0.05, "Dropout on the LoRA branch.")
    tiny: TinyShape = setting(TinyShape(), "Layer sizes of a tiny: model.")
    seed: int = setting(0, "Seed of a tiny model's initial weights.")

    def __post_init__(self) -> None:
        if self.lora_rank < 0:
            raise PerfcoderError(f"lora_rank must be at least 0, got {self.lora_rank}")


@dataclass
class Policy:
    model: Any  # a transformers (or peft) causal LM
    tokenizer: Any
    source: str  # what it was loaded from, for the run record

    def save(self, directory: Path) -> Path:
        """A plain Hugging Face directory (LoRA merged in): `perfcoder optimize --model DIR` loads it."""
        model = self.model
        if hasattr(model, "merge_and_unload"):
            model = _merged_copy(model)
        directory.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(directory)
        self.tokenizer.save_pretrained(directory)
        return directory


def load_policy(config: PolicyConfig, weights: Path | None = None) -> Policy:
    """The policy `config` names; `weights` (a checkpoint directory) replaces the starting weights."""
    try:
        import torch  # noqa: F401  (fail here, with the install hint, not deep in transformers)
        import transformers
    except ImportError:
        raise PerfcoderError(TRAIN_EXTRA) from None
    transformers.logging.set_verbosity_error()
    spec = config.model
    tiny = spec.startswith(TINY_PREFIX)
    policy = _tiny(spec.removeprefix(TINY_PREFIX), config) if tiny else _pretrained(spec)
    if config.lora_rank:
        policy.model = _with_lora(policy.model, config, weights)
    elif weights is not None:
        from transformers import AutoModelForCausalLM

        policy.model = AutoModelForCausalLM.from_pretrained(weights, dtype="float32")
    if policy.tokenizer.pad_token is None:
        policy.tokenizer.pad_token = policy.tokenizer.eos_token
    return policy


def gguf_location(spec: str) -> Path | None:
    """The GGUF file a bundled name or a .gguf path stands for; None for anything else."""
    if spec in BUNDLED:
        return model_file(BUNDLED[spec])
    path = Path(spec)
    return path if path.suffix == ".gguf" else None


def _pretrained(spec: str) -> Policy:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = gguf_location(spec)
    if gguf is not None:
        if not gguf.is_file():
            raise PerfcoderError(f"{gguf}: no such GGUF file")
        model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype="float32")
        model.hf_quantizer = None  # dequantized: saved as plain weights, not as GGUF
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        return Policy(model, _gguf_tokenizer(gguf), str(gguf))
    directory = Path(spec)
    if not (directory / "config.json").is_file():
        raise PerfcoderError(f"{spec}: not a bundled model, a .gguf file, tiny:NAME or a model directory")
    model = AutoModelForCausalLM.from_pretrained(directory, dtype="float32")
    return Policy(model, AutoTokenizer.from_pretrained(directory), str(directory))


def _tiny(name: str, config: PolicyConfig) -> Policy:
    """NAME's architecture with a few small layers, weights drawn from a fixed seed."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    gguf = gguf_location(name)
    source = _gguf_metadata(gguf) if gguf is not None else Path(name)
    try:
        real = AutoConfig.from_pretrained(source)
    except OSError as exc:
        raise PerfcoderError(f"tiny:{name}: cannot read its architecture ({exc})") from None
    shape = config.tiny
    small = real.__class__(
        **{
            **real.to_dict(),
            "num_hidden_layers": shape.layers,
            "hidden_size": shape.hidden,
            "num_attention_heads": shape.heads,
            "num_key_value_heads": shape.kv_heads,
            "intermediate_size": shape.intermediate,
            "head_dim": shape.hidden // shape.heads,
        }
    )
    torch.manual_seed(config.seed)
    model = AutoModelForCausalLM.from_config(small, dtype=torch.float32)
    return Policy(model, AutoTokenizer.from_pretrained(source), f"{TINY_PREFIX}{name}")


def _gguf_tokenizer(gguf: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(_gguf_metadata(gguf))


def _gguf_metadata(gguf: Path) -> Path:
    """A directory with the GGUF's tokenizer and config: reading them out of the GGUF takes ~20 s, so it
    is done once and kept in the cache."""
    from transformers import AutoConfig, AutoTokenizer

    stat = gguf.stat()
    saved = default_cache_dir() / "gguf-metadata" / digest(str(gguf.resolve()), str(stat.st_size))
    if not (saved / "config.json").is_file():
        AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name).save_pretrained(saved)
        AutoConfig.from_pretrained(gguf.parent, gguf_file=gguf.name).save_pretrained(saved)
    return saved


def _with_lora(model: Any, config: PolicyConfig, weights: Path | None) -> Any:
    try:
        from peft import LoraConfig, PeftModel, get_peft_model
    except ImportError:
        raise PerfcoderError(TRAIN_EXTRA) from None
    if weights is not None:
        return PeftModel.from_pretrained(model, weights, is_trainable=True)
    lora = LoraConfig(
        r=config.lora_rank,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules="all-linear",
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, lora)


def _merged_copy(model: Any) -> Any:
    """LoRA folded into a copy of the base weights; the training model keeps its adapters."""
    import copy

    return copy.deepcopy(model).merge_and_unload()
