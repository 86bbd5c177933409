"""The `perfcoder` command: every user-facing error is one line and exit code 2."""

from __future__ import annotations

import dataclasses
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
from perfcoder.cli.profile import profile_command
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
from perfcoder.data.testsuite import load_tests
from perfcoder.environment import Comparison, Environment, Measurement
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.languages import language_named, language_of
from perfcoder.execution.results import SubmissionResult
from perfcoder.execution.source import read_source
from perfcoder.execution.testcase import TestCase
from perfcoder.execution.verdict import Verdict
from perfcoder.measure.cost_models import DEFAULT_COST, DEFAULT_REPEATS, NATIVE, cost_model
from perfcoder.verify.differential import DifferentialConfig
from perfcoder.verify.funnel import Checked, Verifier

cli = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None)


@cli.callback()
def _setup(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what runs (INFO level).")] = False,
) -> None:
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
        bool,
        typer.Option(
            "--differential",
            help="Verify FAST as optimize does: hack checks, and against SLOW on generated inputs.",
        ),
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
    verified: dict[str, Any] | None = None
    try:
        if differential:
            comparison, verified = _verified(
                env, codes, suite, DifferentialConfig(validator=validator), as_json
            )
        else:
            total = 2 * len(suite) * env.probe.repeats
            with progress_bar(total, f"measuring ({model.name})", not as_json) as advance:
                comparison = env.compare_many(codes, suite, on_result=advance)
    finally:
        env.close()
    if as_json:
        print(json.dumps({**comparison.to_dict(), "verification": verified}))
        return
    stdout.print(comparison_table(comparison, f"{slow.name} vs {fast.name} on {tests}"))
    if verified is not None:
        inputs = (verified["differential"] or {}).get("inputs", 0)
        found = f"[red]{fast.name} rejected: {verified['reason']}[/]" if verified["reason"] else "verified"
        stdout.print(f"verification ({inputs} generated inputs): {found}", highlight=False)
    stdout.print(comparison_summary(comparison))


def _verified(
    env: Environment, codes: list[str], suite: list[TestCase], config: DifferentialConfig, as_json: bool
) -> tuple[Comparison, dict[str, Any]]:
    """FAST through the verification funnel against SLOW (which must pass its tests): measured only if
    it survives; the speedup is None when it does not."""
    verifier = Verifier(env, codes[0], suite, config)
    with stderr.status("verifying: generating inputs, judging, measuring") if not as_json else nullcontext():
        (checked,) = verifier.verify(codes[1:])
    slow = verifier.original()
    fast = checked.measurement or _unmeasured(env, checked)
    speedup = checked.speedup if checked.accepted else None
    summary = {**checked.to_dict(), **verifier.summary()}
    return Comparison(env.cost_model.name, slow, fast, speedup), summary


def _unmeasured(env: Environment, checked: Checked) -> Measurement:
    """A program the funnel stopped before measuring, as a measurement without costs (and without
    tests when it was rejected before it ran)."""
    verdict = Verdict(checked.verdict)
    submission = checked.submission or SubmissionResult(verdict, env.language.name, [], checked.reason)
    deterministic = env.cost_model.deterministic
    return Measurement(
        dataclasses.replace(submission, verdict=verdict), env.cost_model.name, deterministic, None, None
    )


cli.command()(evaluate)
cli.command()(optimize)
cli.command()(generate)
cli.add_typer(tests_app, name="tests")
cli.add_typer(train_app, name="train")
cli.command("selfplay")(selfplay_command)
cli.command("profile")(profile_command)
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
