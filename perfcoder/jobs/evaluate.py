"""`perfcoder.evaluate`: optimization predictions against PIE-style pairs (%OPT, SPEEDUP, %Correct, RTR,
also under differential testing on request), or code-generation samples against HumanEval-style tasks
(pass@k); without predictions or samples, the dataset's own fast programs or solutions are scored. With a
baseline (a second predictions file), the two are compared pair by pair, with exact p-values."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfcoder.data.code_tasks import load_tasks, tasks_path
from perfcoder.data.pairs import load_pairs
from perfcoder.data.remote import resolve
from perfcoder.data.rows import Loaded, require_rows
from perfcoder.data.sources import TestSources
from perfcoder.environment import Environment
from perfcoder.errors import PerfcoderError
from perfcoder.evaluation.code_samples import canonical_samples, evaluate_samples
from perfcoder.evaluation.optimization import PairEvaluation, evaluate_pairs, paired
from perfcoder.evaluation.predictions import Prediction, load_predictions, load_samples
from perfcoder.execution.engine import ExecutionConfig, Executor
from perfcoder.execution.languages import language_named
from perfcoder.measure.cost_models import COST_HELP, COST_MODELS, DEFAULT_COST, DEFAULT_REPEATS, cost_model
from perfcoder.report.documents import Report, codegen_report, pairs_report
from perfcoder.settings import setting, setting_factory, with_overrides
from perfcoder.verify.differential import DifferentialConfig


@dataclass(frozen=True)
class EvaluateConfig:
    k: int | None = setting(None, "Best@k: the first k answers of each prediction (None: all).")
    cost: str = setting(DEFAULT_COST, COST_HELP)
    repeats: int = setting(DEFAULT_REPEATS, "Runs per test for the timed cost models (cpu, wall).")
    differential: DifferentialConfig | None = setting(
        None, "Also check programs against the slow one on generated inputs (None: off)."
    )
    execution: ExecutionConfig = setting_factory(
        ExecutionConfig, "Sandbox, limits, toolchain and results store."
    )

    def __post_init__(self) -> None:
        if self.k is not None and self.k < 1:
            raise PerfcoderError(f"k must be at least 1, got {self.k}")
        if self.cost not in COST_MODELS:
            raise PerfcoderError(f"unknown cost model {self.cost!r} (known: {', '.join(COST_MODELS)})")


@dataclass
class EvaluationOutcome:
    summary: dict[str, Any]  # what `--json` prints
    records: list[dict[str, Any]]  # one per pair or task (results.jsonl of a report)
    report: Report


def evaluate(
    *,
    pairs: str | None = None,
    predictions: Path | None = None,
    tests_root: Path | None = None,
    statements: Path | None = None,
    tasks: str | None = None,
    samples: Path | None = None,
    language: str | None = None,
    baseline: Path | None = None,
    config: EvaluateConfig | None = None,
    on_item: Callable[..., None] | None = None,
    **overrides: Any,
) -> EvaluationOutcome:
    """Score pairs (with `predictions`, else their own fast programs) or tasks (with `samples`, else their
    canonical solutions); every unusable row is counted and named in the summary. `baseline`: a second
    predictions file, scored the same way and compared with `predictions` pair by pair. Keyword overrides
    set EvaluateConfig fields."""
    settings = with_overrides(EvaluateConfig, config, overrides)
    if (pairs is None) == (tasks is None):
        raise PerfcoderError("give either pairs or tasks")
    if baseline is not None and (pairs is None or predictions is None):
        raise PerfcoderError("a baseline is compared with predictions: give pairs, predictions and baseline")
    if pairs is not None:
        sources = TestSources(tests_root, statements)
        return _pairs(pairs, predictions, baseline, sources, language, settings, on_item)
    assert tasks is not None
    return _tasks(tasks, samples, settings, on_item)


def _pairs(
    spec: str,
    predictions: Path | None,
    baseline: Path | None,
    sources: TestSources,
    language: str | None,
    settings: EvaluateConfig,
    on_item: Callable[..., None] | None,
) -> EvaluationOutcome:
    path = resolve(spec, settings.execution.cache_dir)
    loaded = load_pairs(path, language).require(path.name)
    predicted = None
    if predictions is not None:
        found = load_predictions(predictions, {pair.id for pair in loaded.items})
        predicted = _merge(loaded, found).items
    model = cost_model(settings.cost)

    def environment(lang: str) -> Environment:
        return Environment(language_named(lang), model, settings.execution, repeats=settings.repeats)

    def scored(answers: Sequence[Prediction] | None) -> PairEvaluation:
        return evaluate_pairs(
            loaded.items, answers, sources, environment, settings.k, on_item, path.name, settings.differential
        )

    evaluation = scored(predicted)
    evaluation.skipped[:0] = loaded.skipped
    evaluation.warnings[:0] = loaded.warnings
    require_rows(path.name, len(evaluation.records), [str(row) for row in evaluation.skipped])
    records = [record.to_dict() for record in evaluation.records]
    summary = evaluation.summary()
    against = None
    if baseline is not None:  # the same pairs again: every slow program's runs come from the store
        other = load_predictions(baseline, {pair.id for pair in loaded.items})
        against = paired(evaluation, scored(other.items), baseline.name, other)
        require_rows(baseline.name, against.pairs, against.skipped_rows)
        summary["baseline"] = against.to_dict()
    return EvaluationOutcome(summary, records, pairs_report(evaluation, against))


def _tasks(
    spec: str, samples_path: Path | None, settings: EvaluateConfig, on_item: Callable[..., None] | None
) -> EvaluationOutcome:
    path = resolve(tasks_path(spec), settings.execution.cache_dir)
    loaded = load_tasks(path).require(path.name)
    if samples_path is None:
        samples, scored = canonical_samples(loaded.items), "canonical"
    else:
        found = load_samples(samples_path, {task.task_id for task in loaded.items})
        samples, scored = _merge(loaded, found).items, "samples"
    if not samples:
        require_rows(samples_path.name if samples_path else path.name, 0, [str(r) for r in loaded.skipped])
    with Executor(settings.execution) as executor:
        evaluation = evaluate_samples(loaded.items, samples, executor, on_item)
    evaluation = dataclasses.replace(
        evaluation,
        scored=scored,
        skipped=[*loaded.skipped, *evaluation.skipped],
        warnings=[*loaded.warnings, *evaluation.warnings],
    )
    records = [dataclasses.asdict(record) for record in evaluation.records]
    return EvaluationOutcome(evaluation.summary(), records, codegen_report(evaluation))


def _merge(base: Loaded[Any], extra: Loaded[Any]) -> Loaded[Any]:
    """The extra file's items, with every skipped row and warning of both files counted in `base`."""
    base.skipped += extra.skipped
    base.warnings += extra.warnings
    return extra
