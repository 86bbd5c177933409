"""`perfcoder profile PROGRAM --tests T`: parse, call perfcoder.jobs.profile, print."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from perfcoder.cli import options as opt
from perfcoder.cli.render import number, stderr, stdout
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.jobs.profile import ProfileConfig, profile
from perfcoder.settings import default_of

DEFAULT_TOP = default_of(ProfileConfig, "top")
TopOption = Annotated[int, opt.documented(ProfileConfig, "top", "--top")]
NoGrowOption = Annotated[
    bool, typer.Option("--no-grow", help="Profile on the largest given test, not on a grown input.")
]


@opt.with_execution_options
def profile_command(
    program: Annotated[Path, typer.Argument(help="The program to profile (.cpp or .py).")],
    tests: opt.TestsOption,
    language: opt.LanguageOption = None,
    top: TopOption = DEFAULT_TOP,
    no_grow: NoGrowOption = False,
    as_json: opt.JsonOption = False,
    settings: ExecutionConfig = opt.DEFAULT_SETTINGS,
) -> None:
    """Where PROGRAM's cost goes, per line of its own source (C++: instructions; Python: executions)."""
    config = ProfileConfig(grow=not no_grow, top=top, execution=settings)
    with stderr.status("profiling: choosing the largest input it answers") if not as_json else nullcontext():
        found = profile(program, tests, language=language, config=config)
    if as_json:
        print(json.dumps({**found.to_dict(), "lines": [vars(c) for c in found.top(top)]}))
        return
    title = f"{program}: {found.unit} per line on input {found.input_name} ({found.input_bytes:,} bytes)"
    table = Table("line", found.unit, "share", "source", title=title)
    for cost in found.top(top):
        table.add_row(
            str(cost.line), number(cost.count), f"{100 * cost.share:.1f}%", escape(cost.text.strip())
        )
    stdout.print(table)
    stdout.print(
        f"the program's own lines: {number(found.own)} {found.unit}"
        + (f" of {number(found.total)} in the whole run" if found.total != found.own else "")
        + (f"; {found.includes}" if found.includes else "")
    )
