"""Per-line costs of a program's own source, deterministic: where a run spends its work, line by line.

C++: cachegrind's instruction counts per source line (the program built with line information), for the
lines of the program's own file (code inlined from headers is counted where it came from). Python: how
often each line of the program ran, plus the lines of Python code it ran from there (an import's module
code, a library function written in Python), counted by a line tracer installed before the program
starts, in the sandbox. Instruction counts per line do not exist for an interpreter, line executions
do, and they repeat exactly; work done in C (a numpy call, a builtin sort) is not seen.

Both probes report costs as {"line:N": count, ...} plus "total" (C++: the whole run's instructions,
libraries included; Python: all line executions counted)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig, Executor, Program
from perfcoder.execution.languages import CPP, Language
from perfcoder.execution.limits import Limits
from perfcoder.execution.probe import Probe
from perfcoder.execution.sandbox import BOX_DIR, ProcessResult
from perfcoder.execution.testcase import TestCase
from perfcoder.measure.cachegrind import OUT_NAME, CachegrindProbe

TOTAL = "total"
UNITS = {"cpp": "instructions", "python": "line executions"}
# what a line's count holds besides the line itself, said wherever a profile is shown
INCLUDES = {
    "cpp": "",
    "python": "a line's count includes the Python code it runs (an import's module code too)",
}
LINE_INFO = "-g"  # added to the C++ flags: cachegrind attributes instructions to source lines by it
LINES_FILE = ".perfcoder-lines.json"  # the Python tracer's counts, in the run's work dir
TRACER_SLOWDOWN = 30.0  # a traced Python program runs this many times slower at most
SOURCE_INSIDE = f"{BOX_DIR}/main.cpp"  # where the builder compiles a C++ source (its line info names it)
# Run as `python3 -c TRACER /tmp/prog/main.py`: counts line events (sys.settrace) of the program's own
# file, and those of the Python code each of its lines runs (an import's module code, a library call)
# on that line: `import numpy` costs more than a line run once. Runs it as __main__ and writes the
# counts when the interpreter exits (sys.exit and exceptions too).
TRACER = f"""
import atexit, json, os, runpy, sys
path = sys.argv[1]
sys.argv[:] = [path]
sys.path[0] = os.path.dirname(path)
counts = {{}}
running = []  # the current line of each running frame of the program's own file, innermost last
def own(frame, event, arg):
    if event == "line":
        running[-1] = frame.f_lineno
        counts[frame.f_lineno] = counts.get(frame.f_lineno, 0) + 1
    elif event == "return":
        running.pop()
    return own
def called(frame, event, arg):
    if event == "line" and running:
        counts[running[-1]] = counts.get(running[-1], 0) + 1
    return called
def calls(frame, event, arg):
    if frame.f_code.co_filename == path:
        running.append(frame.f_lineno)
        return own
    return called if running else None
def save():
    sys.settrace(None)
    with open({f"{BOX_DIR}/{LINES_FILE}"!r}, "w") as out:
        json.dump(counts, out)
atexit.register(save)
sys.settrace(calls)
runpy.run_path(path, run_name="__main__")
"""


def line_costs(costs: dict[str, float]) -> dict[int, float]:
    """The per-line part of a line probe's costs, by line number."""
    return {int(key[5:]): value for key, value in costs.items() if key.startswith("line:")}


@dataclass(frozen=True)
class CppLineProbe(CachegrindProbe):
    """Instructions per line of the program's own source (build it with `-g`)."""

    model: str = "instructions"
    name: str = "cachegrind-lines"
    fork_python: bool = False

    def costs(self, workdir: Path, result: ProcessResult) -> dict[str, float]:
        return read_line_counts(workdir / OUT_NAME, SOURCE_INSIDE)


@dataclass(frozen=True)
class PythonLineProbe:
    """Line executions of the program's own file, each with the Python code it runs, counted by a tracer
    inside the sandbox."""

    name: str = "python-lines"
    repeats: int = 1
    repeatable: bool = True

    def settings(self) -> dict[str, Any]:
        return {"tracer": TRACER}

    def wrap(self, argv: tuple[str, ...]) -> list[str]:
        interpreter, program = argv
        return [interpreter, "-c", TRACER, program]

    def environment(self) -> dict[str, str]:
        return {}

    def limits(self, limits: Limits) -> Limits:
        return dataclasses.replace(limits, time_s=limits.time_s * TRACER_SLOWDOWN)

    def count(self) -> tuple[int, str] | None:
        return None

    def costs(self, workdir: Path, result: ProcessResult) -> dict[str, float]:
        try:
            counts = json.loads((workdir / LINES_FILE).read_text())
        except (OSError, ValueError):
            raise PerfcoderError("the program ended without its line counts (os._exit?)") from None
        lines = {f"line:{int(line)}": float(count) for line, count in counts.items()}
        return {**lines, TOTAL: sum(lines.values())}


def read_line_counts(path: Path, source: str) -> dict[str, float]:
    """Per-line instruction counts of `source` from a cachegrind out file, plus the run's total."""
    try:
        text = path.read_text()
    except OSError:
        raise PerfcoderError(f"cachegrind wrote no counts ({path.name} missing)") from None
    lines: dict[str, float] = {}
    total, current = 0.0, ""
    for row in text.splitlines():
        if row.startswith(("fl=", "fi=", "fe=")):
            current = row[3:]
        elif row.startswith("summary:"):
            total = float(row.split()[1])
        elif row[:1].isdigit() and current == source:
            number, count = row.split()[:2]
            key = f"line:{number}"
            lines[key] = lines.get(key, 0.0) + float(count)
    return {**lines, TOTAL: total}


@dataclass
class LineCost:
    line: int
    count: float
    share: float  # of the program's own lines' total
    text: str


@dataclass
class Profile:
    """A program's per-line costs on one input; `lines` holds every line that cost anything, costliest
    first."""

    language: str
    unit: str
    input_name: str
    input_bytes: int
    total: float  # C++: the whole run's instructions (libraries included); Python: every line counted
    own: float  # the program's own lines together
    lines: list[LineCost]

    def top(self, n: int) -> list[LineCost]:
        return self.lines[:n]

    def within(self, lines: range) -> Profile:
        """Only these lines (a function's own), numbered from the first of them, with their shares of
        what they cost together."""
        kept = [c for c in self.lines if c.line in lines]
        own = sum(c.count for c in kept)
        if own <= 0:
            raise PerfcoderError(f"no cost on lines {lines.start}-{lines.stop - 1}")
        renumbered = [
            dataclasses.replace(c, line=c.line - lines.start + 1, share=c.count / own) for c in kept
        ]
        return dataclasses.replace(self, own=own, lines=renumbered)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def includes(self) -> str:
        return INCLUDES.get(self.language, "")

    def describe(self, n: int = 5) -> str:
        """The hottest lines as a model or a person reads them (for prompts and logs)."""
        return "\n".join(
            f"line {c.line} ({100 * c.share:.1f}% of the {self.unit}): {c.text.strip()}" for c in self.top(n)
        )


def largest_input(tests: Sequence[TestCase]) -> TestCase:
    """The input a profile is taken on: the largest (ties: the larger number), without its answer."""
    largest = max(tests, key=lambda test: (len(test.input), test.input))
    return TestCase(largest.name, largest.input, None)


def profiling_config(config: ExecutionConfig) -> ExecutionConfig:
    """The execution settings with C++ line information on (which changes no instruction)."""
    flags = f"{config.toolchain.cxx_flags} {LINE_INFO}"
    return dataclasses.replace(config, toolchain=dataclasses.replace(config.toolchain, cxx_flags=flags))


def profile_run(executor: Executor, source: str, language: Language, test: TestCase) -> Profile:
    """Per-line costs of one run of the program on the test's input (an executor made with
    `profiling_config`, for C++)."""
    probe: Probe = CppLineProbe() if language == CPP else PythonLineProbe()
    chosen = TestCase(test.name, test.input, None)  # any answer is the program's own: nothing to compare
    result = executor.run(Program(source, language), [chosen], probe)
    if not result.passed:
        failed = result.tests[0] if result.tests else None
        why = failed.stderr[-300:] if failed else result.compile_log[-300:]
        raise PerfcoderError(f"the program failed while profiled ({result.verdict}): {why}")
    costs = result.tests[0].costs
    per_line = line_costs(costs)
    own = sum(per_line.values())
    if own <= 0:
        raise PerfcoderError("no cost was attributed to the program's own lines")
    text = source.splitlines()
    lines = [
        LineCost(number, count, count / own, text[number - 1] if 0 < number <= len(text) else "")
        for number, count in sorted(per_line.items(), key=lambda item: (-item[1], item[0]))
        if count > 0
    ]
    name = language.name
    return Profile(name, UNITS[name], test.name, len(test.input), costs.get(TOTAL, own), own, lines)
