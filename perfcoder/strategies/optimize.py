"""The optimization search: sample k candidates, pull out their code, judge and measure every one in the
sandbox under a deterministic cost model, and answer with the fastest accepted candidate that beats the
input, or with the input itself (speedup 1.0). Refinement rounds feed verdicts, outputs and costs back.

Nothing a model wrote runs outside the sandbox, and a candidate that fails any test is never returned."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from perfcoder.data.differential import DifferentialConfig, Mismatch, Oracle, build_oracle, check_programs
from perfcoder.environment import Environment, Measurement
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import Program
from perfcoder.execution.results import SubmissionResult
from perfcoder.execution.testcase import TestCase
from perfcoder.execution.verdict import Verdict
from perfcoder.measure.models import speedup
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
    note: str = ""
    reply: str = ""
    mismatch: dict[str, Any] | None = None  # where it differs from the original on a generated input

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
    """Best@k (and refinement) for one program. A candidate must pass the tests and, unless differential
    testing is off, print what the input program prints on every generated input it answers (`oracle`:
    inputs already generated for this program, e.g. by a caller that keeps them; `problem_id` picks the
    validator from a directory of them)."""
    started = time.monotonic()
    language = env.language.name
    original = env.run(code, tests)
    if not original.passed or original.cost is None:
        failed = next((t for t in original.tests if not t.passed), None)
        where = f" on test {failed.name}" if failed else ""
        raise PerfcoderError(
            f"the input program fails its own tests ({original.verdict}{where}); fix it first"
        )
    result = OptimizeResult(env.cost_model.name, original.cost, 1.0, str(Verdict.ACCEPTED), code, False, [])
    if oracle is None and config.differential.enabled:
        _say(on_event, "generating inputs: the input program is the oracle")
        maker = Program(generator, env.language) if generator else None
        original_program = Program(code, env.language)
        oracle = build_oracle(original_program, tests, env.executor, config.differential, maker, problem_id)
        result.differential = oracle.summary()
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
        candidates = judge_replies(replies, tests, env, original.cost, round_number, oracle)
        result.candidates += candidates
        _choose(result)
        if round_number + 1 < config.rounds:
            conversation = conversation + _feedback(candidates, tests, language)
    if oracle is not None:
        result.differential = oracle.summary()  # inputs the oracle proved unstable are gone now
    result.wall_s = time.monotonic() - started
    return result


def judge_replies(
    replies: Sequence[str],
    tests: Sequence[TestCase],
    env: Environment,
    original_cost: float,
    round_number: int,
    oracle: Oracle | None = None,
) -> list[Candidate]:
    """One candidate per reply; distinct programs are judged once, together: on the tests, then against
    the oracle's generated inputs, and only the survivors are measured (interleaved when timed)."""
    codes = [extract_code(reply, env.language.name) for reply in replies]
    candidates = []
    for reply, candidate_code, outcome in zip(
        replies, codes, judge_codes(codes, tests, env, oracle), strict=True
    ):
        if candidate_code is None or outcome is None:
            candidates.append(
                Candidate(round_number, str(Verdict.COMPILE_ERROR), None, None, None, NO_CODE, reply)
            )
            continue
        if isinstance(outcome, Mismatch):
            candidates.append(
                Candidate(
                    round_number,
                    outcome.verdict,
                    None,
                    None,
                    candidate_code,
                    outcome.describe(),
                    reply,
                    outcome.to_dict(),
                )
            )
            continue
        if isinstance(outcome, SubmissionResult):
            note = _note(outcome)
            candidates.append(
                Candidate(round_number, str(outcome.verdict), None, None, candidate_code, note, reply)
            )
            continue
        ratio = speedup(original_cost, outcome.cost)
        candidates.append(
            Candidate(round_number, str(outcome.verdict), outcome.cost, ratio, candidate_code, "", reply)
        )
    return candidates


Judged = Measurement | SubmissionResult | Mismatch  # measured, failed a test, or differs from the oracle


def judge_codes(
    codes: Sequence[str | None], tests: Sequence[TestCase], env: Environment, oracle: Oracle | None
) -> list[Judged | None]:
    """Judge natively on the tests first (cheap), then against the oracle, and measure only what passed
    both: a measurement under a count model is the slow part, and a wrong program needs none.

    A reply with no code (None) gets None; repeated programs are judged once (the executor shares
    results), so a group of samples goes in as it is."""
    present = [i for i, code in enumerate(codes) if code is not None]
    outcomes: list[Judged | None] = [None] * len(codes)
    if not present:
        return outcomes
    programs = {i: Program(codes[i] or "", env.language) for i in present}
    native = env.executor.run_many([programs[i] for i in present], tests)
    for i, result in zip(present, native, strict=True):
        outcomes[i] = result
    passed = [i for i, result in zip(present, native, strict=True) if result.passed]
    if oracle is not None:
        checked = check_programs(oracle, [programs[i] for i in passed], env.executor)
        for i, mismatch in zip(passed, checked, strict=True):
            if mismatch is not None:
                outcomes[i] = mismatch
    survivors = [i for i in passed if not isinstance(outcomes[i], Mismatch)]
    if not survivors:
        return outcomes
    measured = env.run_many([programs[i].source for i in survivors], tests)
    for i, measurement in zip(survivors, measured, strict=True):
        outcomes[i] = measurement if measurement.passed else measurement.submission
    return outcomes


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


def _note(submission: SubmissionResult) -> str:
    """What a failure looked like, for the table and for the model's next round."""
    if submission.passed:
        return ""
    if submission.compile_log:
        return submission.compile_log.strip()[-PREVIEW:]
    failed = next(t for t in submission.tests if not t.passed)
    detail = failed.stderr.strip()[-PREVIEW:] or failed.stdout[:PREVIEW]
    return f"test {failed.name}: {failed.verdict}; output: {detail}"


def _say(on_event: OnEvent | None, message: str) -> None:
    if on_event is not None:
        on_event(message)
