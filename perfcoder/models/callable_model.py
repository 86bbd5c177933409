"""A plain Python function as a model: `(messages, SamplingParams) -> list[str]`, n replies per call.

Researchers test a search or a reward with a function before they spend a GPU on it; the function gets
the chat messages and the sampling parameters and returns the replies. Its identity for the generation
cache is its qualified name and source code, so editing the function invalidates what it cached."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from perfcoder.errors import PerfcoderError
from perfcoder.models.base import Backend, Message, Sample, SamplingParams
from perfcoder.store import digest

ModelFunction = Callable[[list[Message], SamplingParams], list[str]]


class CallableBackend(Backend):
    def __init__(self, function: ModelFunction) -> None:
        self.function = function
        name = getattr(function, "__qualname__", type(function).__qualname__)
        self.name = f"{getattr(function, '__module__', '?')}.{name}"
        try:
            source = inspect.getsource(function)
        except (OSError, TypeError):  # built in, or defined where no source is kept
            source = ""
        self._source_digest = digest(source)

    @property
    def identity(self) -> dict[str, Any]:
        return {"backend": "callable", "function": self.name, "source": self._source_digest}

    def chat(self, messages: list[Message], params: SamplingParams) -> list[Sample]:
        replies = self.function(messages, params)
        if not isinstance(replies, list) or not all(isinstance(r, str) for r in replies):
            raise PerfcoderError(f"model function {self.name} must return a list of strings")
        return [Sample(text) for text in replies]

    def complete(self, prompt: str, params: SamplingParams) -> list[Sample]:
        return self.chat([{"role": "user", "content": prompt}], params)
