"""Config fields documented once: the text a field carries is the CLI's help and the API's reference.

Each config dataclass declares `name: T = setting(default, "what it decides")` (TRL's `metadata={"help"}`
convention); the CLI reads both back, so a default or an explanation is never retyped where it can drift.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


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
