"""perfcoder: execution decides which program is correct and which is faster.

    env = perfcoder.make("cpp", cost="cycles")           # judge and measure programs
    result = perfcoder.optimize(path, tests, model=...)   # Best@k search, verified against the input
    reward = perfcoder.rewards.speedup_reward("cpp")      # a reward function for TRL trainers

The heavier parts are imported on first use, so `import perfcoder` stays light."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from perfcoder.errors import PerfcoderError

if TYPE_CHECKING:
    from perfcoder.environment import Environment
    from perfcoder.execution.engine import ExecutionConfig

__version__ = "0.1.0"
__all__ = [
    "CallsConfig",
    "DifferentialConfig",
    "Environment",
    "EvaluateConfig",
    "EvolveConfig",
    "ExecutionConfig",
    "FunctionResult",
    "GenerateConfig",
    "OptimizeConfig",
    "OptimizeResult",
    "PerfcoderError",
    "Profile",
    "ProfileConfig",
    "SamplingParams",
    "SelfPlayConfig",
    "TestGenConfig",
    "TestsConfig",
    "TestsRun",
    "TrainResult",
    "Verifier",
    "__version__",
    "evaluate",
    "generate",
    "generate_tests",
    "make",
    "optimize",
    "optimize_dataset",
    "optimize_function",
    "profile",
    "rewards",
    "selfplay",
    "train",
]

LAZY = {  # public name -> module holding it
    "optimize": "perfcoder.jobs.optimize",
    "optimize_dataset": "perfcoder.jobs.optimize",
    "optimize_function": "perfcoder.jobs.optimize_function",
    "FunctionResult": "perfcoder.jobs.optimize_function",
    "CallsConfig": "perfcoder.data.call_capture",
    "OptimizeConfig": "perfcoder.jobs.optimize",
    "generate": "perfcoder.jobs.generate",
    "GenerateConfig": "perfcoder.jobs.generate",
    "evaluate": "perfcoder.jobs.evaluate",
    "EvaluateConfig": "perfcoder.jobs.evaluate",
    "generate_tests": "perfcoder.jobs.testgen",
    "TestsConfig": "perfcoder.jobs.testgen",
    "TestsRun": "perfcoder.jobs.testgen",
    "selfplay": "perfcoder.jobs.selfplay",
    "SelfPlayConfig": "perfcoder.jobs.selfplay",
    "Verifier": "perfcoder.verify.funnel",
    "DifferentialConfig": "perfcoder.verify.differential",
    "Environment": "perfcoder.environment",
    "EvolveConfig": "perfcoder.strategies.evolve",
    "ExecutionConfig": "perfcoder.execution.engine",
    "OptimizeResult": "perfcoder.strategies.search",
    "Profile": "perfcoder.measure.lines",
    "SamplingParams": "perfcoder.models.base",
    "TestGenConfig": "perfcoder.verify.grown_tests",
    "profile": "perfcoder.jobs.profile",
    "train": "perfcoder.jobs.train",
    "TrainResult": "perfcoder.jobs.train",
    "ProfileConfig": "perfcoder.jobs.profile",
}


def make(
    language: str = "cpp",
    cost: str = "cycles",
    flags: str | None = None,
    *,
    subtract_startup: bool = False,
    repeats: int = 5,
    config: ExecutionConfig | None = None,
    **limits: Any,
) -> Environment:
    """An environment that judges and measures programs of one language under one cost model; `limits`
    sets Limits fields (`time_s=5`, `memory_mb=1024`). See perfcoder.environment.make."""
    from perfcoder.environment import make as make_environment

    return make_environment(
        language, cost, flags, subtract_startup=subtract_startup, repeats=repeats, config=config, **limits
    )


def __dir__() -> list[str]:
    """The public API, though most of it is imported on first use."""
    return sorted(__all__)


def __getattr__(name: str) -> Any:
    if name == "rewards":
        return importlib.import_module("perfcoder.rewards")
    if name in LAZY:
        return getattr(importlib.import_module(LAZY[name]), name)
    raise AttributeError(f"module 'perfcoder' has no attribute {name!r}")
