"""How a run is observed: the native probe times it; cost models (in `measure`) wrap the command."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from perfcoder.execution.limits import Limits
from perfcoder.execution.sandbox import ProcessResult, Sandbox


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

    @property
    def repeatable(self) -> bool:
        """Run without what differs between runs (address randomisation, entropy): count probes do."""
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
    repeatable = False  # judging sees real entropy: a program whose output depends on it shows it

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


@dataclass(frozen=True)
class BatchJob:
    """One run of a batch: the program's files (name to bytes, as its build directory holds them) and
    the input."""

    files: dict[str, bytes]
    input: bytes


@dataclass(frozen=True)
class BatchMeasure:
    """What a batch reports for one job: costs if it ran cleanly, and what it printed (as a digest)."""

    costs: dict[str, float] | None
    stdout_sha256: str | None
    exit_code: int | None
    timed_out: bool
    stderr: str
    unmeasured: str = ""  # why a job that ran has no costs (e.g. a process number the baseline lacks)


@dataclass(frozen=True)
class BatchBaseline:
    """What a batch's jobs are measured against: the unbatched costs of the group's start-up program,
    and that program's own counts in a batch by the process number of its measured child. A child's
    counts differ by a few cache misses (and now and then two instructions) from one process number to
    the next, by the same amount for every program, so a job is measured against the start-up program
    at its own process number: its costs then do not depend on its place in the batch."""

    startup: dict[str, float]
    own_by_pid: dict[int, dict[str, float]]

    def to_dict(self) -> dict[str, Any]:
        return {"startup": self.startup, "own_by_pid": {str(k): v for k, v in self.own_by_pid.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BatchBaseline:
        return cls(data["startup"], {int(k): v for k, v in data["own_by_pid"].items()})


@runtime_checkable
class BatchProbe(Probe, Protocol):
    """A probe that measures many runs of one language's programs in one sandboxed process."""

    def batch_group(self, language: str, source: str) -> str | None:
        """Which batches a program's runs join (runs of one group share them); None: measured one by
        one."""
        ...

    @property
    def batch_size(self) -> int:
        """Jobs per batch at most."""
        ...

    def unbatched(self) -> Probe:
        """The same measurement, one process per run (the reference and the fallback)."""
        ...

    def measure_batch(
        self,
        sandbox: Sandbox,
        interpreter: str,
        jobs: Sequence[BatchJob],
        limits: Limits,
        env: Mapping[str, str],
        baseline: BatchBaseline,
        group: str,
    ) -> list[BatchMeasure]:
        """Measure jobs of one group in one sandboxed run of `interpreter` under per-job `limits` and
        `env`; each job's own costs are added to the baseline's start-up costs, less the start-up
        program's own counts at the job's process number."""
        ...

    def own_by_pid(
        self,
        sandbox: Sandbox,
        interpreter: str,
        limits: Limits,
        env: Mapping[str, str],
        group: str,
        jobs: int,
    ) -> dict[int, dict[str, float]]:
        """A batch of `jobs` runs of the group's start-up program: its own counts by process number."""
        ...

    def startup_program(self, group: str) -> str:
        """The program whose unbatched costs a group's jobs are measured on top of."""
        ...
