"""`--model` names a backend: a bundled model name, a `.gguf` file, `openai:MODEL` (with a base URL),
or a Hugging Face model directory."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from perfcoder.errors import PerfcoderError
from perfcoder.models.base import Backend
from perfcoder.models.cache import CachedBackend
from perfcoder.models.callable_model import CallableBackend, ModelFunction
from perfcoder.models.llamacpp import LlamaCppBackend, LlamaCppConfig
from perfcoder.models.openai_http import DEFAULT_KEY_ENV, HttpPolicy, OpenAIBackend
from perfcoder.models.weights import BUNDLED, DEFAULT_MODEL, model_file
from perfcoder.settings import setting


@dataclass(frozen=True)
class ModelConfig:
    model: str = setting(
        DEFAULT_MODEL,
        "qwen2.5-coder-0.5b, qwen2.5-coder-1.5b, smollm2-135m, a .gguf file, openai:NAME (with base_url) "
        "or a Hugging Face model directory.",
    )
    base_url: str | None = setting(None, "OpenAI-compatible endpoint (openai: models).")
    api_key_env: str = setting(DEFAULT_KEY_ENV, "Environment variable holding the API key.")
    threads: int = setting(1, "llama.cpp threads (1 leaves a core to judging on 2 cores).")
    parallel: int = setting(4, "Sequences decoded together (llama.cpp); requests in flight (openai:).")
    retries: int = setting(5, "openai: retries of a request refused as busy (429, 5xx) or dropped.")
    requests_per_minute: float = setting(0.0, "openai: rate limit of request starts (0: none).")
    context: int = setting(4096, "Tokens per sequence (prompt and sample).")
    cache: bool = setting(True, "Read and write the generation cache.")
    cache_dir: Path | None = setting(None, "Home of the generation cache (None: the results store's).")


Model = str | Backend | ModelFunction  # a name (as --model takes), a backend, or a plain function


def load_backend(config: ModelConfig) -> Backend:
    """The backend `config.model` names, wrapped in the generation cache."""
    return CachedBackend(_backend(config), config.cache_dir, config.cache)


def as_backend(model: Model, config: ModelConfig | None = None) -> Backend:
    """Any model a library call accepts, as a cached backend the call may close: a name is loaded with
    `config`'s engine settings, a function is wrapped; a caller's own backend is wrapped without being
    owned, so closing the wrapper leaves it open for the caller's next call."""
    config = config or ModelConfig()
    if isinstance(model, str):
        return load_backend(dataclasses.replace(config, model=model))
    if isinstance(model, Backend):
        cache = config.cache and not isinstance(model, CachedBackend)  # a cached backend keeps its own
        return CachedBackend(model, config.cache_dir, cache, owns_backend=False)
    if callable(model):
        return CachedBackend(CallableBackend(model), config.cache_dir, config.cache)
    raise PerfcoderError(f"a model is a name, a Backend or a function, not {type(model).__name__}")


def _backend(config: ModelConfig) -> Backend:
    spec = config.model
    engine = LlamaCppConfig(threads=config.threads, parallel=config.parallel, context=config.context)
    if spec in BUNDLED:
        bundled = BUNDLED[spec]
        path = model_file(bundled, config.cache_dir)
        return LlamaCppBackend(path, LlamaCppConfig(**{**engine.__dict__, "file_sha256": bundled.sha256}))
    if spec.startswith("openai:"):
        policy = HttpPolicy(
            parallel=config.parallel, retries=config.retries, requests_per_minute=config.requests_per_minute
        )
        return OpenAIBackend(spec.removeprefix("openai:"), config.base_url, config.api_key_env, policy)
    path = Path(spec)
    if path.suffix == ".gguf":
        return LlamaCppBackend(path, engine)
    if path.is_dir():
        from perfcoder.models.transformers_backend import TransformersBackend

        return TransformersBackend(path)
    known = ", ".join(BUNDLED)
    raise PerfcoderError(
        f"unknown model {spec!r}: use one of {known}, a .gguf file, openai:NAME or a HF directory"
    )
