"""Sampling code-generation tasks: HumanEval-style prompts are continued as plain completions (stopping
where the function ends, as Codex did); MBPP-style tasks are asked in chat and their code block taken.
AlphaCode's selection then filters samples on the examples in the prompt and clusters the survivors by
their behaviour on generated inputs, submitting at most 10, one per cluster, largest first."""

from __future__ import annotations

import ast
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from perfcoder.data.codegen import CodegenTask
from perfcoder.execution.engine import Executor, Program
from perfcoder.execution.languages import PYTHON
from perfcoder.execution.testcase import TestCase
from perfcoder.models.base import Backend, SamplingParams
from perfcoder.strategies.extract import extract_code

STOP = ("\ndef ", "\nclass ", "\nif __name__", "\nprint(", "\n#", "\nassert ")  # the function has ended
EXAMPLE = re.compile(r"^\s*>>> (.+)\n\s*(\S.*)$", re.MULTILINE)  # doctest: call, then expected value
MAX_SUBMISSIONS = 10
RUN = [TestCase("run", b"", None)]
SIGNATURE_MARK = "@@perfcoder-signature@@"


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
    if _parses(prompt, "exec"):
        return ""
    last = next((line for line in reversed(prompt.splitlines()) if line.strip()), "")
    body = ("" if prompt.endswith("\n") else "\n") + last[: len(last) - len(last.lstrip())] + "pass"
    return body if _parses(f"{prompt}{body}\n", "exec") else ""


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


@dataclass(frozen=True)
class DoctestExample:
    call: str  # a Python expression, e.g. f(3.5)
    expected: str  # a Python expression for its value


def prompt_examples(task: CodegenTask) -> list[DoctestExample]:
    """The doctest examples of the prompt whose call and expected value both parse."""
    found = []
    for call, expected in EXAMPLE.findall(task.prompt):
        if _parses(call) and _parses(expected):
            found.append(DoctestExample(call.strip(), expected.strip()))
    return found


def alphacode_select(
    task: CodegenTask,
    completions: Sequence[str],
    executor: Executor,
    limit: int = MAX_SUBMISSIONS,
) -> list[str]:
    """Filter on the prompt's examples, cluster by behaviour on mutated example calls, keep one per
    cluster, largest clusters first, at most `limit`. Without examples nothing is filtered or clustered."""
    examples = prompt_examples(task)
    unique = list(dict.fromkeys(completions))
    if not examples:
        return unique[:limit]
    checks = "\n".join(f"assert ({e.call}) == ({e.expected})" for e in examples)
    passed = _run_all(task, unique, checks, executor)
    survivors = [c for c, ok in zip(unique, passed, strict=True) if ok] or unique  # none pass: keep all
    probes = _probe_calls(examples)
    signatures = _signatures(task, survivors, probes, executor)
    clusters: dict[str, list[str]] = defaultdict(list)
    for completion, signature in zip(survivors, signatures, strict=True):
        clusters[signature].append(completion)
    ranked = sorted(clusters.values(), key=lambda members: -len(members))  # stable: first-seen order on ties
    return [members[0] for members in ranked[:limit]]


def _run_all(task: CodegenTask, completions: Sequence[str], extra: str, executor: Executor) -> list[bool]:
    programs = [Program(f"{task.prompt}{c}\n\n{extra}\n", PYTHON) for c in completions]
    return [result.passed for result in executor.run_many(programs, RUN)] if programs else []


def _signatures(
    task: CodegenTask, completions: Sequence[str], calls: Sequence[str], executor: Executor
) -> list[str]:
    """What each program returns (or raises) on the probe calls, printed as one JSON line."""
    body = "\n".join(
        f"try:\n    _out.append(repr({call}))\nexcept Exception as _e:\n    _out.append(type(_e).__name__)"
        for call in calls
    )
    script = f"_out = []\n{body}\nprint({SIGNATURE_MARK!r}, __import__('json').dumps(_out))"
    programs = [Program(f"{task.prompt}{c}\n\n{script}\n", PYTHON) for c in completions]
    results = executor.run_many(programs, RUN) if programs else []
    return [
        _signature_of(result.tests[0].stdout if result.passed else str(result.verdict)) for result in results
    ]


def _signature_of(stdout: str) -> str:
    for line in stdout.splitlines():
        if line.startswith(SIGNATURE_MARK):
            return line[len(SIGNATURE_MARK) :].strip()
    return json.dumps(stdout[-200:])


def _probe_calls(examples: Sequence[DoctestExample]) -> list[str]:
    """The example calls and variants with their literal arguments changed (numbers shifted and scaled,
    strings and lists reversed): the generated inputs on which behaviour is compared."""
    calls = [e.call for e in examples]
    for example in examples:
        for variant in (_Mutator(1), _Mutator(2)):
            changed = ast.unparse(variant.visit(ast.parse(example.call, mode="eval")))
            if changed not in calls:
                calls.append(changed)
    return calls


class _Mutator(ast.NodeTransformer):
    def __init__(self, how: int) -> None:
        self.how = how

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        value = node.value
        if isinstance(value, bool) or value is None:
            return node
        if isinstance(value, int | float):
            return ast.copy_location(ast.Constant(value + 1 if self.how == 1 else value * 3), node)
        if isinstance(value, str):
            return ast.copy_location(ast.Constant(value[::-1] if self.how == 1 else value * 2), node)
        return node

    def visit_List(self, node: ast.List) -> ast.AST:
        self.generic_visit(node)
        if self.how == 1:
            node.elts = list(reversed(node.elts))
        return node


def _parses(text: str, mode: Literal["eval", "exec"] = "eval") -> bool:
    try:
        ast.parse(text.strip() if mode == "eval" else text, mode=mode)
    except (SyntaxError, ValueError):
        return False
    return True
