"""`perfcoder optimize` with the default model on the shipped C++ examples (their slow programs):

- greedy Best@1 (temperature 0),
- sampled Best@8 (temperature 0.7, as PIE),
- refinement: 2 rounds of 4 samples with execution feedback (the same 8-sample budget).

Per configuration: %OPT, SPEEDUP, %Correct (PIE definitions, `cycles` cost model), tokens/s and wall time.
Results: benchmarks/results/optimize_examples.json. Run: `.venv/bin/python benchmarks/optimize_examples.py
[--model NAME] [--language cpp|python] [--limit N]`. Generations are cached, so a rerun only re-measures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from perfcoder.execution.verdict import Verdict
from perfcoder.metrics.speedup import PairOutcome, ScoredAnswer, summarize

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "optimize_examples.json"
CONFIGS = {
    "greedy_best@1": ["-k", "1", "--temperature", "0"],
    "sampled_best@8": ["-k", "8", "--temperature", "0.7"],
    "refine_2x4": ["-k", "4", "--rounds", "2", "--temperature", "0.7"],
}


def optimize(
    program: Path, tests: Path, out: Path, model: str, extra: list[str]
) -> tuple[float, dict[str, Any]]:
    command = [sys.executable, "-m", "perfcoder", "optimize", str(program), "--tests", str(tests),
               "-o", str(out), "--model", model, "--threads", "2", "--json", *extra]  # fmt: skip
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{program}: {done.stderr.strip()}")
    return time.monotonic() - start, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--language", default="cpp")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated subset of CONFIGS")
    args = parser.parse_args()
    examples = sorted((ROOT / "examples" / args.language).iterdir())[: args.limit or None]
    results: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}  # others kept
    results |= {"model": args.model, "language": args.language}
    with tempfile.TemporaryDirectory() as scratch:
        for name in args.configs.split(","):
            results[name] = run_config(name, examples, args.model, Path(scratch))
            RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({k: {m: v[m] for m in ("pct_opt", "speedup", "pct_correct")} for k, v in results.items()
                      if k in CONFIGS}))  # fmt: skip


def run_config(name: str, examples: list[Path], model: str, scratch: Path) -> dict[str, Any]:
    outcomes, rows, wall, tokens, generation_s = [], [], 0.0, 0, 0.0
    for example in examples:
        ext = "cpp" if example.parent.name == "cpp" else "py"
        out = scratch / f"{name}-{example.name}.{ext}"
        seconds, result = optimize(example / f"slow.{ext}", example / "tests", out, model, CONFIGS[name])
        run = json.loads(out.with_name(out.name + ".run.json").read_text())["result"]
        wall, tokens, generation_s = (
            wall + seconds,
            tokens + run["completion_tokens"],
            generation_s + run["generation_s"],
        )
        candidates = tuple(ScoredAnswer(Verdict(c["verdict"]), c["cost"]) for c in run["candidates"])
        outcomes.append(PairOutcome(run["original_cost"], candidates))
        verdicts = [c["verdict"] for c in result["candidates"]]
        rows.append({"example": example.name, "speedup": result["speedup"], "verdicts": verdicts,
                     "wall_s": round(seconds, 1)})  # fmt: skip
        print(name, example.name, result["speedup"], flush=True)
    metrics = summarize(outcomes)
    return {
        "examples": [e.name for e in examples],
        "pct_opt": metrics.pct_opt,
        "speedup": metrics.speedup,
        "pct_correct": metrics.pct_correct,
        "rtr": metrics.rtr,
        "tokens": tokens,
        "tokens_per_s": round(tokens / generation_s, 2) if generation_s else None,
        "wall_s": round(wall, 1),
        "rows": rows,
    }


if __name__ == "__main__":
    main()
