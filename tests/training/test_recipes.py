"""`perfcoder train` end to end on the shipped tiny configs: real candidates, judged in the sandbox,
finite losses, checkpoints that resume, and a final model that `TransformersBackend` loads and samples."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import perfcoder
from perfcoder.data.corpus import SEGMENTATION
from perfcoder.errors import PerfcoderError
from perfcoder.training.recipes import RECIPES, load_recipe
from perfcoder.training.rrhf import RrhfConfig
from tests.support.commands import run_cli
from tests.support.paths import EXAMPLES

pytest.importorskip("trl")
CONFIGS = EXAMPLES / "configs"


def metrics(run: Path) -> list[dict[str, float]]:
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


def train(config: str, out: Path, steps: int, cache: Path, recipe: str | None = None) -> dict[str, object]:
    args = ["--config", CONFIGS / f"{config}-tiny.yaml", "--output-dir", out, "--steps", str(steps), "--json"]
    done = run_cli("train", recipe or config, *args, cache=cache)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def generates(model: Path) -> bool:
    from perfcoder.models.base import SamplingParams
    from perfcoder.models.transformers_backend import TransformersBackend

    backend = TransformersBackend(model)
    samples = backend.chat([{"role": "user", "content": "hi"}], SamplingParams(n=1, max_tokens=4))
    return len(samples) == 1 and samples[0].completion_tokens > 0


SHIPPED = {"sft": "sft", "rrhf": "rrhf", "grpo": "grpo", "clm-sketcher": "clm", "clm-generator": "clm"}


@pytest.mark.parametrize("name", list(SHIPPED))
def test_the_shipped_tiny_configs_load(name: str) -> None:
    recipe = SHIPPED[name]
    assert set(SHIPPED.values()) == set(RECIPES)  # every recipe has a shipped tiny config
    config = load_recipe(CONFIGS / f"{name}-tiny.yaml", recipe)
    assert isinstance(config, RECIPES[recipe][0]) and config.policy.model.startswith("tiny:")


def test_a_config_with_an_unknown_key_or_the_wrong_recipe_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("recipe: rrhf\nrun:\n  stpes: 3\n")
    with pytest.raises(PerfcoderError, match=r"unknown keys \['stpes'\]"):
        load_recipe(bad, "rrhf")
    with pytest.raises(PerfcoderError, match="is a 'rrhf' config, not 'sft'"):
        load_recipe(bad, "sft")
    assert load_recipe(CONFIGS / "rrhf-tiny.yaml", "rrhf").run.steps == 3  # type: ignore[union-attr]
    assert isinstance(load_recipe(CONFIGS / "rrhf-tiny.yaml", "rrhf"), RrhfConfig)


@pytest.mark.slow  # a whole end-to-end run: make test-all
def test_rrhf_tiny_runs_resumes_and_leaves_a_model_that_generates(
    private_cache: Path, tmp_path: Path
) -> None:
    out = tmp_path / "rrhf"
    summary = train("rrhf", out, 2, private_cache)
    rows = metrics(out)
    assert [r["step"] for r in rows] == [1, 2]
    assert all(math.isfinite(r["rank_loss"]) and math.isfinite(r["tuning_loss"]) for r in rows)
    assert all(r["target_accepted"] == 1.0 for r in rows)  # the dataset's fast program, judged for real
    assert all(0.0 <= r["pass_rate"] <= r["compile_rate"] <= 1.0 for r in rows)
    assert (out / "checkpoint-2" / "optimizer.pt").is_file() and (out / "config.yaml").is_file()
    train("rrhf", out, 3, private_cache)  # resumes after step 2: one more step
    assert [r["step"] for r in metrics(out)] == [1, 2, 3]
    assert generates(Path(str(summary["model"])))


@pytest.mark.slow  # a whole end-to-end run: make test-all
def test_sft_tiny_conditioned(private_cache: Path, tmp_path: Path) -> None:
    out = tmp_path / "sft"
    summary = train("sft", out, 2, private_cache)
    rows = metrics(out)
    assert len(rows) == 2 and all(math.isfinite(r["loss"]) for r in rows)
    trained_on = [json.loads(line) for line in (out / "examples.jsonl").read_text().splitlines()]
    assert trained_on and all("/10" in row["prompt"][-1]["content"] for row in trained_on)  # score tags
    assert generates(Path(str(summary["model"])))


@pytest.mark.slow  # a whole end-to-end run: make test-all (sft-alphacode below runs `perfcoder train`)
def test_grpo_tiny(private_cache: Path, tmp_path: Path) -> None:
    out = tmp_path / "grpo"
    summary = train("grpo", out, 1, private_cache)
    (row,) = metrics(out)
    assert math.isfinite(row["loss"]) and "rewards/perfrl_reward/mean" in row
    assert generates(Path(str(summary["model"])))


def test_sft_with_alphacode_choices_trains_on_the_gold_objective(private_cache: Path, tmp_path: Path) -> None:
    out = tmp_path / "alphacode"
    summary = train("sft-alphacode", out, 1, private_cache, recipe="sft")
    (row,) = metrics(out)
    vocabulary = json.loads((Path(str(summary["model"])) / "config.json").read_text())["vocab_size"]
    # a random tiny model is near uniform: p ~ 1/V, so every token weighs beta = 0.05 under GOLD
    # (plain cross-entropy would be ~log V)
    assert row["loss"] == pytest.approx(0.05 * math.log(vocabulary), rel=0.2)
    trained_on = [json.loads(line) for line in (out / "examples.jsonl").read_text().splitlines()]
    assert trained_on and all(r["prompt"][-1]["content"].endswith("CORRECT SOLUTION:") for r in trained_on)
    written = (out / "config.yaml").read_text()
    assert "tempering: 0.2" in written and "gold: true" in written


@pytest.mark.slow  # a whole end-to-end run: make test-all
def test_cert_sketcher_and_generator_pretrain_on_their_corpora_then_generate(
    private_cache: Path, tmp_path: Path
) -> None:
    sketcher, generator = tmp_path / "sketcher", tmp_path / "generator"
    models = [Path(str(train(f"clm-{role}", tmp_path / role, 2, private_cache, "clm")["model"])) for role in
              ("sketcher", "generator")]  # fmt: skip
    for run in (sketcher, generator):
        assert [r["step"] for r in metrics(run)] == [1, 2] and all(
            math.isfinite(r["loss"]) for r in metrics(run)
        )
    sketches = [json.loads(line)["text"] for line in (sketcher / "corpus.jsonl").read_text().splitlines()]
    assert len(sketches) == 5  # the shipped scripts that import pandas, not plain_script.py
    assert all("number" in text or "string" in text for text in sketches)
    assert not any("sales.csv" in text or "Helsinki" in text for text in sketches)  # the user's constants
    blocks = [json.loads(line)["text"] for line in (generator / "corpus.jsonl").read_text().splitlines()]
    assert all(SEGMENTATION in text for text in blocks) and any('"sales.csv"' in text for text in blocks)
    tasks = EXAMPLES / "cert" / "tasks.jsonl"
    out = tmp_path / "samples.jsonl"
    roles = ["--model", models[0], "--generator", models[1]]
    done = run_cli("generate", tasks, "-o", out, "-s", "cert", *roles, "-n", "2", "--sketches", "3",
                   "--max-tokens", "16", "--json", cache=private_cache)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["task_id"] for r in rows} == {"Corpus/0", "Corpus/1"} and all(r["sketches"] == 3 for r in rows)


def test_the_library_train_refuses_an_unknown_recipe_or_run_setting_before_training() -> None:
    with pytest.raises(PerfcoderError, match="unknown recipe 'ppo'"):
        perfcoder.train("ppo")
    with pytest.raises(PerfcoderError, match=r"unknown run settings \['stpes'\]"):
        perfcoder.train("rrhf", CONFIGS / "rrhf-tiny.yaml", stpes=3)
