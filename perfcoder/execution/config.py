"""Loading an ExecutionConfig from YAML, and writing it back next to results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from perfcoder.execution.engine import ExecutionConfig
from perfcoder.settings import from_mapping, read_mapping, to_mapping


def load_execution_config(path: Path) -> ExecutionConfig:
    """Read `limits:`, `judge:`, `toolchain:`, `sandbox:` sections and top-level `jobs`, `cache_dir`."""
    data = read_mapping(path, "a config must be a mapping of sections")
    return from_mapping(ExecutionConfig, data, str(path))


def config_to_mapping(config: ExecutionConfig) -> dict[str, Any]:
    """A plain, YAML-safe mapping of the config, written next to every run's results."""
    return to_mapping(config)
