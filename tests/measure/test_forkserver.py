"""The Python fork server under real valgrind in the real sandbox: batched counts agree with plain runs,
do not depend on the batch, keep jobs apart, and a batch that cannot be trusted is measured plainly."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from perfcoder.execution import engine
from perfcoder.execution.engine import RUN_ENV, ExecutionConfig, Executor, Program
from perfcoder.execution.languages import PYTHON
from perfcoder.execution.limits import Limits
from perfcoder.execution.probe import BatchBaseline, BatchJob
from perfcoder.execution.results import SubmissionResult
from perfcoder.execution.sandbox import Sandbox
from perfcoder.execution.testcase import TestCase
from perfcoder.measure import forkserver
from perfcoder.measure.cachegrind import CachegrindProbe

LOOP = "n = int(input())\ntotal = 0\nfor i in range(n):\n    total += i * i\nprint(total)\n"
SORT = "n = int(input())\nprint(sorted((i * 7919) % n for i in range(n))[n // 2])\n"
DICT = "n = int(input())\nd = {str(i): i for i in range(n)}\nprint(sum(d.values()))\n"
EXITS = "import sys\nprint(int(input()) + 1)\nsys.exit(0)\n"
FLUSHES = "import sys\nfor i in range(int(input())):\n    print(i, flush=True)\n"
TESTS = [TestCase("small", b"300\n", None), TestCase("large", b"20000\n", None)]


def measure(
    programs: Sequence[str],
    tests: Sequence[TestCase],
    cache: Path,
    *,
    fork: bool,
    model: str = "instructions",
) -> list[SubmissionResult]:
    with Executor(ExecutionConfig(cache_dir=cache, jobs=1)) as executor:
        probe = CachegrindProbe(model=model, fork_python=fork)
        return executor.run_many([Program(source, PYTHON) for source in programs], tests, probe)


def costs(results: Sequence[SubmissionResult], key: str = "instructions") -> list[list[float]]:
    return [[test.costs[key] for test in result.tests] for result in results]


def test_executors_of_a_process_share_one_baseline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An executor per pair (or per test, with a private store each) would otherwise measure the batch
    baseline again; it is measured once, for as many runs as the first call may batch."""
    monkeypatch.setattr(engine, "_STARTUPS", {})
    monkeypatch.setattr(engine, "_OWNS_BY_PID", {})
    jobs: list[int] = []
    measure_own = Executor._measure_own_by_pid

    def counted(self: Executor, probe: Any, group: str, wanted: int) -> dict[int, dict[str, float]]:
        jobs.append(wanted)
        return measure_own(self, probe, group, wanted)

    monkeypatch.setattr(Executor, "_measure_own_by_pid", counted)
    first = measure([LOOP, SORT], TESTS[:1], tmp_path / "a", fork=True)
    second = measure([LOOP, SORT], TESTS[:1], tmp_path / "b", fork=True)
    assert jobs == [2] and costs(first) == costs(second)


def test_batched_counts_agree_with_plain_runs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    programs = [LOOP, SORT, DICT, EXITS]
    with caplog.at_level(logging.WARNING):
        batched = measure(programs, TESTS, tmp_path / "a", fork=True)
    assert not caplog.records  # every run was measured in the batch, none fell back to a plain run
    plain = measure(programs, TESTS, tmp_path / "b", fork=False)
    for fast_row, plain_row in zip(costs(batched), costs(plain), strict=True):
        for fast, slow in zip(fast_row, plain_row, strict=True):
            assert fast != slow  # really measured differently
            assert abs(fast / slow - 1) < 0.005
    # the large test costs more than the small one by about what plain runs say (EXITS does no work)
    for (small, large), (plain_small, plain_large) in zip(costs(batched)[:3], costs(plain)[:3], strict=True):
        assert abs((large - small) / (plain_large - plain_small) - 1) < 0.02


@pytest.mark.slow  # make test-all; make test checks the same on a run crowded locally and alone on Ray
def test_counts_do_not_depend_on_the_batch_around_a_run(tmp_path: Path) -> None:
    alone = measure([LOOP], TESTS, tmp_path / "a", fork=True, model="cycles")
    again = [*TESTS, TestCase("small again", TESTS[0].input, None)]
    crowded = measure([DICT, SORT, LOOP, EXITS], again, tmp_path / "b", fork=True, model="cycles")
    # exactly the same counts, misses included, wherever the run sits in a batch
    assert alone[0].tests[0].costs == crowded[2].tests[0].costs == crowded[2].tests[2].costs
    assert alone[0].tests[1].costs == crowded[2].tests[1].costs


BATCHES: list[int] = []  # sizes of the batches measured by CountingProbe


@dataclasses.dataclass(frozen=True)
class CountingProbe(CachegrindProbe):
    """The real probe, recording the size of each batch it measures."""

    def measure_batch(self, sandbox: Sandbox, interpreter: str, jobs: Sequence[BatchJob], *rest: Any) -> Any:
        BATCHES.append(len(jobs))
        return super().measure_batch(sandbox, interpreter, jobs, *rest)


def test_concurrent_calls_share_a_batch(tmp_path: Path) -> None:
    BATCHES.clear()
    probe = CountingProbe(model="instructions")
    busy = "for _ in range(10 ** 6):\n    pass\nprint(int(input()) + 1)\n"
    config = ExecutionConfig(cache_dir=tmp_path / "a", jobs=1)
    with Executor(config) as executor, ThreadPoolExecutor(2) as pool:
        # whichever call hands its runs over first, the other is still judging (or measuring the
        # interpreter's start-up, which the first call to get there does while the other waits)
        together = list(
            pool.map(lambda source: executor.run(Program(source, PYTHON), TESTS, probe), [EXITS, busy])
        )
    assert all(result.passed for result in together)
    assert BATCHES == [4]  # one batch of both calls' runs, not one per call
    [alone] = measure([EXITS], TESTS, tmp_path / "b", fork=True)
    assert costs([together[0]]) == costs([alone])


NUMPY_FIRST = "import numpy as np\nn = int(input())\nprint(int(np.arange(n).sum()))\n"
NUMPY_LATER = (
    "from collections import deque\nn = int(input())\nd = deque(i * i for i in range(n))\n"
    "import numpy\nprint(int(numpy.array(list(d)).max()))\n"
)
NUMPY_NEVER = "if input() == 'never':\n    import numpy\nprint('no numpy')\n"


def test_numpy_programs_are_measured_with_numpy_preloaded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    programs = [NUMPY_FIRST, NUMPY_LATER, NUMPY_NEVER]
    tests = [TestCase("1", b"3000\n", None)]
    with caplog.at_level(logging.WARNING):
        batched = measure(programs, tests, tmp_path / "a", fork=True, model="cycles")
    # the program that never imports numpy cannot be measured on numpy's start-up: measured on its own
    [fallback] = [record.getMessage() for record in caplog.records]
    assert "measuring it on its own" in fallback
    plain = measure(programs, tests, tmp_path / "b", fork=False, model="cycles")
    for fast, slow in zip(costs(batched[:2], "cycles"), costs(plain[:2], "cycles"), strict=True):
        assert fast != slow and abs(fast[0] / slow[0] - 1) < 0.005
    assert costs(batched[2:], "cycles") == costs(plain[2:], "cycles")
    assert [result.tests[0].stdout for result in batched] == [result.tests[0].stdout for result in plain]


@pytest.mark.parametrize(
    ("source", "preload"),
    [
        ("import numpy as np\n", "numpy"),
        ("import sys, numpy.linalg\n", "numpy"),
        ("def f():\n    from pandas import DataFrame\n", "numpy"),
        ("import numpyish\nfrom . import numpy\n", ""),
        ("print(1)\n", ""),
        ("import numpy as\n", ""),  # does not parse: it fails natively anyway
    ],
)
def test_the_preload_follows_the_programs_imports(source: str, preload: str) -> None:
    assert forkserver.preload_for(source) == preload


def test_system_calls_are_counted_per_run(tmp_path: Path) -> None:
    tests = [TestCase("lines", b"2000\n", None)]
    [flushing, looping] = measure([FLUSHES, LOOP], tests, tmp_path / "a", fork=True, model="cycles")
    assert flushing.tests[0].costs["syscalls"] - looping.tests[0].costs["syscalls"] >= 2000
    [plain] = measure([FLUSHES], tests, tmp_path / "b", fork=False, model="cycles")
    assert abs(flushing.tests[0].costs["cycles"] / plain.tests[0].costs["cycles"] - 1) < 0.01


LEAVES_A_WRITER = """import os, time
if os.fork() == 0:
    os.setsid()
    for _ in range(600):
        time.sleep(0.05)
        for directory in ("/tmp/box", "/tmp/prog", "/tmp/out"):
            try:
                open(directory + "/planted", "w").write("x")
            except OSError:
                pass
print("left a writer behind")
"""
LOOKS_AROUND = """import os, sys, time
time.sleep(1.5)
print(sorted(os.listdir("/tmp/box")), sorted(os.listdir("/tmp/prog")), os.path.exists("/tmp/out/planted"))
print(os.path.exists("/tmp/out/warm-up-input"), [name for name in sys.modules if "warm" in name])
"""


def test_what_a_run_leaves_behind_is_gone_before_the_next(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tests = [TestCase("1", b"", None)]
    with caplog.at_level(logging.WARNING):
        [_, looked] = measure([LEAVES_A_WRITER, LOOKS_AROUND], tests, tmp_path, fork=True)
    assert looked.passed
    # the batched run printed what its native run printed (an empty work dir), or it would have been
    # measured again on its own with that warning; a run after the writer's job is measured on its own
    # for another reason (the writer's process took a process number), which may be said
    said = [record.getMessage() for record in caplog.records]
    assert not [message for message in said if "printed something else" in message]
    assert all("after processes an earlier job started" in message for message in said)
    # nor does it see the server's warm-up: no input file, no module
    assert looked.tests[0].stdout == "[] ['build.log', 'main.py'] False\nFalse []\n"


TRIES_THE_CHANNEL = """import os
try:
    with open(f"/proc/{os.getppid()}/fd/1", "w") as channel:
        channel.write('{"index": 1}\\n')
    print("forged")
except OSError:
    print("blocked")
"""


def test_a_program_cannot_write_the_servers_reports(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        [tried] = measure([TRIES_THE_CHANNEL], [TestCase("1", b"", None)], tmp_path, fork=True)
    assert not caplog.records
    assert tried.passed and tried.tests[0].stdout == "blocked\n"


def test_reports_that_do_not_add_up_are_all_distrusted(caplog: pytest.LogCaptureFixture) -> None:
    good = [json.dumps({"index": index, "pid": 5}) for index in range(3)]
    assert [report and report["index"] for report in forkserver._parse("\n".join(good).encode(), 3)] == [
        0,
        1,
        2,
    ]
    for forged in (
        [*good, good[1]],  # a job reported twice
        [*good, json.dumps({"index": 7})],  # a job that does not exist
        [good[0], good[1][:-3] + good[2]],  # a line written into another
    ):
        with caplog.at_level(logging.WARNING):
            assert forkserver._parse("\n".join(forged).encode(), 3) == [None, None, None]
        assert "not trustworthy" in caplog.records[-1].getMessage()


def test_a_run_counts_the_same_under_another_time_limit(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The baseline is measured once per store, whatever the time limit of the runs that use it."""
    probe = CachegrindProbe(model="cycles", fork_python=True)
    found = []
    with caplog.at_level(logging.WARNING):
        for seconds in (10.0, 0.5):  # the verifier's runs, and the oracle's at a short limit
            config = ExecutionConfig(cache_dir=tmp_path, jobs=1, limits=Limits(time_s=seconds))
            with Executor(config) as executor:
                [result] = executor.run_many([Program(LOOP, PYTHON)], TESTS[:1], probe)
            found.append(result.tests[0].costs)
    assert not caplog.records  # the second batch's calibration run counted as the baseline says
    assert found[0] == found[1] and found[0]["l1_misses"] > 0


def test_a_calibration_miss_runs_the_batch_again_then_measures_plainly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    probe = CachegrindProbe(model="instructions", fork_python=True)
    with Executor(ExecutionConfig(cache_dir=tmp_path, jobs=1)) as executor:
        baseline = executor._baseline(probe, "", 1)
        skewed = {
            pid: {**own, "instructions": own["instructions"] + 1} for pid, own in baseline.own_by_pid.items()
        }
        job = BatchJob({"main.py": LOOP.encode(), "build.log": b""}, b"300\n")
        run = (executor.sandbox, executor.config.toolchain.python, [job], executor.config.limits, RUN_ENV)
        [trusted] = probe.measure_batch(*run, baseline, "")
        assert trusted.costs is not None and not caplog.records
        with caplog.at_level(logging.WARNING):
            [distrusted] = probe.measure_batch(*run, BatchBaseline(baseline.startup, skewed), "")
    assert distrusted.costs is None  # its run is measured on its own by the executor
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2 and "instructions -1" in messages[0]
    assert messages[0].endswith("running the batch again") and messages[1].endswith("measuring unbatched")
