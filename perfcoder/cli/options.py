"""Options shared by the commands that run programs, and the config they add up to."""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from perfcoder.execution.build import ToolchainConfig
from perfcoder.execution.config import load_execution_config
from perfcoder.execution.dispatch import EXECUTOR_HELP
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.judge import JudgeConfig
from perfcoder.execution.limits import Limits
from perfcoder.execution.sandbox import SandboxConfig
from perfcoder.jobs.optimize import OptimizeConfig
from perfcoder.settings import help_of, help_with_default, with_given

T = TypeVar("T")


def documented(config: type, name: str, *declarations: str, unset: bool = False) -> Any:
    """A typer option whose help is the documentation of the config field it sets; `unset` options
    default to None (a YAML config may set them), so their help names the config's default."""
    return typer.Option(*declarations, help=(help_with_default if unset else help_of)(config, name))


TestsOption = Annotated[
    Path, typer.Option("--tests", "-t", help="Directory of input.N.txt/output.N.txt, or a .json/.jsonl file.")
]
LanguageOption = Annotated[
    str | None, typer.Option("--language", "-l", help="cpp or python (default: from the file extension).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")]
JobsOption = Annotated[int, typer.Option("--jobs", "-j", help="Parallel runs (0 = one per core).")]
ExecutorOption = Annotated[str | None, typer.Option("--executor", help=EXECUTOR_HELP + " [default: local]")]
TimeOption = Annotated[float | None, documented(Limits, "time_s", "--time-limit", unset=True)]
MemoryOption = Annotated[int | None, documented(Limits, "memory_mb", "--memory-limit", unset=True)]
FlagsOption = Annotated[str | None, documented(ToolchainConfig, "cxx_flags", "--flags", unset=True)]
CompareOption = Annotated[str | None, documented(JudgeConfig, "mode", "--compare", unset=True)]
ToleranceOption = Annotated[
    float | None, documented(JudgeConfig, "float_tolerance", "--tolerance", unset=True)
]
CheckerOption = Annotated[
    Path | None,
    typer.Option("--checker", help="Program run as `checker input expected actual`; exit 0 accepts."),
]
ValidatorOption = Annotated[
    Path | None,
    typer.Option(
        "--validator",
        help="Program that reads one input and exits 0 when it is within the problem's constraints: "
        "generated inputs it rejects are not used. A directory: one <problem_id>.<ext> per problem.",
    ),
]


def check_validator_use(validator: Path | None, differential: bool) -> None:
    """A validator filters differential testing's inputs: given without it, it would do nothing."""
    if validator is not None and not differential:
        raise typer.BadParameter(
            "a validator filters differential testing's inputs: turn that on", param_hint="--validator"
        )


IsolationOption = Annotated[str | None, documented(SandboxConfig, "isolation", "--isolation", unset=True)]
CostOption = Annotated[str | None, documented(OptimizeConfig, "cost", "--cost", "-c")]
StartupOption = Annotated[
    bool, typer.Option("--subtract-startup", help="Subtract an empty program's cost (reported separately).")
]
RepeatsOption = Annotated[int, documented(OptimizeConfig, "repeats", "--repeats")]
NoStoreOption = Annotated[bool, typer.Option("--no-store", help="Neither read nor write the results store.")]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="YAML file with execution settings.")]


DEFAULT_SETTINGS = ExecutionConfig()  # replaced by the options' settings on every call


def keyword_parameters(*specs: tuple[str, Any, Any]) -> list[inspect.Parameter]:
    """(name, annotation, default) triples as keyword-only parameters."""
    return [
        inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=d, annotation=a) for n, a, d in specs
    ]


EXECUTION_PARAMETERS = keyword_parameters(
    ("jobs", JobsOption, 0),
    ("executor", ExecutorOption, None),
    ("time_limit", TimeOption, None),
    ("memory_limit", MemoryOption, None),
    ("flags", FlagsOption, None),
    ("compare", CompareOption, None),
    ("tolerance", ToleranceOption, None),
    ("checker", CheckerOption, None),
    ("isolation", IsolationOption, None),
    ("no_store", NoStoreOption, False),
    ("config", ConfigOption, None),
)

F = TypeVar("F", bound=Callable[..., Any])


def with_shared_options(
    parameters: list[inspect.Parameter], name: str, fold: Callable[..., Any]
) -> Callable[[F], F]:
    """Give a command options that several commands share (typer has no option groups): `parameters` are
    added to its signature, and the command receives them folded by `fold` into one argument `name`."""

    def decorate(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != name]

        @functools.wraps(command)
        def wrapper(**kwargs: Any) -> Any:
            shared = {parameter.name: kwargs.pop(parameter.name) for parameter in parameters}
            return command(**kwargs, **{name: fold(**shared)})

        wrapper.__signature__ = signature.replace(parameters=[*own, *parameters])  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in wrapper.__signature__.parameters.values()}  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def _settings(config: Path | None, **options: Any) -> ExecutionConfig:
    return build_config(config, **options)


with_execution_options = with_shared_options(EXECUTION_PARAMETERS, "settings", _settings)


def build_config(
    config_file: Path | None,
    *,
    jobs: int = 0,
    executor: str | None = None,
    time_limit: float | None = None,
    memory_limit: int | None = None,
    flags: str | None = None,
    compare: str | None = None,
    tolerance: float | None = None,
    checker: Path | None = None,
    isolation: str | None = None,
    no_store: bool = False,
) -> ExecutionConfig:
    """The config file's settings, overridden by the options the user gave."""
    config = load_execution_config(config_file) if config_file else ExecutionConfig()
    limits = with_given(config.limits, time_s=time_limit, memory_mb=memory_limit)
    judge = with_given(config.judge, mode=_choice(compare, ("tokens", "exact"), "--compare"))
    judge = with_given(judge, float_tolerance=tolerance, checker=checker)
    toolchain = with_given(config.toolchain, cxx_flags=flags)
    sandbox = with_given(
        config.sandbox, isolation=_choice(isolation, ("auto", "bwrap", "rlimit"), "--isolation")
    )
    return dataclasses.replace(
        config,
        limits=limits,
        judge=judge,
        toolchain=toolchain,
        sandbox=sandbox,
        jobs=jobs or config.jobs,
        executor=executor or config.executor,
        use_store=config.use_store and not no_store,
    )


def _choice(value: str | None, allowed: tuple[str, ...], option: str) -> str | None:
    if value is not None and value not in allowed:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}", param_hint=option)
    return value
