"""`perfcoder optimize`: a program and its tests in, a verified faster program out (or the input, with
an honest "no faster candidate"); with --pairs, the same over a benchmark, writing PIE predictions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.syntax import Syntax
from rich.table import Table

from perfcoder.cli import model_options as mo
from perfcoder.cli import options as opt
from perfcoder.cli.evaluate import PairsOption, StatementsOption, TestsRootOption
from perfcoder.cli.render import number, progress_bar, stderr, stdout, styled
from perfcoder.data.call_capture import CallsConfig
from perfcoder.data.rows import read_jsonl
from perfcoder.data.testsuite import load_tests
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.source import read_source
from perfcoder.execution.verdict import Verdict
from perfcoder.jobs import optimize as jobs
from perfcoder.jobs.optimize import DatasetRun, OptimizeConfig
from perfcoder.jobs.optimize_function import FunctionResult, optimize_function
from perfcoder.settings import default_of, help_of, run_record, to_mapping
from perfcoder.strategies.evolve import EvolveConfig
from perfcoder.strategies.search import OptimizeResult
from perfcoder.verify.differential import DifferentialConfig

StrategyOption = Annotated[str, opt.documented(OptimizeConfig, "strategy", "--strategy", "-s")]
ExamplesOption = Annotated[Path | None, opt.documented(OptimizeConfig, "examples", "--examples")]
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
@mo.with_model_options(default_of(OptimizeConfig, "sampling"))
def optimize(
    program: Annotated[
        Path | None,
        typer.Argument(help="The program to speed up (.cpp or .py), or a function: path/to/module.py::name."),
    ] = None,
    tests: Annotated[
        Path | None, typer.Option("--tests", "-t", help="Its tests (dir or .json/.jsonl).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Where the best program (or predictions) go.")
    ] = None,
    k: Annotated[int, opt.documented(OptimizeConfig, "k", "-k")] = OptimizeConfig.k,
    search: Annotated[str, opt.documented(OptimizeConfig, "search", "--search")] = OptimizeConfig.search,
    budget: Annotated[int | None, opt.documented(OptimizeConfig, "budget", "--budget")] = None,
    min_gain: Annotated[
        float, opt.documented(OptimizeConfig, "min_gain", "--min-gain")
    ] = OptimizeConfig.min_gain,
    islands: Annotated[int, opt.documented(EvolveConfig, "islands", "--islands")] = EvolveConfig.islands,
    retrieval_islands: Annotated[
        int, opt.documented(EvolveConfig, "retrieval_islands", "--retrieval-islands")
    ] = EvolveConfig.retrieval_islands,
    block_islands: Annotated[
        int, opt.documented(EvolveConfig, "block_islands", "--block-islands")
    ] = EvolveConfig.block_islands,
    profile: Annotated[
        bool, typer.Option("--profile/--no-profile", help=help_of(EvolveConfig, "profile"))
    ] = EvolveConfig.profile,
    repair: Annotated[
        bool, typer.Option("--repair/--no-repair", help=help_of(EvolveConfig, "repair"))
    ] = EvolveConfig.repair,
    rounds: Annotated[int, opt.documented(OptimizeConfig, "rounds", "--rounds")] = OptimizeConfig.rounds,
    strategy: StrategyOption = OptimizeConfig.strategy,
    shots: Annotated[int, opt.documented(OptimizeConfig, "shots", "--shots")] = OptimizeConfig.shots,
    examples: ExamplesOption = OptimizeConfig.examples,
    differential: DifferentialOption = True,
    generator: GeneratorOption = None,
    validator: opt.ValidatorOption = None,
    project: Annotated[
        Path | None, typer.Option("--project", help="The function's project directory (default: here).")
    ] = None,
    trace: Annotated[
        str | None,
        typer.Option(
            "--trace", help='The command whose calls of the function are recorded ("python -m pytest -q").'
        ),
    ] = None,
    keep: Annotated[int, opt.documented(CallsConfig, "keep", "--calls")] = CallsConfig.keep,
    generated: Annotated[
        int, opt.documented(CallsConfig, "generated", "--generated")
    ] = CallsConfig.generated,
    apply: Annotated[
        bool, typer.Option("--apply", help="Write a verified faster function into its file.")
    ] = False,
    pairs: PairsOption = None,
    tests_root: TestsRootOption = None,
    statements: StatementsOption = None,
    cost: opt.CostOption = OptimizeConfig.cost,
    language: opt.LanguageOption = None,
    as_json: opt.JsonOption = False,
    repeats: opt.RepeatsOption = OptimizeConfig.repeats,
    models: mo.ModelOptions = mo.DEFAULT_MODEL_OPTIONS,
    settings: ExecutionConfig = opt.DEFAULT_SETTINGS,
) -> None:
    """Ask a model for faster versions of PROGRAM, judge and measure each in the sandbox, keep the fastest
    that passes every test. Never returns a program that fails a test."""
    if (program is None) == (pairs is None):
        raise typer.BadParameter("give either PROGRAM with --tests, or --pairs", param_hint="PROGRAM/--pairs")
    opt.check_validator_use(validator, differential)
    config = OptimizeConfig(
        k=k,
        rounds=rounds,
        search=search,
        budget=budget,
        min_gain=min_gain,
        evolve=EvolveConfig(
            islands=islands,
            retrieval_islands=retrieval_islands,
            block_islands=block_islands,
            profile=profile,
            repair=repair,
        ),
        strategy=strategy,
        shots=shots,
        examples=examples,
        cost=cost or OptimizeConfig.cost,
        repeats=repeats,
        sampling=models.sampling(),
        differential=DifferentialConfig(enabled=differential, validator=validator),
        execution=settings,
        engine=models.config(settings.cache_dir),
    )
    maker = read_source(generator) if generator else None
    if program is not None and "::" in str(program):
        if trace is None:
            raise typer.BadParameter("give --trace COMMAND for a function", param_hint="--trace")
        calls = CallsConfig(keep=keep, generated=generated)
        _optimize_function(str(program), trace, project, config, calls, apply, as_json)
        return
    if program is not None:
        if tests is None:
            raise typer.BadParameter("give --tests for PROGRAM", param_hint="--tests")
        _optimize_one(program, tests, output, config, language, maker, as_json)
        return
    if output is None:
        raise typer.BadParameter("give -o PREDICTIONS.jsonl with --pairs", param_hint="--output")
    assert pairs is not None
    inputs = {"pairs": pairs, "output": output, "tests_root": tests_root, "statements": statements}
    with progress_bar(None, "optimizing pairs", not as_json) as advance:
        run = jobs.optimize_dataset(
            pairs, output, model=config.engine.model, config=config, tests_root=tests_root,
            statements=statements, language=language, generator=maker, on_pair=advance,
            record=run_record(config, **inputs),
        )  # fmt: skip
    if as_json:
        print(json.dumps(run.to_dict()))
    else:
        _show_dataset(run)


def _optimize_one(
    program: Path,
    tests: Path,
    output: Path | None,
    config: OptimizeConfig,
    language: str | None,
    generator: str | None,
    as_json: bool,
) -> None:
    target = output or program.with_name(f"{program.stem}.optimized{program.suffix}")
    suite = load_tests(tests)
    with _status(not as_json) as say:
        say(f"loading model {config.engine.model}")
        result = jobs.optimize(
            program, suite, model=config.engine.model, language=language, config=config,
            generator=generator, on_event=say, state=target.with_name(target.name + ".search.jsonl"),
        )  # fmt: skip
    target.write_text(result.code)
    record = target.with_name(target.name + ".run.json")
    run_config = run_record(config, program=program, tests=tests, output=target)
    record.write_text(json.dumps({"config": run_config, "result": result.to_dict()}, indent=2) + "\n")
    if as_json:
        candidates = [
            {
                "verdict": c.verdict, "stage": c.stage, "cost": c.cost, "speedup": c.speedup,
                "note": c.note, "hack": c.hack, "mismatch": c.mismatch,
            }
            for c in result.candidates
        ]  # fmt: skip
        summary = {"speedup": result.speedup, "verdict": result.verdict, "output": str(target)}
        extra = {
            "differential": result.differential, "verification": result.verification, "note": result.note,
            "search": result.search, "samples": result.samples, "curve": result.curve,
            "completion_tokens": result.completion_tokens, "wall_s": result.wall_s,
        }  # fmt: skip
        print(json.dumps({**summary, "improved": result.improved, "candidates": candidates, **extra}))
    else:
        _show(result, program, target)


def _optimize_function(
    function: str,
    trace: str,
    project: Path | None,
    config: OptimizeConfig,
    calls: CallsConfig,
    apply: bool,
    as_json: bool,
) -> None:
    """A function of a project: its calls captured by the trace command, the result shown as a diff."""
    with _status(not as_json) as say:
        result = optimize_function(
            function, trace, project=project, model=config.engine.model, config=config, calls=calls,
            apply=apply, on_event=say,
        )  # fmt: skip
    run_config = run_record(config, function=function, trace=trace, project=project)
    run_config["calls"] = to_mapping(calls)
    record = Path(project or ".") / ".perfcoder" / f"{function.replace('/', '_').replace('::', '.')}.run.json"
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(
        json.dumps({"config": run_config, "result": result.to_dict()}, indent=2, default=str) + "\n"
    )
    if as_json:
        data = result.to_dict()
        data["search"] = {
            key: data["search"][key] for key in ("candidates", "verification", "samples", "curve")
        }
        print(json.dumps({**data, "record": str(record)}, default=str))
        return
    show_function(result, record)


def show_function(result: FunctionResult, record: Path) -> None:
    """The candidates, the calls' costs, the command checks and the diff."""
    _show_candidates(result.search, result.target)
    calls = result.calls
    capture = calls["capture"]
    stdout.print(
        f"calls: {capture['seen']} seen in {capture['processes']} traced processes, {capture['calls']} "
        f"kept ({capture['unpicklable']} unpicklable, {capture['too_large']} too large); "
        f"{calls['recorded']} replay alone, {calls['generated']} generated"
    )
    stdout.print(
        f"inert edits of the module measured within {100 * result.noise:.2f}% of the original: a candidate "
        f"had to be {100 * result.min_gain:.1f}% faster"
    )
    for reason in calls["dropped"][:5]:
        stdout.print(f"[yellow]left out:[/] {escape(reason)}", soft_wrap=True)
    for check in result.command_checks:
        verdict = "[green]passes[/]" if check["passed"] else "[red]fails[/]"
        stdout.print(f"trace command with the {check['speedup']:.2f}x candidate: {verdict}")
    if not result.improved:
        stdout.print(f"{result.note}: the function is unchanged (speedup 1.00x); run record: {record}")
        return
    table = Table("call", f"original ({result.cost_model})", "returned", "speedup", title="cost of each call")
    for row in result.per_call:
        ratio = f"{row.speedup:.2f}x" if row.speedup else "-"
        table.add_row(row.name, number(row.original), number(row.returned), ratio)
    stdout.print(table)
    stdout.print(Syntax(result.diff, "diff", theme="ansi_dark", background_color="default"))
    where = "applied to the file" if result.applied else "not applied (--apply writes it)"
    stdout.print(f"[bold green]verified speedup {result.speedup:.2f}x[/] over the calls; {where}")
    stdout.print(f"run record: {record}")


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


def verification_line(counts: dict[str, Any]) -> str:
    """The funnel's counts in one line: where candidates stopped, and how many were measured."""
    stopped = ", ".join(f"{n} {stage}" for stage, n in counts["stopped"].items() if n and stage != "measured")
    hacks = ", ".join(f"{n} {name}" for name, n in counts["hacks"].items())
    return (
        f"verification: {counts['candidates']} candidates; stopped: {stopped or 'none'}"
        + (f" (hacks: {hacks})" if hacks else "")
        + f"; {counts['measured']} measured, {counts['spared']} spared"
    )


def _show_dataset(run: DatasetRun) -> None:
    """One row per pair of the predictions file (this run's and resumed ones), and the totals."""
    table = Table("pair", "best speedup", "accepted", "candidates", title=f"optimized pairs ({run.output})")
    rows = [row for _, row in read_jsonl(Path(run.output)) if isinstance(row, dict)]
    for row in rows:
        verdicts = row.get("verdicts", [])
        best = row.get("best_speedup") or 1.0
        accepted = sum(v == Verdict.ACCEPTED for v in verdicts)
        table.add_row(str(row.get("id")), f"{best:.2f}x", str(accepted), str(len(verdicts)))
    stdout.print(table)
    faster = sum((row.get("best_speedup") or 1.0) > 1.0 for row in rows)
    stdout.print(
        f"{run.pairs} pairs: {run.written} optimized now, {run.resumed} found in the output, "
        f"{len(run.skipped_rows)} skipped; {faster} faster than their input"
    )
    for reason in run.skipped_rows[:5]:
        stdout.print(f"[yellow]skipped:[/] {escape(reason)}", soft_wrap=True)


def _show(result: OptimizeResult, program: Path, target: Path) -> None:
    _show_candidates(result, str(program))
    if result.differential is not None:
        d = result.differential
        stdout.print(
            f"differential testing: {d['inputs']} generated inputs (largest {d['largest_input_bytes']:,} "
            f"bytes) answered by the original within {d['oracle_budget_s']:g} s each"
            + (f"; {d['invalid']} rejected by the validator" if d["invalid"] else "")
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
        stdout.print(f"{result.note}: {target} is the input (speedup 1.00x)")
    original = f"original {result.cost_model} cost {number(result.original_cost)}"
    stdout.print(f"{original}; {tokens}; {result.wall_s:.1f} s in all")


def _show_candidates(result: OptimizeResult, subject: str) -> None:
    """Every candidate: where the funnel stopped it, its cost and speedup, why it was rejected."""
    table = Table(
        "#",
        "round",
        "stage",
        "verdict",
        result.cost_model,
        "speedup",
        "note",
        title=f"candidates for {subject}",
    )
    for n, candidate in enumerate(result.candidates, 1):
        speedup = f"{candidate.speedup:.2f}x" if candidate.speedup else "-"
        note = escape(candidate.note.splitlines()[0][:60]) if candidate.note else ""
        table.add_row(
            str(n),
            str(candidate.round + 1),
            candidate.stage,
            styled(Verdict(candidate.verdict)),
            number(candidate.cost),
            speedup,
            note,
        )
    stdout.print(table)
    for n, candidate in enumerate(result.candidates, 1):
        if (
            candidate.mismatch is not None
            or candidate.hack is not None
            or candidate.stage in ("tests", "command")
        ):
            stdout.print(
                f"[yellow]candidate {n} rejected:[/] {escape(candidate.note[:1200])}", soft_wrap=True
            )
    if result.verification is not None:
        stdout.print(verification_line(result.verification))
