"""`perfcoder.generate_tests`: grow a problem's tests (or every problem of a pairs file) from its sample
inputs and/or an input generator, with outputs vouched for by all accepted reference programs; each
problem's tests (samples first, then generated) are written as input.N.txt / output.N.txt."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfcoder.data.pairs import load_pairs
from perfcoder.data.remote import resolve
from perfcoder.data.rows import require_rows
from perfcoder.data.sources import TestSources
from perfcoder.data.testsuite import load_tests, write_tests
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig, Executor, Program
from perfcoder.execution.languages import Language, language_named, language_of
from perfcoder.execution.source import read_source
from perfcoder.execution.testcase import TestCase
from perfcoder.settings import setting_factory, with_overrides
from perfcoder.verify.grown_tests import TestGenConfig, accepted_references
from perfcoder.verify.grown_tests import generate_tests as grow_tests
from perfcoder.verify.validation import validator_program

Problems = dict[str, tuple[list[Program], list[TestCase] | str]]  # id -> (programs, samples or why none)


@dataclass(frozen=True)
class TestsConfig:
    """How tests are grown, and where their programs run."""

    generation: TestGenConfig = setting_factory(TestGenConfig, "Mutation sizes, counts and seed.")
    execution: ExecutionConfig = setting_factory(ExecutionConfig, "Sandbox, limits, toolchain and store.")

    __test__ = False  # not a pytest class


@dataclass
class TestsRun:
    """What generate_tests wrote: a row per problem (tests kept and dropped, and why)."""

    output: str
    problems: list[dict[str, Any]] = field(default_factory=list)

    __test__ = False  # not a pytest class

    @property
    def kept(self) -> int:
        return sum(row["kept"] for row in self.problems)

    @property
    def dropped(self) -> int:
        return sum(row["dropped"] for row in self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {"output": self.output, "problems": self.problems, "kept": self.kept, "dropped": self.dropped}


def generate_tests(
    output: Path,
    *,
    tests: Path | None = None,
    references: Sequence[Path] = (),
    pairs: str | None = None,
    tests_root: Path | None = None,
    statements: Path | None = None,
    generator: Path | None = None,
    validator: Path | None = None,
    language: str | None = None,
    config: TestsConfig | None = None,
    on_problem: Callable[[], None] | None = None,
    **overrides: Any,
) -> TestsRun:
    """One problem (`tests` + `references`, written to `output`) or every problem of `pairs` (each to
    `output/PROBLEM_ID`, references = every slow and fast program of its pairs); a row per problem with
    how many tests were kept and dropped, and why. `validator`: a file, or a directory of
    `<problem_id>.<ext>` files (perfcoder.verify.validation). Keyword overrides set TestsConfig fields."""
    if (pairs is None) == (tests is None):
        raise PerfcoderError("give either tests with references, or pairs")
    settings = with_overrides(TestsConfig, config, overrides)
    execution = settings.execution
    if pairs is not None:
        problems = _problems_of(pairs, language, TestSources(tests_root, statements), execution.cache_dir)
    else:
        assert tests is not None
        problems = {output.name: _problem_from_files(tests, references, language)}
    rows = []
    maker = Program(read_source(generator), language_of(generator)) if generator else None
    with Executor(execution) as executor:
        for problem_id, (programs, samples) in problems.items():
            target = output / problem_id if pairs is not None else output
            helpers = (maker, validator_program(validator, problem_id if pairs is not None else None))
            rows.append(
                _one_problem(executor, problem_id, programs, samples, settings.generation, helpers, target)
            )
            if on_problem is not None:
                on_problem()
    if pairs is not None:  # nothing written for any problem: say so instead of reporting a run
        failed = [f"{row['problem']}: {row['note']}" for row in rows if not row["references"]]
        require_rows(pairs, len(rows) - len(failed), failed)
    return TestsRun(str(output), rows)


def _one_problem(
    executor: Executor,
    problem_id: str,
    programs: list[Program],
    samples: list[TestCase] | str,
    config: TestGenConfig,
    helpers: tuple[Program | None, Program | None],
    target: Path,
) -> dict[str, Any]:
    """`helpers`: the input generator and the problem's validator."""
    row: dict[str, Any] = {"problem": problem_id, "references": 0, "kept": 0, "dropped": 0, "note": ""}
    if isinstance(samples, str):
        return {**row, "note": samples}
    references = accepted_references(executor, programs, samples)
    row["references"] = len(references)
    if not references:
        return {**row, "note": "no reference program passes the sample tests"}
    report = grow_tests(references, samples, executor, config, *helpers)
    write_tests(target, [*samples, *report.tests])
    return {
        **row,
        "kept": report.kept,
        "dropped": report.dropped,
        "failed": report.failed,
        "disagreed": report.disagreed,
        "generator_failed": report.generator_failed,
        "invalid": report.invalid,
        "output": str(target),
    }


def _problems_of(spec: str, language: str | None, sources: TestSources, cache_dir: Path | None) -> Problems:
    """Each problem's programs (slow and fast of all its pairs) and sample tests (or why it has none)."""
    path = resolve(spec, cache_dir)
    loaded = load_pairs(path, language).require(path.name)
    programs: dict[str, list[Program]] = defaultdict(list)
    for pair in loaded.items:
        lang = language_named(pair.language)
        programs[pair.problem_id] += [Program(code, lang) for code in (pair.slow, pair.fast) if code]
    problems: Problems = {}
    for problem_id, found in programs.items():
        try:
            problems[problem_id] = (found, sources.for_problem(problem_id))
        except PerfcoderError as exc:
            problems[problem_id] = (found, str(exc))
    return problems


def _problem_from_files(
    tests: Path, references: Sequence[Path], language: str | None
) -> tuple[list[Program], list[TestCase]]:
    if not references:
        raise PerfcoderError("give at least one reference program")
    langs: list[Language] = [language_named(language) if language else language_of(p) for p in references]
    programs = [Program(read_source(p), lang) for p, lang in zip(references, langs, strict=True)]
    return programs, load_tests(tests)
