"""The cost models users choose with `--cost`, and which number of a run's costs each one reads."""

from __future__ import annotations

from dataclasses import dataclass

from perfcoder.errors import PerfcoderError
from perfcoder.execution.languages import PYTHON
from perfcoder.execution.probe import NativeProbe, Probe
from perfcoder.measure.cachegrind import CachegrindProbe, cycle_weights

DEFAULT_COST = "cycles"  # deterministic, and the closest to CPU time of the count models on held-out pairs
COST_HELP = "Cost model: cycles, instructions (deterministic counts under valgrind), cpu, wall (timed)."
DEFAULT_REPEATS = 5  # timed models: runs per test, interleaved between the programs compared


@dataclass(frozen=True)
class CostModel:
    name: str
    cost_key: str  # the entry of TestResult.costs this model reports
    unit: str
    deterministic: bool


NATIVE = CostModel("native", "cpu_s", "CPU s", False)  # `run` without --cost: one plain timed run

COST_MODELS: dict[str, CostModel] = {
    "cycles": CostModel("cycles", "cycles", "est. cycles", True),
    "instructions": CostModel("instructions", "instructions", "instructions", True),
    "cpu": CostModel("cpu", "cpu_s", "CPU s", False),
    "wall": CostModel("wall", "wall_s", "wall s", False),
    "native": NATIVE,
}


def speedup(slow_cost: float | None, cost: float | None) -> float | None:
    """cost(slow) / cost(other): None unless both were measured (a failed run has no cost)."""
    return slow_cost / cost if slow_cost is not None and cost else None


def cost_model(name: str) -> CostModel:
    if name not in COST_MODELS:
        raise PerfcoderError(f"unknown cost model {name!r} (known: {', '.join(COST_MODELS)})")
    return COST_MODELS[name]


def probe_for(model: CostModel, repeats: int = DEFAULT_REPEATS, language: str | None = None) -> Probe:
    """The probe that measures a cost model for programs of `language`: cachegrind for counts (with the
    language's cycle weights), repeated native runs for time."""
    if model.deterministic:  # the Python fork server's identity is no part of other languages' results
        python = language in (None, PYTHON.name)
        return CachegrindProbe(model=model.name, weights=cycle_weights(language), fork_python=python)
    if model is NATIVE:
        return NativeProbe()
    if repeats < 1:
        raise PerfcoderError(f"repeats must be at least 1, got {repeats}")
    return NativeProbe(repeats=repeats)
