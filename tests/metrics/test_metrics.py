"""The papers' metrics on hand-computed cases."""

from __future__ import annotations

import math

import pytest

from perfcoder.execution.verdict import Verdict
from perfcoder.metrics.passk import mean_pass_at_k, pass_at_k
from perfcoder.metrics.speedup import PairOutcome, ScoredAnswer, summarize

OK, WA, CE = Verdict.ACCEPTED, Verdict.WRONG_ANSWER, Verdict.COMPILE_ERROR


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [
        (1, 1, 1, 1.0),
        (1, 0, 1, 0.0),
        (10, 3, 1, 0.3),
        (5, 2, 2, 1 - 3 / 10),  # 1 - C(3,2)/C(5,2)
        (10, 1, 10, 1.0),
        (200, 10, 100, 1 - math.comb(190, 100) / math.comb(200, 100)),
        (4, 3, 2, 1.0),  # n - c < k: some correct sample is always drawn
    ],
)
def test_pass_at_k(n: int, c: int, k: int, expected: float) -> None:
    assert pass_at_k(n, c, k) == pytest.approx(expected, rel=1e-12)


def test_pass_at_k_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        pass_at_k(3, 4, 1)
    with pytest.raises(ValueError):
        pass_at_k(3, 1, 5)


def test_mean_pass_at_k_only_where_every_task_has_k_samples() -> None:
    result = mean_pass_at_k([(10, 5), (20, 0)], ks=(1, 10, 100))
    assert set(result) == {1, 10}
    assert result[1] == pytest.approx((0.5 + 0.0) / 2)
    assert result[10] == pytest.approx((1.0 + 0.0) / 2)


def pair(slow: float, *candidates: tuple[Verdict, float | None]) -> PairOutcome:
    return PairOutcome(slow, tuple(ScoredAnswer(v, c) for v, c in candidates))


def test_best_at_k_takes_the_fastest_correct_of_the_first_k() -> None:
    outcome = pair(100.0, (WA, 10.0), (OK, 50.0), (OK, 20.0))
    assert outcome.best_at_k(1) == 1.0  # the only candidate is wrong
    assert outcome.best_at_k(2) == 2.0
    assert outcome.best_at_k(3) == 5.0
    assert pair(100.0, (OK, 200.0)).best_at_k(1) == 1.0  # correct but slower counts as 1.0


def test_summary_by_hand() -> None:
    outcomes = [
        pair(100.0, (OK, 50.0)),  # 2.0
        pair(100.0, (OK, 95.0)),  # 1.0526: faster, not optimized
        pair(100.0, (WA, None), (CE, None)),  # 1.0, incorrect
        pair(100.0, (OK, 10.0)),  # 10.0
    ]
    metrics = summarize(outcomes)
    assert metrics.n == 4
    assert metrics.speedup == pytest.approx((2.0 + 100 / 95 + 1.0 + 10.0) / 4)
    assert metrics.pct_opt == 50.0
    assert metrics.pct_correct == 75.0
    assert metrics.rtr == pytest.approx((50.0 + 5.0 + 90.0) / 3)  # mean (1 - new/old)*100 over improved
    assert metrics.pct_opt_at[2.0] == 50.0 and metrics.pct_opt_at[10.0] == 25.0
    assert metrics.pct_opt_at[1.1] == metrics.pct_opt
    assert metrics.compile_rate == 80.0 and metrics.pass_rate == 60.0 and metrics.optimized_rate == 40.0


def test_empty_test_set_is_neutral() -> None:
    metrics = summarize([])
    assert (metrics.n, metrics.speedup, metrics.pct_opt, metrics.rtr) == (0, 1.0, 0.0, 0.0)
