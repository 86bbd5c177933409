"""Deterministic cost from valgrind's cachegrind: instructions, simulated cache misses, system calls.

Counts repeat exactly for the same binary, input and environment (fixed env, fixed paths inside the
sandbox, static C++ binaries, `PYTHONHASHSEED=0`, explicit cache sizes, glibc told not to use
`rep movsb`). The cycle estimate adds miss and system-call penalties to the instruction count, which
alone misses I/O (one `endl` per line) and memory-order effects.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfcoder.errors import PerfcoderError
from perfcoder.execution.build import tool_identity
from perfcoder.execution.limits import Limits
from perfcoder.execution.probe import BatchBaseline, BatchJob, BatchMeasure
from perfcoder.execution.sandbox import BOX_DIR, ENTROPY_SEED, ProcessResult, Sandbox
from perfcoder.measure import forkserver

log = logging.getLogger(__name__)
OUT_NAME = ".perfcoder-cachegrind.out"  # in the work dir, read after the run
TRACE_FD = 87  # valgrind's log (with the system-call trace) goes to this fd, counted by the waiter
SYSCALL_PREFIX = "SYSCALL["  # how valgrind's --trace-syscalls starts each traced call
# A batch whose calibration run misses is run again before its jobs fall back to plain runs, whose counts
# differ from batched ones by up to ~0.5%: a search would otherwise compare candidates measured one way
# with an input measured the other. Counts depend neither on the batch nor on the time limit
# (tests/measure/test_forkserver.py) nor on the signals perfcoder's process ignores (the waiter resets
# them; a baseline stored from a shell that ignored others missed every batch), so a miss is rare
CALIBRATION_TRIES = 2
# glibc must not copy or fill with `rep movsb/stosb`, which valgrind counts per byte (10x on a memcpy-heavy
# program). Raising the thresholds does it; `glibc.cpu.hwcaps=-ERMS` does too, but its parsing costs a
# varying number of instructions (an alignment-dependent memcmp), which broke exact repeatability.
NEVER = 2**62
# valgrind's translation settings that are not its defaults. Not following branches into the next block
# ("chasing") cuts the translation time that dominates short runs (Python start-up: -12%, C++ -17% per
# run here), changes Ir by a constant ~0.3%, and counts stay exactly repeatable.
TRANSLATION = ("--vex-guest-chase=no",)
# no gdb server: valgrind would put its FIFOs in the program's work dir, where a program sees them
QUIET = ("--vgdb=no",)
NO_REP_MOVSB = f"glibc.cpu.x86_rep_movsb_threshold={NEVER}:glibc.cpu.x86_rep_stosb_threshold={NEVER}"


@dataclass(frozen=True)
class CacheGeometry:
    """Cache sizes for the simulation (size,associativity,line); the VM reports nonsense ones."""

    i1: str = "32768,8,64"
    d1: str = "32768,8,64"
    ll: str = "8388608,16,64"


@dataclass(frozen=True)
class CycleWeights:
    """Cycles charged per event on top of one per instruction. `process` and `syscall` are measured on
    micro-programs, not fitted on any pair (benchmarks/cycle_weights.py: native CPU seconds of a minimal
    static iostream program and of 200,000 one-byte writes, at the instructions per CPU second of
    cache-resident kernels): starting and ending a process (exec, page faults, exit: ~0.66 ms here) and
    a system call are invisible to valgrind. The miss penalties are the first fit's on C++ pairs
    (benchmarks/measurement.py); Python's are its own (PYTHON_WEIGHTS)."""

    l1_miss: float = 3.0
    ll_miss: float = 100.0
    syscall: float = 2810.0  # per line of valgrind's system-call trace (a blocking call shows as two)
    process: float = 4.1e6


# An interpreter's cache misses cost more than a C++ loop's: under C++'s weights, Python programs that are
# mostly start-up and imports (cold code and data) looked too cheap (74% of held-out PIE pairs within 1.5x
# of CPU time), and under Python's, C++ pairs rank worse (Spearman 0.93 -> 0.66). Python's L1 weight is
# close to what a pointer-chasing miss costs natively (benchmarks/cycle_weights.py). Its two miss weights
# are fitted on the problems of the fit half of the PIE Python dev pairs (log speedups against CPU time,
# robust loss) and checked on the other half (benchmarks/fidelity.py: 100% within 1.5x there, a median
# 95% over random halves); process and syscall stay measured. Programs are only ever compared within one
# language.
PYTHON_WEIGHTS = CycleWeights(l1_miss=120.0, ll_miss=60.0)
LANGUAGE_WEIGHTS = {"python": PYTHON_WEIGHTS}


def cycle_weights(language: str | None) -> CycleWeights:
    """The `cycles` weights for programs of a language (C++'s for any other)."""
    return LANGUAGE_WEIGHTS.get(language or "", CycleWeights())


@dataclass(frozen=True)
class CachegrindProbe:
    """`cycles` (cache simulation + system calls) or `instructions` (Ir only, ~2x cheaper)."""

    model: str = "cycles"
    geometry: CacheGeometry = dataclasses.field(default_factory=CacheGeometry)
    weights: CycleWeights = dataclasses.field(default_factory=CycleWeights)
    slowdown: float = 50.0  # time limit multiplier: valgrind runs programs 4-50x slower
    extra_memory_mb: int = 1024  # valgrind's own address space on top of the program's limit
    name: str = "cachegrind"
    repeats: int = 1
    # Python runs are measured in batches by one fork server (perfcoder.measure.forkserver): ~3x faster
    # on 40 PIE dev pairs, per-pair costs within 0.2% of plain runs (median under Python's weights, p90
    # 0.75%: the server's warm-up leaves interpreter code in the simulated cache;
    # benchmarks/python_throughput.py)
    fork_python: bool = True

    @property
    def repeatable(self) -> bool:
        return True

    def settings(self) -> dict[str, Any]:
        return {
            "repeatable": ENTROPY_SEED.decode(),
            "model": self.model,
            "geometry": dataclasses.asdict(self.geometry),
            "weights": dataclasses.asdict(self.weights) if self.model == "cycles" else None,
            "valgrind": tool_identity("valgrind"),
            "translation": list(TRANSLATION),
            "counts": list(forkserver.COUNTED),
            "python": forkserver.identity() if self.fork_python else "plain",
        }

    def wrap(self, argv: tuple[str, ...]) -> list[str]:
        return self._valgrind(f"{BOX_DIR}/{OUT_NAME}", argv)

    def _valgrind(self, out_file: str, argv: Sequence[str]) -> list[str]:
        g = self.geometry
        cycles = self.model == "cycles"
        log = ["--trace-syscalls=yes", f"--log-fd={TRACE_FD}"] if cycles else ["-q"]
        return [
            "valgrind",
            "--tool=cachegrind",
            *TRANSLATION,
            *QUIET,
            f"--cache-sim={'yes' if cycles else 'no'}",
            f"--I1={g.i1}",
            f"--D1={g.d1}",
            f"--LL={g.ll}",
            f"--cachegrind-out-file={out_file}",
            *log,
            *argv,
        ]

    def batch_group(self, language: str, source: str) -> str | None:
        """Python runs share fork-server batches, grouped by the package their server preloads."""
        if not (self.fork_python and language == "python" and self.repeats == 1):
            return None
        return forkserver.preload_for(source)

    @property
    def batch_size(self) -> int:
        return forkserver.BATCH_JOBS

    def unbatched(self) -> CachegrindProbe:
        return dataclasses.replace(self, fork_python=False)

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
        command = self._valgrind(forkserver.OUT_FILE, (interpreter,))
        slowed = self.limits(limits)
        env = {**env, **self.environment()}
        for attempt in range(1, CALIBRATION_TRIES + 1):
            reports, process = forkserver.run_batch(sandbox, command, jobs, slowed, env, self.count(), group)
            why = forkserver.calibration_miss(reports, process, baseline, self.counts, group)
            if why is None or attempt == CALIBRATION_TRIES:
                break
            log.warning("fork server: calibration run not as expected (%s); running the batch again", why)
        return forkserver.measures(reports, process, baseline, self.counts, self.with_cycles, group)

    def own_by_pid(
        self,
        sandbox: Sandbox,
        interpreter: str,
        limits: Limits,
        env: Mapping[str, str],
        group: str,
        jobs: int,
    ) -> dict[int, dict[str, float]]:
        command = self._valgrind(forkserver.OUT_FILE, (interpreter,))
        env = {**env, **self.environment()}
        nulls = [forkserver.calibration(group)] * jobs
        reports, process = forkserver.run_batch(
            sandbox, command, nulls, self.limits(limits), env, self.count(), group
        )
        return forkserver.own_by_pid(reports, process, self.counts, group)

    def startup_program(self, group: str) -> str:
        return forkserver.PRELOADS[group]

    def environment(self) -> dict[str, str]:
        return {"GLIBC_TUNABLES": NO_REP_MOVSB}

    def limits(self, limits: Limits) -> Limits:
        return dataclasses.replace(
            limits, time_s=limits.time_s * self.slowdown, memory_mb=limits.memory_mb + self.extra_memory_mb
        )

    def count(self) -> tuple[int, str] | None:
        return (TRACE_FD, SYSCALL_PREFIX) if self.model == "cycles" else None

    def costs(self, workdir: Path, result: ProcessResult) -> dict[str, float]:
        events = read_cachegrind(workdir / OUT_NAME)
        return self.with_cycles(self.counts(events, float(result.counted or 0)))

    def counts(self, events: Mapping[str, int], syscalls: float) -> dict[str, float]:
        """The counts this model reads from cachegrind's events and the system-call trace."""
        instructions = float(events["Ir"])
        if self.model != "cycles":
            return {"instructions": instructions}
        return {
            "instructions": instructions,
            "l1_misses": float(events["I1mr"] + events["D1mr"] + events["D1mw"]),
            "i1_misses": float(events["I1mr"]),  # part of l1_misses, not weighed: how many are code fetches
            "ll_misses": float(events["ILmr"] + events["DLmr"] + events["DLmw"]),
            "syscalls": syscalls,
        }

    def with_cycles(self, counts: dict[str, float]) -> dict[str, float]:
        """The counts, plus the cycle estimate under the `cycles` model."""
        if self.model != "cycles":
            return counts
        w = self.weights
        cycles = (
            counts["instructions"]
            + w.l1_miss * counts["l1_misses"]
            + w.ll_miss * counts["ll_misses"]
            + w.syscall * counts["syscalls"]
            + w.process
        )
        return {**counts, "cycles": cycles}


def read_cachegrind(path: Path) -> dict[str, int]:
    """The `summary:` totals of a cachegrind out file, by event name."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        raise PerfcoderError(f"cachegrind wrote no counts ({path.name} missing)") from None
    names = next((line.split()[1:] for line in lines if line.startswith("events:")), None)
    totals = next((line.split()[1:] for line in lines if line.startswith("summary:")), None)
    if names is None or totals is None:
        raise PerfcoderError(f"cachegrind output {path.name} has no events/summary line")
    return {name: int(value) for name, value in zip(names, totals, strict=True)}
