"""Small files tests write: JSONL rows, and programs read from disk with their language."""

from __future__ import annotations

import json
from pathlib import Path

from perfcoder.execution.engine import Program
from perfcoder.execution.languages import language_of


def write_rows(path: Path, rows: list[object]) -> Path:
    """One JSON object (or a raw line, for malformed-row tests) per line."""
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows))
    return path


def program(path: Path) -> Program:
    return Program(path.read_text(), language_of(path))
