"""Test generation (PIE used AlphaCode's generated tests; sample tests are too small to show most
speedups): new inputs from mutated sample inputs and/or a user's input generator, expected outputs
from the problem's reference programs. An input is kept only when every reference accepts it and
all of them print the same answer (under the judge's comparison)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import Executor, Program
from perfcoder.execution.judge import outputs_match
from perfcoder.execution.testcase import TestCase
from perfcoder.settings import setting
from perfcoder.verify.mutation import mutate
from perfcoder.verify.validation import check_validator, rejected_inputs


@dataclass(frozen=True)
class TestGenConfig:
    count: int = setting(10, "New inputs to try per problem, from mutation (and as many from a generator).")
    scales: tuple[float, ...] = setting(
        (1.0, 4.0, 16.0, 64.0), "Size multipliers for mutated inputs, in turn."
    )
    max_input_bytes: int = setting(1_000_000, "Bytes per mutated input at most (sizes shrink to fit).")
    seed: int = setting(0, "Seed of the mutations and of the generator's seeds.")
    mutate: bool = setting(True, "Grow sample inputs (off: only a generator makes inputs).")

    __test__ = False  # not a pytest class


@dataclass
class GenerationReport:
    tests: list[TestCase] = field(default_factory=list)  # the kept ones, with reference outputs
    tried: int = 0
    failed: int = 0  # a reference crashed, timed out or rejected the input
    disagreed: int = 0  # the references printed different answers
    generator_failed: int = 0  # the user's generator did not produce an input
    invalid: int = 0  # the validator rejected the input (outside the problem's constraints)

    @property
    def kept(self) -> int:
        return len(self.tests)

    @property
    def dropped(self) -> int:
        return self.failed + self.disagreed + self.generator_failed + self.invalid


def candidate_inputs(samples: Sequence[TestCase], config: TestGenConfig) -> list[bytes]:
    """Distinct mutated sample inputs, none equal to a sample, in a reproducible order."""
    if not config.mutate or not samples:
        return []
    seen = {sample.input for sample in samples}
    inputs = []
    for n in range(config.count):
        rng = random.Random(f"{config.seed}:{n}")
        sample = samples[n % len(samples)]
        scale = config.scales[n % len(config.scales)]
        data = mutate(sample.input, rng, scale, config.max_input_bytes, [s.input for s in samples])
        if data is not None and data not in seen:
            seen.add(data)
            inputs.append(data)
    return inputs


def accepted_references(
    executor: Executor, programs: Sequence[Program], samples: Sequence[TestCase]
) -> list[Program]:
    """The programs that pass every sample test: only they may vouch for a generated test's output."""
    unique = list(dict.fromkeys(programs))  # each reference once in the answer
    results = executor.run_many(unique, samples)
    return [program for program, result in zip(unique, results, strict=True) if result.passed]


def generate_tests(
    references: Sequence[Program],
    samples: Sequence[TestCase],
    executor: Executor,
    config: TestGenConfig = TestGenConfig(),
    generator: Program | None = None,
    validator: Program | None = None,
) -> GenerationReport:
    """New tests for one problem; the generator (run in the sandbox) reads a seed and prints one input,
    the validator (perfcoder.verify.validation) keeps inputs outside the problem's constraints out."""
    if not references:
        raise PerfcoderError("test generation needs at least one reference program that passes the samples")
    check_validator(validator, samples, executor)
    report = GenerationReport()
    inputs = candidate_inputs(samples, config)
    if generator is not None:
        seeds = [f"{config.seed + n}\n".encode() for n in range(config.count)]
        made = executor.outputs(generator, seeds)
        report.generator_failed = sum(data is None for data in made)
        inputs += [data for data in dict.fromkeys(made) if data is not None]
    report.tried = len(inputs) + report.generator_failed
    rejected = rejected_inputs(validator, inputs, executor)
    report.invalid = len(rejected)
    inputs = [data for data in inputs if data not in rejected]
    answers = [executor.outputs(reference, inputs) for reference in references]
    for n, data in enumerate(inputs):
        outputs = [output for answer in answers if (output := answer[n]) is not None]
        if len(outputs) < len(answers):
            report.failed += 1
        elif not all(outputs_match(outputs[0], o, executor.config.judge) for o in outputs[1:]):
            report.disagreed += 1
        else:
            report.tests.append(TestCase(f"gen{len(report.tests) + 1}", data, outputs[0]))
    return report
