"""A function's real calls as test cases: captured by running the project's own command (its tests or a
script) in the sandbox with a tracer, replayed on the original function to fix their expected outcome,
and grown into larger and perturbed calls that the original answers within a time budget.

Pickled arguments are bytes to perfcoder: they are only ever unpickled inside the sandbox."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfcoder.data.function_task import RUNTIME, SKIPPED_DIRS, FunctionTarget, site_paths
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import Executor, Program
from perfcoder.execution.languages import PYTHON
from perfcoder.execution.limits import Limits
from perfcoder.execution.sandbox import (
    BOX_DIR,
    Mount,
    ProcessResult,
    Sandbox,
    readable_by_runs,
    readable_copy,
    runtime_dir,
)
from perfcoder.execution.testcase import TestCase
from perfcoder.settings import setting

RUNTIME_INSIDE = "/tmp/perfcoder-runtime"
BIN_INSIDE = "/tmp/perfcoder-bin"  # `python` and `python3` there are the sandbox's Python
CALLS_DIR = ".perfcoder-calls"  # in the project copy: where each traced process writes its calls
TAIL = 1500  # characters of a command's output kept in a report
GROW_LIMITS = Limits(time_s=60.0, memory_mb=4096, output_mb=64.0, processes=16)  # grow.py: unpickle, grow
COMMAND_MEMORY_MB = 4096  # the project's command (pytest and the project's imports) gets more than a program
OnEvent = Callable[[str], None]


@dataclass(frozen=True)
class CallsConfig:
    """How a function's calls are captured, grown and checked."""

    keep: int = setting(20, "Distinct recorded calls kept (the smallest), from all the command's calls.")
    generated: int = setting(
        12, "Generated calls at most (recorded ones grown, perturbed, emptied, negated; errors kept)."
    )
    budget_s: float = setting(0.5, "A generated call is kept only if the original answers it this fast.")
    command_time_s: float = setting(600.0, "Seconds the trace command may take (capture and final check).")

    def __post_init__(self) -> None:
        if self.keep < 1 or self.generated < 0 or self.budget_s <= 0 or self.command_time_s <= 0:
            raise PerfcoderError("calls: keep >= 1, generated >= 0, budget_s and command_time_s > 0")


@dataclass
class Capture:
    """What the traced command did: calls seen, kept, and why the others were not."""

    command: str
    seen: int = 0
    unpicklable: int = 0
    too_large: int = 0
    processes: int = 0
    calls: list[tuple[bytes, str]] = field(default_factory=list)  # (pickled arguments, outcome)

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "calls": len(self.calls)}


@dataclass
class CallSuite:
    """The tests of a function: recorded calls, then generated ones; and the calls left out, with why."""

    capture: Capture
    tests: list[TestCase]
    recorded: int
    generated: int
    dropped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "capture": self.capture.to_dict(),
            "recorded": self.recorded,
            "generated": self.generated,
            "dropped": self.dropped,
        }


def command_env(trace: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the project's command: `python` is the sandbox's Python, with this
    environment's packages importable after its own (pytest, the project's dependencies); fixed hash
    seed, no bytecode written; with `trace`, the tracer on."""
    env = {
        "PATH": f"{BIN_INSIDE}:/usr/bin:/bin",
        "HOME": BOX_DIR,
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": ":".join(site_paths()),
    }
    if trace is not None:
        env |= {"PYTHONPATH": f"{RUNTIME_INSIDE}:{env['PYTHONPATH']}", **trace}
    return env


def run_command(
    sandbox: Sandbox,
    project: Path,
    command: str,
    time_s: float,
    python: str,
    *,
    replace: tuple[str, str] | None = None,
    trace: dict[str, str] | None = None,
    collect: Callable[[Path], None] | None = None,
) -> ProcessResult:
    """The project's command in the sandbox, on a copy of the project (network off, the original
    untouched); `replace` = (relative path, text) swaps one file of the copy first."""
    limits = Limits(time_s=time_s, memory_mb=COMMAND_MEMORY_MB)
    with sandbox.workdir() as work:
        shutil.copytree(project, work, dirs_exist_ok=True, ignore=_ignored)
        if replace is not None:
            (work / replace[0]).write_text(replace[1])
        (work / CALLS_DIR).mkdir(exist_ok=True)
        _writable(work)
        with tempfile.TemporaryDirectory(dir=sandbox.root) as shims:
            for name in ("python", "python3"):
                os.symlink(python, os.path.join(shims, name))
            os.chmod(shims, 0o755)
            mounts = [Mount(readable_copy(RUNTIME), RUNTIME_INSIDE), Mount(Path(shims), BIN_INSIDE)]
            result = sandbox.run(
                ["/bin/sh", "-c", command], work, limits, env=command_env(trace), mounts=mounts
            )
        if collect is not None:
            collect(work / CALLS_DIR)
    return result


@contextlib.contextmanager
def project_snapshot(project: Path) -> Iterator[Path]:
    """A read-only copy of the project the sandbox user can read (the project itself may sit in a
    directory only its owner enters), shown to every replay; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="project-", dir=runtime_dir()) as directory:
        copy = Path(directory) / "project"
        shutil.copytree(project, copy, ignore=_ignored)
        readable_by_runs(Path(directory))
        yield copy


def capture_calls(
    target: FunctionTarget, command: str, executor: Executor, config: CallsConfig = CallsConfig()
) -> Capture:
    """Run the command with the tracer on; refuses when the command fails or the function's calls
    cannot be kept."""
    capture = Capture(command)
    trace = {
        "PERFCODER_TRACE_TARGET": f"{BOX_DIR}/{target.path}",
        "PERFCODER_TRACE_NAME": target.qualname,
        "PERFCODER_TRACE_OUT": f"{BOX_DIR}/{CALLS_DIR}",
        "PERFCODER_TRACE_KEEP": str(config.keep),
    }
    result = run_command(
        executor.sandbox, target.project, command, config.command_time_s, executor.config.toolchain.python,
        trace=trace,
        collect=lambda found: _read_calls(found, capture, config.keep),
    )  # fmt: skip
    if not result.ok:
        raise PerfcoderError(f"the trace command fails on the original project{_how(result)}")
    if not capture.calls:
        raise PerfcoderError(_nothing_kept(target, capture))
    return capture


def call_tests(
    target: FunctionTarget,
    capture: Capture,
    executor: Executor,
    config: CallsConfig = CallsConfig(),
    on_event: OnEvent | None = None,
) -> CallSuite:
    """The recorded calls replayed on the original (each must give the outcome it gave under the
    command), then generated calls the original answers within the budget, as test cases."""
    original = Program(target.harness(target.source()), PYTHON)
    suite = CallSuite(capture, [], 0, 0)
    inputs = [args for args, _ in capture.calls]
    for n, ((args, recorded), answer) in enumerate(
        zip(capture.calls, executor.answers(original, inputs), strict=True), 1
    ):
        replayed = answer.stdout.decode(errors="replace") if answer.stdout is not None else None
        if replayed is None:
            suite.dropped.append(f"recorded call {n}: the replay failed ({answer.verdict})")
        elif replayed != recorded:
            suite.dropped.append(
                f"recorded call {n}: its outcome differs when replayed alone (the function depends on "
                "state beyond its arguments)"
            )
        else:
            suite.tests.append(TestCase(f"recorded {n}", args, replayed.encode()))
    suite.recorded = len(suite.tests)
    if not suite.tests:
        raise PerfcoderError(f"no recorded call replays alone: {suite.dropped[0]}")
    if config.generated:
        _say(on_event, "growing the recorded calls")
        grown = _generated(target, suite.tests, executor, config)
        suite.tests += grown
        suite.generated = len(grown)
    return suite


def _generated(
    target: FunctionTarget, recorded: Sequence[TestCase], executor: Executor, config: CallsConfig
) -> list[TestCase]:
    """Grown and edge calls the original answers within the budget, up to `generated`, in this order:
    for each exception type the original raises on them, the smallest call that raises it (the error
    paths a rewrite must keep); the two largest growths that return; each edge call (perturbed,
    emptied, negated) with an outcome not seen yet; then the largest growth of every other recorded
    call."""
    variants = _variants(target, [t.input for t in recorded], executor.sandbox)
    original = Program(target.harness(target.source()), PYTHON)
    limits = dataclasses.replace(executor.config.limits, time_s=config.budget_s)
    answers = executor.answers(original, [data for _, _, data in variants], limits)
    known = {t.input for t in recorded}
    answered = [
        (of, how, data, answer.stdout)
        for (of, how, data), answer in zip(variants, answers, strict=True)
        if answer.stdout is not None and data not in known
    ]
    raising: dict[bytes, tuple[int, str, bytes, bytes]] = {}
    largest: dict[int, tuple[int, str, bytes, bytes]] = {}
    edges: dict[bytes, tuple[int, str, bytes, bytes]] = {}
    for item in sorted(answered, key=lambda item: len(item[2])):
        of, how, _, output = item
        if output.startswith(b"raised"):
            raising.setdefault(output.split(b"\n", 1)[0], item)
        elif how.startswith("x"):
            largest[of] = item
        else:
            edges.setdefault(output, item)
    grown = sorted(largest.values(), key=lambda item: -len(item[2]))
    ordered = [*raising.values(), *grown[:2], *edges.values(), *grown[2:]]
    unique = list({item[2]: item for item in ordered}.values())[: config.generated]
    return [
        TestCase(f"generated {n} ({how} of recorded {of + 1})", data, output)
        for n, (of, how, data, output) in enumerate(unique, 1)
    ]


def _variants(
    target: FunctionTarget, calls: Sequence[bytes], sandbox: Sandbox
) -> list[tuple[int, str, bytes]]:
    """(recorded call index, how, pickled arguments) of every grown and perturbed call, made by
    grow.py inside the sandbox with the project importable."""
    with sandbox.workdir() as work:
        (work / "calls.json").write_text(json.dumps({"calls": [base64.b64encode(c).decode() for c in calls]}))
        _writable(work)
        env = {**command_env(), "PYTHONPATH": target.import_root}
        argv = [
            "/usr/bin/python3",
            f"{RUNTIME_INSIDE}/grow.py",
            f"{BOX_DIR}/calls.json",
            f"{BOX_DIR}/variants.json",
        ]
        result = sandbox.run(
            argv, work, GROW_LIMITS, env=env, mounts=[Mount(readable_copy(RUNTIME), RUNTIME_INSIDE)]
        )
        if not result.ok:
            raise PerfcoderError(f"growing the recorded calls failed{_how(result)}")
        rows = json.loads((work / "variants.json").read_text())["variants"]
    return [(int(r["of"]), str(r["how"]), base64.b64decode(r["args"])) for r in rows]


def _read_calls(found: Path, capture: Capture, keep: int) -> None:
    """Every traced process's calls, merged: distinct arguments, the smallest `keep` of them."""
    calls: dict[bytes, str] = {}
    for path in sorted(found.glob("calls-*.json")):
        try:
            report = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        capture.processes += 1
        capture.seen += int(report.get("seen", 0))
        capture.unpicklable += int(report.get("unpicklable", 0))
        capture.too_large += int(report.get("too_large", 0))
        for row in report.get("calls", []):
            calls.setdefault(base64.b64decode(row["args"]), str(row["outcome"]))
    smallest = sorted(calls, key=lambda args: (len(args), args))[:keep]
    capture.calls = [(args, calls[args]) for args in smallest]


def _nothing_kept(target: FunctionTarget, capture: Capture) -> str:
    if capture.seen == 0:
        return f"{target.name} was never called by the command ({capture.processes} Python processes traced)"
    return (
        f"none of the {capture.seen} calls of {target.name} could be kept: {capture.unpicklable} with "
        f"arguments that do not pickle, {capture.too_large} with arguments over 1 MiB pickled"
    )


def _how(result: ProcessResult) -> str:
    status = "timed out" if result.timed_out else f"exit {result.exit_code}"
    tail = (result.stdout + result.stderr).decode(errors="replace").strip()[-TAIL:]
    return f" ({status}):\n{tail}" if tail else f" ({status})"


def _ignored(directory: str, names: list[str]) -> set[str]:
    return {n for n in names if n in SKIPPED_DIRS or n in {".git", ".venv", ".tox", ".mypy_cache"}}


def _writable(root: Path) -> None:
    """The copy is the sandbox user's to write (caches, temp files); it is thrown away afterwards."""
    for directory, _, files in os.walk(root):
        os.chmod(directory, 0o777)
        for name in files:
            path = os.path.join(directory, name)
            os.chmod(path, os.stat(path).st_mode | 0o666)


def _say(on_event: OnEvent | None, message: str) -> None:
    if on_event is not None:
        on_event(message)
