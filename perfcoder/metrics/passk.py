"""Unbiased pass@k (Codex, CERT, AlphaCode): 1 - C(n-c, k) / C(n, k) for n samples of which c pass."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

PASS_AT = (1, 10, 100)


def pass_at_k(n: int, c: int, k: int) -> float:
    """The chance that at least one of k samples drawn without replacement from n (c correct) passes."""
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"pass@k needs 0 <= c <= n and 1 <= k <= n, got n={n} c={c} k={k}")
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def mean_pass_at_k(counts: Sequence[tuple[int, int]], ks: Iterable[int] = PASS_AT) -> dict[int, float]:
    """pass@k averaged over tasks, for each k that every task has enough samples for."""
    if not counts:
        return {}
    smallest = min(n for n, _ in counts)
    return {k: sum(pass_at_k(n, c, k) for n, c in counts) / len(counts) for k in ks if k <= smallest}
