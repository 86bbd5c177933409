"""AlphaCode's selection of code-generation samples: filter them on the examples in the prompt, cluster
the survivors by their behaviour on generated (mutated) example calls, and submit at most 10, one per
cluster, largest first."""

from __future__ import annotations

import ast
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from perfcoder.data.code_tasks import CodegenTask
from perfcoder.execution.engine import Executor, Program
from perfcoder.execution.languages import PYTHON
from perfcoder.execution.testcase import TestCase
from perfcoder.strategies.extract import parses

EXAMPLE = re.compile(r"^\s*>>> (.+)\n\s*(\S.*)$", re.MULTILINE)  # doctest: call, then expected value
MAX_SUBMISSIONS = 10
RUN = [TestCase("run", b"", None)]
SIGNATURE_MARK = "@@perfcoder-signature@@"


@dataclass(frozen=True)
class DoctestExample:
    call: str  # a Python expression, e.g. f(3.5)
    expected: str  # a Python expression for its value


def prompt_examples(task: CodegenTask) -> list[DoctestExample]:
    """The doctest examples of the prompt whose call and expected value both parse."""
    found = []
    for call, expected in EXAMPLE.findall(task.prompt):
        if parses(call) and parses(expected):
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
