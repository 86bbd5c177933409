"""The README and the docs say only what is true of the CLI: every `perfcoder` command line in them names
a command and options that exist, every Python block parses, every benchmark they name exists, the site
builds, and the README stays short."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from perfcoder.cli.main import cli
from tests.support.paths import ROOT

PAGES = sorted([ROOT / "README.md", ROOT / "benchmarks" / "README.md", *(ROOT / "docs").glob("*.md")])
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```$", re.DOTALL | re.MULTILINE)
QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")


def blocks(page: Path, language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(page.read_text()) if lang == language]


def command_lines(text: str) -> list[str]:
    """Logical lines (continuations joined) that run perfcoder, as a shell would see them."""
    joined = re.sub(r"\\\n\s*", " ", text)
    lines, current = [], ""
    for line in joined.splitlines():
        stripped = line.split("#", 1)[0].rstrip() if " #" in line else line.rstrip()
        if stripped.startswith("perfcoder "):
            if current:
                lines.append(current)
            current = stripped
        elif current and stripped.startswith(" ") and stripped.strip().startswith(("[", "-", "(")):
            current += " " + stripped.strip()  # a synopsis continued on the next line
        else:
            if current:
                lines.append(current)
            current = ""
    return [*lines, current] if current else lines


def resolve(words: list[str]) -> tuple[Any, list[str]]:
    """The (sub)command the words name, and the words after it (typer's click command objects)."""
    command: Any = typer.main.get_command(cli)
    rest = words[1:]
    while hasattr(command, "commands") and rest:
        name = rest[0].split("|")[0]
        assert name in command.commands, f"no command {name!r} in {' '.join(words)}"
        command, rest = command.commands[name], rest[1:]
    return command, rest


def options_of(command: Any) -> set[str]:
    found = {"--help"}
    for param in command.params:
        found.update(param.opts)
        found.update(getattr(param, "secondary_opts", []))
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_command_line_names_real_commands_and_options(page: Path) -> None:
    text = "\n".join(blocks(page, "bash") + blocks(page, ""))
    for line in command_lines(text):
        words = [w.strip("[]()|,") for w in QUOTED.sub("X", line).split()]
        command, rest = resolve([w for w in words if w])
        known = options_of(command)
        named = {w.split("=")[0] for w in rest if re.match(r"^--?[a-zA-Z]", w)}
        assert named <= known, f"{page.name}: `{line}` names unknown options {sorted(named - known)}"


@pytest.mark.parametrize("page", PAGES, ids=lambda path: str(path.relative_to(ROOT)))
def test_python_blocks_parse_and_named_benchmarks_exist(page: Path) -> None:
    for body in blocks(page, "python"):
        ast.parse(body)
    for script in set(re.findall(r"benchmarks/(\w+\.py)", page.read_text())):
        assert (ROOT / "benchmarks" / script).is_file(), f"{page.name} names a missing benchmarks/{script}"


def test_the_readme_is_short_and_every_docs_page_is_in_the_site(tmp_path: Path) -> None:
    assert len((ROOT / "README.md").read_text().splitlines()) <= 200
    nav = (ROOT / "mkdocs.yml").read_text()
    assert all(page.name in nav for page in (ROOT / "docs").glob("*.md"))


@pytest.mark.skipif(shutil.which("mkdocs", path=str(Path(sys.executable).parent)) is None, reason="no mkdocs")
def test_the_docs_site_builds_strictly(tmp_path: Path) -> None:
    mkdocs = str(Path(sys.executable).parent / "mkdocs")
    done = subprocess.run(
        [mkdocs, "build", "--strict", "--quiet", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={"NO_MKDOCS_2_WARNING": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "site" / "verification" / "index.html").is_file()
