"""A stand-in model for testing the search loop (never the sandbox or the judge)."""

from __future__ import annotations

from typing import Any

from perfcoder.models.base import Backend, Message, Sample, SamplingParams


class ScriptedModel(Backend):
    """A stand-in model whose replies are fixed in advance; it records every conversation (and plain
    prompt) it is sent. `rounds` answer chat requests in turn, `continuations` plain completions."""

    chat_model = True

    def __init__(self, rounds: list[list[str]], continuations: list[list[str]] | None = None) -> None:
        self.rounds, self.seen = rounds, []
        self.continuations, self.prompts = continuations or [], []

    @property
    def identity(self) -> dict[str, Any]:
        return {"backend": "scripted"}

    def chat(self, messages: list[Message], params: SamplingParams) -> list[Sample]:
        self.seen.append(messages)
        replies = self.rounds[len(self.seen) - 1]
        assert params.n == len(replies)
        return [Sample(text) for text in replies]

    def complete(self, prompt: str, params: SamplingParams) -> list[Sample]:
        self.prompts.append(prompt)
        assert len(self.prompts) <= len(self.continuations), f"unexpected completion request: {prompt!r}"
        replies = self.continuations[len(self.prompts) - 1]
        assert params.n == len(replies)
        return [Sample(text) for text in replies]


def fenced(code: str, language: str, preface: str = "") -> str:
    """A model reply holding `code` in a markdown block, as chat models answer."""
    return f"{preface}```{language}\n{code}```\n"
