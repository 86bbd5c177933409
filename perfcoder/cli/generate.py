"""`perfcoder generate`: sample a model on HumanEval-format tasks and write `{task_id, completion}` rows
for `perfcoder evaluate --tasks ... --samples ...`; `--strategy alphacode` writes only the selected
submissions, `--strategy cert` the generator's completions with their sketch. Rows are appended task by
task, so an interrupted run resumes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, cast

import typer

from perfcoder.cli import model_options as mo
from perfcoder.cli import options as opt
from perfcoder.cli.render import progress_bar, stdout
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.jobs import generate as jobs
from perfcoder.jobs.generate import GenerateConfig
from perfcoder.settings import default_of, run_record
from perfcoder.strategies.completion import PromptMode


@opt.with_execution_options
@mo.with_model_options(default_of(GenerateConfig, "sampling"))
def generate(
    tasks: Annotated[str, typer.Argument(help="HumanEval/MBPP-format jsonl(.gz), URL, or 'humaneval'.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Samples jsonl (appended; reruns resume).")],
    n: Annotated[int, opt.documented(GenerateConfig, "n", "-n")] = GenerateConfig.n,
    strategy: Annotated[
        str, opt.documented(GenerateConfig, "strategy", "--strategy", "-s")
    ] = GenerateConfig.strategy,
    submissions: Annotated[
        int, opt.documented(GenerateConfig, "submissions", "--submissions")
    ] = GenerateConfig.submissions,
    sketches: Annotated[
        int, opt.documented(GenerateConfig, "sketches", "--sketches")
    ] = GenerateConfig.sketches,
    sketch_mode: Annotated[
        str, opt.documented(GenerateConfig, "sketch_mode", "--sketch-mode")
    ] = GenerateConfig.sketch_mode,
    generator: Annotated[
        str, opt.documented(GenerateConfig, "generator", "--generator")
    ] = GenerateConfig.generator,
    limit: Annotated[int, opt.documented(GenerateConfig, "limit", "--limit")] = GenerateConfig.limit,
    prompt: Annotated[str, opt.documented(GenerateConfig, "prompt", "--prompt")] = GenerateConfig.prompt,
    as_json: opt.JsonOption = False,
    models: mo.ModelOptions = mo.DEFAULT_MODEL_OPTIONS,
    settings: ExecutionConfig = opt.DEFAULT_SETTINGS,
) -> None:
    """Sample N completions per task (greedy with --temperature 0); alphacode filters and clusters them;
    cert fills in the most common sketch with the generator."""
    config = GenerateConfig(
        n=n,
        strategy=strategy,
        submissions=submissions,
        sketches=sketches,
        sketch_mode=sketch_mode,
        generator=generator,
        limit=limit,
        prompt=cast(PromptMode, prompt),
        sampling=models.sampling(),
        execution=settings,
        engine=models.config(settings.cache_dir),
    )
    run_config = run_record(config, tasks=tasks, output=output)
    output.with_name(output.name + ".config.json").write_text(json.dumps(run_config, indent=2) + "\n")
    with progress_bar(None, f"sampling ({strategy})", not as_json) as advance:
        run = jobs.generate(tasks, output, model=config.engine.model, config=config, on_task=advance)
    summary = run.to_dict()
    print(json.dumps(summary)) if as_json else stdout.print(summary)
