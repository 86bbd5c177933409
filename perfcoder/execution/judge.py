"""Deciding a test's verdict from what the process did and what it printed."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from perfcoder.execution.limits import Limits
from perfcoder.execution.sandbox import ProcessResult
from perfcoder.execution.verdict import Verdict
from perfcoder.settings import setting

INTEGER = re.compile(rb"[+-]?\d+")
MEMORY_SIGNS = (b"std::bad_alloc", b"MemoryError", b"Cannot allocate memory", b"out of memory")
MEMORY_NEAR_LIMIT = 0.9  # a failed run whose peak RSS reached this share of the limit ran out of memory


@dataclass(frozen=True)
class JudgeConfig:
    """How output is compared: whitespace tokens with float tolerance (PIE: 1e-3), exact bytes, or a checker.

    A checker is a program (any supported language) run in the sandbox as `checker input expected actual`
    with the three files in its work dir; exit code 0 accepts.
    """

    mode: Literal["tokens", "exact"] = setting(
        "tokens", "tokens (whitespace-separated, float tolerance) or exact bytes."
    )
    float_tolerance: float = setting(
        1e-3, "Relative and absolute float tolerance of the tokens mode (PIE: 1e-3)."
    )
    checker: Path | None = setting(
        None, "A checker program run as `checker input expected actual` (exit 0 accepts)."
    )


def process_verdict(result: ProcessResult, limits: Limits) -> Verdict | None:
    """The verdict a run earns before its output is read; None when it exited cleanly."""
    if result.timed_out:
        return Verdict.TIMEOUT
    if result.output_exceeded:
        return Verdict.OUTPUT_LIMIT
    if result.exit_code != 0:
        return Verdict.MEMORY_LIMIT if ran_out_of_memory(result, limits) else Verdict.RUNTIME_ERROR
    return None


def ran_out_of_memory(result: ProcessResult, limits: Limits) -> bool:
    if any(sign in result.stderr for sign in MEMORY_SIGNS):
        return True
    return result.max_rss_kb >= MEMORY_NEAR_LIMIT * limits.memory_mb * 1024


def outputs_match(expected: bytes, actual: bytes, config: JudgeConfig) -> bool:
    if config.mode == "exact":
        return expected == actual
    want, got = expected.split(), actual.split()
    return len(want) == len(got) and all(
        tokens_match(a, b, config.float_tolerance) for a, b in zip(want, got, strict=True)
    )


def tokens_match(expected: bytes, actual: bytes, tolerance: float) -> bool:
    """Equal tokens match; integers must be equal; other numbers may differ by the tolerance (abs or rel)."""
    if expected == actual:
        return True
    if INTEGER.fullmatch(expected) and INTEGER.fullmatch(actual):
        return int(expected) == int(actual)
    try:
        want, got = float(expected), float(actual)
    except ValueError:
        return False
    if math.isnan(want) or math.isnan(got):
        return False
    return math.isclose(want, got, rel_tol=tolerance, abs_tol=tolerance)
