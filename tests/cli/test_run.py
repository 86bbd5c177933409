"""The `perfcoder run` command end to end, as a user calls it (a real subprocess, the real sandbox)."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from perfcoder.cli.render import number
from tests.support.commands import run_cli
from tests.support.paths import EXAMPLES

PRIME = EXAMPLES / "cpp" / "prime_sum"


def test_json_output_and_store(private_cache: Path) -> None:
    first = run_cli("run", PRIME / "fast.cpp", "--tests", PRIME / "tests", "--json", cache=private_cache)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["verdict"] == "accepted"
    assert [t["verdict"] for t in report["tests"]] == ["accepted"] * 3
    assert {"name", "verdict", "wall_s", "cpu_s"} <= set(report["tests"][0])
    assert report["stored_tests"] == 0
    second = run_cli("run", PRIME / "fast.cpp", "--tests", PRIME / "tests", "--json", cache=private_cache)
    again = json.loads(second.stdout)
    assert again["stored_tests"] == 3
    assert [t["verdict"] for t in again["tests"]] == [t["verdict"] for t in report["tests"]]


def test_table_says_when_answered_from_store(private_cache: Path) -> None:
    args = ("run", PRIME / "slow.cpp", "--tests", PRIME / "tests")
    assert "answered from the results store" not in run_cli(*args, cache=private_cache).stdout
    second = run_cli(*args, cache=private_cache)
    assert second.returncode == 0
    assert "accepted" in second.stdout
    assert "3/3 answered from the results store" in second.stdout


def test_changed_limits_are_not_answered_from_store(private_cache: Path) -> None:
    args = ("run", PRIME / "fast.cpp", "--tests", PRIME / "tests", "--json")
    run_cli(*args, cache=private_cache)
    other = json.loads(run_cli(*args, "--time-limit", "5", cache=private_cache).stdout)
    assert other["stored_tests"] == 0


def test_wrong_program_exits_1(private_cache: Path) -> None:
    example = EXAMPLES / "cpp" / "prefix_sums"
    done = run_cli(
        "run", example / "wrong_fast.cpp", "--tests", example / "tests", "--json", cache=private_cache
    )
    assert done.returncode == 1
    assert json.loads(done.stdout)["verdict"] == "wrong_answer"


def test_compile_error_is_a_verdict(private_cache: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.cpp"
    broken.write_text("int main() { return undefined_name; }\n")
    done = run_cli("run", broken, "--tests", PRIME / "tests", "--json", cache=private_cache)
    report = json.loads(done.stdout)
    assert report["verdict"] == "compile_error"
    assert "undefined_name" in report["compile_log"]


def bad_inputs(tmp_path: Path) -> dict[str, tuple[list[str | Path], str]]:
    tests = PRIME / "tests"
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "bad.jsonl").write_text('{"input": "1"\n')
    (tmp_path / "latin1.cpp").write_bytes(b"int main() { /* caf\xe9 */ }\n")
    (tmp_path / "huge.py").write_text("x = 1\n" * 200_000)
    (tmp_path / "prog.rs").write_text("fn main() {}\n")
    (tmp_path / "blank.py").write_text("\n")
    return {
        "missing program": (["run", tmp_path / "nope.cpp", "--tests", tests], "no such file"),
        "missing tests": (["run", PRIME / "fast.cpp", "--tests", tmp_path / "nope"], "no such tests"),
        "empty tests": (["run", PRIME / "fast.cpp", "--tests", empty], "contains no tests"),
        "malformed tests": (["run", PRIME / "fast.cpp", "--tests", tmp_path / "bad.jsonl"], "malformed JSON"),
        "non-UTF-8 source": (["run", tmp_path / "latin1.cpp", "--tests", tests], "not UTF-8"),
        "huge source": (["run", tmp_path / "huge.py", "--tests", tests], "byte limit"),
        "empty source": (["run", tmp_path / "blank.py", "--tests", tests], "source is empty"),
        "unknown extension": (["run", tmp_path / "prog.rs", "--tests", tests], "cannot tell the language"),
        "unknown language": (
            ["run", PRIME / "fast.cpp", "--tests", tests, "--language", "cobol"],
            "unknown language",
        ),
        "bad option value": (["run", PRIME / "fast.cpp", "--tests", tests, "--compare", "fuzzy"], "fuzzy"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing program",
        "missing tests",
        "empty tests",
        "malformed tests",
        "non-UTF-8 source",
        "huge source",
        "empty source",
        "unknown extension",
        "unknown language",
        "bad option value",
    ],
)
def test_bad_input_is_one_line_and_exit_2(private_cache: Path, tmp_path: Path, case: str) -> None:
    args, message = bad_inputs(tmp_path)[case]
    done = run_cli(*args, cache=private_cache)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    if "option" not in case:
        assert len(done.stderr.strip().splitlines()) == 1


def test_interrupted_run_resumes_from_store(private_cache: Path, tmp_path: Path) -> None:
    """Kill a run half-way: what it measured is in the store, and the rerun answers that from it."""
    slow = tmp_path / "slow.py"
    slow.write_text("import time\ntime.sleep(0.4)\nprint(int(input()) * 2)\n")
    rows = [{"input": f"{i}\n", "output": f"{2 * i}\n"} for i in range(12)]
    tests = tmp_path / "tests.jsonl"
    tests.write_text("\n".join(json.dumps(r) for r in rows))
    env = {"PERFCODER_CACHE": str(private_cache), "PATH": "/usr/bin:/bin"}
    run = [
        sys.executable,
        "-m",
        "perfcoder",
        "run",
        str(slow),
        "--tests",
        str(tests),
        "--jobs",
        "1",
        "--json",
    ]
    proc = subprocess.Popen(run, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store = private_cache / "results.sqlite"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _stored(store) < 3:
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    kept = _stored(store)
    assert 3 <= kept < len(rows)
    resumed = json.loads(subprocess.run(run, env=env, capture_output=True, text=True, timeout=120).stdout)
    assert resumed["verdict"] == "accepted"
    assert resumed["stored_tests"] >= kept


def _stored(store: Path) -> int:
    if not store.exists():
        return 0
    try:
        with sqlite3.connect(store, timeout=5) as db:
            return int(db.execute("SELECT COUNT(*) FROM results").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_tables_show_counts_as_whole_numbers_and_seconds_with_decimals() -> None:
    assert [number(v) for v in (7.0, 1234567.0, 0.0123, None)] == ["7", "1,234,567", "0.0123", "-"]
