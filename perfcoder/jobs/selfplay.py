"""`perfcoder.selfplay`: PIE's synthetic training pairs (§3.3 and appendix A.6), verified by execution.

A writer model reads a seed problem's program and writes programs for new tasks on the same input
format. Each runs on the seed's inputs in the sandbox; one that fails, prints what the seed prints (no
new task), prints the same for every input (no task at all), or behaves like `duplicates` programs
already kept is dropped. An optimizer model (ideally a tuned one) then speeds each survivor up under the
same verification as `perfcoder optimize` — the new program is the oracle, on the seed's inputs and on
generated ones — and a pair whose speedup reaches `threshold` becomes a training pair whose tests are
the seed's inputs plus the small generated ones (so rewards computed on it later see them too).

Outputs (resumable seed by seed): seeds.jsonl (every program and its fate), pairs.jsonl (the kept pairs,
PIE format, inline tests: `data.pairs` of a training config), candidates.jsonl (every optimizer
candidate with its verdict — correct and incorrect targets for value conditioning), config.yaml."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from perfcoder.data.pairs import OptimizationPair, load_pairs
from perfcoder.data.remote import resolve
from perfcoder.data.resumable import ResumableJsonl
from perfcoder.data.rows import read_jsonl
from perfcoder.data.sources import TestSources
from perfcoder.data.testsuite import case_from_mapping, case_to_mapping
from perfcoder.environment import Environment
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import Program
from perfcoder.execution.testcase import TestCase
from perfcoder.jobs.optimize import OptimizeConfig
from perfcoder.models.base import Backend, SamplingParams
from perfcoder.models.registry import Model, as_backend
from perfcoder.models.weights import DEFAULT_MODEL
from perfcoder.settings import (
    from_mapping,
    read_mapping,
    setting,
    setting_factory,
    to_mapping,
    with_given,
    with_overrides,
)
from perfcoder.store import digest
from perfcoder.strategies.catalog import make_strategy
from perfcoder.strategies.extract import extract_code
from perfcoder.strategies.prompts import new_program
from perfcoder.strategies.search import optimize_program
from perfcoder.verify.differential import Oracle
from perfcoder.verify.funnel import oracle_for

PAIRS_FILE, CANDIDATES_FILE, SEEDS_FILE = "pairs.jsonl", "candidates.jsonl", "seeds.jsonl"


@dataclass(frozen=True)
class SelfPlayConfig:
    seeds: str = setting("", "Pairs file (PIE format) whose problems seed the new programs.")
    tests_root: Path | None = setting(
        None, "Tests of the seeds as DIR/{problem_id}/input.N.txt (inline: none)."
    )
    statements: Path | None = setting(
        None, "CodeNet statements DIR/{problem_id}.html: the seeds' sample tests."
    )
    language: str | None = setting(None, "Only this language's seeds (None: all).")
    limit: int = setting(0, "Only the first N seeds (0: all).")
    writer: str = setting(DEFAULT_MODEL, "Model that writes new programs (name, .gguf, HF dir, openai:NAME).")
    optimizer: str = setting(
        "", "Model that optimizes them, e.g. a fine-tuned directory (empty: the writer)."
    )
    programs: int = setting(8, "New programs sampled per seed.")
    writing: SamplingParams = setting_factory(
        lambda: SamplingParams(temperature=1.0, max_tokens=1024), "How the writer samples."
    )
    optimize: OptimizeConfig = setting_factory(
        OptimizeConfig, "How each new program is optimized and verified (k, strategy, cost, sandbox)."
    )
    threshold: float = setting(5.0, "Keep a pair when the optimized program is this much faster (PIE: 5).")
    duplicates: int = setting(3, "Programs kept per behaviour: outputs on the seed's inputs (PIE: 3).")
    test_bytes: int = setting(65536, "Generated inputs up to this size join a kept pair's tests.")
    output_dir: Path = setting(
        Path("runs/selfplay"), "Where seeds/pairs/candidates.jsonl and config.yaml go."
    )

    def __post_init__(self) -> None:
        if self.programs < 1 or self.duplicates < 1 or self.limit < 0 or self.test_bytes < 0:
            raise PerfcoderError("need programs >= 1, duplicates >= 1, limit >= 0, test_bytes >= 0")
        if self.threshold < 1.0:
            raise PerfcoderError(f"threshold is a speedup, at least 1; got {self.threshold}")


def load_selfplay_config(path: Path, **overrides: Any) -> SelfPlayConfig:
    """A self-play config from YAML, with some fields replaced (None leaves one as it is)."""
    config = from_mapping(SelfPlayConfig, read_mapping(path, "a self-play config is a mapping"), str(path))
    return with_given(config, **overrides)


@dataclass
class ProgramFate:
    """One written program: why it was dropped, or how its optimization went."""

    code: str
    fate: str  # dropped: failed | same as seed | constant | duplicate | unstable; else optimized | kept
    behaviour: str | None = None  # digest of its outputs on the seed's inputs
    detail: str = ""
    speedup: float | None = None
    optimized: str | None = None
    tests: list[dict[str, str]] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)  # verdict, speedup, code


@dataclass
class SelfPlayRun:
    seeds: int
    resumed: int
    fates: dict[str, int]  # programs per fate, over every seed done (this run and earlier ones)
    skipped: list[str]  # seeds with nothing to play on, and why
    pairs: int
    candidates: int
    output_dir: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


OnSeed = Callable[[str], None]


def selfplay(
    config: SelfPlayConfig | None = None,
    *,
    writer: Model | None = None,
    optimizer: Model | None = None,
    on_seed: OnSeed | None = None,
    **overrides: Any,
) -> SelfPlayRun:
    """Run self-play over the seeds (models default to the config's names); seeds already in
    seeds.jsonl are skipped, and pairs.jsonl / candidates.jsonl are rewritten from all seeds done.
    Keyword overrides set SelfPlayConfig fields."""
    config = with_overrides(SelfPlayConfig, config, overrides)
    if not config.seeds:
        raise PerfcoderError("self-play needs `seeds:` (a pairs file)")
    cache_dir = config.optimize.execution.cache_dir
    path = resolve(config.seeds, cache_dir)
    loaded = load_pairs(path, config.language).require(path.name)
    seeds = loaded.items[: config.limit] if config.limit else loaded.items
    root = config.output_dir
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(yaml.safe_dump(to_mapping(config), sort_keys=False))
    sources = TestSources(config.tests_root, config.statements)
    engine = config.optimize.engine
    with ResumableJsonl(root / SEEDS_FILE, "seed") as sink:
        resumed = len(sink.done)
        behaviours = Counter(b for row in _rows(root / SEEDS_FILE) for b in _kept_behaviours(row))
        with (
            as_backend(writer or config.writer, engine) as writing,
            as_backend(optimizer or config.optimizer or writer or config.writer, engine) as optimizing,
        ):
            for seed in (s for s in seeds if s.id not in sink.done):
                if on_seed is not None:
                    on_seed(seed.id)
                try:
                    sink.write(_seed_row(seed, _play(seed, sources, writing, optimizing, config, behaviours)))
                except PerfcoderError as error:  # no tests, or the seed fails on them: nothing to play on
                    sink.write({**_seed_row(seed, []), "skipped": str(error)})
    return _collect(root, len(seeds), resumed)


def _play(
    seed: OptimizationPair,
    sources: TestSources,
    writer: Backend,
    optimizer: Backend,
    config: SelfPlayConfig,
    behaviours: Counter[str],
) -> list[ProgramFate]:
    """The seed's new programs, each dropped with a reason or optimized."""
    inputs = [test.input for test in sources.for_pair(seed)]
    with config.optimize.environment(seed.language) as env:
        seed_outputs = _outputs(env, seed.slow, inputs)
        if seed_outputs is None:
            raise PerfcoderError(f"seed {seed.id}: its own program fails on its inputs")
        params = config.writing.with_n(config.programs, config.writing.seed)
        samples = writer.chat(new_program(seed.slow, seed.language), params)
        codes = list(dict.fromkeys(c for c in (extract_code(s.text, seed.language) for s in samples) if c))
        fates = [_screen(env, code, inputs, seed_outputs, behaviours, config.duplicates) for code in codes]
        for fate in fates:
            if fate.fate == "new":
                _optimize(env, fate, optimizer, config)
    return fates


def _screen(
    env: Environment,
    code: str,
    inputs: Sequence[bytes],
    seed_outputs: Sequence[bytes],
    behaviours: Counter[str],
    duplicates: int,
) -> ProgramFate:
    """Run a written program on the seed's inputs: a new task, or the reason it is none."""
    outputs = _outputs(env, code, inputs)
    if outputs is None:
        return ProgramFate(code, "failed", detail="fails, times out or prints nothing on a seed input")
    words = [_words(output) for output in outputs]
    if words == [_words(output) for output in seed_outputs]:
        return ProgramFate(code, "same as seed")
    if len(set(inputs)) > 1 and all(w == words[0] for w in words):
        return ProgramFate(code, "constant", detail="prints the same for every input: no task")
    behaviour = digest(
        json.dumps([[i.decode(errors="replace") for i in inputs], [" ".join(w) for w in words]])
    )
    if behaviours[behaviour] >= duplicates:
        return ProgramFate(code, "duplicate", behaviour)
    behaviours[behaviour] += 1
    tests = [
        TestCase(f"seed{n}", data, out) for n, (data, out) in enumerate(zip(inputs, outputs, strict=True), 1)
    ]
    return ProgramFate(code, "new", behaviour, tests=_plain_tests(tests))


def _optimize(env: Environment, fate: ProgramFate, optimizer: Backend, config: SelfPlayConfig) -> None:
    """Best@k on the new program, verified against it; kept when the speedup reaches the threshold. The
    small generated inputs join its tests, so its candidates and a kept pair are judged on them later."""
    settings = config.optimize
    tests = [case_from_mapping(t, "self-play test", t["name"]) for t in fate.tests]
    oracle = _oracle(env, fate.code, tests, settings)
    strategy = make_strategy(settings.strategy, env.language.name, settings.shots, settings.examples)
    try:
        result = optimize_program(
            fate.code, tests, env, optimizer, strategy, settings.search_config(), oracle=oracle
        )
    except PerfcoderError as error:  # e.g. it printed differently when measured: not deterministic
        fate.fate, fate.detail = "unstable", str(error)
        return
    if oracle is not None:
        fate.tests += _plain_tests(t for t in oracle.tests if len(t.input) <= config.test_bytes)
    fate.candidates = [
        {"verdict": c.verdict, "speedup": c.speedup, "code": c.code} for c in result.candidates if c.code
    ]
    fate.speedup = result.speedup
    if result.improved and result.speedup >= config.threshold:
        fate.fate, fate.optimized = "kept", result.code
    else:
        fate.fate = "optimized"


def _oracle(
    env: Environment, code: str, tests: Sequence[TestCase], settings: OptimizeConfig
) -> Oracle | None:
    if not settings.differential.enabled:
        return None
    return oracle_for(env, code, tests, settings.differential)


def _outputs(env: Environment, code: str, inputs: Sequence[bytes]) -> list[bytes] | None:
    """A program's outputs on the inputs, or None when it fails (or prints nothing) on any of them."""
    try:
        answers = env.executor.answers(Program(code, env.language), inputs)
    except PerfcoderError:  # does not build
        return None
    outputs = [answer.stdout for answer in answers]
    if any(out is None or not out.strip() for out in outputs):
        return None
    return [out for out in outputs if out is not None]


def _words(output: bytes) -> list[str]:
    """What the judge compares (tokens), so two outputs that differ only in spacing are one behaviour."""
    return output.decode(errors="replace").split()


def _plain_tests(tests: Iterable[TestCase]) -> list[dict[str, str]]:
    """Tests as JSON rows; a test that is not text (it could not be a row) is left out."""
    rows = []
    for test in tests:
        try:
            rows.append(case_to_mapping(test))
        except UnicodeDecodeError:
            continue
    return rows


def _seed_row(seed: OptimizationPair, fates: list[ProgramFate]) -> dict[str, Any]:
    return {
        "seed": seed.id,
        "problem_id": seed.problem_id,
        "language": seed.language,
        "programs": [dataclasses.asdict(fate) for fate in fates],
    }


def _rows(path: Path) -> list[dict[str, Any]]:
    return [row for _, row in read_jsonl(path) if isinstance(row, dict)] if path.exists() else []


def _kept_behaviours(row: dict[str, Any]) -> list[str]:
    dropped = ("failed", "same as seed", "constant", "duplicate")
    return [
        p["behaviour"] for p in row.get("programs", []) if p.get("behaviour") and p["fate"] not in dropped
    ]


def _collect(root: Path, seeds: int, resumed: int) -> SelfPlayRun:
    """pairs.jsonl and candidates.jsonl rewritten from every seed done, and the counts."""
    fates: Counter[str] = Counter()
    pairs, candidates, skipped = [], [], []
    for row in _rows(root / SEEDS_FILE):
        if row.get("skipped"):
            skipped.append(f"{row['seed']}: {row['skipped']}")
        for n, program in enumerate(row["programs"], 1):
            fates[program["fate"]] += 1
            problem = f"selfplay-{(program['behaviour'] or '')[:16]}"
            base = {"problem_id": problem, "language": row["language"], "input": program["code"]}
            if program["fate"] == "kept":
                pairs.append(
                    {
                        "id": f"{row['seed']}/sp{n}",
                        **base,
                        "target": program["optimized"],
                        "speedup": program["speedup"],
                        "test_cases": program["tests"],
                    }
                )
            for m, candidate in enumerate(program["candidates"], 1):
                candidates.append(
                    {
                        "id": f"{row['seed']}/sp{n}/c{m}",
                        **base,
                        "target": candidate["code"],
                        "status_v1": candidate["verdict"],
                        "speedup": candidate["speedup"],
                        "test_cases": program["tests"],
                    }
                )
    for name, rows in ((PAIRS_FILE, pairs), (CANDIDATES_FILE, candidates)):
        (root / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
    return SelfPlayRun(seeds, resumed, dict(fates), skipped, len(pairs), len(candidates), str(root))
