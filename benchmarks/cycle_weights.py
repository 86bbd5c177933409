"""Measure, on micro-programs and not on any pair, what a process start and a system call cost natively,
in the `cycles` model's unit (instruction counts at the rate of a plain compute loop).

Run: `.venv/bin/python benchmarks/cycle_weights.py` (about 2 minutes). Writes
benchmarks/results/cycle_weights.json; `CycleWeights.process` and `.syscall` in
perfcoder/measure/cachegrind.py are the rounded results.

- rate: instructions per CPU second, the unit in which the model adds penalties: the median over three
  cache-resident kernels (string building and scanning, integer arithmetic, repeated passes over a small
  array) of the cachegrind instruction count divided by the native CPU seconds (median of 11 sandboxed
  runs). Cache-resident, because cache misses are charged by their own weights; kernels dominated by
  misses (hashing) or mispredicted branches (sorting random data) run at a third of this rate.
- process: the native CPU seconds of a minimal contest program (static iostream; reads a number and
  prints it; median of 201 sandboxed runs: exec, page faults, exit — all invisible to valgrind) times the
  rate, less the instructions valgrind does count for it.
- syscall: the extra native CPU seconds of a program making 200,000 one-byte `write`s to stdout over one
  making none, per counted call, times the rate, less the instructions valgrind counts per call. (The
  count is of valgrind's system-call trace lines: a blocking call such as `write` shows as two.)
Every run goes through the sandbox exactly as judged programs do (the waiter reports the program's own
CPU time, without the sandbox's).

It then re-scores the 11 shipped C++ pairs from the per-test counts and CPU times that
benchmarks/measurement.py recorded, with the old fitted weights and with the measured ones (Spearman
against the CPU-time speedups, and the share of pairs within 1.5x of them).
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from scipy.stats import spearmanr

from perfcoder.environment import make
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.testcase import TestCase

RESULTS = Path(__file__).resolve().parent / "results" / "cycle_weights.json"
RECORDED = RESULTS.with_name("measurement.json")
OLD_WEIGHTS = (3.0, 100.0, 4600.0, 1.3e7)  # l1, ll, syscall, process: the first in-sample fit
NO_STORE = ExecutionConfig(use_store=False, jobs=1)  # one at a time: timing without a neighbour
MINIMAL = (
    "#include <bits/stdc++.h>\nint main() { long long n = 0; std::cin >> n; std::cout << n << '\\n'; }\n"
)
KERNELS = {
    "string": """#include <bits/stdc++.h>
int main() { std::string s; for (int i = 0; i < 3000000; i++) s += char('a' + i % 26);
  long long c = 0; for (char ch : s) c += ch == 'e'; std::reverse(s.begin(), s.end());
  printf("%lld %c\\n", c, s[0]); }
""",
    "scan": """#include <bits/stdc++.h>
int main() { std::vector<int> v(8192); for (int i = 0; i < 8192; i++) v[i] = i * 7 % 1000;
  long long s = 0;
  for (int r = 0; r < 40000; r++) for (int i = 1; i < 8192; i++) s += v[i] > v[i - 1] ? v[i] : r;
  printf("%lld\\n", s); }
""",
    "arithmetic": """#include <cstdio>
int main() { unsigned long long x = 1, s = 0;
  for (long long i = 0; i < 200000000; i++) { x = x * 6364136223846793005ULL + i; s += x >> 60; }
  printf("%llu\\n", s); }
""",
}
WRITES = """#include <unistd.h>
int main() { for (long i = 0; i < 200000; i++) write(1, "x", 1); }
"""  # one byte per call to the captured stdout file: what an unbuffered or `endl`-flushed output costs
NO_WRITES = WRITES.replace('write(1, "x", 1)', 'asm volatile("")')
TEST = [TestCase("1", b"7\n", None)]  # no expected output: only run and measured


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


def rescore_examples(weights: tuple[float, float, float, float]) -> dict[str, Any]:
    """Spearman and share within 1.5x of CPU time for the shipped C++ pairs' recorded counts."""
    recorded = json.loads(RECORDED.read_text())
    rows = recorded["calibration"]["rows_instructions_l1_ll_syscalls_1"]  # (example, slow|fast, test)
    truth = recorded["fidelity"]["cpp"]["speedups"]
    names = sorted(truth)
    l1, ll, syscall, process = weights

    def cost(block: list[list[float]]) -> float:
        return sum(r[0] + l1 * r[1] + ll * r[2] + syscall * r[3] + process for r in block)

    model = [cost(rows[6 * i : 6 * i + 3]) / cost(rows[6 * i + 3 : 6 * i + 6]) for i in range(len(names))]
    cpu = [truth[name]["cpu"] for name in names]
    within = [max(m / c, c / m) <= 1.5 for m, c in zip(model, cpu, strict=True)]
    return {
        "spearman": round(float(spearmanr(model, cpu).statistic), 3),
        "within_1_5x": round(100 * sum(within) / len(within), 1),
        "speedups": {n: {"cpu": c, "cycles": round(m, 2)} for n, m, c in zip(names, model, cpu, strict=True)},
    }


def main() -> None:
    kernels = {}
    for name, code in KERNELS.items():
        cpu, counted = cpu_seconds(code, 11), counts(code)
        kernels[name] = {
            "cpu_s": cpu,
            "instructions": counted["instructions"],
            "rate": counted["instructions"] / cpu,
        }
    rate = statistics.median(k["rate"] for k in kernels.values())
    minimal_cpu = cpu_seconds(MINIMAL, 201)
    minimal = counts(MINIMAL)
    process = minimal_cpu * rate - minimal["instructions"]
    writes_cpu, none_cpu = cpu_seconds(WRITES, 11), cpu_seconds(NO_WRITES, 11)
    writes, none = counts(WRITES), counts(NO_WRITES)
    calls = writes["syscalls"] - none["syscalls"]
    per_call_instructions = (writes["instructions"] - none["instructions"]) / calls
    syscall = (writes_cpu - none_cpu) / calls * rate - per_call_instructions
    result: dict[str, Any] = {
        "instructions_per_cpu_second": round(rate),
        "kernels": kernels,
        "minimal_program": {"cpu_s": minimal_cpu, "instructions": minimal["instructions"]},
        "writes": {"cpu_s": writes_cpu, "cpu_s_without": none_cpu, "syscalls": calls},
        "process": round(process),
        "syscall": round(syscall),
        "note": "median CPU seconds of sandboxed native runs; counts from one cachegrind run each",
        "shipped_cpp_pairs": {
            "old_fitted_weights": rescore_examples(OLD_WEIGHTS),
            "measured_weights": rescore_examples((3.0, 100.0, round(syscall, -1), round(process, -5))),
        },
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    assert statistics.fmean([process, syscall]) > 0


if __name__ == "__main__":
    main()
