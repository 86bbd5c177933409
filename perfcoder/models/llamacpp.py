"""GGUF models on llama.cpp through xllamacpp's in-process server (OpenAI-style requests as dicts).

llama.cpp's OpenMP threads busy-wait: beside sandboxed runs on the same cores that starves everyone, so
the engine runs with passive waiting and, by default, one thread."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfcoder.errors import PerfcoderError
from perfcoder.models.base import Backend, ChatRequest, Message, Sample, SamplingParams, chat_concurrently
from perfcoder.models.weights import file_sha256
from perfcoder.settings import setting

GGUF_MAGIC = b"GGUF"  # every GGUF file starts so, then its format version
GGUF_VERSIONS = (2, 3)  # what llama.cpp reads


def gguf_problem(path: Path) -> str | None:
    """Why llama.cpp cannot load `path`, as far as its header tells (None: it looks loadable). Checked up
    front: the engine itself starts on first use, which may come after minutes of other work."""
    if not path.is_file():
        return "no such model file"
    with path.open("rb") as handle:
        header = handle.read(len(GGUF_MAGIC) + 4)
    if header[: len(GGUF_MAGIC)] != GGUF_MAGIC:
        return "llama.cpp cannot load it (not a GGUF file)"
    version = int.from_bytes(header[len(GGUF_MAGIC) :], "little")
    if version not in GGUF_VERSIONS:
        return f"llama.cpp cannot load it (GGUF version {version}, not one of {GGUF_VERSIONS})"
    return None


@dataclass(frozen=True)
class LlamaCppConfig:
    threads: int = setting(1, "Threads decoding.")
    parallel: int = setting(4, "Sequences decoded together: the n samples of one request share a batch.")
    context: int = setting(4096, "Tokens per sequence.")
    file_sha256: str | None = setting(
        None, "The file's known hash (bundled models); else computed once, for the cache identity."
    )


class LlamaCppBackend(Backend):
    def __init__(self, path: Path, config: LlamaCppConfig = LlamaCppConfig()) -> None:
        if (problem := gguf_problem(path)) is not None:
            raise PerfcoderError(f"{path}: {problem}")
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read when the engine's library loads
        try:
            import xllamacpp
        except ImportError:
            raise PerfcoderError("GGUF models need xllamacpp: pip install 'perfcoder[model]'") from None
        self.path, self.config = path, config
        self._sha256 = config.file_sha256 or file_sha256(path)
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_parallel = config.parallel
        params.n_ctx = config.context * config.parallel
        params.cpuparams.n_threads = config.threads
        params.cpuparams_batch.n_threads = config.threads
        params.verbosity = -1
        params.warmup = False
        self._params, self._engine = params, xllamacpp
        self._server: Any = None  # started on first use: destroying a server still starting can deadlock
        self._lock = threading.Lock()  # guards the start; requests from several threads share the slots

    @property
    def identity(self) -> dict[str, Any]:
        return {"backend": "llama.cpp", "sha256": self._sha256}

    @property
    def address(self) -> str:
        """The OpenAI-compatible HTTP endpoint the engine also serves on loopback."""
        with self._lock:
            return str(self._started().listening_address)

    def _started(self) -> Any:
        """The engine, started on first use (call with the lock held)."""
        if self._server is None:
            try:
                self._server = self._engine.Server(self._params)
            except Exception as exc:  # the engine reports a bad file as a generic runtime error
                raise PerfcoderError(f"{self.path}: llama.cpp cannot load it ({exc})") from None
        return self._server

    def chat(self, messages: list[Message], params: SamplingParams) -> list[Sample]:
        return self._samples("chat", {"messages": messages}, params)

    def complete(self, prompt: str, params: SamplingParams) -> list[Sample]:
        return self._samples("completion", {"prompt": prompt}, params)

    def chat_all(self, requests: Sequence[ChatRequest]) -> list[list[Sample]]:
        """The requests sent from one thread each, so the engine decodes them together in its `parallel`
        slots (4 one-sample requests: ~2.4x the tokens per second of sending them in turn). Which
        sequences share a batch then depends on timing, and batched decoding can change a sampled
        text: the generation cache is what makes a rerun repeat."""
        return chat_concurrently(self.chat, requests, self.config.parallel)

    def close(self) -> None:
        self._server = None

    def _samples(self, kind: str, body: dict[str, Any], params: SamplingParams) -> list[Sample]:
        """n samples in batches of at most `parallel`, each batch with its own seed (reproducible)."""
        samples: list[Sample] = []
        while len(samples) < params.n:
            batch = min(self.config.parallel, params.n - len(samples))
            # log-probabilities always: llama.cpp's usage counts one choice only; they count each sample's
            # tokens (returned only when asked for)
            request = {
                **body,
                **request_fields(params.with_n(batch, params.seed + len(samples))),
                "logprobs": True,
            }
            with self._lock:
                server = self._started()
            handle = server.handle_chat_completions if kind == "chat" else server.handle_completions
            response = handle(request)
            samples += parse_choices(response, kind)
        if not params.logprobs:
            for sample in samples:
                sample.token_logprobs = []
        return samples


def request_fields(params: SamplingParams) -> dict[str, Any]:
    """OpenAI request fields for the sampling parameters (llama.cpp and vLLM take top_k too)."""
    fields: dict[str, Any] = {
        "n": params.n,
        "temperature": params.temperature,
        "top_p": params.top_p,
        "max_tokens": params.max_tokens,
        "seed": params.seed,
    }
    if params.top_k:
        fields["top_k"] = params.top_k
    if params.stop:
        fields["stop"] = list(params.stop)
    if params.logprobs:
        fields["logprobs"] = True
    return fields


def parse_choices(response: Any, kind: str) -> list[Sample]:
    """Samples from an OpenAI-style response; an error response becomes a PerfcoderError. A sample's token
    count is exact with log-probabilities, else the response's total shared evenly among its samples."""
    if not isinstance(response, dict):
        raise PerfcoderError(f"model returned no JSON object: {str(response)[:200]}")
    if "error" in response:
        error = response["error"]
        message = error.get("message", error) if isinstance(error, dict) else error
        raise PerfcoderError(f"model request failed: {message}")
    samples = []
    choices = response.get("choices", [])
    usage = response.get("usage") or {}
    shared = round(int(usage.get("completion_tokens", 0)) / max(1, len(choices)))  # when no logprobs
    for choice in choices:
        text = choice["message"].get("content") or "" if kind == "chat" else choice.get("text", "")
        logprobs = choice.get("logprobs") or {}
        tokens = logprobs.get("content") or [] if isinstance(logprobs, dict) else []
        samples.append(
            Sample(
                text=text,
                finish_reason=choice.get("finish_reason") or "stop",
                token_logprobs=[float(t["logprob"]) for t in tokens if "logprob" in t],
                completion_tokens=len(tokens) or shared,
            )
        )
    return samples
