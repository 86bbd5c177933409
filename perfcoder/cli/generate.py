"""`perfcoder generate`: sample a model on HumanEval-format tasks and write `{task_id, completion}` rows
for `perfcoder evaluate --tasks ... --samples ...`; `--strategy alphacode` writes only the selected
submissions. Rows are appended task by task, so an interrupted run resumes."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any, cast

import typer

from perfcoder.cli import model_options as mo
from perfcoder.cli import options as opt
from perfcoder.cli.render import progress_bar, stdout
from perfcoder.data.codegen import load_tasks, tasks_path
from perfcoder.data.remote import resolve
from perfcoder.data.rows import read_jsonl
from perfcoder.execution.engine import ExecutionConfig, Executor
from perfcoder.models.registry import load_backend
from perfcoder.strategies.codegen import MAX_SUBMISSIONS, PromptMode, alphacode_select, sample_task

GENERATE_STRATEGIES = ("direct", "alphacode")


@opt.with_execution_options
@mo.with_model_options(temperature=0.8, max_tokens=512)
def generate(
    tasks: Annotated[str, typer.Argument(help="HumanEval/MBPP-format jsonl(.gz), URL, or 'humaneval'.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Samples jsonl (appended; reruns resume).")],
    n: Annotated[int, typer.Option("-n", help="Samples per task.")] = 1,
    strategy: Annotated[str, typer.Option("--strategy", "-s", help="direct or alphacode.")] = "direct",
    submissions: Annotated[
        int, typer.Option("--submissions", help="alphacode: kept per task.")
    ] = MAX_SUBMISSIONS,
    limit: Annotated[int, typer.Option("--limit", help="Only the first N tasks (0: all).")] = 0,
    prompt: Annotated[
        str, typer.Option("--prompt", help="auto (chat for instruct models), chat or completion.")
    ] = "auto",
    as_json: opt.JsonOption = False,
    models: mo.ModelOptions = mo.DEFAULT_MODEL_OPTIONS,
    settings: ExecutionConfig = opt.DEFAULT_SETTINGS,
) -> None:
    """Sample N completions per task (greedy with --temperature 0); alphacode filters and clusters them."""
    options = dict(locals())
    if strategy not in GENERATE_STRATEGIES:
        raise typer.BadParameter(f"one of {', '.join(GENERATE_STRATEGIES)}", param_hint="--strategy")
    if prompt not in ("auto", "chat", "completion"):
        raise typer.BadParameter("one of auto, chat, completion", param_hint="--prompt")
    mode = cast(PromptMode, prompt)
    if n < 1 or submissions < 1:
        raise typer.BadParameter("-n and --submissions must be at least 1")
    params = models.sampling()
    params = params.with_n(n if params.temperature > 0 else 1, params.seed)
    loaded = load_tasks(resolve(tasks_path(tasks), settings.cache_dir))
    chosen = loaded.items[:limit] if limit else loaded.items
    done = (
        {str(r.get("task_id")) for _, r in read_jsonl(output) if isinstance(r, dict)}
        if output.exists()
        else set()
    )
    todo = [task for task in chosen if task.task_id not in done]
    run_config = opt.run_record(options)
    output.with_name(output.name + ".config.json").write_text(json.dumps(run_config, indent=2) + "\n")
    backend = load_backend(models.config(settings.cache_dir))
    executor = Executor(settings)
    started, written = time.monotonic(), 0
    try:
        with (
            progress_bar(len(todo), f"sampling ({strategy})", not as_json) as advance,
            output.open("a") as sink,
        ):
            for task in todo:
                completions = sample_task(task, backend, params, mode)
                if strategy == "alphacode":
                    completions = alphacode_select(task, completions, executor, submissions)
                for rank, completion in enumerate(completions):
                    row = {
                        "task_id": task.task_id,
                        "completion": completion,
                        "strategy": strategy,
                        "rank": rank,
                    }
                    sink.write(json.dumps(row) + "\n")
                    written += 1
                sink.flush()
                advance()
    finally:
        backend.close()
        executor.close()
    summary: dict[str, Any] = {
        "tasks": len(chosen),
        "resumed": len(chosen) - len(todo),
        "samples_written": written,
        "skipped": len(loaded.skipped),
        "skipped_rows": [str(row) for row in loaded.skipped],
        "output": str(output),
        "wall_s": round(time.monotonic() - started, 1),
    }
    print(json.dumps(summary)) if as_json else stdout.print(summary)
