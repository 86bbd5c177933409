"""What a run starts from in the real sandbox, whatever the process that asks for it inherited."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from perfcoder.execution.engine import ExecutionConfig, Executor, Program
from perfcoder.execution.judge import JudgeConfig
from perfcoder.execution.languages import CPP, PYTHON
from perfcoder.execution.limits import Limits
from perfcoder.execution.testcase import TestCase
from perfcoder.execution.verdict import Verdict
from perfcoder.measure import forkserver
from perfcoder.measure.cachegrind import CachegrindProbe

IGNORED_BY_SHELLS = (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT)  # nohup; a background job
# which of them a program starts with ignored, and which signals it starts with blocked (a bit mask)
SIGNAL_STATE = Program(
    "status = dict(line.split(':') for line in open('/proc/self/status'))\n"
    "ignored = int(status['SigIgn'], 16)\n"
    f"print([s for s in {[int(s) for s in IGNORED_BY_SHELLS]} if ignored >> (s - 1) & 1])\n"
    "print(status['SigBlk'].strip())\n",
    PYTHON,
)
NONE_IGNORED_NONE_BLOCKED = b"[]\n0000000000000000\n"


@pytest.fixture
def ignoring_as_nohup_in_background() -> Iterator[None]:
    """This process ignores what `nohup perfcoder ... &` would, and the children it starts inherit that."""
    before = {sig: signal.signal(sig, signal.SIG_IGN) for sig in IGNORED_BY_SHELLS}
    yield
    for sig, handler in before.items():
        signal.signal(sig, handler)


@pytest.mark.usefixtures("ignoring_as_nohup_in_background")
def test_a_program_starts_with_no_signal_ignored_whatever_perfcoder_ignores(executor: Executor) -> None:
    # an ignored signal outlives exec, and Python's start-up and shutdown do more or less for each: the
    # counts of a run would depend on the shell perfcoder was started from
    [result] = executor.run_many([SIGNAL_STATE], [TestCase("1", b"", NONE_IGNORED_NONE_BLOCKED)])
    assert result.verdict == Verdict.ACCEPTED, result.tests[0].stdout


def test_measured_runs_draw_the_same_entropy_every_time(executor: Executor) -> None:
    # what numpy's import and random's seeding draw: without it their counts vary from run to run
    draw = ["/usr/bin/python3", "-c", "import os, random; print(os.urandom(8).hex(), random.random())"]

    def drawn(repeatable: bool) -> bytes:
        with executor.sandbox.workdir() as work:
            return executor.sandbox.run(draw, work, Limits(time_s=5.0), repeatable=repeatable).stdout

    assert drawn(True) == drawn(True) and drawn(False) != drawn(False)


CHECKER = (
    "import sys\n"
    "_, expected, actual = (open(p).read() for p in sys.argv[1:4])\n"
    "sys.exit(expected != actual)\n"
)


@pytest.fixture
def strict_umask_fresh_runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """umask 077, a runtime directory made under it and the fork server's files installed under it:
    every file and directory the sandbox's uid must read (work dirs, sources, builds, fork-server script
    and jobs, checker files) is made while it is in force."""
    parent = Path(tempfile.mkdtemp(prefix="perfcoder-umask-"))
    parent.chmod(0o711)  # traversable by the sandbox's uid, as /tmp is
    monkeypatch.setattr(tempfile, "tempdir", str(parent))
    before = os.umask(0o077)
    installed = parent / "installed"  # the fork server's files as an install under this umask leaves them
    installed.mkdir()
    for name in ("SCRIPT", "WARM_UP"):
        shipped = getattr(forkserver, name)
        copy = installed / shipped.name
        copy.write_bytes(shipped.read_bytes())
        monkeypatch.setattr(forkserver, name, copy)
    yield parent
    os.umask(before)
    shutil.rmtree(parent, ignore_errors=True)


def test_runs_work_under_a_strict_umask(strict_umask_fresh_runtime: Path, private_cache: Path) -> None:
    checker = strict_umask_fresh_runtime / "checker.py"
    checker.write_text(CHECKER)
    checker.chmod(0o644)  # the user's own file: theirs to make readable
    config = ExecutionConfig(judge=JudgeConfig(checker=checker), cache_dir=private_cache)
    test = [TestCase("1", b"4\n", b"8\n")]
    cpp = Program('#include <cstdio>\nint main(){int n;scanf("%d",&n);printf("%d\\n",2*n);}\n', CPP)
    with Executor(config) as executor:
        judged = executor.run(cpp, test)
        measured = executor.run(
            Program("print(2 * int(input()))\n", PYTHON), test, CachegrindProbe(model="instructions")
        )
    assert judged.verdict == Verdict.ACCEPTED, judged.compile_log or judged.tests[0].stderr
    assert measured.verdict == Verdict.ACCEPTED, measured.tests[0].stderr
    assert measured.tests[0].costs["instructions"] > 0
