"""A plain Python function as a model: `(messages, SamplingParams) -> list[str]`, n replies per call.

Researchers test a search or a reward with a function before they spend a GPU on it; the function gets
the chat messages and the sampling parameters and returns the replies. Its identity for the generation
cache is its qualified name and source code (for a callable object, its class's source and its state
when it is passed in), so editing the function, or making the object with other settings, invalidates
what it cached."""

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
        self._source_digest = digest(_definition(function))

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


def _definition(function: ModelFunction) -> str:
    """What decides the replies: a function's source; a method's or a callable object's source and the
    state of the object it belongs to."""
    is_function = inspect.isfunction(function) or inspect.ismethod(function)
    try:
        source = inspect.getsource(function if is_function else type(function))
    except (OSError, TypeError):  # built in, or defined where no source is kept
        source = ""
    owner = getattr(function, "__self__", None) if is_function else function
    return source + repr(getattr(owner, "__dict__", ""))
