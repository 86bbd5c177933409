"""The `perfcoder` command: every user-facing error is one line and exit code 2."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.logging import RichHandler

from perfcoder.cli import options as opt
from perfcoder.cli.render import progress_bar, stderr, stdout, submission_summary, submission_table
from perfcoder.data.testsuite import load_tests
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import Executor, Program
from perfcoder.execution.languages import language_named, language_of
from perfcoder.execution.source import read_source
from perfcoder.execution.verdict import Verdict

cli = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None)


@cli.callback()
def _setup(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    """perfcoder: execution decides which program is correct and which is faster."""
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(
        level=level, format="%(message)s", handlers=[RichHandler(console=stderr, show_time=False)]
    )


@cli.command()
def run(
    program: Annotated[Path, typer.Argument(help="The program to judge (.cpp or .py).")],
    tests: opt.TestsOption,
    language: opt.LanguageOption = None,
    as_json: opt.JsonOption = False,
    jobs: opt.JobsOption = 0,
    time_limit: opt.TimeOption = None,
    memory_limit: opt.MemoryOption = None,
    flags: opt.FlagsOption = None,
    compare: opt.CompareOption = None,
    tolerance: opt.ToleranceOption = None,
    checker: opt.CheckerOption = None,
    isolation: opt.IsolationOption = None,
    no_store: opt.NoStoreOption = False,
    config: opt.ConfigOption = None,
) -> None:
    """Judge PROGRAM on TESTS in the sandbox; exit 0 when every test is accepted, 1 otherwise."""
    settings = opt.build_config(
        config,
        jobs=jobs,
        time_limit=time_limit,
        memory_limit=memory_limit,
        flags=flags,
        compare=compare,
        tolerance=tolerance,
        checker=checker,
        isolation=isolation,
        no_store=no_store,
    )
    lang = language_named(language) if language else language_of(program)
    target = Program(read_source(program), lang)
    suite = load_tests(tests)
    executor = Executor(settings)
    try:
        with progress_bar(len(suite), f"judging {program.name}", enabled=not as_json) as advance:
            result = executor.run(target, suite, on_result=advance)
    finally:
        executor.close()
    if as_json:
        print(json.dumps(result.to_dict()))
    else:
        stdout.print(submission_table(result, f"{program} on {tests}"))
        stdout.print(submission_summary(result))
        if result.compile_log:
            stdout.print(result.compile_log.strip(), markup=False, highlight=False)
    raise typer.Exit(0 if result.verdict == Verdict.ACCEPTED else 1)


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
