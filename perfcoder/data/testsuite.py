"""Loading a test suite: a directory of `input.N.txt` / `output.N.txt` (PIE/CodeNet layout), or a
`.json` / `.jsonl` file of `{"input": ..., "output": ...}` objects."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from perfcoder.errors import PerfcoderError
from perfcoder.execution.testcase import TestCase

INPUT_FILE = re.compile(r"input\.(\d+)\.txt")


def load_tests(path: Path) -> list[TestCase]:
    if not path.exists():
        raise PerfcoderError(f"{path}: no such tests file or directory")
    if path.is_dir():
        tests = _load_directory(path)
    elif path.suffix in (".json", ".jsonl"):
        tests = _load_json(path)
    else:
        raise PerfcoderError(
            f"{path}: tests must be a directory of input.N.txt/output.N.txt or a .json/.jsonl file"
        )
    if not tests:
        raise PerfcoderError(f"{path}: contains no tests")
    return tests


def _load_directory(path: Path) -> list[TestCase]:
    numbered = sorted(
        (int(match.group(1)), child)
        for child in path.iterdir()
        if (match := INPUT_FILE.fullmatch(child.name))
    )
    tests = []
    for number, input_path in numbered:
        output_path = path / f"output.{number}.txt"
        if not output_path.is_file():
            raise PerfcoderError(f"{path}: {input_path.name} has no {output_path.name}")
        tests.append(TestCase(str(number), input_path.read_bytes(), output_path.read_bytes()))
    return tests


def _load_json(path: Path) -> list[TestCase]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PerfcoderError(f"{path}: not UTF-8 (byte {exc.start})") from None
    if path.suffix == ".jsonl":
        rows = [
            (n, _parse(line, f"{path}:{n}")) for n, line in enumerate(text.splitlines(), 1) if line.strip()
        ]
    else:
        data = _parse(text, str(path))
        if isinstance(data, dict) and "tests" in data:
            data = data["tests"]
        if not isinstance(data, list):
            raise PerfcoderError(f"{path}: expected a list of test objects")
        rows = list(enumerate(data, 1))
    return [case_from_mapping(row, f"{path}:{n}", str(n)) for n, row in rows]


def _parse(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PerfcoderError(f"{where}: malformed JSON ({exc.msg})") from None


def case_from_mapping(row: Any, where: str, default_name: str) -> TestCase:
    """A test from `{"input": ..., "output": ..., "name"?: ...}` (the JSON form everywhere)."""
    if (
        not isinstance(row, Mapping)
        or not isinstance(row.get("input"), str)
        or not isinstance(row.get("output"), str)
    ):
        raise PerfcoderError(f"{where}: a test must be an object with string fields 'input' and 'output'")
    return TestCase(str(row.get("name", default_name)), row["input"].encode(), row["output"].encode())


def case_to_mapping(test: TestCase) -> dict[str, str]:
    """The JSON form of a test (case_from_mapping's inverse); UnicodeDecodeError if it is not text."""
    return {"name": test.name, "input": test.input.decode(), "output": (test.output or b"").decode()}


def write_tests(directory: Path, tests: list[TestCase]) -> None:
    """Write tests as input.N.txt / output.N.txt, N from 1 (the layout load_tests and PIE read)."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*put.*.txt"):
        stale.unlink()
    for number, test in enumerate(tests, 1):
        if test.output is None:
            raise PerfcoderError(f"test {test.name} has no expected output to write")
        (directory / f"input.{number}.txt").write_bytes(test.input)
        (directory / f"output.{number}.txt").write_bytes(test.output)
