"""Append-only JSON Lines outputs that an interrupted run resumes: each row is flushed as soon as it is
written, and a rerun skips the keys already there."""

from __future__ import annotations

import json
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from perfcoder.data.rows import read_jsonl


class ResumableJsonl:
    def __init__(self, path: Path, key: str) -> None:
        self.path, self.key = path, key
        self.done: set[str] = set()
        if path.exists():
            self.done = {str(row.get(key)) for _, row in read_jsonl(path) if isinstance(row, dict)}
        self.written = 0
        self._sink: IO[str] | None = None

    def __enter__(self) -> Self:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._sink = self.path.open("a")
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._sink is not None:
            self._sink.close()

    def write(self, row: dict[str, Any]) -> None:
        assert self._sink is not None, "open the output with `with`"
        self._sink.write(json.dumps(row) + "\n")
        self._sink.flush()
        self.done.add(str(row.get(self.key)))
        self.written += 1
