"""The optimization search: sample k candidates, pull out their code, send them through the verification
funnel (perfcoder.verify.funnel: duplicates dropped, hack checks, tests, differential testing against the
input, measurement of the survivors), and answer with the fastest accepted candidate that beats the
input, or with the input itself (speedup 1.0). Refinement rounds feed verdicts, outputs and costs back.

Nothing a model wrote runs outside the sandbox, and a candidate that fails any check is never returned."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from perfcoder.environment import Environment
from perfcoder.errors import PerfcoderError
from perfcoder.execution.testcase import TestCase
from perfcoder.execution.verdict import Verdict
from perfcoder.models.base import Backend, Message, Sample, SamplingParams
from perfcoder.settings import setting, setting_factory
from perfcoder.strategies.evolve import EvolveConfig, evolve
from perfcoder.strategies.extract import extract_code
from perfcoder.strategies.prompts import feedback_turn
from perfcoder.verify.differential import DifferentialConfig, Mismatch, Oracle
from perfcoder.verify.funnel import NO_CODE, Checked, Verifier

Extract = Callable[[str], tuple[str | None, str]]  # a reply's program, or None and why there is none
Focus = Callable[[str], range]  # the lines of a program its profile shows the model (a function's own)


class PromptStrategy(Protocol):
    @property
    def name(self) -> str: ...

    def messages(self, code: str, language: str) -> list[Message]: ...


SEARCHES = ("bestk", "evolve")


@dataclass(frozen=True)
class SearchConfig:
    k: int = setting(8, "Candidates per round (Best@k).")
    rounds: int = setting(1, "1: plain Best@k; more: refinement rounds with execution feedback.")
    sampling: SamplingParams = setting_factory(SamplingParams, "How the model samples.")
    differential: DifferentialConfig = setting_factory(
        DifferentialConfig, "Checking candidates against the input on generated inputs (it is the oracle)."
    )
    search: str = setting("bestk", "bestk (k samples per round) or evolve (perfcoder.strategies.evolve).")
    budget: int | None = setting(None, "Model samples at most (None: k * rounds).")
    budget_s: float | None = setting(None, "Seconds at most (checked between requests).")
    budget_tokens: int | None = setting(None, "Sampled tokens at most (checked between requests).")
    min_gain: float = setting(0.05, "A candidate replaces the input only if at least this much faster.")
    evolve: EvolveConfig = setting_factory(EvolveConfig, "Islands, parent choice and feedback of evolve.")

    def __post_init__(self) -> None:
        if self.search not in SEARCHES:
            raise PerfcoderError(f"unknown search {self.search!r} (known: {', '.join(SEARCHES)})")
        if self.budget is not None and self.budget < 1:
            raise PerfcoderError(f"the budget must be at least one sample, got {self.budget}")
        if self.min_gain < 0:
            raise PerfcoderError(f"min_gain must be >= 0, got {self.min_gain}")

    @property
    def greedy(self) -> bool:
        return self.sampling.temperature <= 0

    @property
    def samples(self) -> int:
        """The sample budget: `budget`, or Best@k's k per round (one per round when greedy: a greedy
        prompt answers the same every time)."""
        if self.budget is not None:
            return self.budget
        return (1 if self.greedy else self.k) * self.rounds

    def params(self, round_number: int, n: int | None = None) -> SamplingParams:
        count = 1 if self.greedy else (n or self.k)
        return self.sampling.with_n(count, self.sampling.seed + 1000 * round_number)


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
    failed_test: dict[str, Any] | None = None  # the first given test it failed: input, expected, actual

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
    search: str = "bestk"
    samples: int = 0  # model samples spent
    curve: list[float] = field(default_factory=list)  # best verified speedup after each sample
    note: str = ""  # why the input was returned, when it was

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
    state: Path | None = None,
    extract: Extract | None = None,
    focus: Focus | None = None,
    retrieval: PromptStrategy | None = None,
) -> OptimizeResult:
    """Best@k (and refinement) or evolution (`config.search`) for one program, within the sample budget.
    Every candidate goes through the verification funnel: unless differential testing is off it must
    print what the input program prints on every generated input it answers (`oracle`: inputs already
    generated for this program, e.g. by a caller that keeps them; `problem_id` picks the validator from
    a directory of them). `extract` makes a reply into a program (default: its code block), `focus`
    picks the lines a profile shows (default: all); `retrieval` is the prompt of evolve's retrieval
    islands."""
    search = Search.start(
        code, tests, env, backend, config, on_event, generator, oracle, problem_id, extract, focus
    )
    if config.search == "evolve":
        evolve(search, strategy, state, retrieval)
    else:
        _best_of_k(search, strategy)
    return search.finish()


@dataclass
class Search:
    """What a search shares whatever its mode: the verifier, the budget, the result it fills."""

    code: str
    tests: Sequence[TestCase]
    env: Environment
    backend: Backend
    config: SearchConfig
    verifier: Verifier
    result: OptimizeResult
    extract: Extract  # a reply's program
    on_event: OnEvent | None = None
    focus: Focus | None = None  # None: a profile shows every line
    started: float = field(default_factory=time.monotonic)

    @classmethod
    def start(
        cls,
        code: str,
        tests: Sequence[TestCase],
        env: Environment,
        backend: Backend,
        config: SearchConfig,
        on_event: OnEvent | None = None,
        generator: str | None = None,
        oracle: Oracle | None = None,
        problem_id: str | None = None,
        extract: Extract | None = None,
        focus: Focus | None = None,
    ) -> Search:
        verifier = Verifier(
            env, code, tests, config.differential, generator=generator, problem_id=problem_id, oracle=oracle
        )
        cost = verifier.original_cost()
        result = OptimizeResult(env.cost_model.name, cost, 1.0, str(Verdict.ACCEPTED), code, False, [])
        result.search = config.search
        extract = extract or program_in(env.language.name)
        search = cls(code, tests, env, backend, config, verifier, result, extract, on_event, focus)
        if verifier.differential is not None:
            search.say("generating inputs: the input program is the oracle")
            result.differential = verifier.oracle.summary() if verifier.oracle else None
        return search

    def left(self) -> int:
        """Samples left in the budget (0 also when the time or token budget is spent)."""
        config, result = self.config, self.result
        if config.budget_s is not None and time.monotonic() - self.started >= config.budget_s:
            return 0
        if config.budget_tokens is not None and result.completion_tokens >= config.budget_tokens:
            return 0
        return max(0, config.samples - result.samples)

    def sample(self, messages: list[Message], n: int, step: int) -> list[Sample]:
        """n samples (seeded by the step, so a rerun is answered by the generation cache), counted."""
        return self.sample_all([(messages, n, step)])[0]

    def sample_all(
        self, requests: Sequence[tuple[list[Message], int, int]], heat: Sequence[float] = ()
    ) -> list[list[Sample]]:
        """Several requests (messages, n, step) sent together: an engine with parallel slots decodes them
        in one batch. `heat`: per request, what is added to the sampling temperature."""
        started = time.monotonic()
        params = [self.config.params(step, n) for _, n, step in requests]
        for i, added in enumerate(heat):
            params[i] = replace(params[i], temperature=params[i].temperature + added)
        answers = self.backend.chat_all(
            [(request[0], p) for request, p in zip(requests, params, strict=True)]
        )
        self.result.generation_s += time.monotonic() - started
        for samples in answers:
            self.result.completion_tokens += sum(s.completion_tokens for s in samples if not s.from_cache)
            self.result.cached_samples += sum(s.from_cache for s in samples)
        return answers

    def judge(
        self, replies: Sequence[str], steps: Sequence[int], extracts: Sequence[Extract | None] = ()
    ) -> list[Candidate]:
        """The replies (each from the request of its step) through the funnel in one go, recorded with
        the curve and the choice of the best; `extracts`: per reply, how its program is made, when not
        the search's way (a block edit's splice)."""
        made = [e or self.extract for e in extracts] if extracts else [self.extract] * len(replies)
        candidates = judge_replies(replies, self.verifier, steps, made)
        best = self.result.curve[-1] if self.result.curve else 1.0
        for candidate in candidates:
            if candidate.verdict == Verdict.ACCEPTED and candidate.speedup:
                best = max(best, candidate.speedup)
            self.result.curve.append(best)
        self.result.samples += len(candidates)
        self.result.candidates += candidates
        _choose(self.result, self.config.min_gain)
        return candidates

    def say(self, message: str) -> None:
        _say(self.on_event, message)

    def finish(self) -> OptimizeResult:
        result = self.result
        if self.verifier.oracle is not None:
            result.differential = self.verifier.oracle.summary()  # unstable inputs are gone now
        result.verification = self.verifier.summary()
        result.wall_s = time.monotonic() - self.started
        return result


def _best_of_k(search: Search, strategy: PromptStrategy) -> None:
    """k samples per round from one prompt (refinement rounds add the round's feedback), until the
    budget is spent."""
    language = search.env.language.name
    conversation = strategy.messages(search.code, language)
    round_number = 0
    while (left := search.left()) > 0 and not (search.config.greedy and round_number >= search.config.rounds):
        n = min(search.config.k, left)
        search.say(f"round {round_number + 1}: sampling {n}")
        samples = search.sample(conversation, n, round_number)
        search.say(f"round {round_number + 1}: verifying {len(samples)} candidates")
        candidates = search.judge([s.text for s in samples], [round_number] * len(samples))
        round_number += 1
        if search.config.rounds > 1 and search.left() > 0:
            conversation = conversation + _feedback(candidates, search.tests, language)


def judge_replies(
    replies: Sequence[str], verifier: Verifier, rounds: Sequence[int], extracts: Sequence[Extract]
) -> list[Candidate]:
    """One candidate per reply: its program pulled out (by the reply's own extract) and sent through the
    verifier."""
    found = [extract(reply) for extract, reply in zip(extracts, replies, strict=True)]
    checked = verifier.verify([code for code, _ in found])
    candidates = [Candidate.of(*made) for made in zip(checked, rounds, replies, strict=True)]
    tests = {test.name: test for test in verifier.tests}
    for candidate, made, (code, why) in zip(candidates, checked, found, strict=True):
        if code is None:
            candidate.note = why
        candidate.failed_test = _failed_test(made, tests)
    return candidates


def _failed_test(checked: Checked, tests: dict[str, TestCase]) -> dict[str, Any] | None:
    """The first given test a program failed, with its input and expected output: what a model needs to
    fix it (the reason names the test only)."""
    submission = checked.submission
    if checked.stage != "tests" or submission is None or submission.compile_log:
        return None
    failed = next((t for t in submission.tests if not t.passed and t.name in tests), None)
    return Mismatch.of(tests[failed.name], failed).to_dict() if failed is not None else None


def program_in(language: str) -> Extract:
    """The whole program in a reply's code block."""
    return lambda reply: (extract_code(reply, language), NO_CODE)


def _choose(result: OptimizeResult, min_gain: float) -> None:
    """The fastest accepted candidate so far, if it beats the input by the minimum gain; the input
    otherwise, with the reason."""
    accepted = [c for c in result.candidates if c.verdict == Verdict.ACCEPTED and c.speedup and c.code]
    best = max(accepted, key=lambda c: c.speedup or 0.0, default=None)
    if best is not None and best.speedup is not None and best.speedup >= 1.0 + min_gain:
        assert best.code is not None
        result.code, result.speedup, result.improved, result.note = best.code, best.speedup, True, ""
    elif best is not None and best.speedup is not None and best.speedup > 1.0:
        result.note = (
            f"the fastest verified candidate is {best.speedup:.4g}x faster, below the minimum gain of "
            f"{100 * min_gain:g}%: the input is returned"
        )
    else:
        result.note = "no candidate was verified faster than the input"


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
