"""Reward functions for RL trainers, judged by the sandbox and the cost model.

TRL's trainers (GRPOTrainer, RLOOTrainer, ...) call each reward function as
`reward(prompts=..., completions=..., completion_ids=..., **dataset_columns)` and expect one float (or
None: "no reward for this one") per completion. The factories here return such callables:

    reward = perfcoder.rewards.speedup_reward(language="cpp", cost="instructions")
    trainer = GRPOTrainer(model=..., reward_funcs=[reward], train_dataset=dataset)  # columns: slow, tests

The dataset carries the program to speed up (`slow`) and its tests (`tests`: a list of
`{"input", "output"}`); an optional `language` column overrides the reward's language per row. The
completions of one prompt are judged together with their slow program, each distinct program once; the
slow program's cost (and its answers on generated inputs, when differential testing is on) is computed
once per slow program and kept. A completion gets None, never a made-up number, when its slow program
fails its own tests or the judge itself failed (an infrastructure error is not the candidate's fault).
The verdict and cost of every completion of the last call are in `reward.last_records`, for logging."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from perfcoder.environment import Environment, as_tests
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.languages import language_named
from perfcoder.execution.verdict import Verdict
from perfcoder.measure.cost_models import cost_model
from perfcoder.settings import setting, setting_factory
from perfcoder.store import digest
from perfcoder.strategies.extract import extract_code
from perfcoder.verify.differential import DifferentialConfig
from perfcoder.verify.funnel import Checked, Verifier

Completion = str | Sequence[Mapping[str, str]]  # text, or chat messages (the last assistant turn counts)


@dataclass(frozen=True)
class RewardTiers:
    """PerfRL's four reward levels (compile error < runtime error/timeout/wrong < accepted < accepted and
    faster); the values are PerfRL's defaults and configurable."""

    compile_error: float = setting(0.0, "R1: no program, it does not build, or a check found a hack.")
    failed: float = setting(1.0, "R2: builds, but crashes, times out or answers wrong.")
    accepted: float = setting(1.3, "R3: correct, not faster than `faster_than`.")
    faster: float = setting(2.0, "R4: correct and faster.")
    faster_than: float = setting(1.0, "The speedup over the slow program that counts as faster.")

    def __post_init__(self) -> None:
        if not self.compile_error <= self.failed <= self.accepted <= self.faster:
            raise PerfcoderError(
                "reward tiers must not decrease: compile_error <= failed <= accepted <= faster"
            )


@dataclass(frozen=True)
class RewardConfig:
    language: str = setting("cpp", "Language of every row, unless the dataset has a `language` column.")
    cost: str = setting("instructions", "Cost model (deterministic, and about twice cheaper than cycles).")
    differential: DifferentialConfig = setting_factory(
        DifferentialConfig, "Checking completions against the slow program: wrong-but-fast earns nothing."
    )
    execution: ExecutionConfig = setting_factory(ExecutionConfig, "Sandbox, limits, toolchain and store.")
    failure: float = setting(0.0, "speedup_reward of a completion not accepted (no code, wrong, crashing).")
    log_speedup: bool = setting(False, "speedup_reward: log(speedup) instead of speedup.")
    tiers: RewardTiers = setting_factory(RewardTiers, "perfrl_reward's four levels.")
    slow_column: str = setting("slow", "Dataset column holding the slow program.")
    tests_column: str = setting("tests", "Dataset column holding the tests.")

    def __post_init__(self) -> None:
        language_named(self.language)
        cost_model(self.cost)


@dataclass
class JudgedCompletion:
    """What the judge made of one completion (for logging next to its reward)."""

    verdict: str
    cost: float | None = None
    slow_cost: float | None = None
    speedup: float | None = None
    note: str = ""


class ExecutionReward:
    """A picklable reward callable; subclasses turn a judged completion into a number."""

    __name__ = "execution_reward"

    def __init__(self, config: RewardConfig) -> None:
        self.config = config
        self.last_records: list[JudgedCompletion | None] = []
        self._environments: dict[str, Environment] = {}
        # digest(language, slow, tests) -> its verifier (the slow program measured and its answers on
        # generated inputs found once; completions seen before not judged again)
        self._verifiers: dict[str, Verifier] = {}

    def value(self, judged: JudgedCompletion) -> float:
        raise NotImplementedError

    def __call__(
        self, completions: Sequence[Completion], prompts: Sequence[Any] | None = None, **columns: Any
    ) -> list[float | None]:
        rows = self._rows(len(completions), columns)
        records: list[JudgedCompletion | None] = [None] * len(completions)
        groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        for i, (language, slow, tests) in enumerate(rows):
            groups[(language, slow, tests)].append(i)
        for (language, slow, tests), members in groups.items():
            judged = self._judge_group(language, slow, tests, [completions[i] for i in members])
            for i, record in zip(members, judged, strict=True):
                records[i] = record
        self.last_records = records
        return [None if record is None else self.value(record) for record in records]

    def close(self) -> None:
        for env in self._environments.values():
            env.close()
        self._environments.clear()

    def __getstate__(self) -> dict[str, Any]:
        """Only the config travels (to a worker process); environments and caches are rebuilt there."""
        return {"config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["config"])  # type: ignore[misc]

    def _rows(self, count: int, columns: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        """(language, slow program, tests as JSON) of every completion, from the dataset's columns."""
        config = self.config
        for name in (config.slow_column, config.tests_column):
            if name not in columns or len(columns[name]) != count:
                raise PerfcoderError(
                    f"the reward needs a dataset column {name!r} with one value per completion"
                )
        languages = columns.get("language") or [config.language] * count
        return [
            (language_named(str(lang)).name, str(slow), _tests_key(tests))
            for lang, slow, tests in zip(
                languages, columns[config.slow_column], columns[config.tests_column], strict=True
            )
        ]

    def _environment(self, language: str) -> Environment:
        if language not in self._environments:
            model = cost_model(self.config.cost)
            self._environments[language] = Environment(language_named(language), model, self.config.execution)
        return self._environments[language]

    def _judge_group(
        self, language: str, slow: str, tests_key: str, completions: Sequence[Completion]
    ) -> list[JudgedCompletion | None]:
        """One prompt's completions, judged together against its slow program."""
        key = digest(language, slow, tests_key)
        if key not in self._verifiers:
            tests = as_tests(_tests_from_key(tests_key))
            env = self._environment(language)
            self._verifiers[key] = Verifier(env, slow, tests, self.config.differential)
        verifier = self._verifiers[key]
        try:
            original = verifier.original()
            if not original.passed or original.cost is None:
                return [None] * len(completions)  # the task is broken, not the completions
            checked = verifier.verify([extract_code(_text(c), language) for c in completions])
        except PerfcoderError:
            return [None] * len(completions)  # the judge failed (infrastructure): no reward, not a zero
        return [_record(c, original.cost) for c in checked]


class SpeedupReward(ExecutionReward):
    """cost(slow) / cost(completion) when the completion is accepted (log of it with `log_speedup`),
    `failure` otherwise."""

    __name__ = "speedup_reward"

    def value(self, judged: JudgedCompletion) -> float:
        if judged.speedup is None:
            return self.config.failure
        return math.log(judged.speedup) if self.config.log_speedup else judged.speedup


class CorrectnessReward(ExecutionReward):
    """1.0 when the completion is accepted (tests, and the slow program's answers on generated inputs),
    `failure` otherwise."""

    __name__ = "correctness_reward"

    def value(self, judged: JudgedCompletion) -> float:
        return 1.0 if judged.verdict == Verdict.ACCEPTED else self.config.failure


class PerfRLReward(ExecutionReward):
    """PerfRL's tiered reward (R1..R4 of `tiers`): the ranking signal of RRHF."""

    __name__ = "perfrl_reward"

    def value(self, judged: JudgedCompletion) -> float:
        tiers = self.config.tiers
        if judged.verdict in (Verdict.COMPILE_ERROR, Verdict.REJECTED):  # a hack earns no more than R1
            return tiers.compile_error
        if judged.verdict != Verdict.ACCEPTED:
            return tiers.failed
        if judged.speedup is not None and judged.speedup > tiers.faster_than:
            return tiers.faster
        return tiers.accepted


def speedup_reward(language: str = "cpp", cost: str = "instructions", **settings: Any) -> SpeedupReward:
    """A TRL reward: speedup over the row's slow program (RewardConfig fields as keywords)."""
    return SpeedupReward(RewardConfig(language=language, cost=cost, **settings))


def correctness_reward(language: str = "cpp", **settings: Any) -> CorrectnessReward:
    """A TRL reward: 1 for a completion that is a correct program, else `failure`."""
    return CorrectnessReward(RewardConfig(language=language, **settings))


def perfrl_reward(language: str = "cpp", cost: str = "instructions", **settings: Any) -> PerfRLReward:
    """A TRL reward with PerfRL's four levels (`tiers=RewardTiers(...)` to change them)."""
    return PerfRLReward(RewardConfig(language=language, cost=cost, **settings))


def _text(completion: Completion) -> str:
    if isinstance(completion, str):
        return completion
    replies = [m.get("content", "") for m in completion if m.get("role", "assistant") == "assistant"]
    return replies[-1] if replies else ""


def _tests_key(tests: Any) -> str:
    """Tests as canonical JSON: hashable, and equal for equal tests."""
    if isinstance(tests, str):
        return json.dumps(json.loads(tests), sort_keys=True)
    return json.dumps([{"input": t["input"], "output": t["output"]} for t in tests], sort_keys=True)


def _tests_from_key(key: str) -> list[dict[str, str]]:
    return list(json.loads(key))


def _record(checked: Checked, slow_cost: float) -> JudgedCompletion:
    return JudgedCompletion(checked.verdict, checked.cost, slow_cost, checked.speedup, checked.reason)


__all__ = [
    "CorrectnessReward",
    "JudgedCompletion",
    "PerfRLReward",
    "RewardConfig",
    "RewardTiers",
    "SpeedupReward",
    "correctness_reward",
    "perfrl_reward",
    "speedup_reward",
]
