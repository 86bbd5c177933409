"""Options that choose a model and how it samples, shared by `optimize` and `generate`."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from perfcoder.cli import options as opt
from perfcoder.cli.options import F
from perfcoder.models.base import SamplingParams
from perfcoder.models.registry import ModelConfig

ModelOption = Annotated[str, opt.documented(ModelConfig, "model", "--model", "-m")]
BaseUrlOption = Annotated[str | None, opt.documented(ModelConfig, "base_url", "--base-url")]
KeyEnvOption = Annotated[str, opt.documented(ModelConfig, "api_key_env", "--api-key-env")]
TemperatureOption = Annotated[float, opt.documented(SamplingParams, "temperature", "--temperature")]
TopPOption = Annotated[float, opt.documented(SamplingParams, "top_p", "--top-p")]
TopKOption = Annotated[int, opt.documented(SamplingParams, "top_k", "--top-k")]
MaxTokensOption = Annotated[int, opt.documented(SamplingParams, "max_tokens", "--max-tokens")]
SeedOption = Annotated[int, opt.documented(SamplingParams, "seed", "--seed")]
ThreadsOption = Annotated[int, opt.documented(ModelConfig, "threads", "--threads")]
ParallelOption = Annotated[int, opt.documented(ModelConfig, "parallel", "--parallel")]
RetriesOption = Annotated[int, opt.documented(ModelConfig, "retries", "--retries")]
RateOption = Annotated[float, opt.documented(ModelConfig, "requests_per_minute", "--requests-per-minute")]
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
    parallel: int
    retries: int
    requests_per_minute: float
    no_cache: bool

    def config(self, cache_dir: Path | None) -> ModelConfig:
        return ModelConfig(
            model=self.model or ModelConfig.model,
            base_url=self.base_url,
            api_key_env=self.api_key_env or ModelConfig.api_key_env,
            threads=self.threads,
            parallel=self.parallel,
            retries=self.retries,
            requests_per_minute=self.requests_per_minute,
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

    @classmethod
    def defaults(cls, engine: ModelConfig, sampling: SamplingParams) -> ModelOptions:
        return cls(
            engine.model, engine.base_url, engine.api_key_env, sampling.temperature, sampling.top_p,
            sampling.top_k, sampling.max_tokens, sampling.seed, engine.threads, engine.parallel,
            engine.retries, engine.requests_per_minute, not engine.cache,
        )  # fmt: skip


DEFAULT_MODEL_OPTIONS = ModelOptions.defaults(ModelConfig(), SamplingParams())  # replaced on every call


def with_model_options(sampling: SamplingParams) -> Callable[[F], F]:
    """The model and sampling options, with this command's sampling defaults (its config's), folded into
    `models: ModelOptions`."""
    annotations = (ModelOption, BaseUrlOption, KeyEnvOption, TemperatureOption, TopPOption, TopKOption,
                   MaxTokensOption, SeedOption, ThreadsOption, ParallelOption, RetriesOption, RateOption,
                   NoCacheOption)  # fmt: skip
    defaults = dataclasses.asdict(ModelOptions.defaults(ModelConfig(), sampling))
    parameters = opt.keyword_parameters(
        *(
            (name, annotation, value)
            for (name, value), annotation in zip(defaults.items(), annotations, strict=True)
        )
    )
    return opt.with_shared_options(parameters, "models", ModelOptions)
