"""`perfcoder tests generate`: grow a problem's tests (or every problem of a pairs file) from its sample
inputs and/or an input generator, with outputs vouched for by all accepted reference programs."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from perfcoder.cli import options as opt
from perfcoder.cli.evaluate import PairsOption, StatementsOption, TestsRootOption
from perfcoder.cli.render import progress_bar, stdout
from perfcoder.data.pairs import load_pairs
from perfcoder.data.remote import resolve
from perfcoder.data.sources import TestSources
from perfcoder.data.testgen import TestGenConfig, accepted_references, generate_tests
from perfcoder.data.testsuite import load_tests, write_tests
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig, Executor, Program
from perfcoder.execution.languages import Language, language_named, language_of
from perfcoder.execution.source import read_source
from perfcoder.execution.testcase import TestCase

tests_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Test suites: generate.")

ReferenceOption = Annotated[
    list[Path] | None, typer.Option("--reference", "-r", help="A correct program (repeat for more).")
]
GeneratorOption = Annotated[
    Path | None, typer.Option("--generator", help="Program that reads a seed and prints one test input.")
]
ScalesOption = Annotated[str, typer.Option("--scales", help="Size multipliers for mutated inputs, in turn.")]


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
    count: Annotated[int, typer.Option("--count", "-n", help="New inputs to try per problem.")] = 10,
    scales: ScalesOption = "1,4,16,64",
    seed: Annotated[int, typer.Option("--seed")] = 0,
    no_mutate: Annotated[bool, typer.Option("--no-mutate", help="Only the generator makes inputs.")] = False,
    language: opt.LanguageOption = None,
    as_json: opt.JsonOption = False,
    settings: ExecutionConfig = opt.DEFAULT_SETTINGS,
) -> None:
    """New tests (samples first, then generated) whose outputs all accepted references agree on."""
    gen_config = TestGenConfig(count, _scales(scales), seed=seed, mutate=not no_mutate)
    if (pairs is None) == (tests is None):
        raise typer.BadParameter(
            "give either --tests with --reference, or --pairs", param_hint="--tests/--pairs"
        )
    executor = Executor(settings)
    try:
        if pairs is not None:
            problems = _problems_of(pairs, language, TestSources(tests_root, statements), settings.cache_dir)
        else:
            assert tests is not None
            problems = {output.name: _problem_from_files(tests, reference or [], language)}
        rows = []
        with progress_bar(len(problems), "generating tests", not as_json) as advance:
            for problem_id, (programs, samples) in problems.items():
                target = output / problem_id if pairs is not None else output
                rows.append(
                    _one_problem(executor, problem_id, programs, samples, gen_config, generator, target)
                )
                advance()
    finally:
        executor.close()
    _show(rows, as_json)


def _one_problem(
    executor: Executor,
    problem_id: str,
    programs: list[Program],
    samples: list[TestCase] | str,
    config: TestGenConfig,
    generator: Path | None,
    target: Path,
) -> dict[str, Any]:
    row: dict[str, Any] = {"problem": problem_id, "references": 0, "kept": 0, "dropped": 0, "note": ""}
    if isinstance(samples, str):
        return {**row, "note": samples}
    references = accepted_references(executor, programs, samples)
    row["references"] = len(references)
    if not references:
        return {**row, "note": "no reference program passes the sample tests"}
    gen = Program(read_source(generator), language_of(generator)) if generator else None
    report = generate_tests(references, samples, executor, config, gen)
    write_tests(target, [*samples, *report.tests])
    return {
        **row,
        "kept": report.kept,
        "dropped": report.dropped,
        "failed": report.failed,
        "disagreed": report.disagreed,
        "generator_failed": report.generator_failed,
        "output": str(target),
    }


def _problems_of(
    spec: str, language: str | None, sources: TestSources, cache_dir: Path | None
) -> dict[str, tuple[list[Program], list[TestCase] | str]]:
    """Each problem's programs (slow and fast of all its pairs) and sample tests (or why it has none)."""
    loaded = load_pairs(resolve(spec, cache_dir), language)
    programs: dict[str, list[Program]] = defaultdict(list)
    for pair in loaded.items:
        lang = language_named(pair.language)
        programs[pair.problem_id] += [Program(code, lang) for code in (pair.slow, pair.fast) if code]
    problems: dict[str, tuple[list[Program], list[TestCase] | str]] = {}
    for problem_id, found in programs.items():
        try:
            problems[problem_id] = (found, sources.for_problem(problem_id))
        except PerfcoderError as exc:
            problems[problem_id] = (found, str(exc))
    return problems


def _problem_from_files(
    tests: Path, references: list[Path], language: str | None
) -> tuple[list[Program], list[TestCase]]:
    if not references:
        raise typer.BadParameter("give at least one --reference program", param_hint="--reference")
    langs: list[Language] = [language_named(language) if language else language_of(p) for p in references]
    return [Program(read_source(p), lang) for p, lang in zip(references, langs, strict=True)], load_tests(
        tests
    )


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


def _show(rows: list[dict[str, Any]], as_json: bool) -> None:
    kept, dropped = sum(r["kept"] for r in rows), sum(r["dropped"] for r in rows)
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
