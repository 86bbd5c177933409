"""The optimization search: sample k candidates, pull out their code, judge and measure every one in the
sandbox under a deterministic cost model, and answer with the fastest accepted candidate that beats the
input, or with the input itself (speedup 1.0). Refinement rounds feed verdicts, outputs and costs back.

Nothing a model wrote runs outside the sandbox, and a candidate that fails any test is never returned."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from perfcoder.environment import Environment, Measurement
from perfcoder.errors import PerfcoderError
from perfcoder.execution.testcase import TestCase
from perfcoder.execution.verdict import Verdict
from perfcoder.models.base import Backend, Message, SamplingParams
from perfcoder.strategies.extract import extract_code
from perfcoder.strategies.prompts import feedback_turn

NO_CODE = "no code block with a whole program in the reply"
PREVIEW = 400  # characters of input / expected / actual output shown to the model as feedback


class PromptStrategy(Protocol):
    @property
    def name(self) -> str: ...

    def messages(self, code: str, language: str) -> list[Message]: ...


@dataclass(frozen=True)
class SearchConfig:
    k: int = 8  # candidates per round (Best@k)
    rounds: int = 1  # 1: plain Best@k; more: refinement with execution feedback
    sampling: SamplingParams = field(default_factory=SamplingParams)

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
    note: str = ""
    reply: str = ""

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
) -> OptimizeResult:
    started = time.monotonic()
    language = env.language.name
    original = env.run(code, tests)
    if not original.passed or original.cost is None:
        failed = next((t for t in original.tests if not t.passed), None)
        where = f" on test {failed.name}" if failed else ""
        raise PerfcoderError(
            f"the input program fails its own tests ({original.verdict}{where}); fix it first"
        )
    result = OptimizeResult(env.model.name, original.cost, 1.0, str(Verdict.ACCEPTED), code, False, [])
    conversation = strategy.messages(code, language)
    for round_number in range(config.rounds):
        _say(on_event, f"round {round_number + 1}: sampling {config.params(round_number).n}")
        generation_start = time.monotonic()
        samples = backend.chat(conversation, config.params(round_number))
        result.generation_s += time.monotonic() - generation_start
        result.completion_tokens += sum(s.completion_tokens for s in samples if not s.from_cache)
        result.cached_samples += sum(s.from_cache for s in samples)
        _say(on_event, f"round {round_number + 1}: judging {len(samples)} candidates")
        replies = [s.text for s in samples]
        candidates = judge_replies(replies, tests, env, original.cost, round_number)
        result.candidates += candidates
        _choose(result)
        if round_number + 1 < config.rounds:
            conversation = conversation + _feedback(candidates, tests, language)
    result.wall_s = time.monotonic() - started
    return result


def judge_replies(
    replies: Sequence[str],
    tests: Sequence[TestCase],
    env: Environment,
    original_cost: float,
    round_number: int,
) -> list[Candidate]:
    """One candidate per reply; distinct programs are judged once, together (interleaved when timed)."""
    codes = [extract_code(reply, env.language.name) for reply in replies]
    unique = list(dict.fromkeys(c for c in codes if c is not None))
    measured: dict[str, Measurement] = (
        dict(zip(unique, env.run_many(unique, tests), strict=True)) if unique else {}
    )
    candidates = []
    for reply, candidate_code in zip(replies, codes, strict=True):
        if candidate_code is None:
            candidates.append(
                Candidate(round_number, str(Verdict.COMPILE_ERROR), None, None, None, NO_CODE, reply)
            )
            continue
        m = measured[candidate_code]
        speedup = original_cost / m.cost if m.cost else None
        candidates.append(
            Candidate(round_number, str(m.verdict), m.cost, speedup, candidate_code, _note(m), reply)
        )
    return candidates


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


def _note(measured: Measurement) -> str:
    """What a failure looked like, for the table and for the model's next round."""
    if measured.passed:
        return ""
    if measured.submission.compile_log:
        return measured.submission.compile_log.strip()[-PREVIEW:]
    failed = next(t for t in measured.tests if not t.passed)
    detail = failed.stderr.strip()[-PREVIEW:] or failed.stdout[:PREVIEW]
    return f"test {failed.name}: {failed.verdict}; output: {detail}"


def _say(on_event: OnEvent | None, message: str) -> None:
    if on_event is not None:
        on_event(message)
