"""Is QEMU user-mode instruction counting a cheaper way to count Python programs than cachegrind?

A TCG plugin (benchmarks/qemu/insn_count.c, built here with gcc) adds each translated block's instruction
count to a counter; the program runs under `qemu-x86_64`. Every shipped Python example (slow and fast
programs, the first two tests of each, plus an empty program for start-up) is run natively, twice under
QEMU, and once under cachegrind without and once with cache simulation (what `instructions` and `cycles`
run), one after the other, with the measured environment perfcoder uses (PYTHONHASHSEED=0 and the
threading knobs). Reports wall time per run of each, whether QEMU's count repeats exactly, how far it is
from cachegrind's instruction count, and whether the speedups of the 11 pairs rank the same by either
count. The programs are the project's own examples, so they run outside the sandbox here.

Needs qemu-user (`apt-get install qemu-user`; `make qemu` does it) and gcc.
Run: `.venv/bin/python benchmarks/qemu_count.py` (~5 min); writes benchmarks/results/qemu_count.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from scipy.stats import spearmanr

from perfcoder.measure.cachegrind import read_cachegrind

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples" / "python"
RESULTS = HERE / "results" / "qemu_count.json"
PYTHON = "/usr/bin/python3"
ENV = {
    "PATH": "/usr/bin:/bin",
    "PYTHONHASHSEED": "0",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
CACHES = ["--I1=32768,8,64", "--D1=32768,8,64", "--LL=8388608,16,64"]


def build_plugin(workdir: Path) -> Path:
    if shutil.which("qemu-x86_64") is None:
        raise SystemExit("qemu-x86_64 not found: apt-get install qemu-user (or `make qemu`)")
    plugin = workdir / "insn_count.so"
    source = HERE / "qemu" / "insn_count.c"
    subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-Wall", "-o", str(plugin), str(source)], check=True)
    return plugin


def timed(argv: list[str], stdin: Path) -> float:
    with stdin.open("rb") as data:
        start = time.perf_counter()
        subprocess.run(argv, stdin=data, stdout=subprocess.DEVNULL, env=ENV, check=True)
        return time.perf_counter() - start


def qemu_run(plugin: Path, program: Path, stdin: Path, out: Path) -> tuple[float, int]:
    seconds = timed(["qemu-x86_64", "-plugin", f"{plugin},out={out}", PYTHON, str(program)], stdin)
    return seconds, int(out.read_text())


def cachegrind_run(program: Path, stdin: Path, out: Path, simulate: bool) -> tuple[float, int]:
    sim = ["--cache-sim=yes", *CACHES] if simulate else ["--cache-sim=no"]
    argv = ["valgrind", "--tool=cachegrind", "-q", *sim, f"--cachegrind-out-file={out}", PYTHON, str(program)]
    seconds = timed(argv, stdin)
    return seconds, read_cachegrind(out)["Ir"]


def measure(plugin: Path, program: Path, stdin: Path, workdir: Path, label: str) -> dict[str, Any]:
    native = timed([PYTHON, str(program)], stdin)
    qemu = [qemu_run(plugin, program, stdin, workdir / "q.out") for _ in range(2)]
    plain = cachegrind_run(program, stdin, workdir / "cg.out", simulate=False)
    simulated = cachegrind_run(program, stdin, workdir / "cg.out", simulate=True)
    return {
        "program": label,
        "test": stdin.name,
        "native_s": round(native, 3),
        "qemu_s": round(qemu[0][0], 3),
        "cachegrind_s": round(plain[0], 3),
        "cachegrind_sim_s": round(simulated[0], 3),
        "qemu_count": qemu[0][1],
        "qemu_repeats": qemu[0][1] == qemu[1][1],
        "cachegrind_ir": plain[1],
        "count_diff": (qemu[0][1] - plain[1]) / plain[1],
    }


def pair_speedups(rows: list[dict[str, Any]], key: str) -> dict[str, float]:
    totals: dict[str, dict[str, int]] = {}
    for row in rows:
        pair, side = row["program"].rsplit("/", 1)
        totals.setdefault(pair, {}).setdefault(side, 0)
        totals[pair][side] += row[key]
    return {pair: sides["slow.py"] / sides["fast.py"] for pair, sides in totals.items() if len(sides) == 2}


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def median_ratio(a: str, b: str) -> float:
        return round(statistics.median(row[a] / row[b] for row in rows), 2)

    by_qemu, by_ir = pair_speedups(rows, "qemu_count"), pair_speedups(rows, "cachegrind_ir")
    pairs = sorted(by_qemu)
    diffs = [abs(row["count_diff"]) for row in rows]
    return {
        "runs": len(rows),
        "wall_s": {
            k: round(sum(row[k] for row in rows), 1)
            for k in ("native_s", "qemu_s", "cachegrind_s", "cachegrind_sim_s")
        },
        "median_cachegrind_over_qemu": median_ratio("cachegrind_s", "qemu_s"),
        "median_cachegrind_sim_over_qemu": median_ratio("cachegrind_sim_s", "qemu_s"),
        "median_qemu_over_native": median_ratio("qemu_s", "native_s"),
        "qemu_repeats_exactly": sum(row["qemu_repeats"] for row in rows),
        "count_diff_median": statistics.median(diffs),
        "count_diff_max": max(diffs),
        "pairs": len(pairs),
        "speedup_spearman_qemu_vs_ir": float(
            spearmanr([by_qemu[p] for p in pairs], [by_ir[p] for p in pairs])[0]
        ),
        "speedup_ratio_max": max(max(by_qemu[p] / by_ir[p], by_ir[p] / by_qemu[p]) for p in pairs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=2, help="tests per program (smallest first)")
    parser.add_argument("--limit", type=int, default=0, help="first N example pairs only (0: all)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        plugin = build_plugin(workdir)
        empty, nothing = workdir / "empty.py", workdir / "empty.in"
        empty.write_text("")
        nothing.write_text("")
        start = measure(plugin, empty, nothing, workdir, "(empty program)")
        for pair in sorted(p for p in EXAMPLES.iterdir() if p.is_dir())[: args.limit or None]:
            inputs = sorted((pair / "tests").glob("input.*"), key=lambda p: p.stat().st_size)[: args.tests]
            for program in (pair / "slow.py", pair / "fast.py"):
                for stdin in inputs:
                    label = str(program.relative_to(HERE.parent))
                    rows.append(measure(plugin, program, stdin, workdir, label))
                    print(json.dumps(rows[-1]), flush=True)
    report = {
        "command": "benchmarks/qemu_count.py",
        "qemu": subprocess.run(["qemu-x86_64", "--version"], capture_output=True, text=True).stdout.split(
            "\n"
        )[0],
        "cpus": os.cpu_count(),
        "startup": start,
        "summary": summary(rows),
        "rows": rows,
    }
    args.output.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report["summary"], indent=1))


if __name__ == "__main__":
    main()
