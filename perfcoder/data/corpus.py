"""CERT's training corpora from a directory of Python files: the files that use a library, the
sketcher's corpus (each file sketched) and the generator's (per block — a function, a class, or a run of
other top-level statements — its sketch, CERT's `# [segmentation]` marker, then the block itself), as
JSONL rows {"text": ...} that `perfcoder train clm` reads."""

from __future__ import annotations

import ast
import itertools
import json
from dataclasses import dataclass
from pathlib import Path

from perfcoder.data.sketch import sketch, without_comments
from perfcoder.errors import PerfcoderError
from perfcoder.execution.source import python_imports

SEGMENTATION = "\n# [segmentation]\n"
SKETCHER_FILE, GENERATOR_FILE = "sketcher.jsonl", "generator.jsonl"
CORPUS_ROLES = ("sketcher", "generator")


@dataclass
class Corpora:
    files_seen: int
    files_used: int  # import the library and parse
    blocks: int
    sketcher: Path
    generator: Path


def imports_library(code: str, library: str) -> bool:
    """Whether the code imports `library` (or one of its submodules)."""
    return library in python_imports(code)


def blocks(code: str) -> list[str]:
    """The file cut before each top-level function or class (decorators included) and after it: every
    line belongs to one block, so the blocks joined are the file (less stretches of blank lines)."""
    tree = ast.parse(code)
    lines = code.splitlines(keepends=True)
    cuts = {0}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            cuts.update((first - 1, node.end_lineno or node.lineno))
    edges = [*sorted(c for c in cuts if c < len(lines)), len(lines)]
    pieces = ["".join(lines[a:b]) for a, b in itertools.pairwise(edges)]
    return [piece for piece in pieces if piece.strip()]


def generator_text(block: str, mode: str) -> str:
    """One generator example: the block's sketch (without comments), the marker, the block."""
    return sketch(without_comments(block), mode).rstrip() + SEGMENTATION + block


def build_corpora(root: Path, library: str, output_dir: Path, mode: str = "constants") -> Corpora:
    """Both corpora from the .py files under `root` that import `library`."""
    if not root.is_dir():
        raise PerfcoderError(f"{root} is not a directory")
    output_dir.mkdir(parents=True, exist_ok=True)
    sketcher, generator = output_dir / SKETCHER_FILE, output_dir / GENERATOR_FILE
    seen = used = count = 0
    with sketcher.open("w") as sketches, generator.open("w") as generated:
        for path in sorted(root.rglob("*.py")):
            seen += 1
            code = path.read_text(errors="replace")
            if not imports_library(code, library):
                continue
            used += 1
            sketches.write(
                json.dumps({"text": sketch(code, mode), "path": str(path.relative_to(root))}) + "\n"
            )
            for block in blocks(code):
                generated.write(json.dumps({"text": generator_text(block, mode)}) + "\n")
                count += 1
    return Corpora(seen, used, count, sketcher, generator)
