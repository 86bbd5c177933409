"""Self-play on a real sandbox and cost model, with scripted models standing in for the writer and the
optimizer: every written program's fate follows from what it really prints, and only a verified pair
at least `threshold` times faster becomes training data."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from perfcoder.data.pairs import load_pairs
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.jobs.optimize import OptimizeConfig
from perfcoder.jobs.selfplay import SelfPlayConfig, load_selfplay_config, selfplay
from perfcoder.models.base import SamplingParams
from perfcoder.training.examples import TrainingData, load_examples
from perfcoder.verify.differential import DifferentialConfig
from tests.support.files import write_rows
from tests.support.models import ScriptedModel, fenced
from tests.support.paths import EXAMPLES

SEED = "n = int(input())\nprint(sum(range(n + 1)))\n"
INPUTS = ["600000\n", "1000\n", "7\n"]
SQUARES_LOOP = "n = int(input())\ns = 0\nfor i in range(n + 1):\n    s += i * i\nprint(s)\n"
SQUARES_LOOP_AGAIN = (
    "n = int(input())\ntotal = 0\nfor k in range(1, n + 1):\n    total += k * k\nprint(total)\n"
)
SAME_AS_SEED = "n = int(input())\nprint(n * (n + 1) // 2)\n"
CONSTANT = "input()\nprint(42)\n"
CRASHES = "print(1 / 0)\n"
SQUARES_FORMULA = "n = int(input())\nprint(n * (n + 1) * (2 * n + 1) // 6)\n"
SQUARES_WRONG = "n = int(input())\nprint(n ** 3 // 3)\n"
WRITTEN = [SQUARES_LOOP, SQUARES_LOOP_AGAIN, SAME_AS_SEED, CONSTANT, CRASHES]


def seeds(tmp_path: Path) -> Path:
    tests = [{"input": data, "output": f"{sum(range(int(data) + 1))}\n"} for data in INPUTS]
    row = {"id": "sum", "problem_id": "sum", "language": "python", "input": SEED, "test_cases": tests}
    return write_rows(tmp_path / "seeds.jsonl", [row])


def config(tmp_path: Path, cache: Path) -> SelfPlayConfig:
    optimize = OptimizeConfig(
        k=2,
        cost="instructions",
        sampling=SamplingParams(temperature=0.7),
        differential=DifferentialConfig(max_steps=3),  # ladders stop at 8x the given sizes: quick
        execution=ExecutionConfig(cache_dir=cache),
    )
    return SelfPlayConfig(
        seeds=str(seeds(tmp_path)),
        programs=len(WRITTEN),
        duplicates=1,
        optimize=optimize,
        output_dir=tmp_path / "sp",
    )


def models() -> tuple[ScriptedModel, ScriptedModel]:
    writer = ScriptedModel([[fenced(code, "python") for code in WRITTEN]])
    optimizer = ScriptedModel([[fenced(SQUARES_FORMULA, "python"), fenced(SQUARES_WRONG, "python")]])
    return writer, optimizer


def test_selfplay_keeps_only_a_new_verified_and_much_faster_pair(private_cache: Path, tmp_path: Path) -> None:
    settings = config(tmp_path, private_cache)
    writer, optimizer = models()
    run = selfplay(settings, writer=writer, optimizer=optimizer)
    assert run.fates == {"kept": 1, "duplicate": 1, "same as seed": 1, "constant": 1, "failed": 1}
    assert len(optimizer.seen) == 1 and SQUARES_LOOP in optimizer.seen[0][-1]["content"]  # only the new task
    (program,) = [
        p
        for p in json.loads((settings.output_dir / "seeds.jsonl").read_text())["programs"]
        if p["fate"] == "kept"
    ]
    assert program["code"] == SQUARES_LOOP and program["speedup"] >= settings.threshold

    pairs = load_pairs(settings.output_dir / "pairs.jsonl")
    assert not pairs.skipped and not pairs.warnings
    (pair,) = pairs.items
    assert (pair.slow, pair.fast) == (SQUARES_LOOP, SQUARES_FORMULA)
    assert pair.tests is not None and len(pair.tests) > len(INPUTS)  # the seed's inputs + generated ones
    expected = {t.input: t.output for t in pair.tests}
    assert expected[b"1000\n"] == f"{sum(i * i for i in range(1001))}\n".encode()  # the new program's answers

    # the candidates file holds the rejected candidate too, and trains value conditioning as it is
    examples = load_examples(TrainingData(pairs=str(settings.output_dir / "candidates.jsonl"), valued=True))
    assert sorted((e.fast, e.correct) for e in examples) == sorted(
        [(SQUARES_FORMULA, True), (SQUARES_WRONG, False)]
    )
    written = load_selfplay_config(settings.output_dir / "config.yaml")
    assert written == settings  # the run's config, as written


def test_a_rerun_resumes_and_a_threshold_out_of_reach_keeps_nothing(
    private_cache: Path, tmp_path: Path
) -> None:
    settings = config(tmp_path, private_cache)
    writer, optimizer = models()
    selfplay(settings, writer=writer, optimizer=optimizer)
    again = selfplay(settings, writer=ScriptedModel([]), optimizer=ScriptedModel([]))  # nothing sampled
    assert again.resumed == 1 and again.pairs == 1

    strict = dataclasses.replace(settings, threshold=1000.0, output_dir=tmp_path / "strict")
    writer, optimizer = models()
    run = selfplay(strict, writer=writer, optimizer=optimizer)  # samples and verdicts come from the caches
    assert run.pairs == 0 and run.fates["optimized"] == 1 and run.candidates == 2


def test_settings_that_make_no_sense_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PerfcoderError, match="threshold is a speedup"):
        SelfPlayConfig(seeds="x", threshold=0.5)
    with pytest.raises(PerfcoderError, match="needs `seeds:`"):
        selfplay(SelfPlayConfig(output_dir=tmp_path), writer=ScriptedModel([]), optimizer=ScriptedModel([]))


def test_the_shipped_config_loads() -> None:
    loaded = load_selfplay_config(EXAMPLES / "configs" / "selfplay-tiny.yaml")
    assert loaded.seeds.endswith(".jsonl") and loaded.threshold >= 1.0


def test_a_seed_with_nothing_to_play_on_is_skipped_with_its_reason(
    private_cache: Path, tmp_path: Path
) -> None:
    rows = [
        {
            "id": "crash",
            "problem_id": "crash",
            "language": "python",
            "input": CRASHES,
            "test_cases": [{"input": "1\n", "output": "1\n"}],
        },
        {"id": "untested", "problem_id": "untested", "language": "python", "input": SEED},
    ]
    settings = dataclasses.replace(
        config(tmp_path, private_cache), seeds=str(write_rows(tmp_path / "bad.jsonl", rows)), programs=1
    )
    writer = ScriptedModel([])
    run = selfplay(settings, writer=writer, optimizer=ScriptedModel([]))
    assert run.pairs == 0 and len(run.skipped) == 2 and not writer.seen  # the model is not even asked
    assert (
        run.skipped[0].startswith("crash: seed crash: its own program fails") and "no tests" in run.skipped[1]
    )
