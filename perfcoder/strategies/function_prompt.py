"""Prompting for one function of a project: the model sees the function, the definitions of its module
that it uses, and rewrites the function only (same name, same signature). A reply becomes a candidate
program by splicing its function into the module (perfcoder.data.function_task)."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from perfcoder.data.function_task import FunctionTarget, span
from perfcoder.errors import PerfcoderError
from perfcoder.models.base import Message
from perfcoder.strategies.extract import extract_code
from perfcoder.strategies.prompts import SYSTEM, fenced
from perfcoder.strategies.search import Focus

CONTEXT_CHARS = 4000  # of the module's other definitions shown beside the function


@dataclass(frozen=True)
class FunctionPrompt:
    """Asks for a faster version of the function in a candidate program (a replay harness)."""

    target: FunctionTarget
    name: str = "function"

    def messages(self, code: str, language: str) -> list[Message]:
        function = self.target.function_source(code)
        ask = (
            f"Optimize this Python function from {self.target.path} so that it runs faster. For every "
            "input it must return exactly the same value, raise the same exception type and leave its "
            "arguments changed exactly as before. Keep its name and signature. Reply with the complete "
            "function in one Python code block, with any imports it needs above it.\n\n"
            + fenced(function, "python")
        )
        used = used_definitions(code, self.target)
        if used:
            ask += "\n\nIt uses these definitions of the same module (do not repeat them):\n" + fenced(
                used, "python"
            )
        return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": ask}]


def used_definitions(code: str, target: FunctionTarget) -> str:
    """The module-level definitions the function names (functions, classes, constants), in module
    order, up to CONTEXT_CHARS."""
    tree = ast.parse(code)
    function = target.node(code)
    names = {n.id for n in ast.walk(function) if isinstance(n, ast.Name)}
    parts: list[str] = []
    for statement in tree.body:
        if statement is function or not (_defines(statement) & names):
            continue
        text = ast.get_source_segment(code, statement) or ""
        if sum(map(len, parts)) + len(text) > CONTEXT_CHARS:
            break
        parts.append(text)
    return "\n\n".join(parts)


def _defines(statement: ast.stmt) -> set[str]:
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {statement.name} if not statement.name.startswith("_perfcoder") else set()
    if isinstance(statement, ast.Assign | ast.AnnAssign):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return set()


class FunctionCandidates:
    """Makes replies into candidate programs (the reply's function spliced into the module, as a replay
    harness), and remembers each program's module source, for the diff and for --apply."""

    def __init__(self, target: FunctionTarget, module_source: str) -> None:
        self.target = target
        self.module_source = module_source
        self.original = target.harness(module_source)
        self.modules: dict[str, str] = {self.original: module_source}

    def __call__(self, reply: str) -> tuple[str | None, str]:
        code = extract_code(reply, "python")
        if code is None:
            return None, "no Python code block in the reply"
        try:
            module = self.target.patch(self.module_source, code)
        except PerfcoderError as error:
            return None, str(error)
        program = self.target.harness(module)
        self.modules[program] = module
        return program, ""


def function_lines(target: FunctionTarget) -> Focus:
    """The function's own lines in a candidate program: what its profile shows."""

    def focus(code: str) -> range:
        first, last = span(target.node(code))
        return range(first, last + 1)

    return focus
