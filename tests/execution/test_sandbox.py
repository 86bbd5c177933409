"""What a run starts from in the real sandbox, whatever the process that asks for it inherited."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from perfcoder.execution.engine import Executor, Program
from perfcoder.execution.languages import PYTHON
from perfcoder.execution.testcase import TestCase
from perfcoder.execution.verdict import Verdict

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
