"""Tables and progress bars for people; JSON output is printed elsewhere, untouched by these."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from perfcoder.environment import Comparison, Measurement
from perfcoder.execution.verdict import Verdict
from perfcoder.measure.cost_models import COST_MODELS, speedup

stderr = Console(stderr=True)
stdout = Console()

VERDICT_STYLE = {Verdict.ACCEPTED: "green", Verdict.WRONG_ANSWER: "red", Verdict.COMPILE_ERROR: "magenta"}


def styled(verdict: Verdict) -> str:
    return f"[{VERDICT_STYLE.get(verdict, 'yellow')}]{verdict}[/]"


def submission_table(measured: Measurement, title: str, with_cost: bool) -> Table:
    table = Table(title=title, title_justify="left")
    columns = ["test", "verdict", "wall s", "cpu s", "memory MiB", "stored"]
    if with_cost:
        columns.insert(2, measured.cost_model)
    for column in columns:
        table.add_column(column, justify="left" if column in ("test", "verdict") else "right")
    key = COST_MODELS[measured.cost_model].cost_key if with_cost else ""
    for test in measured.tests:
        cells = [test.name, styled(test.verdict), f"{test.wall_s:.3f}", f"{test.cpu_s:.3f}"]
        cells += [f"{test.max_rss_kb / 1024:.1f}", "yes" if test.from_store else ""]
        if with_cost:
            cells.insert(2, number(test.costs.get(key)))
        table.add_row(*cells)
    return table


def submission_summary(measured: Measurement, with_cost: bool) -> str:
    tests = measured.tests
    passed = sum(test.passed for test in tests)
    line = f"verdict: {styled(measured.verdict)} ({passed}/{len(tests)} tests accepted)"
    if with_cost:
        line += f"; {measured.cost_model} cost: {number(measured.cost)}{startup_note(measured)}"
        line += "" if measured.deterministic else " [yellow](timed: not deterministic)[/]"
    stored = measured.submission.stored_tests
    if stored:
        line += f"; {stored}/{len(tests)} answered from the results store"
    if measured.submission.compile_log:
        line += "\n" + escape(measured.submission.compile_log.strip())
    return line


def comparison_table(comparison: Comparison, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("test", "slow verdict", "slow cost", "fast verdict", "fast cost", "speedup"):
        table.add_column(column, justify="right" if "cost" in column or column == "speedup" else "left")
    key = COST_MODELS[comparison.cost_model].cost_key
    for before, after in zip(comparison.slow.tests, comparison.fast.tests, strict=True):
        slow_cost, fast_cost = before.costs.get(key), after.costs.get(key)
        ratio = number(speedup(slow_cost, fast_cost), 3) if speedup(slow_cost, fast_cost) else "-"
        table.add_row(
            before.name,
            styled(before.verdict),
            number(slow_cost),
            styled(after.verdict),
            number(fast_cost),
            ratio,
        )
    return table


def comparison_summary(comparison: Comparison) -> str:
    lines = []
    for label, measured in (("slow", comparison.slow), ("fast", comparison.fast)):
        cost = f"{number(measured.cost)}{startup_note(measured)}"
        lines.append(f"{label}: {styled(measured.verdict)}, {comparison.cost_model} cost {cost}")
    speedup = comparison.speedup
    lines.append(
        f"speedup: [bold]{speedup:.3f}x[/]"
        if speedup is not None
        else "speedup: undefined (not both accepted)"
        if not (comparison.slow.passed and comparison.fast.passed)
        else "speedup: undefined (fast disagrees with slow on a generated input)"
    )
    if not comparison.slow.deterministic:
        lines.append("[yellow]timed cost model: medians of repeated runs, not deterministic[/]")
    return "\n".join(lines)


def startup_note(measured: Measurement) -> str:
    return (
        f" (start-up {number(measured.startup_cost)} subtracted)" if measured.startup_cost is not None else ""
    )


def number(value: float | None, digits: int = 0) -> str:
    """Counts (whole numbers, or large) with thousands separators, seconds with 4 decimals, missing as
    '-'."""
    if value is None:
        return "-"
    if digits:
        return f"{value:.{digits}f}"
    return f"{value:,.0f}" if value >= 1000 or float(value).is_integer() else f"{value:.4f}"


@contextlib.contextmanager
def progress_bar(total: int | None, description: str, enabled: bool) -> Iterator[Any]:
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
