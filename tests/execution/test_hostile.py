"""Real hostile programs in the real sandbox: each ends with the right verdict, in time, leaving nothing."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from pathlib import Path

import pytest

from perfcoder.execution.engine import ExecutionConfig, Executor, Program
from perfcoder.execution.languages import PYTHON
from perfcoder.execution.limits import Limits
from perfcoder.execution.sandbox import SandboxConfig
from perfcoder.execution.testcase import TestCase
from perfcoder.execution.verdict import Verdict
from tests.support.files import program

HOSTILE = Path(__file__).parent / "hostile"

TIME_LIMIT = 2.0
GRACE_S = 5.0  # "within the time limit plus a few seconds"


def judge(
    executor: Executor, name: str, data: bytes = b"", expected: bytes | None = None
) -> tuple[Verdict, str, float]:
    start = time.monotonic()
    result = executor.run(program(HOSTILE / name), [TestCase("1", data, expected)])
    test = result.tests[0]
    return test.verdict, test.stdout, time.monotonic() - start


@pytest.mark.usefixtures("no_leftovers")
@pytest.mark.parametrize(
    ("name", "verdicts"),
    [
        ("fork_bomb.cpp", {Verdict.TIMEOUT, Verdict.RUNTIME_ERROR}),
        ("infinite_printer.cpp", {Verdict.OUTPUT_LIMIT}),
        ("setsid_hang.py", {Verdict.TIMEOUT}),
        ("cpu_spin.cpp", {Verdict.TIMEOUT}),
        ("huge_alloc.cpp", {Verdict.MEMORY_LIMIT}),
        ("huge_alloc.py", {Verdict.MEMORY_LIMIT}),
    ],
)
def test_hostile_program_is_stopped(executor: Executor, name: str, verdicts: set[Verdict]) -> None:
    verdict, _, elapsed = judge(executor, name)
    assert verdict in verdicts
    assert elapsed < TIME_LIMIT + GRACE_S + 10  # + compile time of the first build


@pytest.mark.usefixtures("no_leftovers")
def test_setsid_grandchild_dies_with_the_run(executor: Executor) -> None:
    verdict, stdout, _ = judge(executor, "setsid_sleeper.py", expected=b"parent done\n")
    assert verdict == Verdict.ACCEPTED
    assert stdout == "parent done\n"


@pytest.mark.usefixtures("no_leftovers")
def test_no_network_even_to_host_loopback(executor: Executor) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(TIME_LIMIT + GRACE_S)
    port = server.getsockname()[1]
    accepted: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):  # timed out: nobody connected
            accepted.append(server.accept()[0])

    listener = threading.Thread(target=accept)
    listener.start()
    verdict, stdout, _ = judge(executor, "connect_loopback.py", f"{port}\n".encode())
    server.close()
    listener.join()
    assert verdict == Verdict.RUNTIME_ERROR
    assert "connected" not in stdout
    assert not accepted


@pytest.mark.usefixtures("no_leftovers")
def test_writes_outside_the_work_dir_fail(executor: Executor, tmp_path: Path) -> None:
    # a world-writable file in a directory the sandbox can see: only the read-only mount protects it
    target_dir = Path.cwd() / ".sandbox-target"
    target_dir.mkdir(mode=0o777, exist_ok=True)
    target_dir.chmod(0o777)
    target = target_dir / "victim.txt"
    target.write_text("original\n")
    target.chmod(0o666)
    try:
        verdict, stdout, _ = judge(executor, "write_outside.py", f"{target}\n".encode())
        assert target.read_text() == "original\n"
    finally:
        target.unlink()
        target_dir.rmdir()
    assert verdict == Verdict.ACCEPTED
    assert "wrote" not in stdout
    assert stdout.count("refused") == 4
    assert "work dir ok" in stdout
    assert not Path("/etc/perfcoder-was-here").exists()
    assert not Path("/usr/perfcoder-was-here").exists()


@pytest.mark.usefixtures("no_leftovers")
@pytest.mark.parametrize("name", ["setsid_hang.py", "fork_bomb.cpp", "setsid_sleeper.py"])
def test_rlimit_fallback_still_kills_everything(private_cache: Path, name: str) -> None:
    config = ExecutionConfig(
        limits=Limits(time_s=TIME_LIMIT), sandbox=SandboxConfig(isolation="rlimit"), cache_dir=private_cache
    )
    executor = Executor(config)
    try:
        verdict, _, elapsed = judge(executor, name)
    finally:
        executor.close()
    assert verdict in {Verdict.TIMEOUT, Verdict.RUNTIME_ERROR, Verdict.ACCEPTED}
    assert elapsed < TIME_LIMIT + GRACE_S + 10


@pytest.mark.usefixtures("no_leftovers")
def test_fork_bomb_does_not_starve_a_run_beside_it(private_cache: Path) -> None:
    """Concurrent runs have their own uids, so the bomb's process limit is not theirs."""
    config = ExecutionConfig(limits=Limits(time_s=TIME_LIMIT), jobs=2, cache_dir=private_cache)
    executor = Executor(config)
    forker = "import os\nfor _ in range(20):\n    pid = os.fork()\n    if pid == 0:\n        os._exit(0)\n"
    forker += "    os.waitpid(pid, 0)\nprint('ok')\n"
    try:
        bomb, neighbour = executor.run_many(
            [program(HOSTILE / "fork_bomb.cpp"), Program(forker, PYTHON)],
            [TestCase(str(n), b"", b"ok\n") for n in range(3)],
        )
    finally:
        executor.close()
    assert bomb.verdict in {Verdict.TIMEOUT, Verdict.RUNTIME_ERROR}
    assert neighbour.verdict == Verdict.ACCEPTED, neighbour.to_dict()
