"""Reading JSON Lines datasets row by row, and the record of rows that could not be used.

A bad row never stops a load: it is recorded with its line number and reason, and the caller reports
and counts it, so nothing is dropped silently."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from perfcoder.errors import PerfcoderError

T = TypeVar("T")


@dataclass(frozen=True)
class SkippedRow:
    source: str  # file name (or what the rows came from)
    row: int  # 1-based line number
    id: str | None
    reason: str

    def __str__(self) -> str:
        name = f" ({self.id})" if self.id else ""
        return f"{self.source}:{self.row}{name}: {self.reason}"


@dataclass
class Loaded(Generic[T]):
    """What a loader made of a file: the usable items, the skipped rows and file-level warnings."""

    items: list[T] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def require(self, source: str) -> Loaded[T]:
        """Itself, or (no usable item) an error naming what was skipped: a run on nothing must not
        look like a run."""
        require_rows(source, len(self.items), [str(row) for row in self.skipped])
        return self


def require_rows(source: str, usable: int, skipped: Sequence[str]) -> None:
    """Refuse to go on (or to report) with no usable row: one line with the count and first reason."""
    if usable:
        return
    first = f"; the first: {skipped[0]}" if skipped else ""
    raise PerfcoderError(f"{source}: no usable row ({len(skipped)} skipped{first})")


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, row) for every non-blank line of a .jsonl or .jsonl.gz file; a row that is not a
    JSON object comes back as the reason it is not."""
    if not path.is_file():
        raise PerfcoderError(f"{path}: no such file")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    yield number, _parse(line)
    except UnicodeDecodeError as exc:
        raise PerfcoderError(f"{path}: not UTF-8 (byte {exc.start})") from None
    except (OSError, EOFError) as exc:
        raise PerfcoderError(f"{path}: cannot read ({exc})") from None


def _parse(line: str) -> dict[str, Any] | str:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"malformed JSON ({exc.msg})"
    return row if isinstance(row, dict) else "not a JSON object"


def unknown_columns_warning(source: str, counts: dict[str, int], known: frozenset[str]) -> list[str]:
    """One warning naming the columns a loader ignores, with how many rows carry each."""
    unknown = {name: n for name, n in sorted(counts.items()) if name not in known}
    if not unknown:
        return []
    listed = ", ".join(f"{name} ({n} rows)" for name, n in unknown.items())
    return [f"{source}: ignored unknown columns: {listed}"]


def load_rows(
    path: Path,
    parse: Callable[[dict[str, Any], int], T | str],
    row_key: Callable[[dict[str, Any]], str | None],
    item_key: Callable[[T], str],
    known: frozenset[str],
    key_name: str = "id",
) -> Loaded[T]:
    """Every usable item of a jsonl(.gz) file: `parse` makes an item of a row (or says why it cannot),
    duplicates of an item's key are skipped, unknown columns are warned about; nothing is dropped unsaid."""
    loaded: Loaded[T] = Loaded()
    columns: Counter[str] = Counter()
    seen: dict[str, int] = {}
    for number, row in read_jsonl(path):
        if isinstance(row, str):
            loaded.skipped.append(SkippedRow(path.name, number, None, row))
            continue
        columns.update(row.keys())
        item = parse(row, number)
        if isinstance(item, str):
            loaded.skipped.append(SkippedRow(path.name, number, row_key(row), item))
        elif item_key(item) in seen:
            reason = f"duplicate {key_name} (first on line {seen[item_key(item)]})"
            loaded.skipped.append(SkippedRow(path.name, number, item_key(item), reason))
        else:
            seen[item_key(item)] = number
            loaded.items.append(item)
    loaded.warnings += unknown_columns_warning(path.name, dict(columns), known)
    return loaded
