"""Options that choose a model and how it samples, shared by `optimize` and `generate`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from perfcoder.cli import options as opt
from perfcoder.cli.options import F
from perfcoder.models.base import SamplingParams
from perfcoder.models.openai_http import DEFAULT_KEY_ENV
from perfcoder.models.registry import ModelConfig
from perfcoder.models.weights import DEFAULT_MODEL

ModelOption = Annotated[
    str,
    typer.Option(
        "--model",
        "-m",
        help="qwen2.5-coder-0.5b (default), qwen2.5-coder-1.5b, smollm2-135m, a .gguf file, openai:NAME "
        "(with --base-url) or a Hugging Face model directory.",
    ),
]
BaseUrlOption = Annotated[
    str | None, typer.Option("--base-url", help="OpenAI-compatible endpoint (openai:).")
]
KeyEnvOption = Annotated[str, typer.Option("--api-key-env", help="Environment variable holding the API key.")]
TemperatureOption = Annotated[float, typer.Option("--temperature", help="0 for greedy (one sample).")]
TopPOption = Annotated[float, typer.Option("--top-p")]
TopKOption = Annotated[int, typer.Option("--top-k", help="0: off.")]
MaxTokensOption = Annotated[int, typer.Option("--max-tokens", help="Tokens per sample.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Sampling seed (reruns hit the generation cache).")]
ThreadsOption = Annotated[
    int, typer.Option("--threads", help="llama.cpp threads (1 leaves a core to judging).")
]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help="Sample again instead of reading the cache.")]


@dataclass(frozen=True)
class ModelOptions:
    """The model and sampling options of a command, as given."""

    model: str
    base_url: str | None
    api_key_env: str
    temperature: float
    top_p: float
    top_k: int
    max_tokens: int
    seed: int
    threads: int
    no_cache: bool

    def config(self, cache_dir: Path | None) -> ModelConfig:
        return ModelConfig(
            model=self.model or DEFAULT_MODEL,
            base_url=self.base_url,
            api_key_env=self.api_key_env or DEFAULT_KEY_ENV,
            threads=self.threads,
            cache=not self.no_cache,
            cache_dir=cache_dir,
        )

    def sampling(self) -> SamplingParams:
        if self.temperature < 0 or not 0 < self.top_p <= 1 or self.max_tokens < 1:
            raise typer.BadParameter("need temperature >= 0, 0 < top-p <= 1 and max-tokens >= 1")
        return SamplingParams(
            temperature=self.temperature,
            top_p=self.top_p,
            top_k=self.top_k,
            max_tokens=self.max_tokens,
            seed=self.seed,
        )


DEFAULT_MODEL_OPTIONS = ModelOptions("", None, "", 0.7, 0.95, 0, 1024, 0, 1, False)  # replaced on every call


def with_model_options(temperature: float, max_tokens: int) -> Callable[[F], F]:
    """The model and sampling options, with this command's defaults, folded into `models: ModelOptions`."""
    parameters = opt.keyword_parameters(
        ("model", ModelOption, ""),
        ("base_url", BaseUrlOption, None),
        ("api_key_env", KeyEnvOption, ""),
        ("temperature", TemperatureOption, temperature),
        ("top_p", TopPOption, 0.95),
        ("top_k", TopKOption, 0),
        ("max_tokens", MaxTokensOption, max_tokens),
        ("seed", SeedOption, 0),
        ("threads", ThreadsOption, 1),
        ("no_cache", NoCacheOption, False),
    )
    return opt.with_shared_options(parameters, "models", ModelOptions)
