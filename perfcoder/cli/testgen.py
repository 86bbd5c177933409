"""`perfcoder tests generate`: grow a problem's tests (or every problem of a pairs file) from its sample
inputs and/or an input generator, with outputs vouched for by all accepted reference programs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from perfcoder.cli import options as opt
from perfcoder.cli.evaluate import PairsOption, StatementsOption, TestsRootOption
from perfcoder.cli.render import progress_bar, stdout
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.jobs import testgen as jobs
from perfcoder.jobs.testgen import TestsConfig, TestsRun
from perfcoder.verify.grown_tests import TestGenConfig

tests_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Test suites: generate.")

ReferenceOption = Annotated[
    list[Path] | None, typer.Option("--reference", "-r", help="A correct program (repeat for more).")
]
GeneratorOption = Annotated[
    Path | None, typer.Option("--generator", help="Program that reads a seed and prints one test input.")
]
ScalesOption = Annotated[str, opt.documented(TestGenConfig, "scales", "--scales")]
DEFAULT_SCALES = ",".join(f"{scale:g}" for scale in TestGenConfig.scales)


@tests_app.command()
@opt.with_execution_options
def generate(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Directory for the tests (a root with --pairs).")
    ],
    tests: Annotated[Path | None, typer.Option("--tests", "-t", help="The problem's sample tests.")] = None,
    reference: ReferenceOption = None,
    pairs: PairsOption = None,
    tests_root: TestsRootOption = None,
    statements: StatementsOption = None,
    generator: GeneratorOption = None,
    validator: opt.ValidatorOption = None,
    count: Annotated[int, opt.documented(TestGenConfig, "count", "--count", "-n")] = TestGenConfig.count,
    scales: ScalesOption = DEFAULT_SCALES,
    seed: Annotated[int, opt.documented(TestGenConfig, "seed", "--seed")] = TestGenConfig.seed,
    mutate: Annotated[
        bool, opt.documented(TestGenConfig, "mutate", "--mutate/--no-mutate")
    ] = TestGenConfig.mutate,
    language: opt.LanguageOption = None,
    as_json: opt.JsonOption = False,
    settings: ExecutionConfig = opt.DEFAULT_SETTINGS,
) -> None:
    """New tests (samples first, then generated) whose outputs all accepted references agree on."""
    gen_config = TestGenConfig(count, _scales(scales), seed=seed, mutate=mutate)
    if (pairs is None) == (tests is None):
        raise typer.BadParameter(
            "give either --tests with --reference, or --pairs", param_hint="--tests/--pairs"
        )
    if tests is not None and not reference:
        raise typer.BadParameter("give at least one --reference program", param_hint="--reference")
    with progress_bar(None, "generating tests", not as_json) as advance:
        run = jobs.generate_tests(
            output, tests=tests, references=reference or [], pairs=pairs, tests_root=tests_root,
            statements=statements, generator=generator, validator=validator, language=language,
            config=TestsConfig(gen_config, settings), on_problem=advance,
        )  # fmt: skip
    _show(run, as_json)


def _scales(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a comma-separated list of numbers", param_hint="--scales"
        ) from None
    if not values or min(values) <= 0:
        raise typer.BadParameter("scales must be positive", param_hint="--scales")
    return values


def _show(run: TestsRun, as_json: bool) -> None:
    rows, kept, dropped = run.problems, run.kept, run.dropped
    if as_json:
        print(json.dumps({"problems": rows, "kept": kept, "dropped": dropped}))
        return
    table = Table("problem", "references", "kept", "dropped", "note")
    for row in rows:
        table.add_row(
            row["problem"], str(row["references"]), str(row["kept"]), str(row["dropped"]), row["note"]
        )
    stdout.print(table)
    stdout.print(f"{kept} tests kept, {dropped} dropped over {len(rows)} problems")
