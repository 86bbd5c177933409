"""Speedup metrics of PIE (Best@k, SPEEDUP, %OPT, %Correct) and PerfRL (RTR; compile, pass and
optimized rates), computed from each pair's slow cost and its candidates' verdicts and costs."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from perfcoder.errors import PerfcoderError
from perfcoder.execution.verdict import Verdict
from perfcoder.measure.cost_models import speedup

OPT_THRESHOLD = 1.10  # PIE: a program counts as optimized when at least 10% faster, and correct
OPT_THRESHOLDS = (1.10, 1.25, 1.5, 2.0, 3.0, 5.0, 10.0)
EVEN = 0.01  # two best speedups within 1% of each other are a tie in a paired comparison


@dataclass(frozen=True)
class ScoredAnswer:
    verdict: Verdict
    cost: float | None  # None unless every test passed

    @property
    def correct(self) -> bool:
        return self.verdict == Verdict.ACCEPTED and self.cost is not None


@dataclass(frozen=True)
class PairOutcome:
    """One pair's candidates in sampling order, against the slow program's cost."""

    slow_cost: float
    candidates: tuple[ScoredAnswer, ...]

    def speedups(self, k: int | None = None) -> list[float | None]:
        """cost(slow) / cost(candidate) for the first k candidates; None for incorrect ones."""
        chosen = self.candidates if k is None else self.candidates[:k]
        return [speedup(self.slow_cost, c.cost) if c.correct else None for c in chosen]

    def best_at_k(self, k: int | None = None) -> float:
        """Speedup of the fastest correct of the first k candidates; 1.0 when none is correct or faster."""
        return max([1.0, *(s for s in self.speedups(k) if s is not None)])

    def correct_at_k(self, k: int | None = None) -> bool:
        return any(s is not None for s in self.speedups(k))


@dataclass
class SpeedupMetrics:
    n: int
    k: int | None
    speedup: float  # SPEEDUP: mean Best@k speedup, 1.0 for incorrect or slower
    pct_opt: float  # %OPT: share of pairs with Best@k speedup >= 1.10
    pct_correct: float  # share of pairs with a correct candidate among the first k
    rtr: float  # PerfRL runtime reduction: mean (1 - new/old)*100 over pairs whose runtime went down
    pct_opt_at: dict[float, float] = field(default_factory=dict)  # %OPT at each threshold
    compile_rate: float = 0.0  # PerfRL, over all candidates: share that builds
    pass_rate: float = 0.0  # share that passes every test
    optimized_rate: float = 0.0  # share that passes and is >= 1.10 faster


def summarize(outcomes: Sequence[PairOutcome], k: int | None = None) -> SpeedupMetrics:
    """The metrics over a test set; an empty set gives zeros (and SPEEDUP 1.0), never a division error."""
    best = [outcome.best_at_k(k) for outcome in outcomes]
    improved = [b for b in best if b > 1.0]
    candidates = [c for outcome in outcomes for c in outcome.candidates[:k]]
    return SpeedupMetrics(
        n=len(outcomes),
        k=k,
        speedup=statistics.fmean(best) if best else 1.0,
        pct_opt=_percent(sum(b >= OPT_THRESHOLD for b in best), len(best)),
        pct_correct=_percent(sum(outcome.correct_at_k(k) for outcome in outcomes), len(outcomes)),
        rtr=statistics.fmean((1.0 - 1.0 / b) * 100.0 for b in improved) if improved else 0.0,
        pct_opt_at={t: _percent(sum(b >= t for b in best), len(best)) for t in OPT_THRESHOLDS},
        compile_rate=_percent(sum(c.verdict != Verdict.COMPILE_ERROR for c in candidates), len(candidates)),
        pass_rate=_percent(sum(c.correct for c in candidates), len(candidates)),
        optimized_rate=_percent(sum(_optimized(outcome, k) for outcome in outcomes), len(candidates)),
    )


def _optimized(outcome: PairOutcome, k: int | None) -> int:
    return sum(s is not None and s >= OPT_THRESHOLD for s in outcome.speedups(k))


def _percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


@dataclass(frozen=True)
class PairedComparison:
    """Two methods on the same pairs, counted where they differ: %OPT's threshold reached by one only
    (McNemar's exact test) and the best speedup ahead by more than `EVEN` (the sign test). A p-value is
    two-sided and exact (binomial on the differing pairs, 1.0 when none differ): on a few dozen pairs a
    difference of %OPT is one or two pairs, and this says how likely that is by chance alone."""

    pairs: int
    opt_only_a: int
    opt_only_b: int
    opt_p: float
    faster_a: int
    faster_b: int
    even: int
    faster_p: float

    def to_dict(self) -> dict[str, float | int]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def compare(
    a: Sequence[PairOutcome], b: Sequence[PairOutcome], k: int | None = None, even: float = EVEN
) -> PairedComparison:
    """Method a against method b, pair by pair (the two sequences hold the same pairs in one order)."""
    if len(a) != len(b):
        raise PerfcoderError(f"a paired comparison needs the same pairs: {len(a)} against {len(b)}")
    best = [(x.best_at_k(k), y.best_at_k(k)) for x, y in zip(a, b, strict=True)]
    opt_a = sum(x >= OPT_THRESHOLD > y for x, y in best)
    opt_b = sum(y >= OPT_THRESHOLD > x for x, y in best)
    faster_a = sum(x > y * (1 + even) for x, y in best)
    faster_b = sum(y > x * (1 + even) for x, y in best)
    return PairedComparison(
        pairs=len(best),
        opt_only_a=opt_a,
        opt_only_b=opt_b,
        opt_p=two_sided_p(opt_a, opt_b),
        faster_a=faster_a,
        faster_b=faster_b,
        even=len(best) - faster_a - faster_b,
        faster_p=two_sided_p(faster_a, faster_b),
    )


def two_sided_p(wins: int, losses: int) -> float:
    """The exact two-sided binomial p-value of wins against losses under a fair coin (both tails of the
    symmetric distribution); 1.0 with nothing to count. Written out: scipy is not a dependency."""
    n = wins + losses
    tail: float = sum(math.comb(n, i) for i in range(min(wins, losses) + 1)) / 2**n
    return min(1.0, 2 * tail)
