"""The optimization search: sample k candidates, pull out their code, send them through the verification
funnel (perfcoder.verify.funnel: duplicates dropped, hack checks, tests, differential testing against the
input, measurement of the survivors), and answer with the fastest accepted candidate that beats the
input, or with the input itself (speedup 1.0). Refinement rounds feed verdicts, outputs and costs back.

Nothing a model wrote runs outside the sandbox, and a candidate that fails any check is never returned."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from perfcoder.environment import Environment
from perfcoder.execution.testcase import TestCase
from perfcoder.execution.verdict import Verdict
from perfcoder.models.base import Backend, Message, SamplingParams
from perfcoder.strategies.extract import extract_code
from perfcoder.strategies.prompts import feedback_turn
from perfcoder.verify.differential import DifferentialConfig, Oracle
from perfcoder.verify.funnel import Checked, Verifier


class PromptStrategy(Protocol):
    @property
    def name(self) -> str: ...

    def messages(self, code: str, language: str) -> list[Message]: ...


@dataclass(frozen=True)
class SearchConfig:
    k: int = 8  # candidates per round (Best@k)
    rounds: int = 1  # 1: plain Best@k; more: refinement with execution feedback
    sampling: SamplingParams = field(default_factory=SamplingParams)
    differential: DifferentialConfig = field(default_factory=DifferentialConfig)  # the input is the oracle

    def params(self, round_number: int) -> SamplingParams:
        greedy = self.sampling.temperature <= 0
        return self.sampling.with_n(1 if greedy else self.k, self.sampling.seed + 1000 * round_number)


@dataclass
class Candidate:
    round: int
    verdict: str
    cost: float | None
    speedup: float | None
    code: str | None
    note: str = ""  # why it was rejected
    reply: str = ""
    mismatch: dict[str, Any] | None = None  # where it differs from the original on a generated input
    stage: str = ""  # where the verification funnel stopped it (`measured` for a survivor)
    hack: str | None = None  # the hack check that rejected it

    @classmethod
    def of(cls, checked: Checked, round_number: int, reply: str) -> Candidate:
        mismatch = checked.mismatch.to_dict() if checked.mismatch else None
        return cls(
            round_number, checked.verdict, checked.cost, checked.speedup, checked.code, checked.reason,
            reply, mismatch, checked.stage, checked.hack,
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class OptimizeResult:
    cost_model: str
    original_cost: float
    speedup: float  # of the returned program; 1.0 when it is the input
    verdict: str  # of the returned program: always accepted
    code: str
    improved: bool
    candidates: list[Candidate]
    wall_s: float = 0.0
    generation_s: float = 0.0
    completion_tokens: int = 0  # sampled now (cached samples cost no tokens)
    cached_samples: int = 0
    differential: dict[str, Any] | None = None  # the generated inputs (None: differential testing off)
    verification: dict[str, Any] | None = None  # the funnel's counts: where candidates stopped, spared

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "candidates": [c.to_dict() for c in self.candidates]}


OnEvent = Callable[[str], None]


def optimize_program(
    code: str,
    tests: Sequence[TestCase],
    env: Environment,
    backend: Backend,
    strategy: PromptStrategy,
    config: SearchConfig = SearchConfig(),
    on_event: OnEvent | None = None,
    generator: str | None = None,
    oracle: Oracle | None = None,
    problem_id: str | None = None,
) -> OptimizeResult:
    """Best@k (and refinement) for one program. Every candidate goes through the verification funnel:
    unless differential testing is off it must print what the input program prints on every generated
    input it answers (`oracle`: inputs already generated for this program, e.g. by a caller that keeps
    them; `problem_id` picks the validator from a directory of them)."""
    started = time.monotonic()
    language = env.language.name
    verifier = Verifier(
        env, code, tests, config.differential, generator=generator, problem_id=problem_id, oracle=oracle
    )
    original_cost = verifier.original_cost()
    result = OptimizeResult(env.cost_model.name, original_cost, 1.0, str(Verdict.ACCEPTED), code, False, [])
    if verifier.differential is not None:
        _say(on_event, "generating inputs: the input program is the oracle")
        result.differential = verifier.oracle.summary() if verifier.oracle else None
    conversation = strategy.messages(code, language)
    for round_number in range(config.rounds):
        _say(on_event, f"round {round_number + 1}: sampling {config.params(round_number).n}")
        generation_start = time.monotonic()
        samples = backend.chat(conversation, config.params(round_number))
        result.generation_s += time.monotonic() - generation_start
        result.completion_tokens += sum(s.completion_tokens for s in samples if not s.from_cache)
        result.cached_samples += sum(s.from_cache for s in samples)
        _say(on_event, f"round {round_number + 1}: verifying {len(samples)} candidates")
        candidates = judge_replies([s.text for s in samples], verifier, round_number)
        result.candidates += candidates
        _choose(result)
        if round_number + 1 < config.rounds:
            conversation = conversation + _feedback(candidates, tests, language)
    if verifier.oracle is not None:
        result.differential = verifier.oracle.summary()  # inputs the oracle proved unstable are gone now
    result.verification = verifier.summary()
    result.wall_s = time.monotonic() - started
    return result


def judge_replies(replies: Sequence[str], verifier: Verifier, round_number: int) -> list[Candidate]:
    """One candidate per reply: its code pulled out and sent through the verifier."""
    codes = [extract_code(reply, verifier.env.language.name) for reply in replies]
    checked = verifier.verify(codes)
    return [Candidate.of(c, round_number, reply) for c, reply in zip(checked, replies, strict=True)]


def _choose(result: OptimizeResult) -> None:
    """The fastest accepted candidate so far, if it beats the input; the input otherwise."""
    accepted = [c for c in result.candidates if c.verdict == Verdict.ACCEPTED and c.speedup and c.code]
    best = max(accepted, key=lambda c: c.speedup or 0.0, default=None)
    if best is not None and best.speedup is not None and best.speedup > 1.0:
        assert best.code is not None
        result.code, result.speedup, result.improved = best.code, best.speedup, True


def _feedback(candidates: Sequence[Candidate], tests: Sequence[TestCase], language: str) -> list[Message]:
    """Continue from the round's most useful answer: its fastest accepted one, else its first failure."""
    accepted = [c for c in candidates if c.verdict == Verdict.ACCEPTED]
    chosen = max(accepted, key=lambda c: c.speedup or 0.0) if accepted else candidates[0]
    if chosen.verdict == Verdict.ACCEPTED:
        report = (
            f"Your program passed every test. Measured cost: {chosen.cost:,.0f} "
            f"(speedup {chosen.speedup or 0:.2f}x over the original)."
        )
    else:
        report = f"Your program was not accepted: {chosen.verdict}. {chosen.note}".strip()
    return feedback_turn(chosen.reply, report, language)


def _say(on_event: OnEvent | None, message: str) -> None:
    if on_event is not None:
        on_event(message)
