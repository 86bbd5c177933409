"""Code-generation sampling and AlphaCode's filter-and-cluster selection, in the real sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perfcoder.data.code_tasks import CodegenTask, load_tasks
from perfcoder.execution.engine import Executor, Program
from perfcoder.execution.languages import PYTHON
from perfcoder.models.base import SamplingParams
from perfcoder.models.llamacpp import LlamaCppBackend
from perfcoder.models.weights import BUNDLED, model_file
from perfcoder.strategies.alphacode import RUN, alphacode_select, prompt_examples
from perfcoder.strategies.completion import sample_task
from tests.support.commands import run_cli
from tests.support.models import ScriptedModel, fenced
from tests.support.paths import DATASETS

ADD = CodegenTask(
    "T/0",
    'def add(a, b):\n    """Sum.\n    >>> add(2, 3)\n    5\n    >>> add(0, 0)\n    0\n    """\n',
    "add",
    "    return a + b\n",
    "def check(candidate):\n    assert candidate(1, 1) == 2\n",
    style="candidate",
)


def test_prompt_examples_are_the_doctests() -> None:
    assert [(e.call, e.expected) for e in prompt_examples(ADD)] == [("add(2, 3)", "5"), ("add(0, 0)", "0")]


def test_alphacode_filters_on_examples_and_keeps_one_per_cluster(executor: Executor) -> None:
    completions = [
        "    return 5 if a else 0\n",  # passes both examples, differs elsewhere
        "    return a - b\n",  # fails add(2, 3)
        "    return a + b\n",
        "    return b + a\n",  # same behaviour as a + b
        "    return a +\n",  # does not even parse
    ]
    chosen = alphacode_select(ADD, completions, executor)
    assert chosen == ["    return a + b\n", "    return 5 if a else 0\n"]  # largest cluster first
    assert alphacode_select(ADD, completions, executor, limit=1) == ["    return a + b\n"]


def test_without_examples_nothing_is_filtered(executor: Executor) -> None:
    task = load_tasks(DATASETS / "tasks-humaneval.jsonl").items[0]
    assert alphacode_select(task, ["a", "b", "a"], executor) == ["a", "b"]


def test_sampling_a_real_model_gives_n_completions() -> None:
    backend = LlamaCppBackend(model_file(BUNDLED["smollm2-135m"]))
    try:
        continued = sample_task(ADD, backend, SamplingParams(n=3, max_tokens=32, seed=3), "completion")
        chatted = sample_task(ADD, backend, SamplingParams(n=2, max_tokens=32, seed=3))  # auto: chat
    finally:
        backend.close()
    assert len(continued) == 3
    assert not any("\ndef " in c for c in continued)  # stopped where the function ends
    assert len(chatted) == 2 and all(c.startswith("\n") for c in chatted)  # a whole function after the stub


def test_generate_then_evaluate(private_cache: Path, tmp_path: Path) -> None:
    out = tmp_path / "samples.jsonl"
    args = ["generate", DATASETS / "tasks-humaneval.jsonl", "-o", out, "-n", "2", "--model", "smollm2-135m"]
    done = run_cli(*args, "--max-tokens", "48", "--json", "--limit", "2", cache=private_cache)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["samples_written"] == 4
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["task_id"] for r in rows] == ["Own/0", "Own/0", "Own/1", "Own/1"]
    again = run_cli(*args, "--max-tokens", "48", "--json", "--limit", "2", cache=private_cache)
    assert json.loads(again.stdout)["resumed"] == 2 and len(out.read_text().splitlines()) == 4
    scored = run_cli("evaluate", "--tasks", DATASETS / "tasks-humaneval.jsonl", "--samples", out, "--json",
                       "--time-limit", "2", cache=private_cache)  # fmt: skip
    result = json.loads(scored.stdout)
    assert result["n"] == 2 and result["samples"] == 4
    failed = {t["task_id"]: t for t in result["failed_tasks"]}
    assert all(t["n"] == 2 and t["verdicts"].count("accepted") == t["correct"] < 2 for t in failed.values())
    per_task = [failed[i]["correct"] / 2 if i in failed else 1.0 for i in ("Own/0", "Own/1")]
    assert result["pass@1"] == pytest.approx(sum(per_task) / 2)  # unbiased pass@1 at n = 2: the mean rate


def test_a_chat_answer_runs_after_a_comment_only_stub_without_its_example_usage(executor: Executor) -> None:
    task = CodegenTask(
        "Lib/0", "import math\n\ndef area(r):\n    # the area of a circle of radius r\n", "area",
        "    return math.pi * r * r\n", "def check(candidate):\n    assert candidate(1.0) == math.pi\n",
        style="candidate",
    )  # fmt: skip
    answer = (
        "import math\n\n@staticmethod\ndef helper():\n    pass\n\ndef area(r):\n    return math.pi * r * r\n"
    )
    reply = fenced(answer + "\n# Example usage:\nprint(area(radius))\n", "python", "Here it is:\n")
    [completion] = sample_task(task, ScriptedModel([[reply]]), SamplingParams(n=1), "chat")
    assert "@staticmethod\ndef helper" in completion and "print(" not in completion
    [result] = executor.run_many([Program(task.program(completion), PYTHON)], RUN)
    assert result.passed, result.tests[0].stderr
