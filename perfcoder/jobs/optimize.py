"""`perfcoder.optimize` (one program) and `perfcoder.optimize_dataset` (PIE-style predictions for a
pairs file, resumable): the model's candidates judged on the tests and against the input program, the
survivors measured, the fastest verified one returned."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfcoder.data.pairs import OptimizationPair, load_pairs
from perfcoder.data.remote import resolve
from perfcoder.data.resumable import ResumableJsonl
from perfcoder.data.rows import require_rows
from perfcoder.data.sources import TestSources
from perfcoder.environment import Environment, Tests, as_tests
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.languages import language_named, language_of
from perfcoder.execution.source import read_source
from perfcoder.measure.cost_models import COST_HELP, COST_MODELS, DEFAULT_COST, DEFAULT_REPEATS, cost_model
from perfcoder.models.base import Backend, SamplingParams
from perfcoder.models.registry import Model, ModelConfig, as_backend
from perfcoder.models.weights import DEFAULT_MODEL
from perfcoder.settings import run_record, setting, setting_factory, with_overrides
from perfcoder.strategies.catalog import STRATEGIES, make_strategy
from perfcoder.strategies.evolve import EvolveConfig
from perfcoder.strategies.search import (
    OnEvent,
    OptimizeResult,
    PromptStrategy,
    SearchConfig,
    optimize_program,
)
from perfcoder.verify.differential import DifferentialConfig


@dataclass(frozen=True)
class OptimizeConfig:
    """Everything that decides an optimization run besides the program, its tests and the model."""

    k: int = setting(8, "Candidates per round (Best@k).")
    rounds: int = setting(1, "Refinement rounds with execution feedback.")
    search: str = setting(
        "bestk",
        "bestk (k samples per round from one prompt) or evolve (a population of verified programs on "
        "islands, each child asked of a parent with its profile and the last failure as feedback).",
    )
    budget: int | None = setting(None, "Model samples at most, for either search (None: k * rounds).")
    budget_s: float | None = setting(None, "Seconds of search at most (None: no limit).")
    min_gain: float = setting(0.05, "A candidate replaces the input only if at least this much faster.")
    evolve: EvolveConfig = setting_factory(EvolveConfig, "Islands, parent choice and feedback of evolve.")
    strategy: str = setting(
        "instruction",
        "Prompting strategy: instruction, fewshot, cot, retrieval, conditioned (PIE's 10/10 tag) or "
        "valued (AlphaCode's CORRECT tag).",
    )
    shots: int = setting(2, "Examples for fewshot/retrieval.")
    examples: Path | None = setting(None, "Pairs file for fewshot/retrieval (None: the built-in pool).")
    cost: str = setting(DEFAULT_COST, COST_HELP)
    repeats: int = setting(DEFAULT_REPEATS, "Runs per test for the timed cost models (cpu, wall).")
    sampling: SamplingParams = setting_factory(
        lambda: SamplingParams(temperature=0.7, max_tokens=1024), "How the model samples."
    )
    differential: DifferentialConfig = setting_factory(
        DifferentialConfig, "Checking candidates against the input program on generated inputs."
    )
    execution: ExecutionConfig = setting_factory(
        ExecutionConfig, "Sandbox, limits, toolchain and results store."
    )
    engine: ModelConfig = setting_factory(ModelConfig, "How a named model is loaded and cached.")

    def __post_init__(self) -> None:
        if self.k < 1 or self.rounds < 1:
            raise PerfcoderError(f"k and rounds must be at least 1, got k={self.k}, rounds={self.rounds}")
        if self.strategy not in STRATEGIES:
            raise PerfcoderError(f"unknown strategy {self.strategy!r} (known: {', '.join(STRATEGIES)})")
        if self.cost not in COST_MODELS:
            raise PerfcoderError(f"unknown cost model {self.cost!r} (known: {', '.join(COST_MODELS)})")
        self.search_config()  # checks the search settings

    def search_config(self) -> SearchConfig:
        return SearchConfig(
            k=self.k, rounds=self.rounds, sampling=self.sampling, differential=self.differential,
            search=self.search, budget=self.budget, budget_s=self.budget_s, min_gain=self.min_gain,
            evolve=self.evolve,
        )  # fmt: skip

    def prompts(self, language: str) -> tuple[PromptStrategy, PromptStrategy | None]:
        """The search's prompt, and that of evolve's retrieval islands if it has any."""
        strategy = make_strategy(self.strategy, language, self.shots, self.examples)
        if self.search != "evolve" or not self.evolve.retrieval_islands:
            return strategy, None
        return strategy, make_strategy("retrieval", language, self.shots, self.examples)

    def environment(self, language: str) -> Environment:
        return Environment(
            language_named(language), cost_model(self.cost), self.execution, repeats=self.repeats
        )


def optimize(
    program: str | Path,
    tests: Tests,
    *,
    model: Model = DEFAULT_MODEL,
    language: str | None = None,
    config: OptimizeConfig | None = None,
    generator: str | Path | None = None,
    on_event: OnEvent | None = None,
    state: Path | None = None,
    **overrides: Any,
) -> OptimizeResult:
    """A verified faster version of `program` (source text or a file), or the program itself.

    `model` is a bundled model name, a .gguf path, `openai:NAME`, a HF directory, a `Backend`, or a
    function `(messages, SamplingParams) -> list[str]`; keyword overrides set OptimizeConfig fields.
    `state`: a JSONL file the evolutionary search writes each step to."""
    settings = with_overrides(OptimizeConfig, config, overrides)
    code, lang = _program(program, language)
    maker = read_source(Path(generator)) if isinstance(generator, Path) else generator
    with settings.environment(lang) as env, as_backend(model, settings.engine) as backend:
        strategy, retrieval = settings.prompts(lang)
        return optimize_program(
            code, as_tests(tests), env, backend, strategy, settings.search_config(), on_event, maker,
            state=state, retrieval=retrieval,
        )  # fmt: skip


def _program(program: str | Path, language: str | None) -> tuple[str, str]:
    if isinstance(program, Path):
        return read_source(program), language_named(language).name if language else language_of(program).name
    if language is None:
        raise PerfcoderError("give language= with a program passed as source text")
    return program, language_named(language).name


@dataclass
class DatasetRun:
    """What `optimize_dataset` did: rows written now, rows found from an earlier run, pairs skipped."""

    pairs: int
    resumed: int
    written: int
    skipped_rows: list[str]
    output: str

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "skipped": len(self.skipped_rows)}


def optimize_dataset(
    pairs: str | Path,
    output: Path,
    *,
    model: Model = DEFAULT_MODEL,
    config: OptimizeConfig | None = None,
    tests_root: Path | None = None,
    statements: Path | None = None,
    language: str | None = None,
    generator: str | None = None,
    on_pair: Callable[[], None] | None = None,
    record: dict[str, Any] | None = None,
    **overrides: Any,
) -> DatasetRun:
    """PIE-style predictions, one row per pair (`id`, `generated_answers`, `best_speedup`, ...),
    appended as each pair finishes; a rerun skips pairs already written. The run's config (or `record`)
    is written next to the output."""
    settings = with_overrides(OptimizeConfig, config, overrides)
    path = resolve(str(pairs), settings.execution.cache_dir)
    loaded = load_pairs(path, language).require(path.name)
    sources = TestSources(tests_root, statements)
    output.with_name(output.name + ".config.json").write_text(
        json.dumps(record or run_record(settings, pairs=pairs, output=output), indent=2, default=str) + "\n"
    )
    skipped = [str(row) for row in loaded.skipped]
    prompts = functools.cache(settings.prompts)  # a retrieval index is built once per language, not per pair
    for language in sorted({pair.language for pair in loaded.items}):
        prompts(language)  # an example pool that lacks a language stops the run before any pair is spent
    with ResumableJsonl(output, "id") as sink, as_backend(model, settings.engine) as backend:
        resumed = len(sink.done)
        for pair in (pair for pair in loaded.items if pair.id not in sink.done):
            row = _pair_row(pair, sources, backend, settings, prompts(pair.language), generator)
            if isinstance(row, str):
                skipped.append(f"{pair.id}: {row}")
            else:
                sink.write(row)
            if on_pair is not None:
                on_pair()
        require_rows(path.name, resumed + sink.written, skipped)
        return DatasetRun(len(loaded.items), resumed, sink.written, skipped, str(output))


def _pair_row(
    pair: OptimizationPair,
    sources: TestSources,
    backend: Backend,
    settings: OptimizeConfig,
    prompts: tuple[PromptStrategy, PromptStrategy | None],
    generator: str | None,
) -> dict[str, Any] | str:
    """The pair's predictions row, or why the pair has none."""
    strategy, retrieval = prompts
    try:
        tests = sources.for_pair(pair)
        with settings.environment(pair.language) as env:
            result = optimize_program(
                pair.slow, tests, env, backend, strategy, settings.search_config(), generator=generator,
                problem_id=pair.problem_id, retrieval=retrieval,
            )  # fmt: skip
    except PerfcoderError as exc:
        return str(exc)
    return {
        "id": pair.id,
        "problem_id": pair.problem_id,
        "language": pair.language,
        "generated_answers": [c.code if c.code is not None else c.reply for c in result.candidates],
        "best_speedup": result.speedup,
        "verdicts": [c.verdict for c in result.candidates],
        "differential": result.differential,
        "search": result.search,
        "samples": result.samples,
        "curve": result.curve,
        "verification": result.verification,
        "note": result.note,
    }
