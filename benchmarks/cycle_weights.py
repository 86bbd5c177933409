"""Measure, on micro-programs and not on any pair, what a process start and a system call cost natively,
in the `cycles` model's unit (instruction counts at the rate of a plain compute loop).

Run: `.venv/bin/python benchmarks/cycle_weights.py` (about 2 minutes). Writes
benchmarks/results/cycle_weights.json; `CycleWeights.process` and `.syscall` in
perfcoder/measure/cachegrind.py are the rounded results.

- rate: a compute loop's cachegrind instruction count divided by its native CPU seconds (median of 11
  sandboxed runs): instructions per CPU second, the unit in which the model adds penalties.
- process: the native CPU seconds of an empty static C++ program (median of 201 sandboxed runs: exec,
  page faults, exit — all invisible to valgrind) times the rate, less the instructions valgrind does count
  for it.
- syscall: the extra native CPU seconds of a program making 200,000 one-byte `write`s to stdout over one
  making none, per counted call, times the rate, less the instructions valgrind counts per call. (The
  count is of valgrind's system-call trace lines: a blocking call such as `write` shows as two.)
Every run goes through the sandbox exactly as judged programs do (the waiter reports the program's own
CPU time, without the sandbox's).
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from perfcoder.environment import make
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.testcase import TestCase

RESULTS = Path(__file__).resolve().parent / "results" / "cycle_weights.json"
NO_STORE = ExecutionConfig(use_store=False, jobs=1)  # one at a time: timing without a neighbour
EMPTY = "int main() { return 0; }\n"
LOOP = """#include <cstdio>
int main() {
    unsigned long long x = 1;
    for (long long i = 0; i < 300000000; i++) x = x * 6364136223846793005ULL + i;
    printf("%llu\\n", x);
}
"""
WRITES = """#include <unistd.h>
int main() { for (long i = 0; i < 200000; i++) write(1, "x", 1); }
"""  # one byte per call to the captured stdout file: what an unbuffered or `endl`-flushed output costs
NO_WRITES = WRITES.replace('write(1, "x", 1)', 'asm volatile("")')
TEST = [TestCase("1", b"", None)]  # no expected output: only run and measured


def cpu_seconds(code: str, repeats: int) -> float:
    env = make("cpp", cost="cpu", repeats=repeats, config=NO_STORE)
    try:
        measured = env.run(code, TEST)
        assert measured.passed, measured.verdict
        return float(measured.tests[0].costs["cpu_s"])
    finally:
        env.close()


def counts(code: str) -> dict[str, float]:
    env = make("cpp", cost="cycles", config=NO_STORE)
    try:
        measured = env.run(code, TEST)
        assert measured.passed, measured.verdict
        return dict(measured.tests[0].costs)
    finally:
        env.close()


def main() -> None:
    loop_cpu = cpu_seconds(LOOP, 11)
    loop = counts(LOOP)
    rate = loop["instructions"] / loop_cpu
    empty_cpu = cpu_seconds(EMPTY, 201)
    empty = counts(EMPTY)
    process = empty_cpu * rate - empty["instructions"]
    writes_cpu, none_cpu = cpu_seconds(WRITES, 11), cpu_seconds(NO_WRITES, 11)
    writes, none = counts(WRITES), counts(NO_WRITES)
    calls = writes["syscalls"] - none["syscalls"]
    per_call_instructions = (writes["instructions"] - none["instructions"]) / calls
    syscall = (writes_cpu - none_cpu) / calls * rate - per_call_instructions
    result: dict[str, Any] = {
        "instructions_per_cpu_second": round(rate),
        "loop": {"cpu_s": loop_cpu, "instructions": loop["instructions"]},
        "empty_program": {"cpu_s": empty_cpu, "instructions": empty["instructions"]},
        "writes": {"cpu_s": writes_cpu, "cpu_s_without": none_cpu, "syscalls": calls},
        "process": round(process),
        "syscall": round(syscall),
        "note": "median CPU seconds of sandboxed native runs; counts from one cachegrind run each",
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    assert statistics.fmean([process, syscall]) > 0


if __name__ == "__main__":
    main()
