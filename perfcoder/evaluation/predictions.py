"""Model outputs to evaluate: PIE-style predictions (`generated_answers` per pair id) and
HumanEval-style samples (`task_id`, `completion`), matched to the dataset with every mismatch recorded."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from perfcoder.data.pairs import row_id
from perfcoder.data.rows import Loaded, SkippedRow, read_jsonl


@dataclass(frozen=True)
class Prediction:
    id: str
    answers: tuple[str, ...]  # in sampling order: Best@k takes the first k
    curve: tuple[float, ...] = ()  # the search's best verified speedup after each sample, if it kept one


@dataclass(frozen=True)
class TaskSample:
    task_id: str
    completion: str


def load_predictions(path: Path, known_ids: Collection[str]) -> Loaded[Prediction]:
    """Predictions rows keyed like the pairs (`id`, `src_id` or `submission_id_v0`), each carrying
    `generated_answers` (a list of programs; a single string is taken as a list of one)."""
    loaded: Loaded[Prediction] = Loaded()
    seen: dict[str, int] = {}
    for number, row in read_jsonl(path):
        ident = None if isinstance(row, str) else row_id(row)
        reason = row if isinstance(row, str) else _problem(row, ident, known_ids, seen)
        if reason:
            loaded.skipped.append(SkippedRow(path.name, number, ident, reason))
            continue
        assert ident is not None and isinstance(row, dict)
        answers = row["generated_answers"]
        seen[ident] = number
        found = (answers,) if isinstance(answers, str) else tuple(answers)
        curve = row.get("curve")
        numbers = isinstance(curve, list) and all(isinstance(x, int | float) for x in curve)
        loaded.items.append(Prediction(ident, found, tuple(curve) if numbers else ()))  # type: ignore[arg-type]
    return loaded


def _problem(row: dict[str, object], ident: str | None, known: Collection[str], seen: dict[str, int]) -> str:
    answers = row.get("generated_answers")
    if ident is None:
        return "no id (`id`, `src_id` or `submission_id_v0`)"
    if ident not in known:
        return "prediction for an unknown pair id"
    if ident in seen:
        return f"duplicate prediction (first on line {seen[ident]})"
    if isinstance(answers, str):
        return ""
    if not isinstance(answers, list) or not answers or not all(isinstance(a, str) for a in answers):
        return "`generated_answers` must be a non-empty list of programs"
    return ""


def load_samples(path: Path, known_ids: Collection[str]) -> Loaded[TaskSample]:
    """Samples rows `{task_id, completion}`; many rows per task (n samples) are expected."""
    loaded: Loaded[TaskSample] = Loaded()
    for number, row in read_jsonl(path):
        if isinstance(row, str):
            loaded.skipped.append(SkippedRow(path.name, number, None, row))
            continue
        task_id = None if row.get("task_id") is None else str(row["task_id"])
        if task_id is None or task_id not in known_ids:
            reason = "no `task_id`" if task_id is None else "sample for an unknown task_id"
            loaded.skipped.append(SkippedRow(path.name, number, task_id, reason))
        elif not isinstance(row.get("completion"), str):
            loaded.skipped.append(SkippedRow(path.name, number, task_id, "`completion` must be a string"))
        else:
            loaded.items.append(TaskSample(task_id, row["completion"]))
    return loaded
