"""Loading an ExecutionConfig from YAML, and writing it back next to results."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml

from perfcoder.errors import PerfcoderError
from perfcoder.execution.build import ToolchainConfig
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.judge import JudgeConfig
from perfcoder.execution.limits import Limits
from perfcoder.execution.sandbox import SandboxConfig

SECTIONS: dict[str, type] = {
    "limits": Limits,
    "judge": JudgeConfig,
    "toolchain": ToolchainConfig,
    "sandbox": SandboxConfig,
}
PATH_FIELDS = {"checker", "cache_dir"}


def load_config(path: Path) -> ExecutionConfig:
    """Read `limits:`, `judge:`, `toolchain:`, `sandbox:` sections and top-level `jobs`, `cache_dir`."""
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PerfcoderError(f"{path}: cannot read config ({exc})") from None
    if not isinstance(data, dict):
        raise PerfcoderError(f"{path}: a config must be a mapping of sections")
    return config_from_mapping(data, str(path))


def config_from_mapping(data: dict[str, Any], where: str = "config") -> ExecutionConfig:
    fields = {f.name for f in dataclasses.fields(ExecutionConfig)}
    unknown = set(data) - fields
    if unknown:
        raise PerfcoderError(f"{where}: unknown keys {sorted(unknown)} (known: {sorted(fields)})")
    values: dict[str, Any] = {}
    for key, value in data.items():
        values[key] = (
            _section(SECTIONS[key], value, f"{where}: {key}") if key in SECTIONS else _plain(key, value)
        )
    return ExecutionConfig(**values)


def config_to_mapping(config: ExecutionConfig) -> dict[str, Any]:
    """A plain, YAML-safe mapping of the config, written next to every run's results."""
    data: dict[str, Any] = _plainify(dataclasses.asdict(config))
    return data


def _section(kind: type, value: Any, where: str) -> Any:
    if not isinstance(value, dict):
        raise PerfcoderError(f"{where}: expected a mapping")
    names = {f.name for f in dataclasses.fields(kind)}
    unknown = set(value) - names
    if unknown:
        raise PerfcoderError(f"{where}: unknown keys {sorted(unknown)} (known: {sorted(names)})")
    converted = {k: _plain(k, v) for k, v in value.items()}
    if "hidden_dirs" in converted:
        converted["hidden_dirs"] = tuple(converted["hidden_dirs"])
    try:
        return kind(**converted)
    except TypeError as exc:
        raise PerfcoderError(f"{where}: {exc}") from None


def _plain(key: str, value: Any) -> Any:
    return Path(value) if key in PATH_FIELDS and value is not None else value


def _plainify(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plainify(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plainify(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value
