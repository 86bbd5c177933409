"""Speedup metrics of PIE (Best@k, SPEEDUP, %OPT, %Correct) and PerfRL (RTR; compile, pass and
optimized rates), computed from each pair's slow cost and its candidates' verdicts and costs."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from perfcoder.execution.verdict import Verdict
from perfcoder.measure.cost_models import speedup

OPT_THRESHOLD = 1.10  # PIE: a program counts as optimized when at least 10% faster, and correct
OPT_THRESHOLDS = (1.10, 1.25, 1.5, 2.0, 3.0, 5.0, 10.0)


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
