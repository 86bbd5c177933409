"""Optimization pairs (a slow program, maybe a reference fast one, and tests) from PIE's two jsonl
schemas: PIE 2023 (`input` = slow, `target` = fast) and PIE ICLR (`src_code`, `tgt_code`, `tests` =
indices into the problem's test files). Any row may carry its tests inline as `test_cases`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfcoder.data.rows import Loaded, load_rows
from perfcoder.data.testsuite import case_from_mapping
from perfcoder.errors import PerfcoderError
from perfcoder.execution.languages import language_named
from perfcoder.execution.testcase import TestCase

PIE_2023_COLUMNS = frozenset(
    {
        "user_id", "problem_id", "language", "submission_id_v0", "submission_id_v1", "cpu_time_v0",
        "cpu_time_v1", "memory_v0", "memory_v1", "status_v0", "status_v1", "improvement_frac", "input",
        "target", "code_v0_loc", "code_v1_loc", "code_v0_num_chars", "code_v1_num_chars",
        "code_v0_no_empty_lines", "code_v1_no_empty_lines", "code_same", "relative_loc_diff_percent",
        "diff", "diff_only_import_comment", "measured_runtime_v0", "measured_runtime_v1", "runtime_lift",
        "key",
    }
)  # fmt: skip
PIE_ICLR_COLUMNS = frozenset(
    {
        "user_id", "problem_id", "language", "src_id", "tgt_id", "src_code", "tgt_code", "src_agg_runtime",
        "tgt_agg_runtime", "fastest_runtime", "fastest_code", "tests", "n_tests", "src_tests",
        "tgt_tests", "speedup", "diff",
    }
)  # fmt: skip
OWN_COLUMNS = frozenset({"id", "test_cases", "generated_answers"})
KNOWN_COLUMNS = PIE_2023_COLUMNS | PIE_ICLR_COLUMNS | OWN_COLUMNS
ID_COLUMNS = ("id", "src_id", "submission_id_v0")  # the first present names a row


@dataclass
class OptimizationPair:
    id: str
    problem_id: str
    language: str
    slow: str
    fast: str | None  # the dataset's own (human) faster program, the reference row of every metric
    test_indices: list[int] | None = None  # PIE ICLR: which of the problem's test files apply
    tests: list[TestCase] | None = None  # inline tests; None means: look them up for the problem
    row: int = 0
    extra: dict[str, Any] = field(default_factory=dict)  # the row's other known columns, kept for output


def row_id(row: dict[str, Any]) -> str | None:
    """The id a row is matched by (pairs to predictions): `id`, PIE ICLR `src_id` or PIE 2023
    `submission_id_v0`."""
    for column in ID_COLUMNS:
        if row.get(column) not in (None, ""):
            return str(row[column])
    return None


def load_pairs(path: Path, language: str | None = None) -> Loaded[OptimizationPair]:
    """Every usable pair of a PIE-style jsonl(.gz); unusable rows are recorded, duplicates skipped."""
    return load_rows(path, lambda row, n: _pair(row, n, language), row_id, lambda p: p.id, KNOWN_COLUMNS)


def _pair(row: dict[str, Any], number: int, language: str | None) -> OptimizationPair | str:
    """The pair a row describes, or why it describes none."""
    slow, fast = (
        (row.get("src_code"), row.get("tgt_code"))
        if "src_code" in row
        else (
            row.get("input"),
            row.get("target"),
        )
    )
    if not isinstance(slow, str) or not slow.strip():
        return "no slow program (`input` or `src_code`)"
    if fast is not None and not isinstance(fast, str):
        return "the fast program (`target` or `tgt_code`) is not a string"
    if not isinstance(row.get("problem_id"), str):
        return "no `problem_id`"
    try:
        lang = language_named(language or str(row.get("language") or "cpp")).name
        tests = _inline_tests(row.get("test_cases"))
        indices = _test_indices(row.get("tests"))
    except (PerfcoderError, ValueError) as exc:
        return str(exc)
    return OptimizationPair(
        id=row_id(row) or f"{row['problem_id']}:{number}",
        problem_id=row["problem_id"],
        language=lang,
        slow=slow,
        fast=fast or None,
        test_indices=indices,
        tests=tests,
        row=number,
        extra={key: value for key, value in row.items() if key in KNOWN_COLUMNS - OWN_COLUMNS},
    )


def _inline_tests(value: Any) -> list[TestCase] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        raise ValueError("`test_cases` must be a non-empty list of {input, output}")
    return [case_from_mapping(case, f"`test_cases`[{n}]", str(n)) for n, case in enumerate(value, 1)]


def _test_indices(value: Any) -> list[int] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(i, int) and i >= 0 for i in value):
        raise ValueError("`tests` must be a list of test-file indices")
    return value
