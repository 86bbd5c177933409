"""Options that choose a model and how it samples, shared by `optimize` and `generate`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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


def model_config(
    model: str, base_url: str | None, key_env: str, threads: int, no_cache: bool, cache_dir: Path | None
) -> ModelConfig:
    return ModelConfig(
        model=model or DEFAULT_MODEL,
        base_url=base_url,
        api_key_env=key_env or DEFAULT_KEY_ENV,
        threads=threads,
        cache=not no_cache,
        cache_dir=cache_dir,
    )


def sampling(temperature: float, top_p: float, top_k: int, max_tokens: int, seed: int) -> SamplingParams:
    if temperature < 0 or not 0 < top_p <= 1 or max_tokens < 1:
        raise typer.BadParameter("need temperature >= 0, 0 < top-p <= 1 and max-tokens >= 1")
    return SamplingParams(temperature=temperature, top_p=top_p, top_k=top_k, max_tokens=max_tokens, seed=seed)
