"""`perfcoder selfplay --config CFG.yaml`: parse, call perfcoder.jobs.selfplay, print."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from perfcoder.cli import options as opt
from perfcoder.cli.render import progress_bar, stdout
from perfcoder.jobs.selfplay import (
    CANDIDATES_FILE,
    PAIRS_FILE,
    SelfPlayConfig,
    load_selfplay_config,
    selfplay,
)

ConfigOption = Annotated[Path, typer.Option("--config", help="YAML self-play config (examples/configs/).")]
OutputOption = Annotated[
    Path | None, opt.documented(SelfPlayConfig, "output_dir", "--output-dir", unset=True)
]
LimitOption = Annotated[int | None, opt.documented(SelfPlayConfig, "limit", "--limit", unset=True)]


def selfplay_command(
    config: ConfigOption,
    output_dir: OutputOption = None,
    limit: LimitOption = None,
    as_json: opt.JsonOption = False,
) -> None:
    """PIE's self-play: a model writes programs for new tasks on each seed's input format, a model
    optimizes them, and verified pairs at least `threshold` times faster become training pairs."""
    settings = load_selfplay_config(config, output_dir=output_dir, limit=limit)
    with progress_bar(None, "self-play: seeds", not as_json) as advance:
        run = selfplay(settings, on_seed=advance)
    if as_json:
        print(json.dumps(run.to_dict()))
        return
    table = Table(title=f"self-play over {run.seeds} seeds ({run.resumed} done earlier)")
    table.add_column("written programs")
    table.add_column("count", justify="right")
    for fate, count in sorted(run.fates.items()):
        table.add_row(fate, str(count))
    stdout.print(table)
    root = Path(run.output_dir)
    stdout.print(
        f"{run.pairs} pairs -> {root / PAIRS_FILE}; {run.candidates} candidates -> {root / CANDIDATES_FILE}"
    )
