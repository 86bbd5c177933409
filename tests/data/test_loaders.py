"""Dataset loaders on the files the project ships and, when present, on the real development data."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from perfcoder.data.code_tasks import load_tasks, tasks_path
from perfcoder.data.pairs import load_pairs
from perfcoder.data.remote import resolve
from perfcoder.data.sources import TestSources
from perfcoder.data.statements import sample_tests
from perfcoder.errors import PerfcoderError
from tests.support.files import write_rows
from tests.support.paths import DATASETS, EXAMPLES, SHARED, needs_shared


def test_pie2023_pairs_with_a_tests_root() -> None:
    loaded = load_pairs(DATASETS / "pie2023-python.jsonl")
    assert not loaded.skipped and not loaded.warnings
    pair = next(p for p in loaded.items if p.problem_id == "prime_sum")
    assert pair.id == "prime_sum-slow" and pair.language == "python"
    assert pair.slow == (EXAMPLES / "python" / "prime_sum" / "slow.py").read_text()
    tests = TestSources(tests_root=DATASETS / "tests-python").for_pair(pair)
    assert [t.input for t in tests] == [
        (EXAMPLES / "python" / "prime_sum" / "tests" / f"input.{n}.txt").read_bytes() for n in (1, 2, 3)
    ]


def test_inline_test_cases_win_over_a_tests_root() -> None:
    pair = load_pairs(DATASETS / "pie2023-python-inline.jsonl").items[0]
    assert pair.tests is not None and len(pair.tests) == 1
    assert TestSources(tests_root=DATASETS / "tests-python").for_pair(pair) is pair.tests


def test_iclr_pairs_select_test_files_by_index(tmp_path: Path) -> None:
    row = json.loads((DATASETS / "pie-iclr-cpp.jsonl").read_text().splitlines()[0])
    pairs = write_rows(tmp_path / "p.jsonl", [{**row, "tests": [3, 1]}, {**row, "src_id": "x", "tests": [7]}])
    loaded = load_pairs(pairs)
    assert [p.language for p in loaded.items] == ["cpp", "cpp"]
    sources = TestSources(tests_root=DATASETS / "tests-cpp")
    assert [t.name for t in sources.for_pair(loaded.items[0])] == ["3", "1"]
    with pytest.raises(PerfcoderError, match=r"indices \[7\]"):
        sources.for_pair(loaded.items[1])


def test_bad_rows_are_recorded_not_dropped(tmp_path: Path) -> None:
    good = {"problem_id": "p1", "input": "print(1)\n", "target": "print(1)\n", "submission_id_v0": "a"}
    rows = [
        good,
        {**good, "colour": "red"},  # duplicate id, and an unknown column
        "{not json",
        {"problem_id": "p2", "target": "x"},  # no slow program
        {**good, "submission_id_v0": "b", "test_cases": [{"input": "1"}]},
        {**good, "submission_id_v0": "c", "language": "cobol"},
        [1, 2],
    ]
    loaded = load_pairs(write_rows(tmp_path / "bad.jsonl", rows))
    assert [p.id for p in loaded.items] == ["a"]
    reasons = {row.row: row.reason for row in loaded.skipped}
    assert set(reasons) == {2, 3, 4, 5, 6, 7}
    assert "duplicate id (first on line 1)" in reasons[2]
    assert "malformed JSON" in reasons[3] and "no slow program" in reasons[4]
    assert "test_cases" in reasons[5] and "cobol" in reasons[6] and "not a JSON object" in reasons[7]
    assert loaded.warnings == ["bad.jsonl: ignored unknown columns: colour (1 rows)"]


def test_statement_samples_numbered_and_unnumbered() -> None:
    tests = sample_tests((DATASETS / "statements" / "pair_sum.html").read_text())
    assert [(t.name, t.input, t.output) for t in tests] == [
        ("sample1", b"4 5\n1 4 2 3\n", b"2\n"),
        ("sample2", b"3 10\n1 2 3\n", b"0\n"),
    ]
    unnumbered = "<h2>Sample Input</h2><pre>\n7\n</pre><h2>Output for the Sample Input</h2><pre>\n49\n</pre>"
    assert [(t.input, t.output) for t in sample_tests(unnumbered)] == [(b"7\n", b"49\n")]


def test_missing_tests_name_where_they_were_looked_for(tmp_path: Path) -> None:
    sources = TestSources(statements=DATASETS / "statements")
    assert len(sources.for_problem("pair_sum")) == 2
    with pytest.raises(PerfcoderError, match=r"no tests for problem p404 in .*statements"):
        sources.for_problem("p404")


def test_humaneval_and_script_style_tasks() -> None:
    loaded = load_tasks(DATASETS / "tasks-humaneval.jsonl")
    assert not loaded.skipped
    add, _, running, script = loaded.items
    assert add.program("    return a + b\n").endswith("check(add)\n")
    assert running.canonical_solution.startswith("    out, best")  # the first of a list of solutions
    assert script.style == "script" and script.program("x").endswith("check()\n")


def test_mbpp_tasks_take_whole_programs() -> None:
    square, vowels = load_tasks(DATASETS / "tasks-mbpp.jsonl").items
    assert square.entry_point == "square" and vowels.entry_point == "count_vowels"
    assert square.program(square.canonical_solution).startswith("def square(x):")
    assert "assert square(3) == 9" in square.program("")


def test_gzip_tasks_and_a_broken_test(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in (DATASETS / "tasks-humaneval.jsonl").read_text().splitlines()]
    rows.append(
        {**rows[0], "task_id": "Broken/0", "test": "def check(candidate):\n    assert candidate(1))\n"}
    )
    path = tmp_path / "tasks.jsonl.gz"
    with gzip.open(path, "wt") as handle:
        handle.writelines(json.dumps(row) + "\n" for row in rows)
    loaded = load_tasks(path)
    assert len(loaded.items) == 4
    assert [(s.id, "not valid Python" in s.reason) for s in loaded.skipped] == [("Broken/0", True)]


def test_humaneval_ships_with_its_package() -> None:
    loaded = load_tasks(tasks_path("humaneval"))
    assert len(loaded.items) == 164 and not loaded.skipped
    assert loaded.items[0].task_id == "HumanEval/0"


def test_urls_download_once_into_the_cache(tmp_path: Path) -> None:
    source = DATASETS / "pie2023-python.jsonl"
    local = resolve(source.as_uri(), tmp_path)
    assert local != source and local.read_bytes() == source.read_bytes()
    assert resolve(source.as_uri(), tmp_path) == local
    with pytest.raises(PerfcoderError, match="cannot download"):
        resolve((tmp_path / "missing.jsonl").as_uri(), tmp_path)
    with pytest.raises(PerfcoderError, match="OWNER/NAME/PATH"):
        resolve("hf://datasets/only-owner", tmp_path)


@needs_shared
def test_real_pie_pairs_and_statements() -> None:
    loaded = load_pairs(SHARED / "pie-py-dev.jsonl")
    assert len(loaded.items) == 181 and not loaded.skipped and not loaded.warnings
    sources = TestSources(statements=SHARED / "codenet-statements-dev")
    problems = {pair.problem_id for pair in loaded.items}
    assert len(problems) == 43
    assert all(len(sources.for_problem(p)) >= 1 for p in problems)
    assert [t.output for t in sources.for_problem("p00001")] == [b"3776\n2848\n2840\n", b"900\n900\n800\n"]


@needs_shared
def test_real_library_tasks_load() -> None:
    pandas, numpy = (load_tasks(SHARED / f"{name}-dev.jsonl") for name in ("pandaseval", "numpyeval"))
    assert len(numpy.items) == 11 and not numpy.skipped
    assert len(pandas.items) == 10  # PandasEval/90's own test has a syntax error: recorded, not run
    assert [row.id for row in pandas.skipped] == ["PandasEval/90"]
    assert any(task.style == "script" for task in pandas.items)
