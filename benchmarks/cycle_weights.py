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
- misses (reported, not used): what one simulated miss costs natively, from the extra CPU seconds of a
  kernel with and without its accesses, at the rate, less the instructions (and, for the last level, the
  L1 charge) counted for them; per access pattern: a sequential stream, independent random reads
  (gather), dependent random reads (pointer chase), and, for the last level, the first touch of fresh
  memory. The spread across patterns is why the miss weights are fitted (benchmarks/fidelity.py).
Every run goes through the sandbox exactly as judged programs do (the waiter reports the program's own
CPU time, without the sandbox's).

It then re-scores the 11 shipped C++ pairs from the per-test counts and CPU times that
benchmarks/measurement.py recorded, with the old fitted weights, with the measured ones and with Python's
miss weights (Spearman against the CPU-time speedups, and the share of pairs within 1.5x of them).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
from pathlib import Path
from typing import Any

from scipy.stats import spearmanr

from perfcoder.environment import make
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.testcase import TestCase
from perfcoder.measure.cachegrind import cycle_weights

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
ACCESS = """#include <bits/stdc++.h>
int main() { const uint32_t n = N; std::vector<uint32_t> a(n), next(n), order(n), idx(n / 16);
  std::iota(order.begin(), order.end(), 0u); std::mt19937 g(1); std::shuffle(order.begin(), order.end(), g);
  for (uint32_t i = 0; i < n; i++) { a[i] = i * 7; next[order[i]] = order[(i + 1) % n]; }
  for (auto& v : idx) v = g() % n;
  unsigned long long s = a[n / 2] + next[1] + idx[0]; uint32_t x = 0; volatile long rounds = ROUNDS;
  for (long r = 0; r < rounds; r++) {
    if (KIND == 0) for (uint32_t i = 0; i < n; i += 16) s = s * 31 + a[i];
    if (KIND == 1) for (uint32_t v : idx) s += a[v];
    if (KIND == 2) for (uint32_t i = 0; i < n / 16; i++) x = next[x];
  }
  printf("%llu %u\\n", s, x); }
"""  # one access per 64-byte line per round: stream (0), gather (1), chase (2); ROUNDS=0 is the baseline
TOUCH = """#include <bits/stdc++.h>
int main() { const long n = N; char* p = (char*) malloc(n); unsigned long long s = 0;
  for (long i = 0; i < n; i += 64) { p[i] = (char) i; s += p[i]; }
  printf("%llu %p\\n", s, (void*) p); }
"""  # first touch of fresh memory: a page fault per 4 KiB, one simulated miss per line
L1_WORDS, LL_WORDS = 1 << 20, 1 << 25  # 4 MiB: beyond the simulated L1, within LL; 128 MiB: beyond both
ACCESS_KINDS = {"stream": 0, "gather": 1, "chase": 2}
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


def access(kind: int, words: int, rounds: int) -> str:
    return ACCESS.replace("KIND", str(kind)).replace("N;", f"{words};").replace("ROUNDS", str(rounds))


def miss_cost(
    with_accesses: str, without: str, rate: float, level: str, l1_weight: float
) -> dict[str, float]:
    """Native cost per simulated miss of one kernel: its extra CPU seconds at the rate, less the counted
    instructions (and for the last level, the L1 charge of the same misses)."""
    extra_cpu = cpu_seconds(with_accesses, 11) - cpu_seconds(without, 11)
    more, base = counts(with_accesses), counts(without)
    extra = {name: more[name] - base[name] for name in ("instructions", "l1_misses", "ll_misses")}
    charged = extra_cpu * rate - extra["instructions"]
    if level == "ll":
        charged -= l1_weight * extra["l1_misses"]
    return {"cpu_s": extra_cpu, **extra, "per_miss": charged / extra[f"{level}_misses"]}


def miss_costs(rate: float) -> dict[str, Any]:
    """What a simulated miss costs natively, per access pattern and level."""
    l1 = {
        name: miss_cost(access(kind, L1_WORDS, 300), access(kind, L1_WORDS, 0), rate, "l1", 0.0)
        for name, kind in ACCESS_KINDS.items()
    }
    l1_median = statistics.median(k["per_miss"] for k in l1.values())
    ll = {
        name: miss_cost(access(kind, LL_WORDS, 10), access(kind, LL_WORDS, 0), rate, "ll", l1_median)
        for name, kind in ACCESS_KINDS.items()
    }
    ll["first touch"] = miss_cost(
        TOUCH.replace("N;", f"{LL_WORDS * 4};"), TOUCH.replace("N;", "4096;"), rate, "ll", l1_median
    )
    return {"l1": l1, "ll": ll}


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()
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
    cpp, python = cycle_weights("cpp"), cycle_weights("python")  # Python's: what they would do to C++
    result: dict[str, Any] = {
        "instructions_per_cpu_second": round(rate),
        "kernels": kernels,
        "minimal_program": {"cpu_s": minimal_cpu, "instructions": minimal["instructions"]},
        "writes": {"cpu_s": writes_cpu, "cpu_s_without": none_cpu, "syscalls": calls},
        "process": round(process),
        "syscall": round(syscall),
        "misses_per_access_pattern": miss_costs(rate),
        "note": "median CPU seconds of sandboxed native runs; counts from one cachegrind run each",
        "shipped_cpp_pairs": {
            "old_fitted_weights": rescore_examples(OLD_WEIGHTS),
            "measured_weights": rescore_examples((3.0, 100.0, round(syscall, -1), round(process, -5))),
            "shipped_weights": rescore_examples(dataclasses.astuple(cpp)),
            "python_miss_weights": rescore_examples(dataclasses.astuple(python)),
        },
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    assert statistics.fmean([process, syscall]) > 0


if __name__ == "__main__":
    main()
