"""Evaluating optimization predictions as PIE does: every pair's slow program, its human fast program
and the model's candidates run on the pair's tests under one cost model; Best@k, SPEEDUP, %OPT,
%Correct and RTR for the model, and the same figures for the human programs as the reference row."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from perfcoder.data.pairs import OptimizationPair
from perfcoder.data.rows import SkippedRow
from perfcoder.data.sources import TestSources
from perfcoder.environment import Environment, Measurement
from perfcoder.errors import PerfcoderError
from perfcoder.evaluation.predictions import Prediction
from perfcoder.execution.verdict import Verdict
from perfcoder.metrics.speedup import Candidate, PairOutcome, SpeedupMetrics, summarize

MakeEnvironment = Callable[[str], Environment]  # language -> environment (one cost model for all)


@dataclass
class ProgramRecord:
    verdict: str
    cost: float | None
    speedup: float | None = None  # cost(slow) / cost(this), when both passed

    @classmethod
    def of(cls, measured: Measurement, slow_cost: float | None) -> ProgramRecord:
        speedup = slow_cost / measured.cost if slow_cost and measured.cost else None
        return cls(str(measured.verdict), measured.cost, speedup)

    def candidate(self) -> Candidate:
        return Candidate(Verdict(self.verdict), self.cost)


@dataclass
class PairRecord:
    """What happened to one pair: written to the results file, one line each."""

    id: str
    problem_id: str
    tests: int
    slow: ProgramRecord
    reference: ProgramRecord | None
    candidates: list[ProgramRecord]
    best_speedup: float | None  # Best@k of the model, None without predictions

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PairEvaluation:
    cost_model: str
    k: int | None
    records: list[PairRecord] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    with_predictions: bool = True

    @property
    def model(self) -> SpeedupMetrics | None:
        if not self.with_predictions:
            return None
        return summarize([_outcome(r, r.candidates) for r in self.records], self.k)

    @property
    def human(self) -> SpeedupMetrics:
        """The dataset's own fast programs scored as one candidate each: the reference row."""
        return summarize([_outcome(r, [r.reference] if r.reference else []) for r in self.records], 1)

    def summary(self) -> dict[str, Any]:
        main = self.model or self.human
        return {
            "n": main.n,
            "k": self.k,
            "cost_model": self.cost_model,
            "pct_opt": main.pct_opt,
            "speedup": main.speedup,
            "pct_correct": main.pct_correct,
            "rtr": main.rtr,
            "scored": "model" if self.model else "human",
            "model": asdict(self.model) if self.model else None,
            "human": asdict(self.human),
            "skipped": len(self.skipped),
            "skipped_rows": [str(row) for row in self.skipped],
            "warnings": self.warnings,
            "wall_s": round(self.wall_s, 3),
        }


def evaluate_pairs(
    pairs: Sequence[OptimizationPair],
    predictions: Sequence[Prediction] | None,
    sources: TestSources,
    environment: MakeEnvironment,
    k: int | None = None,
    on_pair: Callable[[], None] | None = None,
    source: str = "pairs",
) -> PairEvaluation:
    """Judge and measure every pair (slow, human fast, first k candidates); a pair that cannot be
    evaluated (no tests, no prediction, slow program failing its tests) is skipped and recorded."""
    started = time.monotonic()
    result = PairEvaluation("", k, with_predictions=predictions is not None)
    answers = {p.id: p.answers for p in predictions or ()}
    environments: dict[str, Environment] = {}
    try:
        for pair in pairs:
            env = environments.get(pair.language) or environments.setdefault(
                pair.language, environment(pair.language)
            )
            result.cost_model = env.model.name
            outcome = _evaluate_pair(pair, answers, predictions is not None, sources, env, k)
            if isinstance(outcome, str):
                result.skipped.append(SkippedRow(source, pair.row, pair.id, outcome))
            else:
                result.records.append(outcome)
            if on_pair is not None:
                on_pair()
    finally:
        for env in environments.values():
            env.close()
    result.wall_s = time.monotonic() - started
    return result


def _evaluate_pair(
    pair: OptimizationPair,
    answers: dict[str, tuple[str, ...]],
    with_predictions: bool,
    sources: TestSources,
    env: Environment,
    k: int | None,
) -> PairRecord | str:
    if with_predictions and pair.id not in answers:
        return "no prediction for this pair"
    try:
        tests = sources.for_pair(pair)
    except PerfcoderError as exc:
        return str(exc)
    candidates = list(answers.get(pair.id, ()))[:k] if k else list(answers.get(pair.id, ()))
    programs = [pair.slow, *([pair.fast] if pair.fast else []), *candidates]
    unique = list(dict.fromkeys(programs))  # the same program twice is judged once
    measured = dict(zip(unique, env.run_many(unique, tests), strict=True))
    slow = measured[pair.slow]
    if not slow.passed:
        failed = next(t for t in slow.tests if not t.passed)
        return f"the slow program fails its own tests ({slow.verdict} on test {failed.name})"
    records = [ProgramRecord.of(measured[code], slow.cost) for code in candidates]
    record = PairRecord(
        id=pair.id,
        problem_id=pair.problem_id,
        tests=len(tests),
        slow=ProgramRecord.of(slow, slow.cost),
        reference=ProgramRecord.of(measured[pair.fast], slow.cost) if pair.fast else None,
        candidates=records,
        best_speedup=None,
    )
    if with_predictions:
        record.best_speedup = _outcome(record, records).best_at_k(k)
    return record


def _outcome(record: PairRecord, programs: Sequence[ProgramRecord | None]) -> PairOutcome:
    assert record.slow.cost is not None
    return PairOutcome(record.slow.cost, tuple(p.candidate() for p in programs if p is not None))
