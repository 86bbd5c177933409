"""The papers' metrics on hand-computed cases."""

from __future__ import annotations

import math

import pytest

from perfcoder.errors import PerfcoderError
from perfcoder.execution.verdict import Verdict
from perfcoder.metrics.passk import mean_pass_at_k, pass_at_k
from perfcoder.metrics.speedup import PairOutcome, ScoredAnswer, compare, summarize, two_sided_p

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


def test_paired_comparison_by_hand() -> None:
    a = [
        pair(100.0, (OK, 50.0)),  # 2.0: %OPT for a only, a faster
        pair(100.0, (OK, 80.0)),  # 1.25 against b's 1.3: both reach %OPT, b faster
        pair(100.0, (OK, 99.5)),  # 1.005 against 1.0: within 1%, even
        pair(100.0, (WA, None)),  # 1.0 against 1.2: %OPT for b only
    ]
    b = [
        pair(100.0, (OK, 100.0)),
        pair(100.0, (OK, 100 / 1.3)),
        pair(100.0, (WA, None)),
        pair(100.0, (OK, 100 / 1.2)),
    ]
    result = compare(a, b)
    assert (result.pairs, result.opt_only_a, result.opt_only_b) == (4, 1, 1)
    assert (result.faster_a, result.faster_b, result.even) == (1, 2, 1)
    assert result.opt_p == 1.0  # one pair each way is no evidence
    assert result.faster_p == pytest.approx(1.0)  # 1 against 2: P(X <= 1) + P(X >= 2) for 3 coin flips


def test_paired_comparison_p_value_falls_with_consistent_wins() -> None:
    wins = [pair(100.0, (OK, 50.0)) for _ in range(8)]
    none = [pair(100.0, (WA, None)) for _ in range(8)]
    result = compare(wins, none)
    assert result.opt_only_a == 8 and result.opt_only_b == 0
    assert result.opt_p == pytest.approx(2 / 2**8)  # both tails of 8 heads out of 8
    assert compare(none, none).opt_p == 1.0  # nothing differs
    with pytest.raises(PerfcoderError, match="same pairs"):
        compare(wins, none[:3])


@pytest.mark.parametrize(("wins", "losses"), [(0, 0), (1, 0), (3, 1), (2, 2), (0, 9), (7, 20), (30, 12)])
def test_two_sided_p_is_scipys_exact_binomial_test(wins: int, losses: int) -> None:
    from scipy.stats import binomtest  # a dev dependency: the independent reference

    expected = binomtest(wins, wins + losses, 0.5).pvalue if wins + losses else 1.0
    assert two_sided_p(wins, losses) == pytest.approx(expected)
