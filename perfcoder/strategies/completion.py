"""Sampling code-generation tasks: HumanEval-style prompts are continued as plain completions (stopping
where the function ends, as Codex did); MBPP-style tasks are asked in chat and their code block taken."""

from __future__ import annotations

import ast
from typing import Literal

from perfcoder.data.code_tasks import CodegenTask
from perfcoder.models.base import Backend, SamplingParams
from perfcoder.strategies.extract import extract_code, parses

STOP = ("\ndef ", "\nclass ", "\nif __name__", "\nprint(", "\n#", "\nassert ")  # the function has ended


PromptMode = Literal["auto", "chat", "completion"]


def sample_task(
    task: CodegenTask, backend: Backend, params: SamplingParams, mode: PromptMode = "auto"
) -> list[str]:
    """n completions for one task, ready for `task.program(completion)`. `auto` asks instruct models in
    chat for the whole function (the prompt's own stub, docstring only, stays in front and is redefined)
    and continues the prompt as plain text otherwise; script-style tasks are always continued."""
    if task.style == "asserts":
        ask = f"{task.prompt}\nWrite the Python function. Reply with the code in one Python code block."
        replies = backend.chat([{"role": "user", "content": ask}], params)
        return [extract_code(r.text, "python") or r.text for r in replies]
    if task.style == "candidate" and (mode == "chat" or (mode == "auto" and backend.chat_model)):
        ask = (
            "Complete the following Python function. Reply with the whole function, with its imports, in one "
            f"Python code block.\n\n```python\n{task.prompt.strip()}\n```"
        )
        replies = backend.chat([{"role": "user", "content": ask}], params)
        stub = _stub_body(task.prompt)
        return [f"{stub}\n{_sanitized(extract_code(r.text, 'python') or r.text, task)}" for r in replies]
    return continue_code(backend, task.prompt, params)


def continue_code(backend: Backend, prompt: str, params: SamplingParams) -> list[str]:
    """n plain continuations of Python code, each stopped where the function or statement has ended."""
    stops = tuple(dict.fromkeys((*params.stop, *STOP)))
    return [s.text for s in backend.complete(prompt, SamplingParams(**{**params.__dict__, "stop": stops}))]


def _stub_body(prompt: str) -> str:
    """What makes the prompt's own stub valid before the whole function a chat model answers with: nothing
    after a docstring or a trailing `return `, `pass` after a stub holding only comments (PandasEval)."""
    if parses(prompt, "exec"):
        return ""
    last = next((line for line in reversed(prompt.splitlines()) if line.strip()), "")
    body = ("" if prompt.endswith("\n") else "\n") + last[: len(last) - len(last.lstrip())] + "pass"
    return body if parses(f"{prompt}{body}\n", "exec") else ""


def _sanitized(code: str, task: CodegenTask) -> str:
    """A chat answer as a solution, the way EvalPlus sanitizes one: imports, functions and classes, and
    the assignments before the task's function; example usage and prints after it dropped."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    lines = code.splitlines(keepends=True)
    kept, defined = [], False
    for node in tree.body:
        is_definition = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        before = not defined and isinstance(node, ast.Assign | ast.AnnAssign)
        if is_definition or before or isinstance(node, ast.Import | ast.ImportFrom):
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            kept.append("".join(lines[first - 1 : node.end_lineno]).rstrip())
        defined = defined or (is_definition and getattr(node, "name", "") == task.entry_point)
    return "\n\n".join(kept) + "\n" if defined else code
