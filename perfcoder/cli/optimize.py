"""`perfcoder optimize`: a program and its tests in, a verified faster program out (or the input, with
an honest "no faster candidate"); with --pairs, the same over a benchmark, writing PIE predictions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from perfcoder.cli import model_options as mo
from perfcoder.cli import options as opt
from perfcoder.cli.evaluate import PairsOption, StatementsOption, TestsRootOption
from perfcoder.cli.render import number, progress_bar, stderr, stdout, styled
from perfcoder.data.differential import DifferentialConfig
from perfcoder.data.pairs import OptimizationPair, load_pairs
from perfcoder.data.remote import resolve
from perfcoder.data.rows import read_jsonl
from perfcoder.data.sources import TestSources
from perfcoder.data.testsuite import load_tests
from perfcoder.environment import Environment
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.languages import language_named, language_of
from perfcoder.execution.source import read_source
from perfcoder.execution.verdict import Verdict
from perfcoder.measure.models import DEFAULT_REPEATS, CostModel, cost_model
from perfcoder.models.base import Backend
from perfcoder.models.registry import ModelConfig, load_backend
from perfcoder.strategies.catalog import STRATEGIES, make_strategy
from perfcoder.strategies.optimize import OptimizeResult, SearchConfig, optimize_program

StrategyOption = Annotated[str, typer.Option("--strategy", "-s", help=f"One of {', '.join(STRATEGIES)}.")]
ExamplesOption = Annotated[
    Path | None, typer.Option("--examples", help="Pairs file for few-shot/retrieval (default: built-in).")
]
DifferentialOption = Annotated[
    bool,
    typer.Option(
        "--differential/--no-differential",
        help="Also check candidates against the input program on generated inputs (it is the oracle).",
    ),
]
GeneratorOption = Annotated[
    Path | None,
    typer.Option(
        "--generator", help="Program that reads a seed and prints one input, for differential tests."
    ),
]


@opt.with_execution_options
@mo.with_model_options(temperature=0.7, max_tokens=1024)
def optimize(
    program: Annotated[Path | None, typer.Argument(help="The program to speed up (.cpp or .py).")] = None,
    tests: Annotated[
        Path | None, typer.Option("--tests", "-t", help="Its tests (dir or .json/.jsonl).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Where the best program (or predictions) go.")
    ] = None,
    k: Annotated[int, typer.Option("-k", help="Candidates per round (Best@k).")] = 8,
    rounds: Annotated[int, typer.Option("--rounds", help="Refinement rounds with execution feedback.")] = 1,
    strategy: StrategyOption = "instruction",
    shots: Annotated[int, typer.Option("--shots", help="Examples for fewshot/retrieval.")] = 2,
    examples: ExamplesOption = None,
    differential: DifferentialOption = True,
    generator: GeneratorOption = None,
    pairs: PairsOption = None,
    tests_root: TestsRootOption = None,
    statements: StatementsOption = None,
    cost: opt.CostOption = "cycles",
    language: opt.LanguageOption = None,
    as_json: opt.JsonOption = False,
    repeats: opt.RepeatsOption = DEFAULT_REPEATS,
    models: mo.ModelOptions = mo.DEFAULT_MODEL_OPTIONS,
    settings: ExecutionConfig = opt.DEFAULT_SETTINGS,
) -> None:
    """Ask a model for faster versions of PROGRAM, judge and measure each in the sandbox, keep the fastest
    that passes every test. Never returns a program that fails a test."""
    options = dict(locals())
    if (program is None) == (pairs is None):
        raise typer.BadParameter("give either PROGRAM with --tests, or --pairs", param_hint="PROGRAM/--pairs")
    if k < 1 or rounds < 1:
        raise typer.BadParameter("-k and --rounds must be at least 1")
    checks = DifferentialConfig(enabled=differential)
    search = SearchConfig(k=k, rounds=rounds, sampling=models.sampling(), differential=checks)
    run_config = opt.run_record(options)
    mconfig = models.config(settings.cache_dir)
    if program is not None:
        if tests is None:
            raise typer.BadParameter("give --tests for PROGRAM", param_hint="--tests")
        _optimize_one(program, tests, output, search, settings, options, run_config, mconfig)
    else:
        assert pairs is not None
        _optimize_pairs(pairs, output, search, settings, options, run_config, mconfig)


def _optimize_one(
    program: Path,
    tests: Path,
    output: Path | None,
    search: SearchConfig,
    settings: ExecutionConfig,
    options: dict[str, Any],
    run_config: dict[str, Any],
    mconfig: ModelConfig,
) -> None:
    lang = language_named(options["language"]) if options["language"] else language_of(program)
    code, suite = read_source(program), load_tests(tests)
    target = output or program.with_name(f"{program.stem}.optimized{program.suffix}")
    env = Environment(lang, cost_model(options["cost"] or "cycles"), settings, repeats=options["repeats"])
    strategy = make_strategy(options["strategy"], lang.name, options["shots"], options["examples"])
    backend = _load(mconfig, not options["as_json"])
    generator = read_source(options["generator"]) if options["generator"] else None
    try:
        with _status(not options["as_json"]) as say:
            result = optimize_program(code, suite, env, backend, strategy, search, say, generator)
    finally:
        backend.close()
        env.close()
    target.write_text(result.code)
    record = target.with_name(target.name + ".run.json")
    record.write_text(json.dumps({"config": run_config, "result": result.to_dict()}, indent=2) + "\n")
    if options["as_json"]:
        candidates = [
            {"verdict": c.verdict, "cost": c.cost, "speedup": c.speedup, "mismatch": c.mismatch}
            for c in result.candidates
        ]
        summary = {"speedup": result.speedup, "verdict": result.verdict, "output": str(target)}
        extra = {"differential": result.differential}
        print(json.dumps({**summary, "improved": result.improved, "candidates": candidates, **extra}))
    else:
        _show(result, program, target)


def _optimize_pairs(
    spec: str,
    output: Path | None,
    search: SearchConfig,
    settings: ExecutionConfig,
    options: dict[str, Any],
    run_config: dict[str, Any],
    mconfig: ModelConfig,
) -> None:
    """PIE-style predictions, one row per pair, appended as each pair finishes (a rerun resumes)."""
    if output is None:
        raise typer.BadParameter("give -o PREDICTIONS.jsonl with --pairs", param_hint="--output")
    loaded = load_pairs(resolve(spec, settings.cache_dir), options["language"])
    done = (
        {str(row.get("id")) for _, row in read_jsonl(output) if isinstance(row, dict)}
        if output.exists()
        else set()
    )
    todo = [pair for pair in loaded.items if pair.id not in done]
    sources = TestSources(options["tests_root"], options["statements"])
    backend = _load(mconfig, not options["as_json"])
    skipped = [str(row) for row in loaded.skipped]
    model = cost_model(options["cost"] or "cycles")
    output.with_name(output.name + ".config.json").write_text(json.dumps(run_config, indent=2) + "\n")
    written = 0
    try:
        with (
            progress_bar(len(todo), "optimizing pairs", not options["as_json"]) as advance,
            output.open("a") as sink,
        ):
            for pair in todo:
                row = _pair_row(pair, sources, backend, search, settings, options, model)
                if isinstance(row, str):
                    skipped.append(f"{pair.id}: {row}")
                else:
                    sink.write(json.dumps(row) + "\n")
                    sink.flush()
                    written += 1
                advance()
    finally:
        backend.close()
    summary: dict[str, Any] = {
        "pairs": len(loaded.items),
        "resumed": len(done),
        "written": written,
        "skipped": len(skipped),
        "skipped_rows": skipped,
        "output": str(output),
    }
    print(json.dumps(summary)) if options["as_json"] else stdout.print(summary)


def _pair_row(
    pair: OptimizationPair,
    sources: TestSources,
    backend: Backend,
    search: SearchConfig,
    settings: ExecutionConfig,
    options: dict[str, Any],
    model: CostModel,
) -> dict[str, Any] | str:
    try:
        tests = sources.for_pair(pair)
    except PerfcoderError as exc:
        return str(exc)
    env = Environment(language_named(pair.language), model, settings, repeats=options["repeats"])
    strategy = make_strategy(options["strategy"], pair.language, options["shots"], options["examples"])
    generator = read_source(options["generator"]) if options["generator"] else None
    try:
        result = optimize_program(pair.slow, tests, env, backend, strategy, search, generator=generator)
    except PerfcoderError as exc:
        return str(exc)
    finally:
        env.close()
    answers = [c.code if c.code is not None else c.reply for c in result.candidates]
    return {
        "id": pair.id,
        "problem_id": pair.problem_id,
        "language": pair.language,
        "generated_answers": answers,
        "best_speedup": result.speedup,
        "verdicts": [c.verdict for c in result.candidates],
        "differential": result.differential,
    }


def _load(mconfig: ModelConfig, show: bool) -> Backend:
    if show:
        with stderr.status(f"loading model {mconfig.model}"):
            return load_backend(mconfig)
    return load_backend(mconfig)


class _status:
    """A spinner on stderr whose text follows the search's events."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._status = stderr.status("starting") if enabled else None

    def __enter__(self) -> Callable[[str], None]:
        if self._status is not None:
            self._status.__enter__()
        return self._update

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.__exit__(None, None, None)

    def _update(self, message: str) -> None:
        if self._status is not None:
            self._status.update(message)


def _show(result: OptimizeResult, program: Path, target: Path) -> None:
    table = Table(
        "#", "round", "verdict", result.cost_model, "speedup", "note", title=f"candidates for {program}"
    )
    for n, candidate in enumerate(result.candidates, 1):
        speedup = f"{candidate.speedup:.2f}x" if candidate.speedup else "-"
        note = escape(candidate.note.splitlines()[0][:60]) if candidate.note else ""
        table.add_row(
            str(n),
            str(candidate.round + 1),
            styled(Verdict(candidate.verdict)),
            number(candidate.cost),
            speedup,
            note,
        )
    stdout.print(table)
    for n, candidate in enumerate(result.candidates, 1):
        if candidate.mismatch is not None:
            stdout.print(f"[yellow]candidate {n} rejected:[/] {escape(candidate.note)}", soft_wrap=True)
    if result.differential is not None:
        d = result.differential
        stdout.print(
            f"differential testing: {d['inputs']} generated inputs (largest {d['largest_input_bytes']:,} "
            f"bytes) answered by the original within {d['oracle_budget_s']:g} s each"
        )
    else:
        stdout.print("[yellow]differential testing off: candidates were checked on the given tests only[/]")
    tokens = f"{result.completion_tokens} tokens sampled in {result.generation_s:.1f} s"
    if result.cached_samples:
        tokens += f" ({result.cached_samples} samples from the generation cache)"
    if result.improved:
        checked = "tests and generated inputs" if result.differential is not None else "tests only"
        verified = f"[bold green]verified speedup {result.speedup:.2f}x[/] ({result.cost_model}; {checked})"
        stdout.print(f"{verified}; written to {target}")
    else:
        stdout.print(f"no faster candidate passed every test: {target} is the input (speedup 1.00x)")
    original = f"original {result.cost_model} cost {number(result.original_cost)}"
    stdout.print(f"{original}; {tokens}; {result.wall_s:.1f} s in all")
