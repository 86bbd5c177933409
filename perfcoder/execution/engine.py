"""Judging programs on tests: each source built once, every (program, test) run in parallel in the sandbox
(on this machine's threads or a Ray cluster's workers), every result committed to the results store as
soon as it exists."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import statistics
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from itertools import product
from pathlib import Path
from typing import Any, Self

from perfcoder.errors import PerfcoderError
from perfcoder.execution.batching import BatchQueue
from perfcoder.execution.build import PROG_DIR, Build, Builder, ToolchainConfig, toolchain_fingerprint
from perfcoder.execution.dispatch import LOCAL, Dispatch, check_executor, make_dispatch
from perfcoder.execution.judge import JudgeConfig, outputs_match, process_verdict
from perfcoder.execution.languages import PYTHON, Language, language_of
from perfcoder.execution.limits import Limits
from perfcoder.execution.probe import BatchBaseline, BatchJob, BatchProbe, NativeProbe, Probe
from perfcoder.execution.results import PREVIEW_CHARS, SubmissionResult, TestResult, overall_verdict
from perfcoder.execution.sandbox import (
    BOX_DIR,
    Mount,
    ProcessResult,
    Sandbox,
    SandboxConfig,
    waiter_identity,
)
from perfcoder.execution.source import read_source
from perfcoder.execution.testcase import TestCase
from perfcoder.execution.verdict import Verdict
from perfcoder.settings import setting, setting_factory
from perfcoder.store import JsonStore, default_cache_dir, digest

log = logging.getLogger(__name__)

ENGINE_VERSION = 1  # bump when a change makes stored results stale
RUN_ENV = {  # the whole environment of a judged program: fixed, so instruction counts repeat exactly
    "HOME": BOX_DIR,
    "LANG": "C.UTF-8",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "PATH": "/usr/bin:/bin",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    "TMPDIR": BOX_DIR,
}

# Runs below which one batch beats splitting across workers: a batch's start-up (~2 s under valgrind)
# costs more than running 12 Python runs (~0.45 s each) side by side saves
MIN_BATCH_JOBS = 12

OnResult = Callable[[int, int, TestResult], None]


@dataclass(frozen=True)
class ExecutionConfig:
    limits: Limits = setting_factory(Limits, "Time, memory, output and process limits of every run.")
    judge: JudgeConfig = setting_factory(JudgeConfig, "How outputs are compared with the expected ones.")
    toolchain: ToolchainConfig = setting_factory(ToolchainConfig, "Compilers, interpreter and flags.")
    sandbox: SandboxConfig = setting_factory(SandboxConfig, "How untrusted code is isolated.")
    jobs: int = setting(0, "Parallel runs (0 = one per core; of the Ray cluster with executor ray).")
    cache_dir: Path | None = setting(
        None, "Home of the results store and caches (None: $PERFCODER_CACHE or ~/.cache/perfcoder)."
    )
    use_store: bool = setting(True, "Answer runs seen before from the results store (off: run everything).")
    executor: str = setting(LOCAL, "Where runs execute: local, ray, or ray://HOST:PORT.")

    def __post_init__(self) -> None:
        check_executor(self.executor)

    @property
    def workers(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)


@dataclass(frozen=True)
class Program:
    source: str
    language: Language


@dataclass(frozen=True)
class BatchedRun:
    """A run that passed natively, waiting to be measured in a batch; it must print the same there."""

    program: Program
    test: TestCase
    native: TestResult
    stdout_digest: str

    def order(self) -> str:
        return digest(self.program.source) + self.test.key


@dataclass(frozen=True)
class Answer:
    """What a program printed for an input nobody knows the answer to (a reference or an oracle)."""

    verdict: Verdict
    stdout: bytes | None  # complete; None unless the run ended normally
    cpu_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.stdout is not None

    def to_dict(self) -> dict[str, object]:
        data = None if self.stdout is None else base64.b64encode(zlib.compress(self.stdout)).decode()
        return {"verdict": str(self.verdict), "stdout_z": data, "cpu_s": self.cpu_s}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        packed = data["stdout_z"]
        stdout = None if packed is None else zlib.decompress(base64.b64decode(packed))
        return cls(Verdict(data["verdict"]), stdout, float(data["cpu_s"]))


class Executor:
    """Builds, runs and judges programs; share one per process (it holds the store and the build locks)."""

    def __init__(self, config: ExecutionConfig | None = None) -> None:
        self.config = config or ExecutionConfig()
        self._parts_lock = threading.Lock()
        self._builder: Builder | None = None
        cache_dir = self.config.cache_dir or default_cache_dir()
        self.store = JsonStore(cache_dir / "results.sqlite") if self.config.use_store else None
        self._checker_build: Build | None = None
        self._dispatch: Dispatch | None = None
        self._queues: dict[str, BatchQueue[BatchedRun, TestResult]] = {}

    @property
    def dispatch(self) -> Dispatch:
        """Where jobs run, set up on first use (a Ray cluster is joined only when there is work)."""
        with self._parts_lock:
            if self._dispatch is None:
                self._dispatch = make_dispatch(self.config)
            return self._dispatch

    @property
    def builder(self) -> Builder:
        """The sandbox and builder, made on first use: a run answered from the store needs neither."""
        with self._parts_lock:
            if self._builder is None:
                self._builder = Builder(Sandbox(self.config.sandbox), self.config.toolchain)
            return self._builder

    @property
    def sandbox(self) -> Sandbox:
        return self.builder.sandbox

    def run(
        self,
        program: Program,
        tests: Sequence[TestCase],
        probe: Probe | None = None,
        on_result: OnResult | None = None,
    ) -> SubmissionResult:
        return self.run_many([program], tests, probe, on_result)[0]

    def run_many(
        self,
        programs: Sequence[Program],
        tests: Sequence[TestCase],
        probe: Probe | None = None,
        on_result: OnResult | None = None,
    ) -> list[SubmissionResult]:
        """Judge every program on every test, in parallel; results in program order, tests in test order.

        A program given twice is judged once and its result shared, so callers pass their candidates
        as they come (samples repeat) and zip the answers back without deduplicating themselves."""
        if not tests:
            raise PerfcoderError("no tests to run")
        unique = list(dict.fromkeys(programs))
        copies: dict[Program, list[int]] = {}
        for i, program in enumerate(programs):
            copies.setdefault(program, []).append(i)

        def report(i: int, j: int, result: TestResult) -> None:
            if on_result is not None:
                for original in copies[unique[i]]:
                    on_result(original, j, result)

        results = dict(
            zip(unique, self._run_unique(unique, tests, probe or NativeProbe(), report), strict=True)
        )
        return [results[program] for program in programs]

    def _run_unique(
        self, programs: Sequence[Program], tests: Sequence[TestCase], probe: Probe, on_result: OnResult
    ) -> list[SubmissionResult]:
        table: list[list[TestResult | None]] = [[None] * len(tests) for _ in programs]
        identities = [self._run_identity(program, probe) for program in programs]
        test_keys = [test.key for test in tests]  # hashing large inputs once, not once per program
        keys = {
            (i, j): digest(json.dumps({**identity, "test": test_key}, sort_keys=True, default=str))
            for (i, identity), (j, test_key) in product(enumerate(identities), enumerate(test_keys))
        }
        runs: dict[tuple[int, int], list[TestResult]] = {}

        def finish(i: int, j: int, result: TestResult) -> None:
            table[i][j] = result
            on_result(i, j, result)

        for (i, j), key in keys.items():
            stored = self.store.get(key) if self.store is not None else None
            if stored is not None:
                result = TestResult.from_dict(stored)
                result.name, result.from_store = tests[j].name, True
                finish(i, j, result)

        def complete(i: int, j: int, result: TestResult) -> None:
            done = runs.setdefault((i, j), [])
            done.append(result)
            if len(done) == probe.repeats:
                merged = merge_repeats(done)
                if self.store is not None:
                    self.store.put(keys[i, j], merged.to_dict())
                finish(i, j, merged)

        # repeats of timed runs interleave programs within a test, so load drifts hit all of them alike
        order = product(range(len(tests)), range(probe.repeats), range(len(programs)))
        todo = [(j, r, i) for j, r, i in order if table[i][j] is None]
        groups = [_batch_group(probe, program) for program in programs]  # parses each source once
        batched = [(i, j) for j, _, i in todo if groups[i] is not None]
        todo = [(j, r, i) for j, r, i in todo if groups[i] is None]
        calls = [("judge_once", (programs[i], tests[j], probe)) for j, _, i in todo]
        for index, result in self.dispatch.run(self, calls):
            j, _, i = todo[index]
            complete(i, j, result)
        if batched:
            assert isinstance(probe, BatchProbe)
            for i, j, result in self._judge_batched(programs, tests, batched, probe, groups):
                complete(i, j, result)
        return [self._submission(program, row) for program, row in zip(programs, table, strict=True)]

    def _judge_batched(
        self,
        programs: Sequence[Program],
        tests: Sequence[TestCase],
        todo: list[tuple[int, int]],
        probe: BatchProbe,
        groups: Sequence[str | None],
    ) -> Iterator[tuple[int, int, TestResult]]:
        """Judge natively, then hand the passes to their group's batch queue, where they share batches
        with the runs of concurrent calls (pairs evaluated side by side)."""
        group_of = {i: groups[i] or "" for i, _ in todo}
        queues = {group: self._batch_queue(probe, group) for group in set(group_of.values())}
        with contextlib.ExitStack() as producing:
            for group, queue in sorted(queues.items()):
                producing.enter_context(queue.producing())
                # measured once, before any batch needs it, for as many jobs as this call may batch
                wanted = sum(g == group for g in group_of.values())
                self._baseline(probe, group, min(wanted, probe.batch_size))
            calls = [("judge_native", (programs[i], tests[j])) for i, j in todo]
            passed: dict[str, list[tuple[int, int, BatchedRun]]] = {group: [] for group in queues}
            for index, (result, stdout_digest) in self.dispatch.run(self, calls):
                i, j = todo[index]
                if result.passed:
                    run = BatchedRun(programs[i], tests[j], result, stdout_digest)
                    passed[group_of[i]].append((i, j, run))
                else:
                    yield i, j, result
            futures = {
                group: queue.submit([run for _, _, run in passed[group]]) for group, queue in queues.items()
            }
        for group, runs in passed.items():
            for (i, j, _), future in zip(runs, futures[group], strict=True):
                yield i, j, future.result()

    def _batch_queue(self, probe: BatchProbe, group: str) -> BatchQueue[BatchedRun, TestResult]:
        """One queue per probe setting and group (runs measured differently never share a batch)."""
        key = _probe_key(probe, group)
        with self._parts_lock:
            queue = self._queues.get(key)
            if queue is None:
                queue = self._queues[key] = BatchQueue(
                    lambda runs: self._measure_runs(runs, probe, group),
                    size=probe.batch_size,
                    least=MIN_BATCH_JOBS,
                    slots=self.config.workers,
                    order=BatchedRun.order,
                )
            return queue

    def _measure_runs(self, runs: list[BatchedRun], probe: BatchProbe, group: str) -> list[TestResult]:
        """One batch, on a worker."""
        call = (
            "measure_batch",
            (
                [run.program for run in runs],
                [run.test for run in runs],
                [(run.native, run.stdout_digest) for run in runs],
                probe,
                self._baseline(probe, group, len(runs)),
                group,
            ),
        )
        [(_, results)] = list(self.dispatch.run(self, [call]))
        return list(results)

    def _baseline(self, probe: BatchProbe, group: str, jobs: int = 0) -> BatchBaseline:
        """The unbatched costs of the group's start-up program (for plain Python an empty one) on an
        empty input, and its own counts in a batch of at least `jobs` by process number, measured once
        (and kept in the store; a larger batch than any before measures a larger baseline): what every
        batched run's own costs are measured against. Every executor of the process shares what one
        measured, by the keys the store uses, as executors share the store."""
        program = Program(probe.startup_program(group), PYTHON)
        startup_key = digest(json.dumps(self._run_identity(program, probe.unbatched()), default=str))
        own_key = self._own_by_pid_key(probe, group)
        with _BASELINES_LOCK:  # pairs evaluated side by side share one measurement
            startup = _STARTUPS.get(startup_key)
            if startup is None:
                startup = _STARTUPS[startup_key] = self._measure_startup(program, probe, group)
            own = _OWNS_BY_PID.get(own_key) or self._stored_own_by_pid(own_key)
            if len(own) <= jobs:  # the calibration job's entry and one per job
                own = self._measure_own_by_pid(probe, group, jobs)
            _OWNS_BY_PID[own_key] = own
            return BatchBaseline(startup, own)

    def _own_by_pid_key(self, probe: BatchProbe, group: str) -> str:
        """The store key of a batch's own counts by process number: the interpreter's, too."""
        python = toolchain_fingerprint(self.config.toolchain, PYTHON)
        own = {"engine": ENGINE_VERSION, "waiter": waiter_identity(), "python": python}
        return digest(json.dumps({**own, "own_by_pid": _probe_key(probe, group)}))

    def _stored_own_by_pid(self, key: str) -> dict[int, dict[str, float]]:
        stored = self.store.get(key) if self.store is not None else None
        return {} if stored is None else {int(pid): costs for pid, costs in stored.items()}

    def _measure_own_by_pid(self, probe: BatchProbe, group: str, jobs: int) -> dict[int, dict[str, float]]:
        call = ("startup_own_by_pid", (probe, group, jobs))
        [(_, table)] = list(self.dispatch.run(self, [call]))
        if self.store is not None:
            stored = {str(pid): costs for pid, costs in table.items()}
            self.store.put(self._own_by_pid_key(probe, group), stored)
        return dict(table)

    def startup_own_by_pid(self, probe: BatchProbe, group: str, jobs: int) -> dict[int, dict[str, float]]:
        """A batch of `jobs` runs of the group's start-up program, on a worker."""
        interpreter, env = self.config.toolchain.python, RUN_ENV
        return probe.own_by_pid(self.sandbox, interpreter, self.config.limits, env, group, jobs)

    def _measure_startup(self, program: Program, probe: BatchProbe, group: str) -> dict[str, float]:
        result = self.run(program, [TestCase("start-up", b"", None)], probe.unbatched())
        if not result.passed:
            why = result.tests[0].stderr[-500:] if result.tests else result.compile_log
            raise PerfcoderError(f"cannot measure the interpreter's start-up ({group or 'plain'}): {why}")
        return result.tests[0].costs

    def close(self) -> None:
        for queue in self._queues.values():
            queue.close()
        if self._dispatch is not None:
            self._dispatch.close()
        if self.store is not None:
            self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _submission(self, program: Program, row: list[TestResult | None]) -> SubmissionResult:
        tests = [result for result in row if result is not None]
        verdict = overall_verdict(tests)
        log = tests[0].stderr if verdict == Verdict.COMPILE_ERROR else ""
        return SubmissionResult(verdict=verdict, language=program.language.name, tests=tests, compile_log=log)

    def judge_once(self, program: Program, test: TestCase, probe: Probe) -> TestResult:
        """One run of a program on a test, judged (and measured by `probe` if it passes); no store."""
        # judged natively first, under the real limits: a slow measuring runner only measures passes
        build = self.builder.build(program.source, program.language)
        native, _ = self._judge_native(build, test)
        if probe.name == NativeProbe.name or not native.passed:
            return native
        return self._run_test(build, test, probe)

    def judge_native(self, program: Program, test: TestCase) -> tuple[TestResult, str | None]:
        """One native run of a program on a test, judged, with the digest of what a pass printed; no
        store. A batched measurement must print the same, or it does not count."""
        return self._judge_native(self.builder.build(program.source, program.language), test)

    def _judge_native(self, build: Build, test: TestCase) -> tuple[TestResult, str | None]:
        if not build.ok:
            return TestResult(name=test.name, verdict=Verdict.COMPILE_ERROR, stderr=build.log), None
        result, process = self._judged(build, test, NativeProbe())
        return result, hashlib.sha256(process.stdout).hexdigest() if result.passed else None

    def measure_batch(
        self,
        programs: Sequence[Program],
        tests: Sequence[TestCase],
        natives: Sequence[tuple[TestResult, str]],
        probe: BatchProbe,
        baseline: BatchBaseline,
        group: str,
    ) -> list[TestResult]:
        """Measure natively passed runs in one batch; a run the batch could not measure, or that
        printed something else there, is measured (and judged again) on its own, unbatched."""
        builds = [self.builder.build(program.source, program.language) for program in programs]
        jobs = [BatchJob(_build_files(build), test.input) for build, test in zip(builds, tests, strict=True)]
        measured = probe.measure_batch(
            self.sandbox, self.config.toolchain.python, jobs, self.config.limits, RUN_ENV, baseline, group
        )
        results = []
        for build, test, native, measure in zip(builds, tests, natives, measured, strict=True):
            result, stdout_digest = native
            if measure.costs is not None and measure.stdout_sha256 == stdout_digest:
                results.append(dataclasses.replace(result, costs=measure.costs))
                continue
            printed_else = measure.stdout_sha256 not in (None, stdout_digest)
            why = "printed something else" if printed_else else (measure.unmeasured or "failed")
            log.warning("batched measurement of %s %s; measuring it on its own", test.name, why)
            results.append(self._run_test(build, test, probe.unbatched()))
        return results

    def _run_test(self, build: Build, test: TestCase, probe: Probe) -> TestResult:
        return self._judged(build, test, probe)[0]

    def _judged(self, build: Build, test: TestCase, probe: Probe) -> tuple[TestResult, ProcessResult]:
        process, verdict, costs = self._execute(build, test, probe)
        result = TestResult(
            name=test.name,
            verdict=verdict,
            exit_code=process.exit_code,
            wall_s=process.wall_s,
            cpu_s=process.cpu_s,
            max_rss_kb=process.max_rss_kb,
            costs=costs,
            stdout=process.stdout[:PREVIEW_CHARS].decode(errors="replace"),
            stderr=process.stderr[-PREVIEW_CHARS:].decode(errors="replace"),
        )
        return result, process

    def _execute(
        self, build: Build, test: TestCase, probe: Probe, limits: Limits | None = None
    ) -> tuple[ProcessResult, Verdict, dict[str, float]]:
        assert build.directory is not None
        limits = probe.limits(limits or self.config.limits)
        with self.sandbox.workdir() as work, _input_file(self.sandbox.root, test.input) as stdin:
            process = self.sandbox.run(
                probe.wrap(build.argv),
                work,
                limits,
                stdin=stdin,
                env={**RUN_ENV, **probe.environment()},
                mounts=[Mount(build.directory, PROG_DIR)],
                count=probe.count(),
                repeatable=probe.repeatable,
            )
            verdict = process_verdict(process, limits) or self._compare(test, process.stdout)
            costs = probe.costs(work, process) if verdict == Verdict.ACCEPTED else {}
        return process, verdict, costs

    def outputs(self, program: Program, inputs: Sequence[bytes]) -> list[bytes | None]:
        """A reference program's complete outputs on inputs (None where it failed): makes expected outputs."""
        return [answer.stdout for answer in self.answers(program, inputs)]

    def answers(
        self, program: Program, inputs: Sequence[bytes], limits: Limits | None = None, *, stored: bool = True
    ) -> list[Answer]:
        """A program's verdict and complete output on each input (no expected output), under `limits`
        (default: the config's), in parallel; kept in the results store unless `stored` is off, so an
        oracle's answers on large inputs are computed once."""
        self._reference_build(program)  # fails here, on the driver, with the compiler's words
        limits = limits or self.config.limits
        identity = {**self._run_identity(program, NativeProbe()), "limits": asdict(limits), "answer": 1}
        store = self.store if stored else None
        keys = [digest(json.dumps(identity, sort_keys=True), data) for data in inputs]
        found = [store.get(key) if store is not None else None for key in keys]
        answers = [None if row is None else Answer.from_dict(row) for row in found]
        missing = [i for i, answer in enumerate(answers) if answer is None]
        calls = [("answer", (program, inputs[i], limits)) for i in missing]
        for index, answer in self.dispatch.run(self, calls):
            answers[missing[index]] = answer
            if store is not None:
                store.put(keys[missing[index]], answer.to_dict())
        return [answer for answer in answers if answer is not None]

    def answer(self, program: Program, data: bytes, limits: Limits) -> Answer:
        """What a program prints for one input under `limits`, with its verdict; no store."""
        build = self._reference_build(program)
        process, verdict, _ = self._execute(build, TestCase("answer", data, None), NativeProbe(), limits)
        return Answer(verdict, process.stdout if verdict == Verdict.ACCEPTED else None, process.cpu_s)

    def _reference_build(self, program: Program) -> Build:
        build = self.builder.build(program.source, program.language)
        if not build.ok:
            raise PerfcoderError(f"reference program does not build: {build.log.strip()[-500:]}")
        return build

    def _compare(self, test: TestCase, actual: bytes) -> Verdict:
        if test.output is None:
            return Verdict.ACCEPTED
        if self.config.judge.checker is not None:
            return self._run_checker(self._checker(self.config.judge.checker), test, actual)
        matched = outputs_match(test.output, actual, self.config.judge)
        return Verdict.ACCEPTED if matched else Verdict.WRONG_ANSWER

    def _checker(self, path: Path) -> Build:
        if self._checker_build is None:
            build = self.builder.build(read_source(path), language_of(path))
            if not build.ok:
                raise PerfcoderError(f"checker {path} does not build: {build.log.strip()[-500:]}")
            self._checker_build = build
        return self._checker_build

    def _run_checker(self, checker: Build, test: TestCase, actual: bytes) -> Verdict:
        """The user's checker decides: run in the sandbox as `checker input expected actual`; 0 accepts."""
        assert checker.directory is not None and test.output is not None
        with self.sandbox.workdir() as work:
            for name, data in (
                ("input.txt", test.input),
                ("expected.txt", test.output),
                ("actual.txt", actual),
            ):
                (work / name).write_bytes(data)
                (work / name).chmod(0o644)  # the checker runs as the sandbox's uid, whatever the umask
            files = [f"{BOX_DIR}/{name}" for name in ("input.txt", "expected.txt", "actual.txt")]
            done: ProcessResult = self.sandbox.run(
                [*checker.argv, *files],
                work,
                self.config.limits,
                env=RUN_ENV,
                mounts=[Mount(checker.directory, PROG_DIR)],
            )
        return Verdict.ACCEPTED if done.ok else Verdict.WRONG_ANSWER

    def _run_identity(self, program: Program, probe: Probe) -> dict[str, object]:
        """Everything but the test that can change a result: program, toolchain and flags, limits, judge,
        probe. With the test's hash it keys the results store."""
        judge = self.config.judge
        checker = digest(judge.checker.read_bytes()) if judge.checker else None
        return {
            "engine": ENGINE_VERSION,
            "program": digest(program.source),
            "language": program.language.name,
            "toolchain": toolchain_fingerprint(self.config.toolchain, program.language),
            "limits": asdict(self.config.limits),
            "judge": {"mode": judge.mode, "tolerance": judge.float_tolerance, "checker": checker},
            "isolation": self.config.sandbox.isolation,
            "waiter": waiter_identity(),
            "probe": probe.name,
            "probe_settings": probe.settings(),
        }


def _batch_group(probe: Probe, program: Program) -> str | None:
    if not isinstance(probe, BatchProbe):
        return None
    return probe.batch_group(program.language.name, program.source)


# Batch baselines measured in this process (start-up costs by the start-up run's identity, own counts by
# process number by their store key): a process that makes an executor per pair, or per test with a
# private store each, measures each once.
_STARTUPS: dict[str, dict[str, float]] = {}
_OWNS_BY_PID: dict[str, dict[int, dict[str, float]]] = {}
_BASELINES_LOCK = threading.Lock()


def _probe_key(probe: Probe, group: str) -> str:
    return json.dumps({"settings": probe.settings(), "group": group}, sort_keys=True, default=str)


def _build_files(build: Build) -> dict[str, bytes]:
    """A build directory's files, which a batched run gets in its program directory."""
    assert build.directory is not None
    return {path.name: path.read_bytes() for path in build.directory.iterdir() if path.is_file()}


@contextlib.contextmanager
def _input_file(root: Path, data: bytes) -> Iterator[Path]:
    """The test input as a private file (not visible inside the sandbox), handed to the program as stdin."""
    with tempfile.NamedTemporaryFile(prefix="in-", dir=root) as handle:
        handle.write(data)
        handle.flush()
        yield Path(handle.name)


def merge_repeats(results: list[TestResult]) -> TestResult:
    """One result from repeated runs of a test: the first failure if any, else medians with min and max."""
    failed = [result for result in results if not result.passed]
    if failed or len(results) == 1:
        return (failed or results)[0]
    merged = results[0]
    merged.wall_s = statistics.median(r.wall_s for r in results)
    merged.cpu_s = statistics.median(r.cpu_s for r in results)
    costs: dict[str, float] = {}
    for name in results[0].costs:
        values = [r.costs[name] for r in results]
        costs[name] = statistics.median(values)
        costs[f"{name}_mean"] = statistics.fmean(values)
        costs |= {f"{name}_min": min(values), f"{name}_max": max(values)}
    merged.costs = costs
    return merged
