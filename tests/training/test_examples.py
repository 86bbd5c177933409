"""Training examples from pairs: PIE's prompt and target, the HQ subset and the performance tags."""

from __future__ import annotations

from pathlib import Path

import pytest

import perfcoder
from perfcoder.strategies.prompts import SCORE_TAG, VALUE_TAGS, ValueConditionedStrategy
from perfcoder.training.examples import (
    TrainingData,
    TrainingExample,
    conditioned,
    high_quality,
    load_examples,
    score_bin,
)
from tests.support.files import write_rows
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


def test_value_conditioning_tags_each_target_by_its_real_verdict(private_cache: Path, tmp_path: Path) -> None:
    slow = "n = int(input())\nprint(sum(range(n + 1)))\n"
    rows = [
        {
            "problem_id": "p",
            "language": "python",
            "input": slow,
            "target": "n = int(input())\nprint(n * (n + 1) // 2)\n",
        },
        {
            "problem_id": "p",
            "language": "python",
            "input": slow,
            "target": "n = int(input())\nprint(n * n // 2)\n",
        },
        {"problem_id": "p", "language": "python", "input": slow, "target": "print(int(input()) / 0)\n"},
    ]
    tests = [{"input": "4\n", "output": "10\n"}, {"input": "7\n", "output": "28\n"}]
    pairs = write_rows(tmp_path / "pairs.jsonl", [{**row, "test_cases": tests} for row in rows])
    examples = load_examples(TrainingData(pairs=str(pairs), valued=True))
    assert [e.correct for e in examples] == [True, False, False]  # wrong answer and a crash: incorrect
    asks = [e.prompt()[-1]["content"] for e in examples]
    assert asks[0].endswith(VALUE_TAGS[True] + ":") and all(
        a.endswith(VALUE_TAGS[False] + ":") for a in asks[1:]
    )
    assert (
        ValueConditionedStrategy().messages(slow, "python")[-1]["content"] == asks[0]
    )  # inference asks CORRECT


def test_value_conditioning_does_not_mix_with_selection_by_cost() -> None:
    from perfcoder.errors import PerfcoderError

    with pytest.raises(PerfcoderError, match="valued trains on incorrect targets too"):
        TrainingData(pairs=INLINE, valued=True, high_quality=2)
