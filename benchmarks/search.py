"""Search against plain sampling at the same budget: Best@N, evolve, and evolve without profiles (the
ablation), each given the same number of model samples per pair; `--modes` adds evolve_copy_heat
(copy_heat 0.3), evolve_retrieval (one retrieval island more), evolve_retrieval_heat (both) and
evolve_repair (a failed child shown to the model to fix), and `--strategy retrieval` prompts every mode
with the nearest pairs of other problems (leave one problem out); `--skip N` passes over the first N
pairs in file order (a held-out set: pairs no variant was tried on).

Run (PIE dev Python pairs and the C++ pairs beside the project; the default model; 3-28 min per pair
and mode with the bundled 0.5B model on 2 cores):
  .venv/bin/python benchmarks/search.py --pairs ../shared/data/pie-py-dev.jsonl \\
      --statements ../shared/data/codenet-statements-dev --name pie_py_16 --limit 16 --budget 16 --k 8 \\
      --max-tokens 512 --threads 2
  .venv/bin/python benchmarks/search.py --pairs ../shared/data/cpp-pairs-dev.jsonl --name cpp --limit 3
Writes benchmarks/results/search_NAME.json (the report) and search_NAME.pairs.jsonl (one line per pair
and mode, appended as it goes: a rerun resumes, and `--report-only` re-scores).

Per pair, the tests are the given ones plus the two largest inputs differential testing grows that the
slow program answers within `--oracle-budget` seconds (sample tests alone are too small for most
speedups to show), and every candidate goes through the verification funnel against the slow program
(differential testing on). Reported per mode: %OPT (pairs whose best verified candidate is >= 1.10x
faster), SPEEDUP (mean best speedup, 1.0 where none is faster), %Correct (pairs with a verified
candidate, a copy of the input counting, as in PIE), %rewritten (pairs with a verified program other than
the input) and each pair's best verified rewrite (below the minimum gain too), samples, tokens, seconds,
programs measured and spared, the mean search curve (best speedup so far against samples spent), and
each mode against Best@N pair by pair (`against_bestk`: the pairs only one of them speeds up by 10%,
with McNemar's exact p-value, and the pairs where one's best is more than 1% ahead, with the sign test's)."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from perfcoder.data.pairs import OptimizationPair, load_pairs
from perfcoder.data.sources import TestSources
from perfcoder.environment import Environment, make
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.limits import Limits
from perfcoder.execution.testcase import TestCase
from perfcoder.execution.verdict import Verdict
from perfcoder.metrics.speedup import PairOutcome, ScoredAnswer, compare, summarize
from perfcoder.models.base import SamplingParams
from perfcoder.models.registry import ModelConfig, as_backend
from perfcoder.models.weights import DEFAULT_MODEL
from perfcoder.strategies.catalog import make_strategy
from perfcoder.strategies.evolve import EvolveConfig
from perfcoder.strategies.prompts import Example, FewShotStrategy
from perfcoder.strategies.retrieval import default_embedder, nearest_examples
from perfcoder.strategies.search import PromptStrategy, SearchConfig, optimize_program
from perfcoder.verify.differential import DifferentialConfig
from perfcoder.verify.funnel import disagreements, oracle_for

RESULTS = Path(__file__).resolve().parent / "results"
REFERENCE = "bestk"  # every other mode is compared with it pair by pair
MAX_EXAMPLE_CHARS = 3000  # a retrieved example's slow and fast programs together: 2 fit the context
MODES = {
    "bestk": {"search": "bestk"},
    "evolve": {"search": "evolve"},
    "evolve_no_profile": {"search": "evolve", "evolve": EvolveConfig(profile=False)},
    "evolve_copy_heat": {"search": "evolve", "evolve": EvolveConfig(copy_heat=0.3)},
    "evolve_retrieval": {"search": "evolve", "evolve": EvolveConfig(retrieval_islands=1)},
    "evolve_block": {"search": "evolve", "evolve": EvolveConfig(block_islands=1)},
    "evolve_repair": {"search": "evolve", "evolve": EvolveConfig(repair=True)},
    "evolve_retrieval_heat": {"search": "evolve", "evolve": EvolveConfig(retrieval_islands=1, copy_heat=0.3)},
}
DEFAULT_MODES = "bestk,evolve,evolve_no_profile"


def tests_for(
    env: Environment, pair: OptimizationPair, given: list[TestCase], budget: float
) -> list[TestCase]:
    """The given tests and the two largest grown inputs the slow program answers within budget."""
    oracle = oracle_for(env, pair.slow, given, DifferentialConfig(oracle_time_s=budget, variants=1))
    if pair.fast:
        (mismatch,) = disagreements(env, oracle, [pair.fast])
        if mismatch is not None:
            raise PerfcoderError(f"the human fast program {mismatch.describe()}")
    return [*given, *oracle.tests[-2:]]


def strategy_for(
    pair: OptimizationPair, args: argparse.Namespace, pool: list[OptimizationPair]
) -> PromptStrategy:
    """The prompt strategy of every mode (retrieval: as `retrieval_for`)."""
    if args.strategy != "retrieval":
        return make_strategy(args.strategy, pair.language, args.shots, args.examples)
    return retrieval_for(pair, args, pool)


def retrieval_for(
    pair: OptimizationPair, args: argparse.Namespace, pool: list[OptimizationPair]
) -> PromptStrategy:
    """Retrieval few-shot from the pool's pairs of other problems only (leave one problem out: a pair's
    own problem's fast programs would give its answer away)."""
    examples = [
        Example(other.slow, other.fast)
        for other in pool
        if other.fast
        and other.language == pair.language
        and other.problem_id != pair.problem_id
        and len(other.slow) + len(other.fast) <= MAX_EXAMPLE_CHARS
    ]
    return FewShotStrategy(nearest_examples(examples, default_embedder()), args.shots, name="retrieval")


def run_pair(
    pair: OptimizationPair, mode: str, args: argparse.Namespace, backend: Any, pool: list[OptimizationPair]
) -> dict[str, Any]:
    sources = TestSources(args.tests_root, args.statements)
    config = ExecutionConfig(limits=Limits(time_s=args.time_limit), jobs=args.jobs)
    with make(pair.language, args.cost, config=config) as env:
        tests = tests_for(env, pair, sources.for_pair(pair), args.oracle_budget)
        search = SearchConfig(
            k=args.k or args.budget,
            sampling=SamplingParams(temperature=0.7, max_tokens=args.max_tokens, seed=args.seed),
            budget=args.budget,
            **MODES[mode],
        )
        strategy = strategy_for(pair, args, pool)
        retrieval = None
        if search.evolve.retrieval_islands:  # one index (embedding the pool) serves both when they agree
            retrieval = strategy if args.strategy == "retrieval" else retrieval_for(pair, args, pool)
        result = optimize_program(
            pair.slow, tests, env, backend, strategy, search, problem_id=pair.problem_id, retrieval=retrieval
        )
    return {
        "pair": pair.id,
        "mode": mode,
        "original_cost": result.original_cost,
        "speedup": result.speedup,
        "improved": result.improved,
        "note": result.note,
        "candidates": [{"verdict": c.verdict, "cost": c.cost, "stage": c.stage} for c in result.candidates],
        "curve": result.curve,
        "samples": result.samples,
        "tokens": result.completion_tokens,
        "cached_samples": result.cached_samples,
        "generation_s": round(result.generation_s, 1),
        "wall_s": round(result.wall_s, 1),
        "verification": result.verification,
    }


def rewrites(row: dict[str, Any]) -> int:
    """Verified programs other than the input (a copy of the input stops at `duplicate`)."""
    return sum(c["stage"] == "measured" and c["verdict"] == Verdict.ACCEPTED for c in row["candidates"])


def best_rewrite(row: dict[str, Any]) -> float | None:
    """The best verified rewrite's speedup, below the minimum gain too (None: no verified rewrite)."""
    costs = [
        c["cost"]
        for c in row["candidates"]
        if c["stage"] == "measured" and c["verdict"] == Verdict.ACCEPTED and c["cost"]
    ]
    return round(row["original_cost"] / min(costs), 4) if costs else None


def first_samples(row: dict[str, Any], n: int) -> dict[str, Any]:
    """A finished row as if its search had stopped after n samples: a run at a larger budget holds the
    run at n (Best@N's rounds and evolve's steps are seeded by their number, and nothing before sample n
    depends on the budget). Its tokens and seconds are those of the whole run, so they are left out."""
    if "speedup" not in row or row["samples"] <= n:
        return row
    curve = row["curve"][:n]
    improved = bool(curve) and curve[-1] >= 1.0 + SearchConfig().min_gain
    cut = {"candidates": row["candidates"][:n], "curve": curve, "samples": n, "improved": improved}
    return {**row, **cut, "tokens": None, "wall_s": None}


def total(rows: list[dict[str, Any]], key: str) -> float | None:
    """A sum over rows, None if a row lacks the figure."""
    values = [r[key] for r in rows]
    return None if any(v is None for v in values) else round(sum(values), 1)


def complete(rows: list[dict[str, Any]], modes: list[str]) -> set[str]:
    """The pairs every mode has finished: modes are compared on the same pairs only."""
    done: dict[str, set[str]] = {}
    for row in rows:
        if "speedup" in row:
            done.setdefault(row["pair"], set()).add(row["mode"])
    return {pair for pair, finished in done.items() if finished >= set(modes)}


def outcome(row: dict[str, Any]) -> PairOutcome:
    return PairOutcome(
        row["original_cost"], tuple(ScoredAnswer(Verdict(c["verdict"]), c["cost"]) for c in row["candidates"])
    )


def report(rows: list[dict[str, Any]], budget: int, modes_run: list[str]) -> dict[str, Any]:
    """Each mode's figures on the pairs every mode finished, and each mode against Best@N pair by pair."""
    pairs = sorted(complete(rows, modes_run))
    by_mode = {(r["mode"], r["pair"]): r for r in rows if "speedup" in r}
    modes: dict[str, Any] = {}
    for mode in modes_run:
        chosen = [by_mode[mode, pair] for pair in pairs]
        if not chosen:
            continue
        outcomes = [outcome(r) for r in chosen]
        metrics = summarize(outcomes)
        curves = [r["curve"] + [r["curve"][-1]] * (budget - len(r["curve"])) for r in chosen if r["curve"]]
        modes[mode] = {
            "pairs": len(chosen),
            "pct_opt": round(metrics.pct_opt, 1),
            "speedup": round(metrics.speedup, 3),
            "pct_correct": round(metrics.pct_correct, 1),
            "returned_improved": sum(r["improved"] for r in chosen),
            "pct_rewritten": round(100 * sum(rewrites(r) > 0 for r in chosen) / len(chosen), 1),
            "verified_rewrites": sum(rewrites(r) for r in chosen),
            "best_rewrite": {r["pair"]: best_rewrite(r) for r in chosen},
            "samples": sum(r["samples"] for r in chosen),
            "tokens": total(chosen, "tokens"),
            "wall_s": total(chosen, "wall_s"),
            "measured": sum(c["stage"] == "measured" for r in chosen for c in r["candidates"]),
            "spared": sum(c["stage"] != "measured" for r in chosen for c in r["candidates"]),
            "mean_curve": [round(statistics.fmean(c[i] for c in curves), 3) for i in range(budget)]
            if curves
            else [],
        }
        if mode != REFERENCE and REFERENCE in modes_run:
            reference = [outcome(by_mode[REFERENCE, pair]) for pair in pairs]
            modes[mode][f"against_{REFERENCE}"] = compare(outcomes, reference).to_dict()
    return modes


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", required=True)
    parser.add_argument("--tests-root", type=Path)
    parser.add_argument("--statements", type=Path)
    parser.add_argument("--name", required=True)
    parser.add_argument("--limit", type=int, default=6, help="pairs (the first N usable ones)")
    parser.add_argument(
        "--skip", type=int, default=0, help="pairs in file order passed over first (a held-out set: the rest)"
    )
    parser.add_argument("--budget", type=int, default=16, help="model samples per pair and mode")
    parser.add_argument(
        "--k",
        type=int,
        help="Best@N's samples per request, drawn in rounds of k until the budget is spent (default: the "
        "budget); a round's seed follows its number, so a larger budget reuses a smaller one's samples",
    )
    parser.add_argument("--modes", default=DEFAULT_MODES, help=f"of {', '.join(MODES)}")
    parser.add_argument("--strategy", default="instruction", help="the prompt of every mode")
    parser.add_argument(
        "--examples",
        type=Path,
        help="few-shot pairs (default: built-in); retrieval defaults to --pairs, other problems only",
    )
    parser.add_argument("--shots", type=int, default=2, help="few-shot and retrieval examples per prompt")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--base-url", help="the endpoint of an openai:NAME model (a served model)")
    parser.add_argument("--threads", type=int, default=1, help="llama.cpp threads")
    parser.add_argument("--context", type=int, default=4096, help="tokens per sequence (prompt and sample)")
    parser.add_argument("--cost", default="cycles")
    parser.add_argument("--max-tokens", type=int, default=768)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--oracle-budget", type=float, default=0.5)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument(
        "--score-first",
        type=int,
        help="score each pair on its first N samples only (written to search_NAME_firstN.json)",
    )
    args = parser.parse_args()
    log = RESULTS / f"search_{args.name}.pairs.jsonl"
    rows = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    started = time.monotonic()
    if not args.report_only:
        done = {(r["pair"], r["mode"]) for r in rows}
        unusable = {r["pair"] for r in rows if "skipped" in r}  # a pair no mode can run is not tried again
        pairs = load_pairs(Path(args.pairs)).require(args.pairs).items
        pool = load_pairs(args.examples).items if args.examples else pairs
        model = ModelConfig(
            model=args.model, base_url=args.base_url, context=args.context, threads=args.threads
        )
        with as_backend(args.model, model) as backend:
            used = 0
            for pair in pairs[args.skip :]:
                if used >= args.limit:
                    break
                if pair.id in unusable:
                    continue
                ok = True
                for mode in args.modes.split(","):
                    if (pair.id, mode) in done:
                        continue
                    try:
                        row = run_pair(pair, mode, args, backend, pool)
                    except PerfcoderError as exc:
                        row, ok = {"pair": pair.id, "mode": mode, "skipped": str(exc)}, False
                    rows.append(row)
                    with log.open("a") as sink:
                        sink.write(json.dumps(row) + "\n")
                    print(
                        json.dumps(
                            {
                                k: row.get(k)
                                for k in ("pair", "mode", "speedup", "samples", "wall_s", "skipped")
                            }
                        ),
                        flush=True,
                    )
                    if not ok:
                        break
                used += ok
    scored = min(args.score_first or args.budget, args.budget)
    result = {
        "command": "benchmarks/search.py "
        + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if v and k != "report_only"),
        "budget": scored,
        "skipped": {r["pair"]: r["skipped"] for r in reversed(rows) if "skipped" in r},  # the first reason
        "pairs": sorted(complete(rows, args.modes.split(","))),
        "modes": report([first_samples(r, scored) for r in rows], scored, args.modes.split(",")),
        "wall_s_this_invocation": round(time.monotonic() - started, 1),
    }
    out = RESULTS / f"search_{args.name}{f'_first{scored}' if scored < args.budget else ''}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "skipped"}, indent=2))


if __name__ == "__main__":
    main()
