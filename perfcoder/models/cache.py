"""Generations cached by (model identity, prompt, sampling parameters) in a SQLite file, so a rerun
of a benchmark or an interrupted `optimize` resumes without sampling again."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from perfcoder.models.base import Backend, ChatRequest, Message, Sample, SamplingParams
from perfcoder.store import JsonStore, default_cache_dir, digest


class CachedBackend(Backend):
    """Wraps a backend; identical requests are answered from the cache file."""

    def __init__(
        self, backend: Backend, cache_dir: Path | None = None, enabled: bool = True, owns_backend: bool = True
    ) -> None:
        self.backend = backend
        self.owns_backend = owns_backend  # closing closes the backend too only if this wrapper made it
        self.chat_model = backend.chat_model
        self.concurrency = backend.concurrency
        self.store = JsonStore((cache_dir or default_cache_dir()) / "generations.sqlite") if enabled else None
        self.hits = 0

    @property
    def identity(self) -> dict[str, Any]:
        return self.backend.identity

    def chat(self, messages: list[Message], params: SamplingParams) -> list[Sample]:
        return self._cached({"messages": messages}, params, lambda: self.backend.chat(messages, params))

    def complete(self, prompt: str, params: SamplingParams) -> list[Sample]:
        return self._cached({"prompt": prompt}, params, lambda: self.backend.complete(prompt, params))

    def chat_all(self, requests: Sequence[ChatRequest]) -> list[list[Sample]]:
        """Cached answers for the requests it has; the others sent to the backend together."""
        keys = [self._key({"messages": messages}, params) for messages, params in requests]
        answers = [self._stored(key) for key in keys]
        missing = [i for i, answer in enumerate(answers) if answer is None]
        for i, samples in zip(missing, self.backend.chat_all([requests[i] for i in missing]), strict=True):
            self._store(keys[i], samples)
            answers[i] = samples
        return [answer or [] for answer in answers]

    def close(self) -> None:
        if self.owns_backend:
            self.backend.close()
        if self.store is not None:
            self.store.close()

    def _cached(self, request: dict[str, Any], params: SamplingParams, make: Any) -> list[Sample]:
        key = self._key(request, params)
        stored = self._stored(key)
        if stored is not None:
            return stored
        samples: list[Sample] = make()
        self._store(key, samples)
        return samples

    def _key(self, request: dict[str, Any], params: SamplingParams) -> str:
        return digest(
            json.dumps({"model": self.identity, **request, "params": asdict(params)}, sort_keys=True)
        )

    def _stored(self, key: str) -> list[Sample] | None:
        stored = self.store.get(key) if self.store is not None else None
        if stored is None:
            return None
        self.hits += 1
        return [Sample.from_dict({**s, "from_cache": True}) for s in stored["samples"]]

    def _store(self, key: str, samples: list[Sample]) -> None:
        if self.store is not None:
            self.store.put(key, {"samples": [s.to_dict() for s in samples]})
