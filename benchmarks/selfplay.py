"""Self-play yield of the bundled Qwen2.5-Coder-0.5B on real seeds: how many written programs are new
tasks, how many of those the same model speeds up, and how many verified pairs pass PIE's 5x threshold.

Run: `.venv/bin/python benchmarks/selfplay.py [--seeds ../shared/data/pie-py-dev.jsonl] [--limit 10]`
Settings are examples/configs/selfplay-tiny.yaml's (4 programs per seed, k=4, instructions cost); the
output goes to a fresh directory, and the model's samples come from the generation cache when an
earlier run drew them (the wall time is then mostly the sandbox's). Writes benchmarks/results/selfplay.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time
from pathlib import Path

from perfcoder.jobs.selfplay import load_selfplay_config, selfplay

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "selfplay.json"
CONFIG = ROOT / "examples" / "configs" / "selfplay-tiny.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", default=str(ROOT.parent / "shared" / "data" / "pie-py-dev.jsonl"))
    parser.add_argument(
        "--statements", default=str(ROOT.parent / "shared" / "data" / "codenet-statements-dev")
    )
    parser.add_argument("--limit", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        config = load_selfplay_config(
            CONFIG,
            seeds=args.seeds,
            statements=Path(args.statements),
            limit=args.limit,
            output_dir=Path(scratch),
        )
        started = time.monotonic()
        run = selfplay(config, on_seed=lambda seed: print("seed", seed, flush=True))
        wall = time.monotonic() - started
        pairs = [json.loads(line) for line in (Path(scratch) / "pairs.jsonl").read_text().splitlines()]
    result = {
        "command": f".venv/bin/python benchmarks/selfplay.py --seeds {args.seeds} --limit {args.limit}",
        "statements": args.statements,
        "config": str(CONFIG.relative_to(ROOT)),
        "seeds": run.seeds,
        "programs_per_seed": config.programs,
        "fates": run.fates,
        "skipped_seeds": run.skipped,
        "pairs": run.pairs,
        "pair_speedups": [round(p["speedup"], 2) for p in pairs],
        "candidates": run.candidates,
        "wall_s": round(wall, 1),
        "optimize": {
            k: v for k, v in dataclasses.asdict(config.optimize).items() if k in ("k", "cost", "strategy")
        },
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
