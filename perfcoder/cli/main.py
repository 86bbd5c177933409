"""The `perfcoder` command: every user-facing error is one line and exit code 2."""

from __future__ import annotations

import json
import logging
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.logging import RichHandler

from perfcoder.cli import options as opt
from perfcoder.cli.evaluate import evaluate
from perfcoder.cli.generate import generate
from perfcoder.cli.optimize import optimize
from perfcoder.cli.render import (
    comparison_summary,
    comparison_table,
    progress_bar,
    stderr,
    stdout,
    submission_summary,
    submission_table,
)
from perfcoder.cli.selfplay import selfplay_command
from perfcoder.cli.sketch import corpus_command, sketch_command
from perfcoder.cli.testgen import tests_app
from perfcoder.cli.train import train_app
from perfcoder.data.differential import DifferentialConfig, Mismatch
from perfcoder.data.testsuite import load_tests
from perfcoder.environment import Environment
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.languages import language_named, language_of
from perfcoder.execution.source import read_source
from perfcoder.execution.testcase import TestCase
from perfcoder.measure.models import DEFAULT_COST, DEFAULT_REPEATS, NATIVE, cost_model

cli = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None)


@cli.callback()
def _setup(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    """perfcoder: execution decides which program is correct and which is faster."""
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(
        level=level, format="%(message)s", handlers=[RichHandler(console=stderr, show_time=False)]
    )


@cli.command()
@opt.with_execution_options
def run(
    program: Annotated[Path, typer.Argument(help="The program to judge (.cpp or .py).")],
    tests: opt.TestsOption,
    cost: opt.CostOption = None,
    language: opt.LanguageOption = None,
    as_json: opt.JsonOption = False,
    subtract_startup: opt.StartupOption = False,
    repeats: opt.RepeatsOption = DEFAULT_REPEATS,
    settings: ExecutionConfig = opt.DEFAULT_SETTINGS,
) -> None:
    """Judge PROGRAM on TESTS in the sandbox (and measure it with --cost); exit 0 when all tests pass."""
    lang = language_named(language) if language else language_of(program)
    code, suite = read_source(program), load_tests(tests)
    model = cost_model(cost) if cost else None
    env = Environment(lang, model or NATIVE, settings, subtract_startup=subtract_startup, repeats=repeats)
    try:
        with progress_bar(len(suite) * env.probe.repeats, f"judging {program.name}", not as_json) as advance:
            measured = env.run_many([code], suite, on_result=advance)[0]
    finally:
        env.close()
    if as_json:
        print(json.dumps(measured.to_dict() if model else measured.submission.to_dict()))
    else:
        stdout.print(submission_table(measured, f"{program} on {tests}", with_cost=model is not None))
        stdout.print(submission_summary(measured, with_cost=model is not None))
    raise typer.Exit(0 if measured.passed else 1)


@cli.command()
@opt.with_execution_options
def bench(
    slow: Annotated[Path, typer.Argument(help="The original program.")],
    fast: Annotated[Path, typer.Argument(help="The program claimed to be faster.")],
    tests: opt.TestsOption,
    cost: opt.CostOption = DEFAULT_COST,
    language: opt.LanguageOption = None,
    as_json: opt.JsonOption = False,
    subtract_startup: opt.StartupOption = False,
    repeats: opt.RepeatsOption = DEFAULT_REPEATS,
    differential: Annotated[
        bool, typer.Option("--differential", help="Also check FAST against SLOW on generated inputs.")
    ] = False,
    validator: opt.ValidatorOption = None,
    settings: ExecutionConfig = opt.DEFAULT_SETTINGS,
) -> None:
    """Measure SLOW and FAST on TESTS: verdicts, costs and speedup = cost(SLOW) / cost(FAST)."""
    opt.check_validator_use(validator, differential)
    lang = language_named(language) if language else language_of(slow)
    if language is None and language_of(fast) != lang:
        raise PerfcoderError(f"{slow} and {fast} are in different languages")
    codes, suite = [read_source(slow), read_source(fast)], load_tests(tests)
    model = cost_model(cost or DEFAULT_COST)
    env = Environment(lang, model, settings, subtract_startup=subtract_startup, repeats=repeats)
    try:
        total = 2 * len(suite) * env.probe.repeats
        with progress_bar(total, f"measuring ({model.name})", not as_json) as advance:
            comparison = env.compare_many(codes, suite, on_result=advance)
        checked = (
            _differential(env, codes, suite, DifferentialConfig(validator=validator), not as_json)
            if differential and comparison.fast.passed
            else None
        )
    finally:
        env.close()
    if checked is not None and checked["mismatch"] is not None:
        comparison.speedup = None  # FAST is wrong where SLOW answers: not comparable
    if as_json:
        print(json.dumps({**comparison.to_dict(), "differential": checked}))
    else:
        stdout.print(comparison_table(comparison, f"{slow.name} vs {fast.name} on {tests}"))
        if checked is not None:
            mismatch = checked["mismatch"]
            found = f"[red]{fast.name} {Mismatch(**mismatch).describe()}[/]" if mismatch else "agrees"
            stdout.print(f"differential testing on {checked['inputs']} generated inputs: {found}")
        stdout.print(comparison_summary(comparison))


def _differential(
    env: Environment, codes: list[str], suite: list[TestCase], config: DifferentialConfig, show: bool
) -> dict[str, Any]:
    """FAST against SLOW (the oracle) on inputs generated from the tests."""
    with stderr.status("differential testing: generating inputs") if show else nullcontext():
        oracle = env.oracle(codes[0], suite, config)
        (mismatch,) = env.check(oracle, codes[1:])
    return {**oracle.summary(), "mismatch": mismatch.to_dict() if mismatch else None}


cli.command()(evaluate)
cli.command()(optimize)
cli.command()(generate)
cli.add_typer(tests_app, name="tests")
cli.add_typer(train_app, name="train")
cli.command("selfplay")(selfplay_command)
cli.command("sketch")(sketch_command)
cli.command("sketch-corpus")(corpus_command)


def app() -> None:
    """Entry point: user errors become one line on stderr and exit code 2, never a traceback."""
    try:
        code = cli(standalone_mode=False)
    except PerfcoderError as error:
        stderr.print(f"[red]error:[/] {error}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except KeyboardInterrupt:
        stderr.print("interrupted: results measured so far are kept in the results store")
        sys.exit(130)
    except typer.TyperException as error:  # usage errors: bad options or values
        show = getattr(error, "show", None)
        show() if callable(show) else stderr.print(f"[red]error:[/] {error}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Abort:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
