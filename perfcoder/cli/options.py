"""Options shared by the commands that run programs, and the config they add up to."""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from perfcoder.execution.config import config_to_mapping, load_config
from perfcoder.execution.engine import ExecutionConfig

T = TypeVar("T")

TestsOption = Annotated[
    Path, typer.Option("--tests", "-t", help="Directory of input.N.txt/output.N.txt, or a .json/.jsonl file.")
]
LanguageOption = Annotated[
    str | None, typer.Option("--language", "-l", help="cpp or python (default: from the file extension).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")]
JobsOption = Annotated[int, typer.Option("--jobs", "-j", help="Parallel runs (0 = one per core).")]
TimeOption = Annotated[float | None, typer.Option("--time-limit", help="Seconds per test [default: 10].")]
MemoryOption = Annotated[
    int | None, typer.Option("--memory-limit", help="MiB of address space [default: 2048].")
]
FlagsOption = Annotated[str | None, typer.Option("--flags", help="C++ flags [default: -O3 -std=c++17].")]
CompareOption = Annotated[
    str | None, typer.Option("--compare", help="tokens (float tolerance) or exact [default: tokens].")
]
ToleranceOption = Annotated[
    float | None, typer.Option("--tolerance", help="Float tolerance [default: 1e-3].")
]
CheckerOption = Annotated[
    Path | None,
    typer.Option("--checker", help="Program run as `checker input expected actual`; exit 0 accepts."),
]
IsolationOption = Annotated[
    str | None, typer.Option("--isolation", help="auto, bwrap or rlimit [default: auto].")
]
CostOption = Annotated[
    str | None,
    typer.Option("--cost", "-c", help="Cost model: cycles, instructions (deterministic), cpu, wall."),
]
StartupOption = Annotated[
    bool, typer.Option("--subtract-startup", help="Subtract an empty program's cost (reported separately).")
]
RepeatsOption = Annotated[int, typer.Option("--repeats", help="Runs per test for the cpu and wall models.")]
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


def run_record(options: Mapping[str, Any]) -> dict[str, Any]:
    """A command's options as plain data (execution settings in full), written next to its results."""
    settings = options.get("settings")
    plain = {key: _plain(value) for key, value in options.items() if key != "settings"}
    execution = config_to_mapping(settings) if isinstance(settings, ExecutionConfig) else None
    return {**plain, "execution": execution}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {key: _plain(item) for key, item in dataclasses.asdict(value).items()}
    return str(value) if isinstance(value, Path) else value


def build_config(
    config_file: Path | None,
    *,
    jobs: int = 0,
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
    config = load_config(config_file) if config_file else ExecutionConfig()
    limits = _replace(config.limits, time_s=time_limit, memory_mb=memory_limit)
    judge = _replace(config.judge, mode=_choice(compare, ("tokens", "exact"), "--compare"))
    judge = _replace(judge, float_tolerance=tolerance, checker=checker)
    toolchain = _replace(config.toolchain, cxx_flags=flags)
    sandbox = _replace(
        config.sandbox, isolation=_choice(isolation, ("auto", "bwrap", "rlimit"), "--isolation")
    )
    return dataclasses.replace(
        config,
        limits=limits,
        judge=judge,
        toolchain=toolchain,
        sandbox=sandbox,
        jobs=jobs or config.jobs,
        use_store=config.use_store and not no_store,
    )


def _replace(obj: T, **changes: object) -> T:
    given = {key: value for key, value in changes.items() if value is not None}
    return dataclasses.replace(obj, **given) if given else obj  # type: ignore[type-var]


def _choice(value: str | None, allowed: tuple[str, ...], option: str) -> str | None:
    if value is not None and value not in allowed:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}", param_hint=option)
    return value
