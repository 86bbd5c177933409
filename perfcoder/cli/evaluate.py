"""`perfcoder evaluate`: optimization predictions against PIE-style pairs (%OPT, SPEEDUP, %Correct, RTR),
or code-generation samples against HumanEval-style tasks (pass@k); a report directory on request."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from perfcoder.cli import options as opt
from perfcoder.cli.render import progress_bar, stderr, stdout
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.jobs import evaluate as jobs
from perfcoder.jobs.evaluate import EvaluateConfig
from perfcoder.report.documents import Report, write_report
from perfcoder.settings import run_record
from perfcoder.verify.differential import DifferentialConfig

SHOWN_PROBLEMS = 20  # skipped rows listed on the terminal; all of them go to --report and --json

PairsOption = Annotated[
    str | None, typer.Option("--pairs", help="PIE jsonl(.gz) of pairs: a path, URL or hf://datasets/...")
]
PredictionsOption = Annotated[
    Path | None, typer.Option("--predictions", help="jsonl rows {id, generated_answers} (default: none)")
]
BaselineOption = Annotated[
    Path | None,
    typer.Option(
        "--baseline",
        help="A second predictions file, scored the same way and compared with --predictions pair by pair.",
    ),
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
KOption = Annotated[int | None, opt.documented(EvaluateConfig, "k", "-k")]


@opt.with_execution_options
def evaluate(
    pairs: PairsOption = None,
    predictions: PredictionsOption = None,
    baseline: BaselineOption = None,
    tests_root: TestsRootOption = None,
    statements: StatementsOption = None,
    tasks: TasksOption = None,
    samples: SamplesOption = None,
    k: KOption = None,
    cost: opt.CostOption = EvaluateConfig.cost,
    language: opt.LanguageOption = None,
    as_json: opt.JsonOption = False,
    report: ReportOption = None,
    differential: DifferentialOption = False,
    validator: opt.ValidatorOption = None,
    repeats: opt.RepeatsOption = EvaluateConfig.repeats,
    settings: ExecutionConfig = opt.DEFAULT_SETTINGS,
) -> None:
    """Score a model: --pairs [--predictions [--baseline]] for optimization, --tasks [--samples] for code
    generation. Without predictions or samples, the dataset's own fast programs or solutions are scored."""
    if (pairs is None) == (tasks is None):
        raise typer.BadParameter("give either --pairs or --tasks", param_hint="--pairs/--tasks")
    if k is not None and k < 1:
        raise typer.BadParameter("k must be at least 1", param_hint="-k")
    opt.check_validator_use(validator, differential)
    config = EvaluateConfig(
        k=k,
        cost=cost or EvaluateConfig.cost,
        repeats=repeats,
        differential=DifferentialConfig(validator=validator) if differential else None,
        execution=settings,
    )
    what = f"evaluating ({config.cost})" if pairs is not None else "running samples"
    with progress_bar(None, what, not as_json) as advance:
        outcome = jobs.evaluate(
            pairs=pairs, predictions=predictions, tests_root=tests_root, statements=statements, tasks=tasks,
            samples=samples, language=language, baseline=baseline, config=config, on_item=advance,
        )  # fmt: skip
    if report is not None:
        inputs = {"pairs": pairs, "predictions": predictions, "baseline": baseline}
        record = run_record(config, **inputs, tasks=tasks, samples=samples)
        write_report(report, outcome.report, record, outcome.summary, outcome.records)
    if as_json:
        print(json.dumps(outcome.summary))
    else:
        _print(outcome.report, outcome.summary, report)


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
