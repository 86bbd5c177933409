"""Regenerate the shipped dataset files from the shipped examples, in the public formats perfcoder reads:

- pie2023-python.jsonl + tests-python/: PIE 2023 schema (`problem_id`, `input` = slow, `target` = fast);
- pie2023-python-inline.jsonl: the same pairs with only their first (small) test, inline as `test_cases`;
- pie-iclr-cpp.jsonl + tests-cpp/: PIE ICLR schema (`src_code`, `tgt_code`, `tests` = indices into the
  problem's test files).

A tests root holds {problem_id}/input.{i}.txt, output.{i}.txt; here each {problem_id} is a link to the
example's tests rather than a copy.

It also writes the built-in few-shot pools (perfcoder/strategies/fewshot/*.jsonl, same schema) from a
few short examples. Run: `.venv/bin/python examples/datasets/make.py`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

HERE = Path(__file__).parent
EXAMPLES = HERE.parent
FEWSHOT = EXAMPLES.parent / "perfcoder" / "strategies" / "fewshot"  # the built-in few-shot pools
FEWSHOT_EXAMPLES = {
    "cpp": ("string_build", "tribonacci", "distinct_count"),
    "python": ("distinct_count", "print_join", "membership"),
}


def test_files(example: Path) -> list[tuple[int, str, str]]:
    tests = example / "tests"
    numbers = sorted(int(p.name.split(".")[1]) for p in tests.glob("input.*.txt"))
    return [
        (n, (tests / f"input.{n}.txt").read_text(), (tests / f"output.{n}.txt").read_text()) for n in numbers
    ]


def link_tests(tests_root: Path, example: Path) -> None:
    tests_root.mkdir(exist_ok=True)
    (tests_root / example.name).symlink_to(Path("..", "..", example.parent.name, example.name, "tests"))


def pie2023_rows(tests_root: Path, inline: bool) -> list[dict[str, object]]:
    rows = []
    for example in sorted((EXAMPLES / "python").iterdir()):
        if not inline:
            link_tests(tests_root, example)
        tests = [{"input": i, "output": o} for _, i, o in test_files(example)[:1]]
        rows.append(
            {
                "problem_id": example.name,
                "language": "python",
                "submission_id_v0": f"{example.name}-slow",
                "submission_id_v1": f"{example.name}-fast",
                "input": (example / "slow.py").read_text(),
                "target": (example / "fast.py").read_text(),
                **({"test_cases": tests} if inline else {}),
            }
        )
    return rows


def iclr_rows(tests_root: Path) -> list[dict[str, object]]:
    rows = []
    for example in sorted((EXAMPLES / "cpp").iterdir()):
        link_tests(tests_root, example)
        rows.append(
            {
                "problem_id": example.name,
                "language": "cpp",
                "src_id": f"{example.name}-slow",
                "tgt_id": f"{example.name}-fast",
                "src_code": (example / "slow.cpp").read_text(),
                "tgt_code": (example / "fast.cpp").read_text(),
                "tests": [n for n, _, _ in test_files(example)],
            }
        )
    return rows


def fewshot_rows(language: str) -> list[dict[str, object]]:
    ext = {"cpp": "cpp", "python": "py"}[language]
    return [
        {
            "problem_id": name,
            "language": language,
            "submission_id_v0": f"{name}-slow",
            "input": (EXAMPLES / language / name / f"slow.{ext}").read_text(),
            "target": (EXAMPLES / language / name / f"fast.{ext}").read_text(),
        }
        for name in FEWSHOT_EXAMPLES[language]
    ]


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def main() -> None:
    for tests_root in ("tests", "tests-python", "tests-cpp"):
        shutil.rmtree(HERE / tests_root, ignore_errors=True)
    write_jsonl(HERE / "pie2023-python.jsonl", pie2023_rows(HERE / "tests-python", inline=False))
    write_jsonl(HERE / "pie2023-python-inline.jsonl", pie2023_rows(HERE / "tests-python", inline=True))
    write_jsonl(HERE / "pie-iclr-cpp.jsonl", iclr_rows(HERE / "tests-cpp"))
    FEWSHOT.mkdir(exist_ok=True)
    for language in FEWSHOT_EXAMPLES:
        write_jsonl(FEWSHOT / f"{language}.jsonl", fewshot_rows(language))


if __name__ == "__main__":
    main()
