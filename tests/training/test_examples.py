"""Training examples from pairs: PIE's prompt and target, the HQ subset and the performance tags."""

from __future__ import annotations

from pathlib import Path

import pytest

import perfcoder
from perfcoder.strategies.prompts import SCORE_TAG
from perfcoder.training.examples import (
    TrainingData,
    TrainingExample,
    conditioned,
    high_quality,
    load_examples,
    score_bin,
)
from tests.support.paths import DATASETS

INLINE = str(DATASETS / "pie2023-python-inline.jsonl")


def example(problem: str, slow: str, fast: str) -> TrainingExample:
    return TrainingExample(problem, "python", slow, fast, [{"input": "1\n", "output": "1\n"}])


def test_score_bins_put_the_fastest_program_of_a_problem_at_ten() -> None:
    assert [score_bin(i, 10) for i in range(10)] == list(range(1, 11))
    assert [score_bin(i, 4) for i in range(4)] == [3, 5, 8, 10]
    assert score_bin(0, 1) == 10


def test_hq_keeps_the_largest_speedups_per_problem_in_dataset_order() -> None:
    pairs = [
        example("a", "s1", "f1"),
        example("a", "s2", "f2"),
        example("a", "s3", "f3"),
        example("b", "t", "g"),
    ]
    costs = {
        ("python", c): v for c, v in {"s1": 10, "f1": 5, "s2": 10, "f2": 2, "s3": 9, "f3": 3, "t": 4}.items()
    }
    kept = high_quality(pairs, costs, per_problem=2)  # speedups 2, 5, 3; "g" failed its tests: no cost
    assert [(e.slow, e.fast) for e in kept] == [("s2", "f2"), ("s3", "f3")]


def test_tags_rank_each_target_among_all_programs_of_its_problem() -> None:
    pairs = [example("a", "s1", "f1"), example("a", "s1", "f2"), example("a", "f2", "f3")]
    costs = {("python", c): v for c, v in {"s1": 100, "f1": 50, "f2": 20, "f3": 10}.items()}
    tagged = conditioned(pairs, costs)  # slowest first: s1, f1, f2, f3 -> bins 3, 5, 8, 10
    assert [e.score for e in tagged] == [5, 8, 10]
    assert SCORE_TAG.format(score=8) in tagged[1].prompt()[-1]["content"]
    assert "score" not in pairs[0].prompt()[-1]["content"]


def test_conditioned_examples_from_measured_costs(private_cache: Path) -> None:
    examples = load_examples(TrainingData(pairs=INLINE, limit=2, conditioned=True))
    assert len(examples) == 2
    with perfcoder.make("python", cost="instructions") as env:
        for e in examples:  # one pair per problem: the target scores 10 if measured faster than slow, else 5
            slow, fast = env.run_many([e.slow, e.fast], e.tests)
            assert e.score == (10 if fast.cost < slow.cost else 5)  # type: ignore[operator]
    row = examples[0].row()
    assert row["completion"][0]["content"].startswith("```python\n") and row["slow"] == examples[0].slow


def test_missing_pairs_are_a_clear_error() -> None:
    from perfcoder.errors import PerfcoderError

    with pytest.raises(PerfcoderError, match="needs `pairs:`"):
        load_examples(TrainingData())
