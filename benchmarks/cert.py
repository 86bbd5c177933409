"""CERT's prompt-only variant against direct sampling, with the bundled default model (one instruct model
as sketcher and generator; no continual pre-training: that needs a library corpus this machine has not).

Run: `.venv/bin/python benchmarks/cert.py [--data ../shared/data] [-n 10]`
For each of pandaseval-dev and numpyeval-dev: `perfcoder generate --strategy direct` and
`--strategy cert --sketches N` with the same sampling (n samples at T=0.8, seed 0: cert's sketcher
samples are direct's own samples, from the generation cache), then `perfcoder evaluate --tasks` for
unbiased pass@1 and pass@n. The strategy was built looking at pandaseval-dev's samples; numpyeval-dev was
not looked at before this benchmark ran, so it is the held-out figure. Writes benchmarks/results/cert.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from perfcoder.jobs.evaluate import evaluate
from perfcoder.jobs.generate import GenerateConfig, generate
from perfcoder.models.base import SamplingParams
from perfcoder.models.weights import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "cert.json"
SETS = {"pandaseval-dev": "development (the strategy was built on it)", "numpyeval-dev": "held out"}
TEMPERATURE, MAX_TOKENS = 0.8, 256


def run_strategy(tasks: Path, strategy: str, n: int, scratch: Path) -> dict[str, object]:
    sampling = SamplingParams(temperature=TEMPERATURE, max_tokens=MAX_TOKENS)
    config = GenerateConfig(n=n, strategy=strategy, sketches=n, sampling=sampling)
    samples = scratch / f"{tasks.stem}.{strategy}.jsonl"
    started = time.monotonic()
    generate(str(tasks), samples, model=DEFAULT_MODEL, config=config)
    wall = time.monotonic() - started
    summary = evaluate(tasks=str(tasks), samples=samples).summary
    rows = [json.loads(line) for line in samples.read_text().splitlines()]
    result: dict[str, object] = {
        "pass@1": round(float(summary["pass@1"]), 3),
        f"pass@{n}": round(float(summary[f"pass@{n}"]), 3),
        "tasks": len({row["task_id"] for row in rows}),
        "generate_wall_s": round(wall, 1),
        "command": f"perfcoder generate {tasks} -o OUT -s {strategy} -n {n} --temperature {TEMPERATURE} "
        f"--max-tokens {MAX_TOKENS}" + (f" --sketches {n}" if strategy == "cert" else ""),
    }
    if strategy == "cert":
        first = {row["task_id"]: row for row in rows if row["rank"] == 0}.values()
        result["answered_by_sketch"] = sum(1 for row in first if not row["by_generator"])
        result["sketch_votes"] = {row["task_id"]: f"{row['votes']}/{row['sketches']}" for row in first}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("-n", type=int, default=10)
    args = parser.parse_args()
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, role in SETS.items():
            tasks = Path(args.data) / f"{name}.jsonl"
            figures[name] = {
                "role": role,
                **{s: run_strategy(tasks, s, args.n, Path(scratch)) for s in ("direct", "cert")},
            }
            print(name, json.dumps(figures[name]), flush=True)
    result = {
        "command": f".venv/bin/python benchmarks/cert.py --data {args.data} -n {args.n}",
        "model": DEFAULT_MODEL,
        "sampling": {"n": args.n, "temperature": TEMPERATURE, "max_tokens": MAX_TOKENS, "seed": 0},
        "variant": "prompt-only: one instruct model as sketcher and generator",
        "sets": figures,
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
