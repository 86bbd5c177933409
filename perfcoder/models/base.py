"""What every backend offers: chat (instruct models) and plain completion (base models), n samples per
request, and each sample's text, finish reason and token log-probabilities (for later training)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Self

from perfcoder.settings import setting

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


@dataclass(frozen=True)
class SamplingParams:
    n: int = setting(1, "Samples per request.")
    temperature: float = setting(0.7, "0 for greedy (one sample); PIE samples Best@k at 0.7.")
    top_p: float = setting(0.95, "Nucleus sampling mass.")
    top_k: int = setting(0, "Top-k sampling (0: off).")
    max_tokens: int = setting(1024, "Tokens per sample.")
    seed: int = setting(0, "Sampling seed (reruns hit the generation cache).")
    stop: tuple[str, ...] = setting((), "Strings that end a sample.")
    logprobs: bool = setting(False, "Return the sampled tokens' log-probabilities (training).")

    def with_n(self, n: int, seed: int) -> SamplingParams:
        return SamplingParams(**{**asdict(self), "n": n, "seed": seed})


@dataclass
class Sample:
    text: str
    finish_reason: str = "stop"  # stop | length | error
    token_logprobs: list[float] = field(default_factory=list)
    completion_tokens: int = 0
    from_cache: bool = False  # answered by the generation cache, not sampled now

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Sample:
        return cls(**data)


class Backend(ABC):
    """A model that samples text. `identity` names it exactly (weights hash, endpoint and model name):
    it keys the generation cache."""

    chat_model: bool = True  # whether prompts are chat messages (instruct models) or plain text
    concurrency: int = 1  # requests worth sending at once (a server's parallel slots; 1 in-process)

    @property
    @abstractmethod
    def identity(self) -> dict[str, Any]: ...

    @abstractmethod
    def chat(self, messages: list[Message], params: SamplingParams) -> list[Sample]: ...

    @abstractmethod
    def complete(self, prompt: str, params: SamplingParams) -> list[Sample]: ...

    def chat_all(self, requests: Sequence[ChatRequest]) -> list[list[Sample]]:
        """Several chat requests at once, answered in request order: sent together up to `concurrency`
        (a server decodes them in one batch), one after another otherwise."""
        return chat_concurrently(self.chat, requests, self.concurrency)

    def close(self) -> None:  # noqa: B027 - most backends hold nothing to release
        """Release the engine (threads, memory, sockets)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


ChatRequest = tuple[list[Message], SamplingParams]


def chat_concurrently(
    chat: Callable[[list[Message], SamplingParams], list[Sample]],
    requests: Sequence[ChatRequest],
    workers: int,
) -> list[list[Sample]]:
    """The requests answered by `chat` from up to `workers` threads, in request order."""
    if workers <= 1 or len(requests) <= 1:
        return [chat(messages, params) for messages, params in requests]
    with ThreadPoolExecutor(max_workers=min(workers, len(requests))) as pool:
        return list(pool.map(lambda request: chat(*request), requests))
