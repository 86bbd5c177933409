"""How a run is observed: the native probe times it; cost models (in `measure`) wrap the command."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from perfcoder.execution.limits import Limits
from perfcoder.execution.sandbox import ProcessResult


class Probe(Protocol):
    """Wraps a program's command to measure it, and reads the measurement afterwards."""

    @property
    def name(self) -> str:
        """Part of the results store key."""
        ...

    @property
    def repeats(self) -> int:
        """Runs per (program, test); costs are their median (timing is noisy, counts are not)."""
        ...

    def settings(self) -> dict[str, Any]:
        """Everything that changes the measurement; part of the results store key."""
        ...

    def wrap(self, argv: tuple[str, ...]) -> list[str]:
        """The command to run instead of argv (paths as seen inside the sandbox)."""
        ...

    def environment(self) -> dict[str, str]:
        """Variables added to the program's fixed environment."""
        ...

    def limits(self, limits: Limits) -> Limits:
        """The limits to run under (a slower measuring runner needs more time)."""
        ...

    def count(self) -> tuple[int, str] | None:
        """(fd, prefix): have the sandbox count prefix on a pipe given to the program as fd."""
        ...

    def costs(self, workdir: Path, result: ProcessResult) -> dict[str, float]:
        """The measured costs of a finished, accepted run."""
        ...


class NativeProbe:
    """Runs the program as is; its costs are the wall and CPU seconds of the sandboxed process."""

    name = "native"

    def __init__(self, repeats: int = 1) -> None:
        self.repeats = repeats

    def settings(self) -> dict[str, Any]:
        return {"repeats": self.repeats}

    def wrap(self, argv: tuple[str, ...]) -> list[str]:
        return list(argv)

    def environment(self) -> dict[str, str]:
        return {}

    def limits(self, limits: Limits) -> Limits:
        return limits

    def count(self) -> tuple[int, str] | None:
        return None

    def costs(self, workdir: Path, result: ProcessResult) -> dict[str, float]:
        return {"wall_s": result.wall_s, "cpu_s": result.cpu_s}
