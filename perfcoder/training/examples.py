"""Training examples from (slow, fast) pairs: PIE's optimization prompt, the fast program as the target,
the slow program and tests as columns for execution rewards; PIE's high-quality subset and
performance-conditioned tags, both from costs our environment measures; AlphaCode's value conditioning
from the verdicts it judges."""

from __future__ import annotations

import dataclasses
import json
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfcoder.data.pairs import load_pairs
from perfcoder.data.remote import resolve
from perfcoder.data.sources import TestSources
from perfcoder.data.testsuite import case_to_mapping
from perfcoder.environment import Environment, as_tests
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig, Executor, Program
from perfcoder.execution.languages import language_named
from perfcoder.measure.cost_models import cost_model, speedup
from perfcoder.models.base import Message
from perfcoder.settings import setting
from perfcoder.strategies.prompts import (
    ConditionedStrategy,
    InstructionStrategy,
    ValueConditionedStrategy,
    fenced,
)

TOP_SCORE = 10  # PIE's tags are percentile bins 1..10; inference asks for 10/10


@dataclass(frozen=True)
class TrainingData:
    pairs: str = setting("", "Pairs file (PIE format, jsonl/jsonl.gz/URL) the examples come from.")
    tests_root: Path | None = setting(None, "Tests as DIR/{problem_id}/input.N.txt (inline tests need none).")
    language: str | None = setting(None, "Keep only this language's pairs (None: all).")
    limit: int = setting(0, "Use only the first N pairs (0: all).")
    cost: str = setting("instructions", "Cost model for the HQ subset and the conditioning tags.")
    high_quality: int = setting(0, "PIE's HQ subset: the N fastest pairs per problem by speedup (0: all).")
    conditioned: bool = setting(False, "Performance-conditioned: tag each target with its score 1..10.")
    valued: bool = setting(
        False,
        "AlphaCode's value conditioning: each target judged on its tests and tagged CORRECT or INCORRECT "
        "in the prompt; all are trained on, inference asks for CORRECT (--strategy valued).",
    )

    def __post_init__(self) -> None:
        if self.limit < 0 or self.high_quality < 0:
            raise PerfcoderError("limit and high_quality must be at least 0")
        if self.valued and (self.conditioned or self.high_quality):
            raise PerfcoderError(
                "valued trains on incorrect targets too; high_quality and conditioned keep only correct ones"
            )
        cost_model(self.cost)


@dataclass(frozen=True)
class TrainingExample:
    problem_id: str
    language: str
    slow: str
    fast: str
    tests: list[dict[str, str]]  # {"name", "input", "output"}: the execution reward's column
    score: int | None = None  # the target's percentile bin among its problem's programs (conditioned)
    correct: bool | None = None  # the target passed its tests (value conditioning)

    def prompt(self) -> list[Message]:
        """What the model is asked (the same prompt `perfcoder optimize` uses)."""
        if self.score is not None:
            return ConditionedStrategy(self.score).messages(self.slow, self.language)
        if self.correct is not None:
            return ValueConditionedStrategy(self.correct).messages(self.slow, self.language)
        return InstructionStrategy().messages(self.slow, self.language)

    def target(self) -> str:
        return fenced(self.fast, self.language)

    def row(self) -> dict[str, Any]:
        """A dataset row for TRL: conversational prompt and completion, plus the reward's columns."""
        return {
            "prompt": self.prompt(),
            "completion": [{"role": "assistant", "content": self.target()}],
            "slow": self.slow,
            "tests": json.dumps(self.tests),
            "language": self.language,
        }


def load_examples(data: TrainingData, execution: ExecutionConfig | None = None) -> list[TrainingExample]:
    """The pairs as examples; HQ selection and conditioning measure every program (results are cached)."""
    if not data.pairs:
        raise PerfcoderError("training data needs `pairs:` (a pairs file)")
    path = resolve(data.pairs)
    loaded = load_pairs(path, language=data.language).require(path.name)
    pairs = [p for p in loaded.items if p.fast]
    if data.limit:
        pairs = pairs[: data.limit]
    if not pairs:
        raise PerfcoderError(f"{data.pairs}: no pairs with a fast program")
    sources = TestSources(tests_root=data.tests_root)
    examples = [
        TrainingExample(
            p.problem_id,
            p.language,
            p.slow,
            p.fast or "",
            [case_to_mapping(t) for t in sources.for_pair(p)],
        )
        for p in pairs
    ]
    if data.valued:
        return valued(examples, execution or ExecutionConfig())
    if not (data.high_quality or data.conditioned):
        return examples
    costs = _measured_costs(examples, data.cost, execution or ExecutionConfig())
    if data.high_quality:
        examples = high_quality(examples, costs, data.high_quality)
    return conditioned(examples, costs) if data.conditioned else examples


def high_quality(
    examples: Sequence[TrainingExample], costs: dict[tuple[str, str], float], per_problem: int
) -> list[TrainingExample]:
    """PIE's HQ subset: per problem, the `per_problem` pairs with the highest measured speedup (pairs
    whose programs fail their tests have no cost and are dropped)."""
    by_problem: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for i, example in enumerate(examples):
        gain = speedup(
            costs.get((example.language, example.slow)), costs.get((example.language, example.fast))
        )
        if gain is not None:
            by_problem[example.problem_id].append((gain, i))
    kept = sorted(i for ranked in by_problem.values() for _, i in sorted(ranked, reverse=True)[:per_problem])
    return [examples[i] for i in kept]


def conditioned(
    examples: Sequence[TrainingExample], costs: dict[tuple[str, str], float]
) -> list[TrainingExample]:
    """Each target tagged with its percentile bin (10 = fastest) among its problem's measured programs."""
    programs: dict[str, set[str]] = defaultdict(set)
    for example in examples:
        for code in (example.slow, example.fast):
            if (example.language, code) in costs:
                programs[example.problem_id].add(code)
    tagged = []
    for example in examples:
        pool = sorted(programs[example.problem_id], key=lambda c: -costs[(example.language, c)])
        if example.fast not in pool:
            continue  # the target fails its tests: no score to learn from
        tagged.append(dataclasses.replace(example, score=score_bin(pool.index(example.fast), len(pool))))
    return tagged


def valued(examples: Sequence[TrainingExample], execution: ExecutionConfig) -> list[TrainingExample]:
    """Each example with its target's verdict on its tests (run natively: a verdict needs no cost)."""
    correct: dict[tuple[str, str, str], bool] = {}
    with Executor(execution) as executor:
        for (language, tests), group in _by_tests(examples).items():
            codes = list(dict.fromkeys(e.fast for e in group))
            programs = [Program(code, language_named(language)) for code in codes]
            for code, result in zip(
                codes, executor.run_many(programs, as_tests(json.loads(tests))), strict=True
            ):
                correct[(language, tests, code)] = result.passed
    return [
        dataclasses.replace(e, correct=correct[(e.language, json.dumps(e.tests), e.fast)]) for e in examples
    ]


def score_bin(position: int, count: int) -> int:
    """1..10 from a position in slowest-first order: the fastest program of a problem scores 10."""
    return max(1, math.ceil(TOP_SCORE * (position + 1) / count))


def _measured_costs(
    examples: Sequence[TrainingExample], cost: str, execution: ExecutionConfig
) -> dict[tuple[str, str], float]:
    """(language, program) -> cost on its problem's tests, for every program that passes them."""
    costs: dict[tuple[str, str], float] = {}
    for (language, tests), group in _by_tests(examples).items():
        codes = list(dict.fromkeys(code for e in group for code in (e.slow, e.fast)))
        with Environment(language_named(language), cost_model(cost), execution) as env:
            for code, measured in zip(codes, env.run_many(codes, json.loads(tests)), strict=True):
                if measured.passed and measured.cost is not None:
                    costs[(language, code)] = measured.cost
    return costs


def _by_tests(examples: Sequence[TrainingExample]) -> dict[tuple[str, str], list[TrainingExample]]:
    """Examples grouped by (language, tests as JSON): each group runs in one environment, one batch."""
    groups: dict[tuple[str, str], list[TrainingExample]] = defaultdict(list)
    for example in examples:
        groups[(example.language, json.dumps(example.tests))].append(example)
    return groups


def write_examples(examples: Sequence[TrainingExample], path: Path) -> None:
    """The examples as JSONL rows, next to a run's outputs (what the model was trained on)."""
    path.write_text("".join(json.dumps(e.row()) + "\n" for e in examples))
