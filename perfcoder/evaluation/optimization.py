"""Evaluating optimization predictions as PIE does: every pair's slow program is measured on the pair's
tests under one cost model, and its human fast program and the model's candidates go through the
verification funnel (perfcoder.verify.funnel) against it; Best@k, SPEEDUP, %OPT, %Correct and RTR for
the model, and the same figures for the human programs as the reference row. With differential testing
a program must also agree with the slow one on generated inputs to count as correct. Two prediction sets
on the same pairs are compared pair by pair (`paired`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from perfcoder.data.pairs import OptimizationPair
from perfcoder.data.rows import Loaded, SkippedRow
from perfcoder.data.sources import TestSources
from perfcoder.environment import Environment, Measurement
from perfcoder.errors import PerfcoderError
from perfcoder.evaluation.predictions import Prediction
from perfcoder.execution.verdict import Verdict
from perfcoder.metrics.speedup import (
    PairedComparison,
    PairOutcome,
    ScoredAnswer,
    SpeedupMetrics,
    compare,
    summarize,
)
from perfcoder.verify.differential import DifferentialConfig
from perfcoder.verify.funnel import Checked, FunnelCounts, Verifier

MakeEnvironment = Callable[[str], Environment]  # language -> environment (one cost model for all)

# Pairs in flight per worker: a pair has ~5 runs, and pairs waiting for their measurements must hold
# enough runs to fill the batches (39 runs) that start while others run, numpy ones too (~15% of runs)
PAIRS_PER_WORKER = 24
MAX_PAIRS_IN_FLIGHT = 256  # threads, mostly waiting


@dataclass
class ProgramRecord:
    verdict: str  # where the verification funnel stopped it, or accepted
    cost: float | None
    speedup: float | None = None  # cost(slow) / cost(this), when both passed
    mismatch: dict[str, Any] | None = None  # differential testing: where it differs from the slow program
    stage: str = "measured"  # the funnel's last stage for it (perfcoder.verify.funnel.STAGES)
    note: str = ""  # why it was rejected
    hack: str | None = None

    @classmethod
    def of(cls, measured: Measurement) -> ProgramRecord:
        return cls(str(measured.verdict), measured.cost, 1.0 if measured.passed else None)

    @classmethod
    def checked(cls, checked: Checked) -> ProgramRecord:
        mismatch = checked.mismatch.to_dict() if checked.mismatch else None
        verdict, cost, ratio = checked.verdict, checked.cost, checked.speedup
        return cls(verdict, cost, ratio, mismatch, checked.stage, checked.reason, checked.hack)

    def candidate(self) -> ScoredAnswer:
        return ScoredAnswer(Verdict(self.verdict), self.cost)


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
    differential: dict[str, Any] | None = None  # the generated inputs, when differential testing is on
    verification: dict[str, Any] | None = None  # the funnel's counts for this pair's programs
    curve: list[float] | None = None  # the search's best speedup after each sample, from the predictions

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
    differential: bool = False  # programs were also checked against the slow one on generated inputs

    @property
    def model(self) -> SpeedupMetrics | None:
        if not self.with_predictions:
            return None
        return summarize([_outcome(r, r.candidates) for r in self.records], self.k)

    @property
    def human(self) -> SpeedupMetrics:
        """The dataset's own fast programs scored as one candidate each: the reference row."""
        return summarize([_outcome(r, [r.reference] if r.reference else []) for r in self.records], 1)

    def mean_curve(self) -> list[float]:
        """The searches' best speedup after each sample, averaged over the pairs that kept a curve (a
        shorter curve holds its last value)."""
        curves = [r.curve for r in self.records if r.curve]
        if not curves:
            return []
        length = max(len(c) for c in curves)
        padded = [[*c, *[c[-1]] * (length - len(c))] for c in curves]
        return [sum(column) / len(column) for column in zip(*padded, strict=True)]

    def verification(self) -> dict[str, Any]:
        """The funnel's counts over every pair: where programs stopped, measured and spared."""
        total = FunnelCounts()
        for record in self.records:
            counts = record.verification or {}
            total.candidates += counts.get("candidates", 0)
            total.measured += counts.get("measured", 0)
            total.stopped.update(counts.get("stopped", {}))
            total.hacks.update(counts.get("hacks", {}))
        return total.to_dict()

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
            "verification": self.verification(),
            "search_curve": [round(value, 4) for value in self.mean_curve()] or None,
            "differential": self._differential_summary(),
        }

    def _differential_summary(self) -> dict[str, Any] | None:
        """The generated inputs every figure above was also checked on (None: differential testing off)."""
        if not self.differential:
            return None
        inputs = [r.differential["inputs"] for r in self.records if r.differential]
        return {
            "generated_inputs": sum(inputs),
            "invalid_inputs": sum(r.differential["invalid"] for r in self.records if r.differential),
            "pairs_with_inputs": sum(n > 0 for n in inputs),
        }


@dataclass
class BaselineComparison:
    """Predictions against a baseline's on the pairs both were scored on: each one's figures there, and
    the pair-by-pair comparison that says whether a difference of %OPT is more than chance."""

    predictions: str  # the baseline's file
    pairs: int
    model: SpeedupMetrics
    baseline: SpeedupMetrics
    paired: PairedComparison
    skipped_rows: list[str]  # baseline rows and pairs left out, with their reasons

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "paired": self.paired.to_dict()}


def paired(
    model: PairEvaluation, baseline: PairEvaluation, name: str, loaded: Loaded[Prediction]
) -> BaselineComparison:
    """The model's evaluation against the baseline's, on the pairs both scored (a pair without a baseline
    prediction is left out and named)."""
    theirs = {record.id: record for record in baseline.records}
    common = [record for record in model.records if record.id in theirs]
    mine = [_outcome(r, r.candidates) for r in common]
    other = [_outcome(theirs[r.id], theirs[r.id].candidates) for r in common]
    return BaselineComparison(
        predictions=name,
        pairs=len(common),
        model=summarize(mine, model.k),
        baseline=summarize(other, model.k),
        paired=compare(mine, other, model.k),
        skipped_rows=[str(row) for row in [*loaded.skipped, *baseline.skipped]],
    )


def evaluate_pairs(
    pairs: Sequence[OptimizationPair],
    predictions: Sequence[Prediction] | None,
    sources: TestSources,
    environment: MakeEnvironment,
    k: int | None = None,
    on_pair: Callable[[], None] | None = None,
    source: str = "pairs",
    differential: DifferentialConfig | None = None,
) -> PairEvaluation:
    """Judge and measure every pair (slow, human fast, first k candidates); a pair that cannot be
    evaluated (no tests, no prediction, slow program failing its tests) is skipped and recorded. With
    `differential`, the fast and candidate programs that pass are also checked against the slow one on
    inputs generated from the tests."""
    started = time.monotonic()
    checks = differential if differential is not None and differential.enabled else None
    result = PairEvaluation("", k, with_predictions=predictions is not None, differential=checks is not None)
    answers = {p.id: p.answers for p in predictions or ()}
    curves = {p.id: list(p.curve) for p in predictions or () if p.curve}
    environments: dict[str, Environment] = {}
    made = threading.Lock()

    def evaluate(pair: OptimizationPair) -> PairRecord | str:
        with made:
            env = environments.get(pair.language) or environments.setdefault(
                pair.language, environment(pair.language)
            )
        result.cost_model = env.cost_model.name
        outcome = _evaluate_pair(pair, answers, predictions is not None, sources, env, k, checks)
        if not isinstance(outcome, str):
            outcome.curve = curves.get(pair.id)
        return outcome

    try:
        # pairs side by side, several per worker: a pair's few runs alone leave workers idle, and the
        # runs of pairs waiting for their measurements fill one batch (perfcoder.execution.batching)
        with ThreadPoolExecutor(max_workers=_pairs_in_flight(pairs, environments, environment)) as pool:
            for pair, outcome in zip(pairs, pool.map(evaluate, pairs), strict=True):
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


def _pairs_in_flight(
    pairs: Sequence[OptimizationPair], environments: dict[str, Environment], make: MakeEnvironment
) -> int:
    """PAIRS_PER_WORKER times the runs the first pair's environment makes at once (it is kept for the
    pairs): the runs themselves never exceed the workers, which every pair shares."""
    if not pairs:
        return 1
    language = pairs[0].language
    env = environments.setdefault(language, make(language))
    return min(len(pairs), PAIRS_PER_WORKER * env.executor.config.workers, MAX_PAIRS_IN_FLIGHT)


def _evaluate_pair(
    pair: OptimizationPair,
    answers: dict[str, tuple[str, ...]],
    with_predictions: bool,
    sources: TestSources,
    env: Environment,
    k: int | None,
    differential: DifferentialConfig | None = None,
) -> PairRecord | str:
    if with_predictions and pair.id not in answers:
        return "no prediction for this pair"
    try:
        tests = sources.for_pair(pair)
    except PerfcoderError as exc:
        return str(exc)
    candidates = list(answers.get(pair.id, ()))[:k] if k else list(answers.get(pair.id, ()))
    verifier = Verifier(env, pair.slow, tests, differential, problem_id=pair.problem_id)
    slow = verifier.original()
    if not slow.passed:
        failed = next(t for t in slow.tests if not t.passed)
        return f"the slow program fails its own tests ({slow.verdict} on test {failed.name})"
    checked = verifier.verify([*([pair.fast] if pair.fast else []), *candidates])
    reference = ProgramRecord.checked(checked.pop(0)) if pair.fast else None
    records = [ProgramRecord.checked(c) for c in checked]
    record = PairRecord(
        id=pair.id,
        problem_id=pair.problem_id,
        tests=len(tests),
        slow=ProgramRecord.of(slow),
        reference=reference,
        candidates=records,
        best_speedup=None,
        differential=verifier.oracle.summary() if verifier.oracle is not None else None,
        verification=verifier.counts.to_dict(),
    )
    if with_predictions:
        record.best_speedup = _outcome(record, records).best_at_k(k)
    return record


def _outcome(record: PairRecord, programs: Sequence[ProgramRecord | None]) -> PairOutcome:
    assert record.slow.cost is not None
    return PairOutcome(record.slow.cost, tuple(p.candidate() for p in programs if p is not None))
