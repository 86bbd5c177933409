"""Evaluating code-generation samples (HumanEval, PandasEval, NumpyEval, MBPP): each completion becomes
the task's test program, run in the sandbox (never in this process); unbiased pass@k over tasks."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from perfcoder.data.code_tasks import CodegenTask
from perfcoder.data.rows import SkippedRow
from perfcoder.evaluation.predictions import TaskSample
from perfcoder.execution.engine import Executor, Program
from perfcoder.execution.languages import PYTHON
from perfcoder.execution.results import TestResult
from perfcoder.execution.testcase import TestCase
from perfcoder.execution.verdict import Verdict
from perfcoder.metrics.passk import PASS_AT, mean_pass_at_k

RUN_ONCE = [TestCase("check", b"", None)]  # the program is its own test: exit 0 means it passed


@dataclass
class TaskRecord:
    task_id: str
    n: int
    correct: int
    verdicts: list[str]


@dataclass
class CodegenEvaluation:
    records: list[TaskRecord] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    scored: str = "samples"  # or "canonical": the tasks' own solutions

    @property
    def pass_at(self) -> dict[int, float]:
        return mean_pass_at_k([(r.n, r.correct) for r in self.records], PASS_AT)

    def summary(self) -> dict[str, Any]:
        return {
            "n": len(self.records),
            "samples": sum(r.n for r in self.records),
            "scored": self.scored,
            **{f"pass@{k}": value for k, value in self.pass_at.items()},
            "skipped": len(self.skipped),
            "skipped_rows": [str(row) for row in self.skipped],
            "warnings": self.warnings,
            "wall_s": round(self.wall_s, 3),
            "failed_tasks": [asdict(r) for r in self.records if r.correct < r.n],
        }


def canonical_samples(tasks: Sequence[CodegenTask]) -> list[TaskSample]:
    """Each task's own solution as its one sample: the check that a dataset's tests are sound."""
    return [TaskSample(task.task_id, task.canonical_solution) for task in tasks]


def evaluate_samples(
    tasks: Sequence[CodegenTask],
    samples: Sequence[TaskSample],
    executor: Executor,
    on_result: Callable[[], None] | None = None,
) -> CodegenEvaluation:
    """Run every sample's test program in the sandbox; tasks without samples are skipped and recorded."""
    started = time.monotonic()
    by_id = {task.task_id: task for task in tasks}
    programs = [Program(by_id[s.task_id].program(s.completion), PYTHON) for s in samples]

    def advance(_program: int, _test: int, _result: TestResult) -> None:
        if on_result is not None:
            on_result()

    results = executor.run_many(programs, RUN_ONCE, on_result=advance)
    verdicts: dict[str, list[str]] = defaultdict(list)
    for sample, result in zip(samples, results, strict=True):
        verdicts[sample.task_id].append(str(result.verdict))
    evaluation = CodegenEvaluation(wall_s=0.0)
    for number, task in enumerate(tasks, 1):
        if task.task_id not in verdicts:
            evaluation.skipped.append(SkippedRow("tasks", number, task.task_id, "no samples for this task"))
            continue
        found = verdicts[task.task_id]
        evaluation.records.append(TaskRecord(task.task_id, len(found), found.count(Verdict.ACCEPTED), found))
    evaluation.wall_s = time.monotonic() - started
    return evaluation
