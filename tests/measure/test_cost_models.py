"""Cost models on real programs under real valgrind: repeatable counts, sensible speedups, clear failures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from perfcoder import make
from perfcoder.environment import Environment
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.sandbox import SandboxConfig
from perfcoder.execution.testcase import TestCase
from perfcoder.execution.verdict import Verdict
from perfcoder.measure import forkserver
from perfcoder.measure.cachegrind import CycleWeights, cycle_weights, read_cachegrind
from perfcoder.measure.cost_models import cost_model, probe_for
from tests.support.paths import EXAMPLES

ENDL = EXAMPLES / "cpp" / "endl_flush"
SMALL = [TestCase("1", b"2000\n", None)]
NO_STORE = ExecutionConfig(use_store=False)


def source(path: Path) -> str:
    return path.read_text()


def env(language: str, cost: str, **options: object) -> Environment:
    return make(language, cost, config=NO_STORE, **options)  # type: ignore[arg-type]


def test_cycles_are_exactly_repeatable_and_see_system_calls() -> None:
    cycles = env("cpp", "cycles")
    slow, fast = source(ENDL / "slow.cpp"), source(ENDL / "fast.cpp")
    first = cycles.compare(slow, slow, SMALL)
    again = cycles.run(slow, SMALL)
    assert first.speedup == 1.0
    assert first.slow.cost == again.cost
    costs = again.tests[0].costs
    assert costs["syscalls"] >= 2000  # one write per endl
    assert costs["cycles"] > costs["instructions"]
    faster = cycles.compare(slow, fast, SMALL)
    assert faster.speedup is not None and faster.speedup > 2
    assert faster.fast.tests[0].costs["syscalls"] < 100


def test_instructions_model_counts_only_instructions() -> None:
    instructions = env("cpp", "instructions")
    measured = instructions.run(source(ENDL / "fast.cpp"), SMALL)
    assert measured.passed and measured.deterministic
    assert set(measured.tests[0].costs) == {"instructions"}
    assert measured.cost == measured.tests[0].costs["instructions"] > 10_000


def test_python_counts_repeat_despite_hash_randomisation() -> None:
    program = "words = {str(i) * 3 for i in range(2000)}\nprint(len(words), sorted(words)[0])\n"
    instructions = env("python", "instructions")
    comparison = instructions.compare(program, program, [TestCase("1", b"", b"2000 000\n")])
    assert comparison.slow.passed
    assert comparison.speedup == 1.0


def charged(costs: dict[str, float], w: CycleWeights) -> float:
    counted = costs["instructions"] + w.l1_miss * costs["l1_misses"] + w.ll_miss * costs["ll_misses"]
    return counted + w.syscall * costs["syscalls"] + w.process


@pytest.mark.parametrize(
    ("language", "program"),
    [
        ("python", "print(sum(range(10**4)))\n"),
        ("cpp", '#include <cstdio>\nint main() { puts("49995000"); }\n'),
    ],
)
def test_each_language_is_charged_its_own_cycle_weights(language: str, program: str) -> None:
    other = cycle_weights("cpp" if language == "python" else "python")
    assert cycle_weights(language) != other
    measured = env(language, "cycles").run(program, [TestCase("1", b"", b"49995000\n")])
    assert measured.passed
    costs = measured.tests[0].costs
    assert 0 < costs["i1_misses"] < costs["l1_misses"]
    assert costs["cycles"] == pytest.approx(charged(costs, cycle_weights(language)), rel=1e-9)
    assert costs["cycles"] != pytest.approx(charged(costs, other), rel=1e-3)


@pytest.mark.parametrize(("model", "key"), [("cpu", "cpu_s"), ("wall", "wall_s")])
def test_timed_models_report_medians_and_spread(model: str, key: str) -> None:
    timed = env("cpp", model, repeats=3)
    measured = timed.run(source(ENDL / "slow.cpp"), SMALL)
    costs = measured.tests[0].costs
    assert not measured.deterministic
    assert costs[f"{key}_min"] <= costs[key] <= costs[f"{key}_max"]
    assert costs[f"{key}_min"] <= costs[f"{key}_mean"] <= costs[f"{key}_max"]
    assert measured.cost == costs[key] > 0


def test_start_up_is_subtracted_and_reported() -> None:
    gross = env("cpp", "instructions").run(source(ENDL / "fast.cpp"), SMALL)
    net = env("cpp", "instructions", subtract_startup=True).run(source(ENDL / "fast.cpp"), SMALL)
    assert net.startup_cost is not None and net.startup_cost > 0
    assert gross.cost is not None and net.cost is not None
    assert net.cost == pytest.approx(gross.cost - net.startup_cost)


def test_a_failed_test_makes_the_comparison_undefined() -> None:
    instructions = env("cpp", "instructions")
    wrong = '#include <cstdio>\nint main() { puts("0"); }\n'
    comparison = instructions.compare(
        source(ENDL / "slow.cpp"), wrong, [{"input": "2\n", "output": "1\n4\n"}]
    )
    assert comparison.slow.passed
    assert comparison.fast.verdict == Verdict.WRONG_ANSWER
    assert comparison.fast.cost is None and comparison.speedup is None


def test_unknown_cost_model_and_bad_cachegrind_output(tmp_path: Path) -> None:
    with pytest.raises(PerfcoderError, match="unknown cost model"):
        make("cpp", "gem5")
    garbage = tmp_path / "cachegrind.out"
    garbage.write_text("not a cachegrind file\n")
    with pytest.raises(PerfcoderError, match="no events/summary"):
        read_cachegrind(garbage)


def test_bench_cli_json(private_cache: Path) -> None:
    example = EXAMPLES / "cpp" / "prefix_sums"
    command = [
        sys.executable,
        "-m",
        "perfcoder",
        "bench",
        str(example / "slow.cpp"),
        str(example / "wrong_fast.cpp"),
    ]
    done = subprocess.run(
        [*command, "--tests", str(example / "tests"), "--cost", "instructions", "--json"],
        capture_output=True,
        text=True,
        env={"PERFCODER_CACHE": str(private_cache), "PATH": "/usr/bin:/bin"},
        timeout=600,
    )
    report = json.loads(done.stdout)
    assert report["cost_model"] == "instructions"
    assert report["slow"]["verdict"] == "accepted" and report["slow"]["cost"] > 0
    assert report["fast"]["verdict"] == "wrong_answer" and report["fast"]["cost"] is None
    assert report["speedup"] is None
    assert len(report["slow"]["tests"]) == 3


def test_cycles_in_the_rlimit_fallback() -> None:
    """Without bubblewrap the sandbox maps inside paths (also in `--option=PATH`) to host paths."""
    config = ExecutionConfig(use_store=False, sandbox=SandboxConfig(isolation="rlimit"))
    measured = make("cpp", "cycles", config=config).run(source(ENDL / "fast.cpp"), SMALL)
    assert measured.passed
    assert measured.cost is not None and measured.cost > measured.tests[0].costs["instructions"]


def test_failing_programs_are_judged_natively_not_under_valgrind() -> None:
    """A program that loops forever times out at the native limit, not at the 50x measuring limit."""
    spin = "int main() { volatile unsigned long x = 0; while (true) x++; }\n"
    cycles = make("cpp", "cycles", config=NO_STORE, time_s=1.0)
    measured = cycles.run(spin, SMALL)
    assert measured.verdict == Verdict.TIMEOUT
    assert measured.tests[0].wall_s < 5


def test_only_python_results_depend_on_the_python_fork_server() -> None:
    """A change to the fork server makes stored Python measurements stale, not C++ ones."""
    settings = {lang: probe_for(cost_model("cycles"), language=lang).settings() for lang in ("cpp", "python")}
    assert settings["cpp"]["python"] == "plain" and settings["python"]["python"] == forkserver.identity()
