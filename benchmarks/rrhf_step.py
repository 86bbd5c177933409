"""Seconds per RRHF step on this machine: the tiny config (as shipped) and LoRA (r=16) on the bundled
Qwen2.5-Coder-0.5B dequantized through transformers, each on the shipped Python pairs.

Run: `.venv/bin/python benchmarks/rrhf_step.py [--steps 3] [--max-new-tokens 64] [--skip-lora]`
Writes benchmarks/results/rrhf_step.json: per setting the load time, every step's seconds (generation of
the candidates, judging them in the sandbox, the forward/backward pass and the optimizer step) and the
median. The 0.5B model samples at a few tokens per second under transformers on a CPU, so its candidates
are capped at --max-new-tokens; the figure grows about linearly with that cap.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from perfcoder.training.recipes import load_recipe
from perfcoder.training.rrhf import RrhfConfig, RrhfTrainer

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "rrhf_step.json"


def measure(name: str, config: RrhfConfig) -> dict[str, Any]:
    steps: list[float] = []
    started = time.monotonic()
    first: list[float] = []

    def log(metrics: dict[str, Any]) -> None:
        if not first:
            first.append(time.monotonic() - started - metrics["seconds"])  # set-up before step 1
        steps.append(metrics["seconds"])
        print(name, metrics)

    RrhfTrainer(config, log).train()
    return {
        "setting": name,
        "model": config.policy.model,
        "lora_rank": config.policy.lora_rank,
        "max_new_tokens": config.max_new_tokens,
        "setup_s": round(first[0], 1),
        "step_s": [round(s, 2) for s in steps],
        "median_step_s": round(statistics.median(steps), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--skip-lora", action="store_true")
    args = parser.parse_args()
    tiny = load_recipe(ROOT / "examples" / "configs" / "rrhf-tiny.yaml", "rrhf")
    assert isinstance(tiny, RrhfConfig)
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        run = dataclasses.replace(tiny.run, output_dir=Path(scratch) / "tiny", steps=args.steps, save_every=0)
        results.append(measure("tiny", dataclasses.replace(tiny, run=run)))
        if not args.skip_lora:
            policy = dataclasses.replace(tiny.policy, model="qwen2.5-coder-0.5b", lora_rank=16)
            run = dataclasses.replace(run, output_dir=Path(scratch) / "lora", learning_rate=1e-4)
            lora = dataclasses.replace(tiny, policy=policy, run=run, max_new_tokens=args.max_new_tokens)
            results.append(measure("lora-0.5b", lora))
    record = {"command": "benchmarks/rrhf_step.py " + " ".join(f"--{k}={v}" for k, v in vars(args).items()),
              "results": results}  # fmt: skip
    RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
