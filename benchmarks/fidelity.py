"""Out-of-sample fidelity of the cost models: does a model's speedup rank (slow, fast) pairs as CPU time
does, on real pairs that no weight was fitted on?

Run (the PIE dev Python pairs beside the project):
  .venv/bin/python benchmarks/fidelity.py --pairs ../shared/data/pie-py-dev.jsonl \
      --statements ../shared/data/codenet-statements-dev --name pie_py_dev
or with any PIE-format pairs file and `--tests-root DIR` (e.g. CodeNet C++ submissions of one problem).
Writes benchmarks/results/fidelity_NAME.json (the report) and fidelity_NAME.pairs.jsonl (one line per
measured or skipped pair, appended as it goes: an interrupted run resumes, and `--report-only` re-scores
what is there).

Per pair, the tests are the problem's own plus inputs generated from them with the slow program as the
oracle (differential testing's ladders, capped at what the slow program answers in `--budget` seconds,
so that speedups show beyond start-up); a pair whose fast program disagrees with the slow one there, or
whose slow program fails its own tests, is left out and named. Every program is measured once under
cachegrind (`cycles` gives instructions, misses and system calls) and timed natively (CPU seconds, median
of 5 interleaved runs per test). Problems are split in two halves by a hash of their id: cycle weights
are re-fitted on the first half only, two ways (all four by non-negative least squares of per-test CPU
time; the two miss weights alone by a robust fit of log speedups, how Python's shipped weights were
made), and every model is reported on both halves; the second half is the held-out figure. The miss fit
is also repeated on random problem halves, each scored on its other half, to show how much a held-out
figure owes to one split.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import least_squares, nnls
from scipy.stats import spearmanr

from perfcoder.data.pairs import OptimizationPair, load_pairs
from perfcoder.data.sources import TestSources
from perfcoder.environment import Environment, make
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.limits import Limits
from perfcoder.execution.testcase import TestCase
from perfcoder.measure.cachegrind import CycleWeights, cycle_weights
from perfcoder.verify.differential import DifferentialConfig
from perfcoder.verify.funnel import disagreements, oracle_for

RESULTS = Path(__file__).resolve().parent / "results"
WITHIN = 1.5  # a model speedup within this factor of the CPU-time speedup counts as faithful
FEATURES = ("instructions", "l1_misses", "ll_misses", "syscalls")
SPLITS = 20  # random problem halves on which the miss fit is checked besides the hashed one


@dataclass
class Measured:
    pair: str
    problem: str
    half: str
    cpu: tuple[list[float], list[float]]  # per-test CPU seconds of slow and fast
    counts: tuple[list[dict[str, float]], list[dict[str, float]]]  # per-test cachegrind counts
    # the dataset's own CPU times of slow and fast (ms, summed over the tests), where it has them: a
    # second reference, timed on another machine
    dataset_cpu: tuple[float | None, float | None] = (None, None)


def half_of(problem: str) -> str:
    return "fit" if hashlib.sha256(problem.encode()).digest()[0] % 2 == 0 else "held_out"


def tests_for(
    env: Environment,
    pair: OptimizationPair,
    given: list[TestCase],
    budget: float,
    validators: Path | None,
    generated: int = 2,
) -> list[TestCase]:
    """The given tests plus the `generated` largest generated inputs the slow program answers within
    budget (and the problem's validator, if any, accepts); raises when the fast program disagrees with
    the slow one on any generated input. With none asked for, the given tests alone (for test sets made
    by the problems' own generators, which mutation knows nothing of)."""
    if generated == 0:
        return given
    config = DifferentialConfig(oracle_time_s=budget, variants=1, validator=validators)
    slow, fast = pair.slow, pair.fast
    oracle = oracle_for(env, slow, given, config, problem_id=pair.problem_id)
    (mismatch,) = disagreements(env, oracle, [fast])
    if mismatch is not None:
        raise PerfcoderError(f"fast program {mismatch.describe()}")
    return [*given, *oracle.tests[-generated:]]


def measure(args: argparse.Namespace, log: Path) -> None:
    """Measure every pair not yet in the log, appending one line per pair."""
    done = {json.loads(line)["pair"] for line in log.read_text().splitlines()} if log.exists() else set()
    pairs = load_pairs(Path(args.pairs), args.language).items[: args.max_pairs or None]
    pairs = [pair for pair in pairs if pair.id not in done]
    sources = TestSources(args.tests_root, args.statements)
    config = ExecutionConfig(limits=Limits(time_s=args.time_limit), jobs=args.jobs)
    envs = {
        model: make(args.language or pairs[0].language, model, config=config, repeats=5)
        for model in ("cycles", "cpu")
    }
    try:
        for number, pair in enumerate(pairs, 1):
            started = time.monotonic()
            try:
                if not pair.fast:
                    raise PerfcoderError("no fast program")
                given = sources.for_pair(pair)
                tests = tests_for(envs["cycles"], pair, given, args.budget, args.validators, args.generated)
                counted = envs["cycles"].compare(pair.slow, pair.fast, tests)
                timed = envs["cpu"].compare(pair.slow, pair.fast, tests)
                if counted.speedup is None or timed.speedup is None:
                    raise PerfcoderError(f"not both accepted: {counted.slow.verdict}, {counted.fast.verdict}")
            except PerfcoderError as exc:
                _append(log, {"pair": pair.id, "skipped": str(exc)})
                print(f"[{number}/{len(pairs)}] {pair.id}: skipped ({str(exc)[:120]})", flush=True)
                continue
            row = Measured(
                pair.id,
                pair.problem_id,
                half_of(pair.problem_id),
                tuple([t.costs["cpu_s"] for t in m.tests] for m in (timed.slow, timed.fast)),  # type: ignore[arg-type]
                tuple([dict(t.costs) for t in m.tests] for m in (counted.slow, counted.fast)),  # type: ignore[arg-type]
                (pair.extra.get("cpu_time_v0"), pair.extra.get("cpu_time_v1")),
            )
            _append(log, row.__dict__)
            print(
                f"[{number}/{len(pairs)}] {pair.id}: cpu {timed.speedup:.2f}x cycles {counted.speedup:.2f}x"
                f" ({len(tests)} tests, {time.monotonic() - started:.0f} s)",
                flush=True,
            )
    finally:
        for env in envs.values():
            env.close()


def _append(log: Path, row: dict[str, Any]) -> None:
    with log.open("a") as sink:
        sink.write(json.dumps(row) + "\n")


def load(log: Path) -> tuple[list[Measured], list[str]]:
    rows = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    measured = [
        Measured(
            **{
                **r,
                "cpu": tuple(r["cpu"]),
                "counts": tuple(r["counts"]),
                "dataset_cpu": tuple(r.get("dataset_cpu", (None, None))),
            }
        )
        for r in rows
        if "cpu" in r
    ]
    return measured, [f"{r['pair']}: {r['skipped']}" for r in rows if "skipped" in r]


def cycles(counts: Sequence[dict[str, float]], weights: CycleWeights) -> float:
    return sum(
        c["instructions"]
        + weights.l1_miss * c["l1_misses"]
        + weights.ll_miss * c["ll_misses"]
        + weights.syscall * c["syscalls"]
        + weights.process
        for c in counts
    )


def refit(rows: Sequence[Measured]) -> CycleWeights:
    """Non-negative least squares of per-test CPU seconds on the counts and one start per process."""
    features, target = [], []
    for row in rows:
        for side in (0, 1):
            for counts, cpu in zip(row.counts[side], row.cpu[side], strict=True):
                features.append([*(counts[name] for name in FEATURES), 1.0])
                target.append(cpu)
    x, y = np.array(features), np.array(target)
    scale = x.max(axis=0)
    scale[scale == 0] = 1.0
    coefficients, _ = nnls(x / scale, y)
    coefficients = coefficients / scale
    per_instruction = coefficients[0] or 1e-9
    l1, ll, syscall, process = (float(c / per_instruction) for c in coefficients[1:])
    return CycleWeights(l1_miss=l1, ll_miss=ll, syscall=syscall, process=process)


def fit_misses(rows: Sequence[Measured], start: CycleWeights) -> CycleWeights:
    """The two miss weights that bring the log speedups closest to CPU time's (a soft-L1 loss whose scale
    is the 1.5x tolerance, so a few pairs timed on noise do not pull the fit); the measured process and
    system-call weights stay as they are."""
    truth = np.log(speedups(rows, "cpu"))

    def residuals(misses: np.ndarray) -> np.ndarray:
        weights = dataclasses.replace(start, l1_miss=float(misses[0]), ll_miss=float(misses[1]))
        return np.log(speedups(rows, "cycles", weights)) - truth

    fitted = least_squares(
        residuals,
        x0=[start.l1_miss, start.ll_miss],
        bounds=([0.0, 0.0], [np.inf, np.inf]),
        loss="soft_l1",
        f_scale=float(np.log(WITHIN)),
    )
    return dataclasses.replace(start, l1_miss=float(fitted.x[0]), ll_miss=float(fitted.x[1]))


def speedups(rows: Sequence[Measured], model: str, weights: CycleWeights | None = None) -> list[float]:
    found = []
    for row in rows:
        slow, fast = row.counts
        if model == "cpu":
            found.append(sum(row.cpu[0]) / sum(row.cpu[1]))
        elif model == "dataset_cpu":
            slow_ms, fast_ms = row.dataset_cpu
            found.append((slow_ms or 0.0) / (fast_ms or 1.0))
        elif model == "instructions":
            found.append(sum(c["instructions"] for c in slow) / sum(c["instructions"] for c in fast))
        else:
            assert weights is not None
            found.append(cycles(slow, weights) / cycles(fast, weights))
    return found


def agreement(
    rows: Sequence[Measured], model: str, weights: CycleWeights | None = None, reference: str = "cpu"
) -> dict[str, Any]:
    if reference == "dataset_cpu":
        rows = [row for row in rows if row.dataset_cpu[0] and row.dataset_cpu[1]]
    if len(rows) < 3:
        return {"pairs": len(rows)}
    truth, found = speedups(rows, reference), speedups(rows, model, weights)
    within = [max(a / b, b / a) <= WITHIN for a, b in zip(found, truth, strict=True)]
    return {
        "pairs": len(rows),
        "problems": len({row.problem for row in rows}),
        "spearman": round(float(spearmanr(found, truth).statistic), 4),
        "within_1_5x": round(100.0 * sum(within) / len(within), 1),
    }


def other_splits(rows: Sequence[Measured], splits: int = SPLITS, seed: int = 0) -> dict[str, Any]:
    """Whether the miss-weight fit carries over on other splits than the one the shipped weights came
    from: random halves of the problems, fitted on one and scored on the other, as a distribution."""
    problems = sorted({row.problem for row in rows})
    rng = np.random.default_rng(seed)
    fitted, common, weights = [], [], []
    for _ in range(splits):
        fit_problems = set(rng.permutation(problems)[: len(problems) // 2])
        fit = [row for row in rows if row.problem in fit_problems]
        held = [row for row in rows if row.problem not in fit_problems]
        weights.append(fit_misses(fit, CycleWeights()))
        fitted.append(agreement(held, "cycles", weights[-1]))
        common.append(agreement(held, "cycles", CycleWeights()))
    return {
        "splits": splits,
        "seed": seed,
        "fitted_l1_miss": sorted(round(w.l1_miss, 1) for w in weights),
        "fitted_ll_miss": sorted(round(w.ll_miss, 1) for w in weights),
        "held_out, miss weights fitted on the other half": spread(fitted),
        "held_out, C++ weights": spread(common),
    }


def spread(scores: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    return {
        measure: {
            "median": round(float(np.median([s[measure] for s in scores])), 4),
            "min": min(s[measure] for s in scores),
            "max": max(s[measure] for s in scores),
        }
        for measure in ("spearman", "within_1_5x")
    }


def report(rows: list[Measured], language: str) -> dict[str, Any]:
    halves = {half: [r for r in rows if r.half == half] for half in ("fit", "held_out")}
    common = CycleWeights()
    refitted = refit(halves["fit"]) if halves["fit"] else common
    misses = fit_misses(halves["fit"], common) if halves["fit"] else common
    models = {
        f"cycles (shipped {language} weights)": ("cycles", cycle_weights(language)),
        "cycles (C++ weights: measured process and syscall, misses of the first C++ fit)": ("cycles", common),
        "cycles (miss weights fitted on the fit half: log speedups)": ("cycles", misses),
        "cycles (all weights re-fitted on the fit half: least squares of CPU seconds)": ("cycles", refitted),
        "instructions": ("instructions", None),
    }
    against_dataset = {
        name: {
            half: agreement(chosen, model, weights, reference="dataset_cpu")
            for half, chosen in halves.items()
        }
        for name, (model, weights) in models.items()
        if any(row.dataset_cpu[0] for row in rows)
    }
    return {
        "shipped_weights": cycle_weights(language).__dict__,
        "miss_weights_fitted_on_fit_half": misses.__dict__,
        "refitted_weights": refitted.__dict__,
        "models": {
            name: {half: agreement(chosen, model, weights) for half, chosen in halves.items()}
            for name, (model, weights) in models.items()
        },
        "miss_fit_on_other_random_halves": other_splits(rows),
        "models_against_the_datasets_own_cpu_times": against_dataset or None,
        "this_machines_cpu_against_the_datasets": agreement(rows, "cpu", reference="dataset_cpu"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", required=True)
    parser.add_argument("--tests-root", type=Path)
    parser.add_argument("--statements", type=Path)
    parser.add_argument("--language")
    parser.add_argument("--name", required=True)
    parser.add_argument("--max-pairs", type=int, default=0)
    parser.add_argument(
        "--budget", type=float, default=0.1, help="slow program's seconds per generated input"
    )
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument(
        "--validators",
        type=Path,
        help="input validators, <problem_id>.<ext> each (e.g. benchmarks/validators)",
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--generated",
        type=int,
        default=2,
        help="largest generated inputs added to each pair's tests (0: the given tests only)",
    )
    parser.add_argument("--report-only", action="store_true", help="re-score the pairs measured so far")
    args = parser.parse_args()
    started = time.monotonic()
    log = RESULTS / f"fidelity_{args.name}.pairs.jsonl"
    if not args.report_only:
        measure(args, log)
    rows, skipped = load(log)
    language = args.language or load_pairs(Path(args.pairs), None).items[0].language
    result = {
        "command": "benchmarks/fidelity.py "
        + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if v and k != "report_only"),
        "measured_pairs": len(rows),
        "skipped": skipped,
        "language": language,
        **report(rows, language),
        "wall_s_this_invocation": round(time.monotonic() - started, 1),
    }
    out = RESULTS / f"fidelity_{args.name}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "skipped"}, indent=2))


if __name__ == "__main__":
    main()
