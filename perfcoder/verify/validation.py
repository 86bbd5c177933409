"""Input validators: generated inputs (mutated samples, grown ladders) keep a test's shape but not the
problem's constraints (a sorted list, a tree, a guarantee that an answer exists), and on an input outside
them a correct program may rightly answer otherwise than another. A validator is a program, run in the
sandbox like any other, that reads one input and exits 0 when it is valid (as a contest's validator
does); the inputs it rejects are not used."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import Executor, Program
from perfcoder.execution.languages import language_of
from perfcoder.execution.limits import Limits
from perfcoder.execution.source import read_source
from perfcoder.execution.testcase import TestCase

PREVIEW = 80  # characters of a rejected given input shown in the error


def validator_program(path: Path | None, problem_id: str | None = None) -> Program | None:
    """The validator at `path` (language from its extension), or, for a directory, the problem's
    `<problem_id>.<extension>` in it (None when it holds none for the problem)."""
    if path is None:
        return None
    if path.is_dir():
        if problem_id is None:
            raise PerfcoderError(f"validator {path} is a directory; a single program needs a file")
        found = sorted(entry for entry in path.glob(f"{problem_id}.*") if entry.is_file())
        if not found:
            return None
        path = found[0]
    return Program(read_source(path), language_of(path))


def rejected_inputs(
    validator: Program | None, inputs: Sequence[bytes], executor: Executor, limits: Limits | None = None
) -> set[bytes]:
    """The inputs a validator does not accept (exit status other than 0, or no answer within `limits`,
    by default the run's)."""
    if validator is None or not inputs:
        return set()
    try:
        answers = executor.answers(validator, inputs, limits)
    except PerfcoderError as exc:
        raise PerfcoderError(f"validator: {exc}") from exc
    return {data for data, answer in zip(inputs, answers, strict=True) if not answer.ok}


def check_validator(
    validator: Program | None, given: Sequence[TestCase], executor: Executor, limits: Limits | None = None
) -> None:
    """A validator that rejects a given test is wrong (or the test is): it would quietly keep generated
    inputs out, so the run stops here."""
    rejected = rejected_inputs(validator, [test.input for test in given], executor, limits)
    for test in given:
        if test.input in rejected:
            shown = test.input[:PREVIEW].decode(errors="replace")
            raise PerfcoderError(
                f"the validator rejects given test {test.name} ({shown!r}); a validator must accept every "
                "given test"
            )
