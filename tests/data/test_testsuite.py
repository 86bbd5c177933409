"""Loading test suites from directories and JSON files, and refusing bad ones clearly."""

import json
from pathlib import Path

import pytest

from perfcoder.data.testsuite import load_tests
from perfcoder.errors import PerfcoderError
from tests.support.paths import EXAMPLES


def test_directory_layout_in_numeric_order(tmp_path: Path) -> None:
    for n in (10, 2, 1):
        (tmp_path / f"input.{n}.txt").write_text(f"in {n}\n")
        (tmp_path / f"output.{n}.txt").write_text(f"out {n}\n")
    tests = load_tests(tmp_path)
    assert [t.name for t in tests] == ["1", "2", "10"]
    assert tests[2].input == b"in 10\n" and tests[2].output == b"out 10\n"


def test_shipped_example_tests_load() -> None:
    tests = load_tests(EXAMPLES / "cpp" / "prime_sum" / "tests")
    assert len(tests) == 3 and all(t.output for t in tests)


def test_json_and_jsonl(tmp_path: Path) -> None:
    rows = [{"input": "1 2\n", "output": "3\n"}, {"input": "2 2\n", "output": "4\n", "name": "four"}]
    (tmp_path / "t.json").write_text(json.dumps(rows))
    (tmp_path / "t.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    for name in ("t.json", "t.jsonl"):
        tests = load_tests(tmp_path / name)
        assert [t.name for t in tests] == ["1", "four"]
        assert tests[1].output == b"4\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "contains no tests"),
        ('{"input": "1"}\n', "string fields 'input' and 'output'"),
        ('{"input": "1", "output": "2"}\n{oops\n', "t.jsonl:2: malformed JSON"),
    ],
)
def test_bad_jsonl_is_named(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "t.jsonl").write_text(content)
    with pytest.raises(PerfcoderError, match=message):
        load_tests(tmp_path / "t.jsonl")


def test_bad_directories(tmp_path: Path) -> None:
    with pytest.raises(PerfcoderError, match="no such tests"):
        load_tests(tmp_path / "missing")
    with pytest.raises(PerfcoderError, match="contains no tests"):
        load_tests(tmp_path)
    (tmp_path / "input.1.txt").write_text("1\n")
    with pytest.raises(PerfcoderError, match=r"input.1.txt has no output.1.txt"):
        load_tests(tmp_path)
