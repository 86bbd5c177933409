"""A command that reads a dataset and finds nothing it can use says so and exits 2, instead of reporting a
run on nothing (n = 0, SPEEDUP 1.000) as a success."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.commands import run_cli
from tests.support.files import write_rows

UNUSABLE = [{"id": "a", "problem_id": "p1", "language": "python"}, {"id": "b", "target": "print(1)\n"}]
NO_TESTS = [{"id": "c", "problem_id": "p2", "language": "python", "input": "print(1)\n"}]


@pytest.mark.parametrize(
    ("command", "rows", "said"),
    [
        (
            ("evaluate", "--pairs"),
            UNUSABLE,
            "pairs.jsonl: no usable row (2 skipped; the first: pairs.jsonl:1 (a)",
        ),
        (
            ("evaluate", "--pairs"),
            NO_TESTS,
            "pairs.jsonl: no usable row (1 skipped; the first: pairs.jsonl:1 (c)",
        ),
        (
            ("optimize", "--model", "none.gguf", "-o", "out.jsonl", "--pairs"),
            UNUSABLE,
            "no usable row (2 skipped",
        ),
        (
            ("tests", "generate", "-o", "generated", "--pairs"),
            NO_TESTS,
            "no usable row (1 skipped; the first: p2:",
        ),
        (("generate", "-o", "samples.jsonl"), [{"task_id": "t"}], "tasks.jsonl: no usable row (1 skipped"),
    ],
)
def test_a_dataset_with_no_usable_row_exits_2_with_one_line(
    tmp_path: Path, private_cache: Path, command: tuple[str, ...], rows: list[object], said: str
) -> None:
    name = "tasks.jsonl" if command[0] == "generate" else "pairs.jsonl"
    data = write_rows(tmp_path / name, rows)
    args = [tmp_path / arg if arg.endswith((".jsonl", "generated")) else arg for arg in command]
    done = run_cli(*args, data, cache=private_cache)
    assert done.returncode == 2, done.stdout + done.stderr
    assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
