"""Verdicts: the strings every JSON output uses for a test's or a submission's outcome."""

from enum import StrEnum


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    WRONG_ANSWER = "wrong_answer"
    RUNTIME_ERROR = "runtime_error"
    TIMEOUT = "timeout"
    MEMORY_LIMIT = "memory_limit"
    OUTPUT_LIMIT = "output_limit"
    COMPILE_ERROR = "compile_error"
    REJECTED = "rejected"  # passed the tests, but a verification check found a hack (perfcoder.verify)
