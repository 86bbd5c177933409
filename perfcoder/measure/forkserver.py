"""Runs a batch of Python jobs through the fork server (python_forkserver.py) in one sandboxed valgrind
process, and turns its reports into the same costs a plain run of each program would get.

A job's costs are those of a plain run of the start-up program (empty, or `import numpy` for a server
that preloads numpy; measured once, unbatched) plus what the job's child did beyond what that
program's child does in a server at the same process number (measured once, in a batch of nothing but
the start-up program): the child's own work includes interpreter shut-down, which the plain run of the
start-up program already holds. A child's counts vary by a few cache misses with its process number,
alike for every program, so measuring against the start-up program at the same process number makes a
job's costs independent of the batch it lands in. A job whose child has a process number the baseline
does not know (a job before it started processes of its own) is measured on its own.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from perfcoder.errors import PerfcoderError
from perfcoder.execution.limits import Limits
from perfcoder.execution.probe import BatchBaseline, BatchJob, BatchMeasure
from perfcoder.execution.sandbox import Mount, ProcessResult, Sandbox, readable_by_runs, readable_copy
from perfcoder.execution.source import python_imports
from perfcoder.measure import python_forkserver as server
from perfcoder.measure import python_warmup as warmup

SCRIPT = Path(server.__file__)
SCRIPT_INSIDE = "/tmp/forkserver.py"
WARM_UP = Path(warmup.__file__)
OUT_FILE = f"{server.OUT_DIR}/cachegrind.%p"  # one count file per process of the batch
# What a server may import before its jobs (numpy), and the program whose plain run is then the
# start-up every job's own counts are added to; "" imports nothing and starts from an empty program
PRELOADS = {"": "", "numpy": "import numpy\n"}
PRELOADED_BY = {"numpy": "numpy", "scipy": "numpy", "pandas": "numpy"}  # an import of these imports it
BATCH_JOBS = server.MAX_JOBS - 1  # user jobs per batch, besides the calibration job
STARTUP_ALLOWANCE_S = 120.0  # the server's own start-up under valgrind, on top of the jobs' limits
# The per-job wall-clock limit as the server reads it (milliseconds): one width for every limit, as
# the text's length and a float's digits changed the jobs' cache misses (by a few), and so the counts of
# the same run under another time limit
WALL_MS_FORMAT = "{:012d}"
log = logging.getLogger(__name__)
# costs that add up; cycles is derived
COUNTED = ("instructions", "l1_misses", "i1_misses", "ll_misses", "syscalls")

Counts = Callable[[dict[str, int], float], dict[str, float]]


@functools.cache
def identity() -> str:
    """Part of the results store key: a change to the server changes the counts."""
    parts = SCRIPT.read_bytes() + WARM_UP.read_bytes() + WALL_MS_FORMAT.encode()
    return "fork-server-" + hashlib.sha256(parts).hexdigest()[:16]


def preload_for(source: str) -> str:
    """The package a Python program's runs are measured with preloaded ("" for none): numpy for a
    program that imports it (or a package that imports it) anywhere. A run that turns out not to
    import it is measured on its own (the server reports whether it did)."""
    imported = python_imports(source)
    return next((PRELOADED_BY[name] for name in sorted(imported) if name in PRELOADED_BY), "")


def calibration(preload: str) -> BatchJob:
    """A batch's first job: the program of the start-up, run like the others."""
    return BatchJob({"main.py": PRELOADS[preload].encode(), "build.log": b""}, b"")


def run_batch(
    sandbox: Sandbox,
    command: Sequence[str],
    jobs: Sequence[BatchJob],
    limits: Limits,
    env: Mapping[str, str],
    count: tuple[int, str] | None,
    preload: str = "",
) -> tuple[list[dict[str, Any] | None], ProcessResult]:
    """Run the server (with `preload` imported) on the calibration job and `jobs` (at most
    BATCH_JOBS); its report per job, in job order (None for a job it never reported), the calibration
    job first."""
    if len(jobs) > BATCH_JOBS:
        raise PerfcoderError(f"a fork-server batch holds at most {BATCH_JOBS} jobs, got {len(jobs)}")
    everything = [calibration(preload), *jobs]
    with tempfile.TemporaryDirectory(dir=sandbox.root) as scratch, sandbox.workdir() as work:
        root = Path(scratch)
        root.chmod(0o711)
        jobs_dir = _write_jobs(root / "jobs", everything, limits)
        writable = [_shared_dir(root / name) for name in ("prog", "out")]
        whole = dataclasses.replace(limits, time_s=limits.time_s * len(everything) + STARTUP_ALLOWANCE_S)
        process = sandbox.run(
            [*command, SCRIPT_INSIDE, *([preload] if preload else [])],
            work,
            whole,
            env=env,
            mounts=[
                Mount(readable_copy(SCRIPT), SCRIPT_INSIDE),
                Mount(readable_copy(WARM_UP), server.WARM_UP),
                Mount(jobs_dir, server.JOBS),
                Mount(writable[0], server.PROG_DIR, writable=True),
                Mount(writable[1], server.OUT_DIR, writable=True),
            ],
            count=count,
            repeatable=True,
        )
    return _parse(process.stdout, len(everything)), process


def _parse(stdout: bytes, jobs: int) -> list[dict[str, Any] | None]:
    """One report per job, or none at all if the channel was tampered with: the server writes exactly
    one line per job after the job's program is dead, so any other line was written by a program."""
    reports: list[dict[str, Any] | None] = [None] * jobs
    try:
        for line in stdout.decode().splitlines():
            report = json.loads(line)
            index = report["index"]
            if not 0 <= index < jobs or reports[index] is not None:
                raise ValueError(f"unexpected report for job {index}")
            reports[index] = report
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("fork server: its reports are not trustworthy (%s); measuring the batch unbatched", exc)
        return [None] * jobs
    return reports


def _differ(found: dict[str, float], expected: dict[str, float] | None) -> str:
    """Which counts of the calibration run differ from its baseline, and by how much."""
    if expected is None:
        return "no baseline at its process number"
    deltas = [f"{name} {found.get(name, 0) - expected.get(name, 0):+,.0f}" for name in sorted(found)]
    return "counts differ: " + ", ".join(d for d in deltas if not d.endswith(" +0"))


def own_by_pid(
    reports: Sequence[dict[str, Any] | None], process: ProcessResult, counts: Counts, preload: str
) -> dict[int, dict[str, float]]:
    """The own counts of a batch of start-up programs, by their children's process numbers."""
    table = {}
    for report in reports:
        own = _own(report, process, counts, preload)
        if report is None or own is None or report["exit_code"] != 0:
            why = process.stderr.decode(errors="replace")[-500:]
            raise PerfcoderError(f"fork server: the start-up program failed in a batch: {why}")
        table[int(report["pid"])] = own
    return table


def calibration_miss(
    reports: Sequence[dict[str, Any] | None],
    process: ProcessResult,
    baseline: BatchBaseline,
    counts: Counts,
    preload: str = "",
) -> str | None:
    """Why the batch's first job, the start-up program, did not count as the baseline says (None: it
    did, and the batch can be trusted)."""
    calibration = _own(reports[0], process, counts, preload)
    if calibration is None:
        return process.stderr.decode(errors="replace")[-500:]
    expected = baseline.own_by_pid.get(int(reports[0]["pid"])) if reports[0] is not None else None
    return None if calibration == expected else _differ(calibration, expected)


def measures(
    reports: Sequence[dict[str, Any] | None],
    process: ProcessResult,
    baseline: BatchBaseline,
    counts: Counts,
    with_cycles: Callable[[dict[str, float]], dict[str, float]],
    preload: str = "",
) -> list[BatchMeasure]:
    """Each job's measure: the start-up costs + its own counts - the start-up program's own counts at
    its process number; with a preload, only for jobs that imported it. The batch's first job is the
    start-up program: if it does not count as the baseline says, nothing in the batch is trusted."""
    why = calibration_miss(reports, process, baseline, counts, preload)
    if why is not None:
        log.warning("fork server: calibration run not as expected (%s); measuring unbatched", why)
        reports = [None] * len(reports)
    results = []
    for report in reports[1:]:
        own = _own(report, process, counts, preload)
        costs = None
        null = None if report is None else baseline.own_by_pid.get(int(report["pid"]))
        unmeasured = ""
        if own is not None and null is not None and report is not None and report["exit_code"] == 0:
            summed = {name: baseline.startup[name] + own[name] - null[name] for name in own}
            costs = with_cycles(summed)
        elif own is not None and report is not None and null is None:
            unmeasured = f"ran at process number {report['pid']}, after processes an earlier job started"
        results.append(
            BatchMeasure(
                costs=costs,
                stdout_sha256=None if report is None else report["stdout_sha256"],
                exit_code=None if report is None else report["exit_code"],
                timed_out=False if report is None else report["timed_out"],
                stderr="" if report is None else bytes.fromhex(report["stderr_hex"]).decode(errors="replace"),
                unmeasured=unmeasured,
            )
        )
    return results


def _own(
    report: dict[str, Any] | None, process: ProcessResult, counts: Counts, preload: str
) -> dict[str, float] | None:
    """The job's child's counts minus its marker's (None if either wrote none, or if the job did not
    import the preloaded package)."""
    if report is None or report["child"] is None or report["marker"] is None:
        return None
    if preload and not report["preloaded"]:
        return None
    events = {name: report["child"][name] - report["marker"][name] for name in report["child"]}
    syscalls = float(process.counted_by.get(report["pid"], 0))
    return {name: value for name, value in counts(events, syscalls).items() if name in COUNTED}


def _write_jobs(directory: Path, jobs: Sequence[BatchJob], limits: Limits) -> Path:
    """NNNNNN/ with the program's files and the input per job, and the per-job wall-clock limit,
    readable by the sandbox uid."""
    directory.mkdir()
    for index, job in enumerate(jobs):
        job_dir = directory / f"{index:06d}"
        job_dir.mkdir()
        if set(job.files) != set(server.PROGRAM_FILES):
            raise PerfcoderError(
                f"a fork-server job needs the files {server.PROGRAM_FILES}, got {list(job.files)}"
            )
        for name, data in job.files.items():
            (job_dir / name).write_bytes(data)
        (job_dir / "input").write_bytes(job.input)
    (directory / "wall_ms").write_text(WALL_MS_FORMAT.format(round(limits.time_s * 1000)))
    readable_by_runs(directory)
    return directory


def _shared_dir(path: Path) -> Path:
    """A directory the run's uid can write (its name is private: the parent is not listable)."""
    path.mkdir()
    path.chmod(0o777)
    return path
