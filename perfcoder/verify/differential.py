"""Differential testing: the original program is the oracle. A candidate that passes the given tests is
also run on inputs generated from them, and must print what the original prints on every input the
original answers within its time budget.

Sample tests are small; the bugs of "optimized" programs (an `int` that overflows, a recursion that
gets too deep, an off-by-one that only a long input reaches) show on large inputs. So the inputs are
same-size variants of each given test (new values, same shape) and a ladder per large given test whose
sizes double step by step until the original no longer answers within its budget, the input would
exceed its size cap, or it stops growing. The time goes to the largest inputs the original can answer.
An input on which the original itself is not repeatable (it prints two different answers) is dropped
rather than held against a candidate.

Mutation knows an input's shape, not the problem's constraints: on an input outside them a correct
candidate may rightly print something else than the original. A validator (perfcoder.verify.validation)
keeps such inputs out; without one, a rejection names its input so that a person can tell."""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import Answer, Executor, Program
from perfcoder.execution.results import TestResult
from perfcoder.execution.testcase import TestCase
from perfcoder.execution.verdict import Verdict
from perfcoder.settings import setting
from perfcoder.verify.mutation import mutate
from perfcoder.verify.validation import check_validator, rejected_inputs, validator_program

PREVIEW = 200  # characters of an input or output shown for a mismatch
CAP_SHARE = 0.9  # a ladder whose input reaches this share of the size cap has grown as far as it may


@dataclass(frozen=True)
class DifferentialConfig:
    """How inputs are generated and how long the original may take on each."""

    enabled: bool = setting(True, "Check candidates against the original on generated inputs.")
    variants: int = setting(2, "Same-size variants (new values, same shape) of each given test.")
    ladders: int = setting(2, "The largest given tests whose sizes are grown step by step.")
    growth: float = setting(2.0, "Size multiplier per ladder step.")
    max_steps: int = setting(16, "Ladder steps at most (2**16 times the largest given test).")
    max_inputs: int = setting(24, "Generated inputs kept at most (spread over sizes, the largest kept).")
    max_input_bytes: int = setting(4_000_000, "Bytes of a generated input at most.")
    oracle_time_s: float | None = setting(
        None, "Seconds the original may take on a generated input (None: half the time limit)."
    )
    generator_seeds: int = setting(8, "Seeds given to a user's input generator, one input each.")
    seed: int = setting(0, "Seed of input generation.")
    validator: Path | None = setting(
        None,
        "A program that reads one input and exits 0 when it is within the problem's constraints, or a "
        "directory of them named <problem_id>.<extension>.",
    )

    def __post_init__(self) -> None:
        if self.variants < 0 or self.ladders < 0 or self.max_steps < 0 or self.generator_seeds < 0:
            raise PerfcoderError("differential: variants, ladders, max_steps, generator_seeds must be >= 0")
        if self.growth <= 1.0:
            raise PerfcoderError(f"differential: growth must be above 1, got {self.growth}")
        if self.max_inputs < 1 or self.max_input_bytes < 1:
            raise PerfcoderError("differential: max_inputs and max_input_bytes must be positive")
        if self.oracle_time_s is not None and self.oracle_time_s <= 0:
            raise PerfcoderError(f"differential: oracle_time_s must be positive, got {self.oracle_time_s}")


@dataclass
class Mismatch:
    """Where a candidate and the original part ways: the smallest generated input on which they differ."""

    test: str
    verdict: str  # the candidate's verdict on that input: wrong_answer, runtime_error, timeout, ...
    input_bytes: int
    input: str  # previews
    expected: str  # what the original printed
    actual: str  # what the candidate printed (or its error output)

    def describe(self) -> str:
        return (
            f"differs from the original on generated input {self.test} ({self.input_bytes} bytes: "
            f"{self.input!r}): {self.verdict}; expected {self.expected!r}, got {self.actual!r}"
        )

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def of(cls, test: TestCase, result: TestResult) -> Mismatch:
        """The failing test and what the program made of it (its output, else its error output)."""
        actual = result.stdout if result.verdict == Verdict.WRONG_ANSWER else (result.stderr or result.stdout)
        return cls(
            test=test.name,
            verdict=str(result.verdict),
            input_bytes=len(test.input),
            input=_preview(test.input),
            expected=_preview(test.output) if test.output is not None else "(no expected output)",
            actual=actual[:PREVIEW] if actual else f"(exit code {result.exit_code}, no output)",
        )


@dataclass
class Oracle:
    """The original's answers on the generated inputs, smallest input first."""

    original: Program
    tests: list[TestCase] = field(default_factory=list)
    tried: int = 0  # inputs the original was run on
    unanswered: int = 0  # inputs it did not answer within its budget (they limit the ladder)
    unstable: int = 0  # inputs dropped because the original printed two different answers
    invalid: int = 0  # inputs the validator rejected (outside the problem's constraints)
    generator_failed: int = 0
    budget_s: float = 0.0
    ladder_stops: list[str] = field(default_factory=list)  # why each ladder stopped growing
    cpu_s: dict[str, float] = field(default_factory=dict)  # the original's CPU seconds per kept input

    def summary(self) -> dict[str, Any]:
        sizes = [len(test.input) for test in self.tests]
        return {
            "inputs": len(self.tests),
            "tried": self.tried,
            "unanswered": self.unanswered,
            "unstable": self.unstable,
            "invalid": self.invalid,
            "generator_failed": self.generator_failed,
            "largest_input_bytes": max(sizes, default=0),
            "oracle_budget_s": self.budget_s,
            "ladder_stops": self.ladder_stops,
        }


def build_oracle(
    original: Program,
    given: Sequence[TestCase],
    executor: Executor,
    config: DifferentialConfig = DifferentialConfig(),
    generator: Program | None = None,
    problem_id: str | None = None,
) -> Oracle:
    """Generate inputs from the given tests (and the generator, if any), keep those the validator (the
    config's, for `problem_id`) accepts, and record the original's answer to each; inputs the original
    does not answer within its budget are left out (and stop a ladder)."""
    budget = config.oracle_time_s or executor.config.limits.time_s / 2
    limits = dataclasses.replace(executor.config.limits, time_s=budget)
    oracle = Oracle(original, budget_s=budget)
    validator = validator_program(config.validator, problem_id)
    check_validator(validator, given, executor)  # under the run's time limit, not the oracle's budget
    seen = {test.input for test in given}
    found: list[tuple[bytes, bytes]] = []
    seconds: dict[bytes, float] = {}

    def ask(inputs: list[bytes]) -> list[Answer | None]:
        """The original's answer per input; None for an input the validator rejects."""
        fresh = [data for data in dict.fromkeys(inputs) if data not in seen]
        seen.update(fresh)
        rejected = rejected_inputs(validator, fresh, executor)
        oracle.invalid += len(rejected)
        fresh = [data for data in fresh if data not in rejected]
        answers = executor.answers(original, fresh, limits) if fresh else []
        oracle.tried += len(fresh)
        oracle.unanswered += sum(not answer.ok for answer in answers)
        found.extend((data, a.stdout) for data, a in zip(fresh, answers, strict=True) if a.stdout is not None)
        seconds.update((data, a.cpu_s) for data, a in zip(fresh, answers, strict=True))
        by_input = dict(zip(fresh, answers, strict=True))
        return [
            None if data in rejected else by_input.get(data, Answer(Verdict.ACCEPTED, b"")) for data in inputs
        ]

    ask(_variants(given, config))
    _climb_ladders(given, config, ask, oracle)
    if generator is not None:
        seeds = [f"{config.seed + n}\n".encode() for n in range(config.generator_seeds)]
        made = executor.outputs(generator, seeds)
        oracle.generator_failed = sum(data is None for data in made)
        ask([data for data in made if data is not None and len(data) <= config.max_input_bytes])
    kept = _spread(sorted(found, key=lambda item: (len(item[0]), item[0])), config.max_inputs)
    oracle.tests = [TestCase(f"gen{n}", data, output) for n, (data, output) in enumerate(kept, 1)]
    oracle.cpu_s = {test.name: seconds.get(test.input, 0.0) for test in oracle.tests}
    return oracle


def _variants(given: Sequence[TestCase], config: DifferentialConfig) -> list[bytes]:
    """New values in the shape of each given test, at its own size."""
    inputs = []
    siblings = [test.input for test in given]
    for n, test in enumerate(given):
        for v in range(config.variants):
            rng = random.Random(f"{config.seed}:variant:{n}:{v}")
            data = mutate(test.input, rng, 1.0, config.max_input_bytes, siblings)
            if data is not None:
                inputs.append(data)
    return inputs


def _climb_ladders(given: Sequence[TestCase], config: DifferentialConfig, ask: Any, oracle: Oracle) -> None:
    """Grow the largest given tests step by step, all ladders in one batch per step; a ladder stops at the
    first size the original does not answer within its budget, or when its input stops growing."""
    starts = sorted(dict.fromkeys(test.input for test in given), key=len, reverse=True)[: config.ladders]
    previous = {n: start for n, start in enumerate(starts)}
    siblings = [test.input for test in given]
    for step in range(1, config.max_steps + 1):
        scale = config.growth**step
        batch: dict[int, bytes] = {}
        for n in list(previous):
            rng = random.Random(f"{config.seed}:ladder:{n}:{step}")
            data = mutate(starts[n], rng, scale, config.max_input_bytes, siblings)
            if data is None or data == previous[n] or len(data) < len(previous[n]):
                oracle.ladder_stops.append(f"ladder {n + 1}: stopped growing at {len(previous[n])} bytes")
                del previous[n]
            elif len(data) > config.max_input_bytes * CAP_SHARE:
                oracle.ladder_stops.append(f"ladder {n + 1}: reached the size cap at {len(data)} bytes")
                del previous[n]
                batch[n] = data
            else:
                batch[n] = data
        if not batch:
            return
        for (n, data), answer in zip(batch.items(), ask(list(batch.values())), strict=True):
            if answer is None:
                oracle.ladder_stops.append(
                    f"ladder {n + 1}: the validator rejected the input at {len(data)} bytes"
                )
                previous.pop(n, None)
            elif answer.ok:
                if n in previous:
                    previous[n] = data
            else:
                reason = f"{answer.verdict} within {oracle.budget_s:g} s"
                oracle.ladder_stops.append(f"ladder {n + 1}: the original gave {reason} at {len(data)} bytes")
                previous.pop(n, None)
    oracle.ladder_stops += [f"ladder {n + 1}: reached {config.max_steps} steps" for n in previous]


def _spread(items: list[tuple[bytes, bytes]], limit: int) -> list[tuple[bytes, bytes]]:
    """At most `limit` items evenly spread over the (size-sorted) list, the largest always kept."""
    if len(items) <= limit:
        return items
    if limit == 1:
        return items[-1:]
    step = (len(items) - 1) / (limit - 1)
    return [items[round(i * step)] for i in range(limit)]


def check_programs(oracle: Oracle, programs: Sequence[Program], executor: Executor) -> list[Mismatch | None]:
    """Each program against the oracle: None when it agrees on every generated input, else the smallest
    input on which it differs. Inputs run smallest first and a program stops at its first mismatch."""
    mismatches: list[Mismatch | None] = [None] * len(programs)
    alive = list(range(len(programs)))
    tests = list(oracle.tests)
    position = 0
    while alive and position < len(tests):
        width = max(1, math.ceil(executor.config.workers / len(alive)))
        chunk = tests[position : position + width]
        results = executor.run_many([programs[i] for i in alive], chunk)
        failing = {
            i: next((r for r in result.tests if not r.passed), None)
            for i, result in zip(alive, results, strict=True)
        }
        unstable = _unstable_inputs(oracle, executor, chunk, [r for r in failing.values() if r is not None])
        if unstable:  # the oracle cannot vouch for these inputs: drop them and run the chunk again
            tests = [test for test in tests if test.name not in unstable]
            oracle.tests = [test for test in oracle.tests if test.name not in unstable]
            oracle.unstable += len(unstable)
            continue
        for i, failed in failing.items():
            if failed is not None:
                mismatches[i] = Mismatch.of(next(t for t in chunk if t.name == failed.name), failed)
        alive = [i for i in alive if mismatches[i] is None]
        position += len(chunk)
    return mismatches


def _unstable_inputs(
    oracle: Oracle, executor: Executor, chunk: Sequence[TestCase], failures: Sequence[TestResult]
) -> set[str]:
    """Inputs of wrong answers on which the original, run again, prints something else than before."""
    names = {r.name for r in failures if r.verdict == Verdict.WRONG_ANSWER}
    suspects = [test for test in chunk if test.name in names]
    if not suspects:
        return set()
    budget = dataclasses.replace(executor.config.limits, time_s=oracle.budget_s)
    again = executor.answers(oracle.original, [t.input for t in suspects], budget, stored=False)
    return {t.name for t, answer in zip(suspects, again, strict=True) if answer.stdout != t.output}


def _preview(data: bytes) -> str:
    text = data[:PREVIEW].decode(errors="replace")
    return text + ("..." if len(data) > PREVIEW else "")
