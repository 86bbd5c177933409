"""Output comparison: tokens with float tolerance, integers exact, and the exact mode."""

import pytest

from perfcoder.execution.judge import JudgeConfig, outputs_match, tokens_match

TOKENS = JudgeConfig()
EXACT = JudgeConfig(mode="exact")


@pytest.mark.parametrize(
    ("expected", "actual", "match"),
    [
        (b"3\n", b"3", True),
        (b"1 2 3\n", b"1\n2\n3\n", True),
        (b"0.3333333", b"0.3334", True),
        (b"0.333", b"0.335", False),
        (b"1000000.0", b"1000500.0", True),  # relative tolerance on large values
        (b"2147483648", b"-2147483648", False),
        (b"200000000000", b"199999999999", False),  # integers are never approximated
        (b"1 2", b"1 2 3", False),
        (b"Yes", b"yes", False),
        (b"nan", b"nan", True),
        (b"1.0", b"nan", False),
        (b"", b"\n\n", True),
    ],
)
def test_token_comparison(expected: bytes, actual: bytes, match: bool) -> None:
    assert outputs_match(expected, actual, TOKENS) is match


def test_exact_mode_sees_whitespace() -> None:
    assert outputs_match(b"1 2\n", b"1 2\n", EXACT)
    assert not outputs_match(b"1 2\n", b"1  2\n", EXACT)
    assert not outputs_match(b"0.5\n", b"0.50\n", EXACT)


def test_tolerance_is_configurable() -> None:
    assert tokens_match(b"1.0", b"1.05", 0.1)
    assert not tokens_match(b"1.0", b"1.05", 1e-3)
