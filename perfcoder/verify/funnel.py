"""The one verification path from candidate programs to measured ones. Every caller (optimize, evaluate,
bench, self-play, the training rewards) sends candidates through a Verifier, in one order:

1. a reply without a program is rejected (`no_code`);
2. duplicates go no further: a candidate whose normalised source (comments and layout dropped) is the
   original's is the original (speedup 1, not measured again), one that repeats an earlier candidate
   gets that candidate's outcome (`duplicate`);
3. static hack checks (perfcoder.verify.hacks): expected outputs held as literals, reading files, the
   clock or the environment (`hack`);
4. judged natively on the given tests (`tests`);
5. checked against the original on generated inputs (differential testing; `differential`), where a
   candidate that prints the same for every input is named as a hack;
6. run again on the given tests: printing something else the second time is a hack (`hack`);
7. measured under the cost model, only now (`measured`).

A candidate's record says where it stopped and why; the counts say how much work was spared (programs
never measured)."""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from perfcoder.environment import Environment, Measurement, Tests, as_tests
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import Program
from perfcoder.execution.judge import outputs_match
from perfcoder.execution.results import SubmissionResult
from perfcoder.execution.testcase import TestCase
from perfcoder.execution.verdict import Verdict
from perfcoder.measure.cost_models import speedup
from perfcoder.verify import hacks
from perfcoder.verify.differential import DifferentialConfig, Mismatch, Oracle, build_oracle, check_programs

NO_CODE = "no code block with a whole program in the reply"
PREVIEW = 400  # characters of a failure's output kept in its reason
CONSTANT_PROBES = 3  # generated inputs a differential reject is run on, to tell a constant printer
DEFAULT_CHECKS = DifferentialConfig()
STAGES = ("no_code", "duplicate", "hack", "tests", "differential", "measured")
CPP_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|\w+|\S')
CPP_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)


@dataclass
class Checked:
    """One candidate after the funnel: where it stopped, its verdict there, and why."""

    code: str | None
    stage: str  # one of STAGES: the last one it reached (`measured` for every survivor)
    verdict: str  # accepted only for a candidate measured on every test
    reason: str = ""
    hack: str | None = None  # the hack check that rejected it
    mismatch: Mismatch | None = None  # the smallest generated input on which it differs
    measurement: Measurement | None = None
    speedup: float | None = None  # cost(original) / cost(candidate), when measured and accepted
    duplicate_of: int | None = None  # the candidate (in the verifier's order) whose outcome it shares
    submission: SubmissionResult | None = None  # its native judging on the given tests, once judged

    @property
    def accepted(self) -> bool:
        return self.verdict == Verdict.ACCEPTED

    @property
    def cost(self) -> float | None:
        return self.measurement.cost if self.measurement is not None and self.accepted else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "verdict": self.verdict,
            "reason": self.reason,
            "hack": self.hack,
            "mismatch": self.mismatch.to_dict() if self.mismatch else None,
            "cost": self.cost,
            "speedup": self.speedup,
            "duplicate_of": self.duplicate_of,
        }


@dataclass
class FunnelCounts:
    """Candidates by where they stopped, and the programs measured and spared."""

    candidates: int = 0
    stopped: Counter[str] = field(default_factory=Counter)  # by stage
    hacks: Counter[str] = field(default_factory=Counter)  # by check
    measured: int = 0

    @property
    def spared(self) -> int:
        """Candidates never measured (rejected before, or the same as one that was)."""
        return self.candidates - self.measured

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidates": self.candidates,
            "stopped": {stage: self.stopped[stage] for stage in STAGES},
            "hacks": dict(self.hacks),
            "measured": self.measured,
            "spared": self.spared,
        }


class Verifier:
    """Verifies candidates for one original program and its tests; the original is measured, and its
    answers on generated inputs are found, once, and candidates seen before are never judged again.
    `differential=None` leaves differential testing out (the other checks stay)."""

    def __init__(
        self,
        env: Environment,
        original: str,
        tests: Tests,
        differential: DifferentialConfig | None = DEFAULT_CHECKS,
        *,
        hack_checks: bool = True,
        generator: str | None = None,
        problem_id: str | None = None,
        oracle: Oracle | None = None,
    ) -> None:
        self.env = env
        self.source = original
        self.tests = as_tests(tests)
        self.differential = differential if differential is not None and differential.enabled else None
        self.hack_checks = hack_checks
        self.generator = generator
        self.problem_id = problem_id
        self._oracle = oracle
        self._original: Measurement | None = None
        self._seen: dict[str, int] = {}  # normalised source -> index of its first candidate
        self.checked: list[Checked] = []
        self.counts = FunnelCounts()

    def original(self) -> Measurement:
        """The original program measured on the tests (callers decide what a failing original means)."""
        if self._original is None:
            self._original = self.env.run(self.source, self.tests)
        return self._original

    def original_cost(self) -> float:
        """The original's cost; raises when it fails its own tests (nothing can be compared to it)."""
        measured = self.original()
        if not measured.passed or measured.cost is None:
            failed = next((t for t in measured.tests if not t.passed), None)
            where = f" on test {failed.name}" if failed else ""
            raise PerfcoderError(
                f"the input program fails its own tests ({measured.verdict}{where}); fix it first"
            )
        return measured.cost

    @property
    def oracle(self) -> Oracle | None:
        """The original's answers on generated inputs (None with differential testing off)."""
        if self._oracle is None and self.differential is not None:
            self._oracle = oracle_for(
                self.env, self.source, self.tests, self.differential, self.generator, self.problem_id
            )
        return self._oracle

    def verify(self, codes: Sequence[str | None]) -> list[Checked]:
        """Each candidate through the funnel (None: a reply with no program)."""
        self.original_cost()  # a failing original stops here, before any candidate runs
        start = len(self.checked)
        fresh: list[int] = []
        for code in codes:
            index = len(self.checked)
            self.checked.append(self._triage(code, index))
            if self.checked[index].stage == "" and self.checked[index].duplicate_of is None:
                fresh.append(index)
        self._judge(fresh)
        for index in fresh:  # duplicates within this call share their first's outcome now
            for other in range(index + 1, len(self.checked)):
                if self.checked[other].duplicate_of == index:
                    self.checked[other] = _duplicate(self.checked[index], index)
        done = self.checked[start:]
        self.counts.candidates += len(done)
        self.counts.stopped.update(c.stage for c in done)
        self.counts.hacks.update(c.hack for c in done if c.hack and c.duplicate_of is None)
        return done

    def summary(self) -> dict[str, Any]:
        oracle = self._oracle
        return {**self.counts.to_dict(), "differential": oracle.summary() if oracle is not None else None}

    def _triage(self, code: str | None, index: int) -> Checked:
        """What can be decided without running the candidate; stage "" means: judge it."""
        if code is None:
            return Checked(None, "no_code", str(Verdict.COMPILE_ERROR), NO_CODE)
        key = normalized(code, self.env.language.name)
        if key == normalized(self.source, self.env.language.name):
            reason = "the original itself (not measured again)"
            return Checked(
                code, "duplicate", str(Verdict.ACCEPTED), reason, measurement=self.original(), speedup=1.0
            )
        if key in self._seen:
            first = self._seen[key]
            earlier = self.checked[first]
            return _duplicate(earlier, first) if earlier.stage else Checked(code, "", "", duplicate_of=first)
        self._seen[key] = index
        if self.hack_checks:
            found = hacks.static_hack(code, self.source, self.tests, self.env.language.name)
            if found is not None:
                return Checked(code, "hack", str(Verdict.REJECTED), found.describe(), found.check)
        return Checked(code, "", "")

    def _judge(self, indices: list[int]) -> None:
        """Tests, then generated inputs, then a second run, then measurement, each for what is left."""
        if not indices:
            return
        programs = {i: Program(self.checked[i].code or "", self.env.language) for i in indices}
        native = self.env.executor.run_many([programs[i] for i in indices], self.tests)
        alive = []
        for i, result in zip(indices, native, strict=True):
            self.checked[i].submission = result
            if result.passed:
                alive.append(i)
            else:
                code = self.checked[i].code
                self.checked[i] = Checked(
                    code, "tests", str(result.verdict), _note(result), submission=result
                )
        if alive and self.oracle is not None:
            alive = self._differential(alive, programs)
        if alive and self.hack_checks:
            alive = self._second_run(alive, programs)
        if alive:
            self._measure(alive)

    def _differential(self, alive: list[int], programs: dict[int, Program]) -> list[int]:
        oracle = self.oracle
        assert oracle is not None
        found = check_programs(oracle, [programs[i] for i in alive], self.env.executor)
        left = []
        for i, mismatch in zip(alive, found, strict=True):
            if mismatch is None:
                left.append(i)
                continue
            hack = self._constant(programs[i], oracle)
            stage, verdict = ("hack", str(Verdict.REJECTED)) if hack else ("differential", mismatch.verdict)
            reason = f"{hack.describe()}; {mismatch.describe()}" if hack else mismatch.describe()
            code, native = self.checked[i].code, self.checked[i].submission
            self.checked[i] = Checked(
                code, stage, verdict, reason, hack.check if hack else None, mismatch, submission=native
            )
        return left

    def _constant(self, program: Program, oracle: Oracle) -> hacks.Hack | None:
        """Whether a candidate that differs from the original prints one thing for every input."""
        probes, outputs = [], set()
        for test in oracle.tests:  # the smallest inputs with different answers
            if test.output is not None and test.output not in outputs:
                probes.append(test)
                outputs.add(test.output)
            if len(probes) == CONSTANT_PROBES:
                break
        if len(probes) < 2:
            return None
        answers = self.env.executor.answers(program, [t.input for t in probes])
        return hacks.constant_output([a.stdout for a in answers], [t.output or b"" for t in probes])

    def _second_run(self, alive: list[int], programs: dict[int, Program]) -> list[int]:
        """Run each survivor again on the given tests (not from the store): it must pass again. With a
        checker deciding what is right, the judge's comparison cannot tell, and the check is left out."""
        judge = self.env.executor.config.judge
        if judge.checker is not None:
            return alive
        left = []
        for i in alive:
            answers = self.env.executor.answers(programs[i], [t.input for t in self.tests], stored=False)
            failed = next(
                (
                    test.name
                    for test, answer in zip(self.tests, answers, strict=True)
                    if test.output is not None
                    and answer.verdict != Verdict.TIMEOUT  # a loaded machine's doing, not the program's
                    and (answer.stdout is None or not outputs_match(test.output, answer.stdout, judge))
                ),
                None,
            )
            if failed is None:
                left.append(i)
                continue
            detail = f"printed something else when run again on test {failed}"
            self.checked[i] = Checked(
                self.checked[i].code, "hack", str(Verdict.REJECTED), f"{hacks.NONDETERMINISTIC}: {detail}",
                hacks.NONDETERMINISTIC, submission=self.checked[i].submission,
            )  # fmt: skip
        return left

    def _measure(self, alive: list[int]) -> None:
        """The survivors under the cost model; a timed model measures the original again beside them
        (interleaved), so that drift hits both sides of their speedups alike."""
        codes = [self.checked[i].code or "" for i in alive]
        original_cost = self.original_cost()
        if not self.env.cost_model.deterministic:
            again, *measured = self.env.run_many([self.source, *codes], self.tests)
            original_cost = again.cost if again.cost is not None else original_cost
        else:
            measured = self.env.run_many(codes, self.tests)
        self.counts.measured += len(alive)
        for i, measurement in zip(alive, measured, strict=True):
            ratio = speedup(original_cost, measurement.cost) if measurement.passed else None
            reason = "" if measurement.passed else _note(measurement.submission)
            self.checked[i] = Checked(
                self.checked[i].code, "measured", str(measurement.verdict), reason,
                measurement=measurement, speedup=ratio, submission=measurement.submission,
            )  # fmt: skip


def oracle_for(
    env: Environment,
    original: str,
    tests: Sequence[TestCase],
    config: DifferentialConfig | None = None,
    generator: str | None = None,
    problem_id: str | None = None,
) -> Oracle:
    """The original program's answers on inputs generated from the tests (and the generator's) that the
    config's validator (for `problem_id`, from a directory of them) accepts."""
    maker = Program(generator, env.language) if generator else None
    checks = config or DifferentialConfig()
    return build_oracle(Program(original, env.language), tests, env.executor, checks, maker, problem_id)


def disagreements(env: Environment, oracle: Oracle, codes: Sequence[str]) -> list[Mismatch | None]:
    """Differential testing alone (benchmarks that measure programs their own way): each program's
    smallest generated input on which it differs from the oracle's original, or None."""
    return check_programs(oracle, [Program(code, env.language) for code in codes], env.executor)


def normalized(code: str, language: str) -> str:
    """The source without comments and layout: two candidates that differ only there are one program."""
    if language == "python":
        try:
            return ast.dump(ast.parse(code))
        except (SyntaxError, ValueError):
            return code.strip()
    return " ".join(CPP_TOKEN.findall(CPP_COMMENT.sub(" ", code)))


def _duplicate(first: Checked, index: int) -> Checked:
    """A later candidate with the first one's program: its outcome, counted as a duplicate."""
    reason = f"the same program as candidate {index + 1}" + (f": {first.reason}" if first.reason else "")
    return Checked(
        first.code,
        "duplicate",
        first.verdict,
        reason,
        first.hack,
        first.mismatch,
        first.measurement,
        first.speedup,
        index,
        first.submission,
    )


def _note(submission: SubmissionResult) -> str:
    """What a failure looked like, for the table and for the model's next round."""
    if submission.passed:
        return ""
    if submission.compile_log:
        return submission.compile_log.strip()[-PREVIEW:]
    failed = next(t for t in submission.tests if not t.passed)
    detail = failed.stderr.strip()[-PREVIEW:] or failed.stdout[:PREVIEW]
    return f"test {failed.name}: {failed.verdict}; output: {detail}"
