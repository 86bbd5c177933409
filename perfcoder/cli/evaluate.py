"""`perfcoder evaluate`: optimization predictions against PIE-style pairs (%OPT, SPEEDUP, %Correct, RTR),
or code-generation samples against HumanEval-style tasks (pass@k); a report directory on request."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from perfcoder.cli import options as opt
from perfcoder.cli.render import progress_bar, stderr, stdout
from perfcoder.data.codegen import load_tasks, tasks_path
from perfcoder.data.differential import DifferentialConfig
from perfcoder.data.pairs import load_pairs
from perfcoder.data.remote import resolve
from perfcoder.data.rows import Loaded
from perfcoder.data.sources import TestSources
from perfcoder.environment import Environment
from perfcoder.errors import PerfcoderError
from perfcoder.evaluation.codegen import canonical_samples, evaluate_samples
from perfcoder.evaluation.optimization import evaluate_pairs
from perfcoder.evaluation.predictions import load_predictions, load_samples
from perfcoder.execution.engine import ExecutionConfig, Executor
from perfcoder.execution.languages import language_named
from perfcoder.measure.models import DEFAULT_REPEATS, cost_model
from perfcoder.report.documents import Report, codegen_report, pairs_report, write_report

SHOWN_PROBLEMS = 20  # skipped rows listed on the terminal; all of them go to --report and --json

PairsOption = Annotated[
    str | None, typer.Option("--pairs", help="PIE jsonl(.gz) of pairs: a path, URL or hf://datasets/...")
]
PredictionsOption = Annotated[
    Path | None, typer.Option("--predictions", help="jsonl rows {id, generated_answers} (default: none)")
]
TestsRootOption = Annotated[
    Path | None, typer.Option("--tests-root", help="Tests as DIR/{problem_id}/input.N.txt, output.N.txt.")
]
StatementsOption = Annotated[
    Path | None, typer.Option("--statements", help="CodeNet statements DIR/{problem_id}.html (samples).")
]
TasksOption = Annotated[
    str | None, typer.Option("--tasks", help="HumanEval/MBPP-format jsonl(.gz), URL, or 'humaneval'.")
]
SamplesOption = Annotated[
    Path | None, typer.Option("--samples", help="jsonl rows {task_id, completion} (default: canonical).")
]
ReportOption = Annotated[
    Path | None, typer.Option("--report", help="Write config, results, report.md and report.html here.")
]
DifferentialOption = Annotated[
    bool,
    typer.Option(
        "--differential",
        help="Also check fast programs and predictions against each slow program on generated inputs.",
    ),
]
KOption = Annotated[int | None, typer.Option("-k", help="Best@k: the first k answers of each prediction.")]


@opt.with_execution_options
def evaluate(
    pairs: PairsOption = None,
    predictions: PredictionsOption = None,
    tests_root: TestsRootOption = None,
    statements: StatementsOption = None,
    tasks: TasksOption = None,
    samples: SamplesOption = None,
    k: KOption = None,
    cost: opt.CostOption = "cycles",
    language: opt.LanguageOption = None,
    as_json: opt.JsonOption = False,
    report: ReportOption = None,
    differential: DifferentialOption = False,
    repeats: opt.RepeatsOption = DEFAULT_REPEATS,
    settings: ExecutionConfig = opt.DEFAULT_SETTINGS,
) -> None:
    """Score a model: --pairs [--predictions] for optimization, --tasks [--samples] for code generation.
    Without predictions or samples, the dataset's own fast programs or solutions are scored."""
    options = dict(locals())
    if (pairs is None) == (tasks is None):
        raise typer.BadParameter("give either --pairs or --tasks", param_hint="--pairs/--tasks")
    if k is not None and k < 1:
        raise typer.BadParameter("k must be at least 1", param_hint="-k")
    if pairs is not None:
        summary, records, document = _evaluate_pairs(pairs, settings, options)
    else:
        assert tasks is not None
        summary, records, document = _evaluate_tasks(tasks, samples, settings, not as_json)
    if report is not None:
        run_config = opt.run_record(options)
        write_report(report, document, run_config, summary, records)
    if as_json:
        print(json.dumps(summary))
    else:
        _print(document, summary, report)


def _evaluate_pairs(
    spec: str, settings: ExecutionConfig, options: Mapping[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]], Report]:
    path = resolve(spec, settings.cache_dir)
    loaded = load_pairs(path, options["language"])
    predicted = None
    if options["predictions"] is not None:
        found = load_predictions(options["predictions"], {pair.id for pair in loaded.items})
        predicted = _merge(loaded, found).items
    sources = TestSources(options["tests_root"], options["statements"])
    model = cost_model(options["cost"] or "cycles")

    def environment(language: str) -> Environment:
        return Environment(language_named(language), model, settings, repeats=options["repeats"])

    with progress_bar(len(loaded.items), f"evaluating ({model.name})", not options["as_json"]) as advance:
        checks = DifferentialConfig() if options["differential"] else None
        evaluation = evaluate_pairs(
            loaded.items, predicted, sources, environment, options["k"], advance, path.name, checks
        )
    evaluation.skipped[:0] = loaded.skipped
    evaluation.warnings[:0] = loaded.warnings
    records = [record.to_dict() for record in evaluation.records]
    return evaluation.summary(), records, pairs_report(evaluation)


def _evaluate_tasks(
    spec: str, samples_path: Path | None, settings: ExecutionConfig, show: bool
) -> tuple[dict[str, Any], list[dict[str, Any]], Report]:
    path = tasks_path(spec)
    loaded = load_tasks(resolve(path, settings.cache_dir))
    if samples_path is None:
        samples, scored = canonical_samples(loaded.items), "canonical"
    else:
        found = load_samples(samples_path, {task.task_id for task in loaded.items})
        samples, scored = _merge(loaded, found).items, "samples"
    if not samples:
        raise PerfcoderError("nothing to evaluate: no samples match a task")
    executor = Executor(settings)
    try:
        with progress_bar(len(set(samples)), "running samples", show) as advance:
            evaluation = evaluate_samples(loaded.items, samples, executor, advance)
    finally:
        executor.close()
    evaluation = dataclasses.replace(
        evaluation,
        scored=scored,
        skipped=[*loaded.skipped, *evaluation.skipped],
        warnings=[*loaded.warnings, *evaluation.warnings],
    )
    records = [dataclasses.asdict(record) for record in evaluation.records]
    return evaluation.summary(), records, codegen_report(evaluation)


def _merge(base: Loaded[Any], extra: Loaded[Any]) -> Loaded[Any]:
    """The extra file's items, with every skipped row and warning of both files counted in `base`."""
    base.skipped += extra.skipped
    base.warnings += extra.warnings
    return extra


def _print(document: Report, summary: Mapping[str, Any], report: Path | None) -> None:
    for table in document.tables:
        shown = Table(*table.headers)
        for row in table.rows:
            shown.add_row(*row)
        stdout.print(shown)
    rows: Sequence[str] = summary["skipped_rows"]
    for line in [*summary["warnings"], *rows[:SHOWN_PROBLEMS]]:
        stderr.print(f"[yellow]{escape(line)}[/]", highlight=False, soft_wrap=True)
    if len(rows) > SHOWN_PROBLEMS:
        stderr.print(
            f"[yellow]... and {len(rows) - SHOWN_PROBLEMS} more skipped rows (see --json or --report)[/]"
        )
    line = f"{summary['n']} evaluated, {summary['skipped']} skipped, {summary['wall_s']:.1f} s"
    stdout.print(line + (f"; report in {report}" if report else ""))
