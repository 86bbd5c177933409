"""Tables and progress bars for people; JSON output is printed elsewhere, untouched by these."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from perfcoder.execution.results import SubmissionResult
from perfcoder.execution.verdict import Verdict

stderr = Console(stderr=True)
stdout = Console()

VERDICT_STYLE = {Verdict.ACCEPTED: "green", Verdict.WRONG_ANSWER: "red", Verdict.COMPILE_ERROR: "magenta"}


def styled(verdict: Verdict) -> str:
    return f"[{VERDICT_STYLE.get(verdict, 'yellow')}]{verdict}[/]"


def submission_table(result: SubmissionResult, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("test", "verdict", "wall s", "cpu s", "memory MiB", "stored"):
        table.add_column(column, justify="left" if column in ("test", "verdict") else "right")
    for test in result.tests:
        table.add_row(
            test.name,
            styled(test.verdict),
            f"{test.wall_s:.3f}",
            f"{test.cpu_s:.3f}",
            f"{test.max_rss_kb / 1024:.1f}",
            "yes" if test.from_store else "",
        )
    return table


def submission_summary(result: SubmissionResult) -> str:
    passed = sum(test.passed for test in result.tests)
    line = f"verdict: {styled(result.verdict)} ({passed}/{len(result.tests)} tests accepted)"
    if result.from_store:
        line += f"; {result.from_store}/{len(result.tests)} answered from the results store"
    return line


@contextlib.contextmanager
def progress_bar(total: int, description: str, enabled: bool) -> Iterator[Any]:
    """A progress bar on stderr; yields a callable that advances it by one."""
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=not enabled,
    )
    with progress:
        task = progress.add_task(description, total=total)
        yield lambda *_: progress.advance(task)
