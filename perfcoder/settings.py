"""Config fields documented once (the text a field carries is the CLI's help and the API's reference),
and configs read from and written to YAML-style mappings.

Each config dataclass declares `name: T = setting(default, "what it decides")` (TRL's `metadata={"help"}`
convention); the CLI reads both back, so a default or an explanation is never retyped where it can drift.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml

from perfcoder.errors import PerfcoderError

T = TypeVar("T")
C = TypeVar("C")


def setting(default: T, help: str) -> T:
    """A documented field with a plain default."""
    return dataclasses.field(default=default, metadata={"help": help})


def setting_factory(factory: Callable[[], T], help: str) -> T:
    """A documented field whose default is built per instance (a nested config)."""
    return dataclasses.field(default_factory=factory, metadata={"help": help})


def _field(config: type, name: str) -> dataclasses.Field[Any]:
    fields = {f.name: f for f in dataclasses.fields(config)}
    if name not in fields:
        raise KeyError(f"{config.__name__} has no setting {name!r}")
    return fields[name]


def help_of(config: type, name: str) -> str:
    """The field's documentation (a field declared without one is a bug: KeyError)."""
    return str(_field(config, name).metadata["help"])


def default_of(config: type, name: str) -> Any:
    found = _field(config, name)
    if found.default_factory is not dataclasses.MISSING:
        return found.default_factory()
    return found.default


def help_with_default(config: type, name: str) -> str:
    """Help for an option whose own default is "unset" (None), so the config's default is named."""
    return f"{help_of(config, name)} [default: {default_of(config, name)}]"


def read_mapping(path: Path, shape: str) -> dict[str, Any]:
    """A YAML file that must hold a mapping; `shape` says which, when it does not."""
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PerfcoderError(f"{path}: cannot read config ({exc})") from None
    if not isinstance(data, dict):
        raise PerfcoderError(f"{path}: {shape}")
    return data


def from_mapping(config: type[C], data: Mapping[str, Any], where: str = "config") -> C:
    """A config dataclass from a YAML-style mapping: nested configs from nested mappings, paths and
    tuples from strings and lists; an unknown key is an error that names the known ones."""
    if not isinstance(data, Mapping):
        raise PerfcoderError(f"{where}: expected a mapping, got {type(data).__name__}")
    names = {f.name for f in dataclasses.fields(config)}  # type: ignore[arg-type]
    unknown = set(data) - names
    if unknown:
        raise PerfcoderError(f"{where}: unknown keys {sorted(unknown)} (known: {sorted(names)})")
    hints = typing.get_type_hints(config)
    values = {key: _converted(hints[key], value, f"{where}.{key}") for key, value in data.items()}
    try:
        return config(**values)
    except TypeError as exc:
        raise PerfcoderError(f"{where}: {exc}") from None


def with_given(config: C, **changes: Any) -> C:
    """The config with the fields that were given replaced; None means not given (an unset option)."""
    given = {key: value for key, value in changes.items() if value is not None}
    return dataclasses.replace(config, **given) if given else config  # type: ignore[type-var]


def with_overrides(kind: type[C], config: C | None, overrides: Mapping[str, Any]) -> C:
    """A job's config (its defaults when None) with keyword overrides (`k=4`), each checked against the
    config's fields: every job takes `config=None, **overrides`."""
    settings = config if config is not None else kind()
    names = {f.name for f in dataclasses.fields(kind)}  # type: ignore[arg-type]
    unknown = set(overrides) - names
    if unknown:
        raise PerfcoderError(f"unknown {kind.__name__} settings {sorted(unknown)} (known: {sorted(names)})")
    return dataclasses.replace(settings, **overrides) if overrides else settings  # type: ignore[type-var]


def run_record(config: Any, **inputs: Any) -> dict[str, Any]:
    """What a run writes next to its results, the same from the CLI and the library: its job config's
    mapping, and what it ran on (`inputs`: files, datasets, the command)."""
    return {**to_mapping(config), "inputs": _plain(inputs)}


def to_mapping(config: Any) -> dict[str, Any]:
    """A plain, YAML-safe mapping of a config (paths as strings, tuples as lists)."""
    return _plain(dataclasses.asdict(config))  # type: ignore[no-any-return]


def _converted(hint: Any, value: Any, where: str) -> Any:
    if value is None:
        return None
    options = [a for a in typing.get_args(hint) if a is not type(None)] if _is_union(hint) else [hint]
    for option in options:
        if dataclasses.is_dataclass(option) and isinstance(value, Mapping):
            return from_mapping(option, value, where)  # type: ignore[arg-type]
        if option is Path:
            return Path(value)
        if typing.get_origin(option) is tuple and isinstance(value, list):
            return tuple(value)
    return value


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, Path) else value
