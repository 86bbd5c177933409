"""`perfcoder sketch FILE` and `perfcoder sketch-corpus DIR`: parse, call perfcoder.data, print."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from perfcoder.cli import options as opt
from perfcoder.cli.render import stdout
from perfcoder.data.corpus import build_corpora
from perfcoder.data.sketch import SKETCH_MODES, sketch
from perfcoder.execution.source import read_source

ModeOption = Annotated[
    str,
    typer.Option(
        "--mode",
        help=f"{', '.join(SKETCH_MODES)}: anonymise literals (number, string), user-defined names "
        "(name_1, ...), or both.",
    ),
]


def sketch_command(
    file: Annotated[Path, typer.Argument(help="A Python file.")],
    mode: ModeOption = "constants",
) -> None:
    """Print CERT's sketch of FILE: the user's constants and/or names anonymised, library usage kept."""
    print(sketch(read_source(file), mode), end="")


def corpus_command(
    root: Annotated[Path, typer.Argument(help="A directory of Python files (searched recursively).")],
    library: Annotated[str, typer.Option("--library", help="Keep the files that import it (e.g. pandas).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for sketcher/generator.jsonl.")],
    mode: ModeOption = "constants",
    as_json: opt.JsonOption = False,
) -> None:
    """CERT's corpora: sketched files (sketcher), per block `sketch # [segmentation] code` (generator)."""
    made = build_corpora(root, library, output, mode)
    summary = {
        "files_seen": made.files_seen,
        "files_used": made.files_used,
        "blocks": made.blocks,
        "sketcher": str(made.sketcher),
        "generator": str(made.generator),
    }
    if as_json:
        print(json.dumps(summary))
    else:
        stdout.print(
            f"{made.files_used} of {made.files_seen} files import {library}: {made.sketcher}; "
            f"{made.blocks} blocks: {made.generator}"
        )
