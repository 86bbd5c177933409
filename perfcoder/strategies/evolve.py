"""Evolutionary search (`--search evolve`): a population of verified programs, the input first, spread over
islands that each ask for one kind of edit (PIE's categories: algorithm, data structures, I/O,
precomputation; retrieval islands show the nearest (slow, fast) pairs of a pool instead; block islands
ask for the parent's hottest block only, perfcoder.strategies.blocks). Each round asks
every island once, the requests sent together (an engine with parallel slots decodes them in one batch);
each picks a parent in its island (its fastest member, or now and then another, for diversity) and asks
the model for a faster version of it with feedback:

- the parent's deterministic per-line profile (perfcoder.measure.lines) on the largest generated input:
  where its cost goes, which no sampling-only search tells the model;
- its cost against the input's;
- what became of the island's last child that did not join: its verdict and the smallest input on which
  it differed, or that it came back unchanged, or that it was correct but no faster (a small model's
  most frequent replies, which would otherwise be asked for again); with `copy_heat`, an island that got
  a copy back also samples its next request hotter;
- with `repair`, a child that ran but failed is shown back instead: the island's next request continues
  that conversation with the failed program and the input it failed on, to be fixed.

Every child goes through the verification funnel (duplicates are never judged twice); a verified child
faster than its parent joins the island. A round that finds a new best program sends it to every
island at once (so the rest of the budget goes to improving it), and every few samples the best
program so far migrates to every island. The search is deterministic given the model's samples
(seeded by step, answered by the generation cache on a rerun) and the verifier's results (kept in the
results store), so a search that was killed resumes by replaying its steps from the caches, and ends
where an uninterrupted one ends."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import Executor
from perfcoder.execution.testcase import TestCase
from perfcoder.execution.verdict import Verdict
from perfcoder.measure.lines import Profile, largest_input, profile_run, profiling_config
from perfcoder.models.base import Message
from perfcoder.settings import setting
from perfcoder.strategies.blocks import Splice, block_messages, hottest_block
from perfcoder.strategies.prompts import feedback_turn, fenced

if TYPE_CHECKING:
    from perfcoder.strategies.search import Candidate, Extract, PromptStrategy, Search

# (name, what the island asks for): PIE's most frequent kinds of human edits
FOCUS = (
    ("algorithm", "Use a better algorithm: lower the time complexity of the hottest lines."),
    (
        "data structures",
        "Use better data structures: constant-time lookups, arrays instead of maps, no copies.",
    ),
    ("input/output", "Make input and output faster: read all input at once, write the output in one go."),
    ("precomputation", "Precompute or cache what is computed again and again; move work out of loops."),
)
RETRIEVAL = ("retrieval", "Make edits like the examples' where they fit this program.")
BLOCK = (
    "hottest block",
    "Change how these lines do their work: a better algorithm or data structure, faster input, less work "
    "done again and again.",
)
PREVIEW = 300  # characters of an input or output shown in feedback
REPAIRABLE = ("tests", "differential")  # funnel stages at which a failed child ran (or compiled)
FIXABLE = (Verdict.WRONG_ANSWER, Verdict.RUNTIME_ERROR, Verdict.COMPILE_ERROR)  # not slowness, not hacks


@dataclass(frozen=True)
class EvolveConfig:
    islands: int = setting(4, "Islands, each asking for one kind of edit (algorithm, data structures, ...).")
    retrieval_islands: int = setting(
        0,
        "Islands more, whose prompts hold the example pool's (slow, fast) pairs nearest to the parent as "
        "earlier turns (PIE's retrieval few-shot; the pool: --examples, else the built-in one).",
    )
    block_islands: int = setting(
        0,
        "Islands more, whose requests show the parent's hottest block (its costliest statement by the "
        "profile, loops and all) and ask for those lines only, spliced back in (Python programs with "
        "profiles on; otherwise they ask as the other islands do).",
    )
    exploit: float = setting(0.7, "Chance a parent is its island's fastest member (else one at random).")
    migrate_every: int = setting(8, "Samples between copies of the best program into every island.")
    samples_per_step: int = setting(1, "Samples per request.")
    profile: bool = setting(True, "Show the model the parent's per-line profile (off: the ablation).")
    profile_lines: int = setting(5, "Hottest lines shown.")
    profile_budget_s: float = setting(
        0.2, "The profile's input: the largest the input program answers within this many CPU seconds."
    )
    seed: int = setting(0, "Seed of the parent choice.")
    copy_heat: float = setting(
        0.0,
        "Added to the sampling temperature of an island's next request for each copy of a program already "
        "tried that it got back in a row (a copy spends a sample and is not judged; 0: off, as 0.3 found "
        "no more speedups on the dev pairs, benchmarks/README.md).",
    )
    max_temperature: float = setting(1.3, "The most copy_heat raises the temperature to.")
    repair: bool = setting(
        False,
        "After a child that ran but failed (wrong answer, runtime or compile error), its island's next "
        "request continues that conversation: the failed program and the input it failed on, to fix.",
    )

    def __post_init__(self) -> None:
        if self.retrieval_islands < 0 or self.block_islands < 0:
            raise PerfcoderError("evolve: retrieval_islands and block_islands must be >= 0")
        if self.islands < 1 or self.samples_per_step < 1 or self.migrate_every < 1:
            raise PerfcoderError("evolve: islands, samples_per_step and migrate_every must be >= 1")
        if self.copy_heat < 0:
            raise PerfcoderError(f"evolve: copy_heat must be >= 0, got {self.copy_heat}")
        if not 0.0 <= self.exploit <= 1.0:
            raise PerfcoderError(f"evolve: exploit must be within [0, 1], got {self.exploit}")


@dataclass
class Member:
    """A verified program of the population."""

    code: str
    cost: float
    speedup: float  # over the input
    island: int
    born: int  # the sample that made it (0: the input)


@dataclass
class Island:
    focus: str
    ask: str
    members: list[Member] = field(default_factory=list)
    feedback: str | None = None  # what became of its last child that did not join
    copies: int = 0  # children in a row that were copies of programs already tried
    strategy: PromptStrategy | None = None  # its own prompt (None: the search's)
    repair: tuple[Member, list[Message]] | None = None  # its next request: a failed child to fix
    block: bool = False  # it asks for the parent's hottest block only


@dataclass
class Ask:
    """One island's request of a round."""

    island: Island
    parent: Member
    prompt: list[Message]
    n: int
    step: int  # seeds the request
    heat: float  # added to the sampling temperature
    repair: bool = False  # it asks to fix a failed child (whose own failure is not repaired again)
    extract: Extract | None = None  # how a reply becomes a program, when not the search's way


def evolve(
    search: Search,
    strategy: PromptStrategy,
    state: Path | None = None,
    retrieval: PromptStrategy | None = None,
) -> None:
    """Run the evolutionary search until the budget is spent, filling `search.result`; `state` (a JSONL
    file) records each step as it is done; `retrieval` is the prompt of the retrieval islands."""
    config = search.config.evolve
    if config.retrieval_islands and retrieval is None:
        raise PerfcoderError("evolve: retrieval islands need a retrieval prompt (a pool of examples)")
    if state is not None:
        state.write_text("")  # a rerun replays every step from the caches and writes them again
    original = Member(search.code, search.result.original_cost, 1.0, -1, 0)
    islands = [Island(*FOCUS[i % len(FOCUS)], members=[original]) for i in range(config.islands)]
    islands += [
        Island(*RETRIEVAL, members=[original], strategy=retrieval) for _ in range(config.retrieval_islands)
    ]
    islands += [Island(*BLOCK, members=[original], block=True) for _ in range(config.block_islands)]
    profiles = Profiles(search) if config.profile else None
    rng = random.Random(f"{config.seed}:{search.config.sampling.seed}")
    step, since_migration = 0, 0
    try:
        while (left := search.left()) > 0:
            asks: list[Ask] = []
            while left > 0 and len(asks) < len(islands):
                island = islands[step % len(islands)]
                repair, island.repair = island.repair, None
                extract: Extract | None = None
                if repair is not None:
                    parent, prompt = repair
                else:
                    parent = _parent(island, config.exploit, rng)
                    edit = _block_edit(search, island, parent, profiles)
                    if edit is not None:
                        prompt, extract = edit
                    else:
                        prompt = _messages(search, strategy, island, parent, profiles, config.profile_lines)
                what = "fixing a failed child of" if repair else "parent"
                search.say(f"step {step + 1}: {island.focus} island, {what} {_name(parent)}")
                heat = _heat(island, config, search.config.sampling.temperature)
                n = min(config.samples_per_step, left)
                asks.append(Ask(island, parent, prompt, n, step, heat, repair is not None, extract))
                left -= asks[-1].n
                step += 1
            answers = search.sample_all(
                [(ask.prompt, ask.n, ask.step) for ask in asks], [ask.heat for ask in asks]
            )
            spent = search.result.samples
            # the round's children judged in one go (the fork server measures them in one batch), then
            # placed island by island, as if each island's had been judged in turn
            children = search.judge(
                [s.text for samples in answers for s in samples],
                [ask.step for ask, samples in zip(asks, answers, strict=True) for _ in samples],
                [ask.extract for ask, samples in zip(asks, answers, strict=True) for _ in samples],
            )
            best = _best(islands).speedup
            for ask, samples in zip(asks, answers, strict=True):
                mine, children = children[: len(samples)], children[len(samples) :]
                spent += len(samples)
                for child in mine:
                    _place(child, ask.island, ask.parent, ask.step, spent)
                if config.repair and not ask.repair:
                    ask.island.repair = _repair(ask, mine, search.env.language.name)
                since_migration += len(samples)
                if since_migration >= config.migrate_every:
                    _migrate(islands)
                    since_migration = 0
                if state is not None:
                    _record(state, ask.step, ask.island, ask.parent, spent, search.result.curve)
            if _best(islands).speedup > best:
                _migrate(islands)
    finally:
        if profiles is not None:
            profiles.close()


def _parent(island: Island, exploit: float, rng: random.Random) -> Member:
    """The island's fastest member, or (1 - exploit of the time) one of the others at random."""
    fastest = _fastest(island.members)
    others = [m for m in island.members if m is not fastest]
    if others and rng.random() >= exploit:
        return rng.choice(others)
    return fastest


def _block_edit(
    search: Search, island: Island, parent: Member, profiles: Profiles | None
) -> tuple[list[Message], Extract] | None:
    """A block island's request for the parent's hottest block and the splice of its replies, or None
    (not a block island, no profile, no block found, or a function search, whose requests ask for one
    function already): then it asks as the other islands do."""
    if not island.block or profiles is None or search.focus is not None:
        return None
    profile = profiles.of(parent.code)
    block = hottest_block(parent.code, profile) if profile is not None else None
    if profile is None or block is None:
        return None
    prompt = block_messages(parent.code, block, profile, island.ask, island.feedback)
    return prompt, Splice(parent.code, block)


def _heat(island: Island, config: EvolveConfig, temperature: float) -> float:
    """What the island's next request adds to the temperature: a small model asked again with the same
    prompt often gives the same copy back, and sampling hotter is what makes it say something new."""
    if temperature <= 0:
        return 0.0  # greedy stays greedy
    return max(0.0, min(island.copies * config.copy_heat, config.max_temperature - temperature))


def _place(child: Candidate, island: Island, parent: Member, step: int, samples: int) -> None:
    """A verified child faster than its parent joins the island; any other is the island's feedback."""
    island.copies = island.copies + 1 if child.stage == "duplicate" else 0
    if (
        child.verdict == Verdict.ACCEPTED
        and child.code is not None
        and child.cost is not None
        and child.speedup is not None
        and child.speedup > parent.speedup
    ):
        if all(m.code != child.code for m in island.members):
            island.members.append(Member(child.code, child.cost, child.speedup, step, samples))
        island.feedback = None
        return
    island.feedback = _feedback_note(child, parent)


def _repair(ask: Ask, children: list[Candidate], language: str) -> tuple[Member, list[Message]] | None:
    """The ask's conversation continued with its last failed child and where it failed, when none of its
    children passed: half a small model's replies fail, and a wrong program may hold the faster idea."""
    if any(c.verdict == Verdict.ACCEPTED for c in children):
        return None
    failed = [c for c in children if c.code is not None and c.stage in REPAIRABLE and c.verdict in FIXABLE]
    if not failed:
        return None
    child = failed[-1]
    assert child.code is not None
    report = f"Your program is wrong: {_what_failed(child)}."
    return ask.parent, [*ask.prompt, *feedback_turn(fenced(child.code, language), report, language)]


def _what_failed(child: Candidate) -> str:
    """The failing input, the expected output and the child's, or else the funnel's reason."""
    failure = child.mismatch or child.failed_test
    if failure is None:
        return f"{child.verdict}: {child.note.strip()[:PREVIEW]}"
    return (
        f"{failure['verdict']} on the input {failure['input'][:PREVIEW]!r}: the expected output is "
        f"{failure['expected'][:PREVIEW]!r}, it printed {failure['actual'][:PREVIEW]!r}"
    )


def _fastest(members: Iterable[Member]) -> Member:
    """The fastest member, the earliest born among equals."""
    return max(members, key=lambda m: (m.speedup, -m.born))


def _best(islands: list[Island]) -> Member:
    return _fastest(m for island in islands for m in island.members)


def _migrate(islands: list[Island]) -> None:
    """The best program so far joins every island that lacks it."""
    best = _best(islands)
    for island in islands:
        if all(m.code != best.code for m in island.members):
            island.members.append(best)


def _messages(
    search: Search,
    strategy: PromptStrategy,
    island: Island,
    parent: Member,
    profiles: Profiles | None,
    lines: int,
) -> list[Message]:
    """The strategy's prompt for the parent, with the island's focus and the feedback appended."""
    messages = (island.strategy or strategy).messages(parent.code, search.env.language.name)
    notes = [f"Focus: {island.ask}"]
    if parent.born:
        notes.append(
            f"This program is already {parent.speedup:.2f}x faster than the original "
            f"(cost {parent.cost:,.0f} against {search.result.original_cost:,.0f}); make it faster still."
        )
    profile = profiles.of(parent.code) if profiles is not None else None
    if profile is not None:
        notes.append(
            f"Where it spends its time (deterministic per-line {profile.unit} on an input of "
            f"{profile.input_bytes:,} bytes{'; ' + profile.includes if profile.includes else ''}):\n"
            f"{profile.describe(lines)}"
        )
    if island.feedback is not None:
        notes.append(island.feedback)
    last = dict(messages[-1])
    last["content"] = last["content"] + "\n\n" + "\n\n".join(notes)
    return [*messages[:-1], last]


def _feedback_note(child: Candidate, parent: Member) -> str:
    """Why a child did not join its island, as the model should hear it."""
    if child.verdict != Verdict.ACCEPTED:
        return _failure_note(child)
    speed = f"{child.speedup or 1.0:.2f}x the original's speed"
    if child.stage == "duplicate":
        return f"A previous attempt gave back a program already tried ({speed}). Make a real change."
    return (
        f"A previous attempt was correct but not faster ({speed}, against its parent's "
        f"{parent.speedup:.2f}x): small edits do not pay. Change how the hottest lines do their work."
    )


def _failure_note(child: Candidate) -> str:
    """What went wrong with a failed child, as the model should hear it."""
    mismatch = child.mismatch
    if mismatch is not None:
        return (
            f"A previous attempt was wrong ({child.verdict}) on the input {mismatch['input'][:PREVIEW]!r}: "
            f"expected {mismatch['expected'][:PREVIEW]!r}, got {mismatch['actual'][:PREVIEW]!r}. Avoid that."
        )
    reason = child.note.strip()[:PREVIEW] or "no program in the reply"
    return f"A previous attempt was rejected ({child.verdict}): {reason}. Avoid that."


def _name(member: Member) -> str:
    return "the input" if member.born == 0 else f"sample {member.born} ({member.speedup:.2f}x)"


def _record(state: Path, step: int, island: Island, parent: Member, samples: int, curve: list[float]) -> None:
    row: dict[str, Any] = {
        "step": step,
        "island": island.focus,
        "parent": parent.born,
        "samples": samples,
        "best": curve[samples - 1] if samples else 1.0,
        "members": len(island.members),
    }
    with state.open("a") as sink:
        sink.write(json.dumps(row) + "\n")


class Profiles:
    """Per-line profiles of parents on the largest input the verifier knows (the oracle's largest
    generated input, else the largest given test), each program profiled once."""

    def __init__(self, search: Search) -> None:
        self.search = search
        self._found: dict[str, Profile | None] = {}
        self._executor: Executor | None = None

    def of(self, code: str) -> Profile | None:
        if code not in self._found:
            self._found[code] = self._profile(code)
        return self._found[code]

    def _profile(self, code: str) -> Profile | None:
        search = self.search
        inputs: list[TestCase] = list(search.tests)
        oracle = search.verifier.oracle
        if oracle is not None:  # the parents are faster than the input: what it answers fast, they do
            budget = search.config.evolve.profile_budget_s
            inputs += [test for test in oracle.tests if oracle.cpu_s.get(test.name, 0.0) <= budget]
        largest = largest_input(inputs)
        if self._executor is None:
            self._executor = Executor(profiling_config(search.env.executor.config))
        try:
            profile = profile_run(self._executor, code, search.env.language, largest)
            return profile.within(search.focus(code)) if search.focus is not None else profile
        except PerfcoderError as error:
            search.say(f"no profile: {error}")
            return None

    def close(self) -> None:
        if self._executor is not None:
            self._executor.close()
