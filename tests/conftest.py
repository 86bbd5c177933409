"""Shared fixtures: a real executor with a private results store, and a check that no process is left."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from perfcoder.execution.engine import ExecutionConfig, Executor
from perfcoder.execution.limits import Limits
from perfcoder.execution.sandbox import SandboxConfig, uid_pool

OUR_UIDS = set(uid_pool(SandboxConfig()))  # this process's sandbox uids; other processes use others


def sandbox_pids() -> set[int]:
    """Live processes of our sandbox uids right now (a zombie is dead: only its exit status is left)."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in OUR_UIDS and b") Z " not in (entry / "stat").read_bytes():
                    pids.add(int(entry.name))
            except OSError:
                continue
    return pids


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("PERFCODER_CACHE", str(cache))
    return cache


@pytest.fixture
def executor(private_cache: Path) -> Iterator[Executor]:
    ex = Executor(ExecutionConfig(limits=Limits(time_s=2.0), cache_dir=private_cache))
    yield ex
    ex.close()


@pytest.fixture
def no_leftovers() -> Iterator[None]:
    before = sandbox_pids()
    yield
    left = sandbox_pids() - before
    assert not left, f"processes left behind: {describe(left)}"


def describe(pids: set[int]) -> list[str]:
    described = []
    for pid in sorted(pids):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            described.append(f"{pid}: {command!r}")
        except OSError:
            described.append(f"{pid}: gone")
    return described
