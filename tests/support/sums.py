"""Three C++ programs for 1 + 2 + ... + n: a loop (the oracle), a formula in `int` that overflows from
n = 46341 while right on every small input, and the same formula in `long long` (right everywhere)."""

from __future__ import annotations

from perfcoder.execution.testcase import TestCase

LOOP_SUM = """#include <cstdio>
int main() {
    long long n, s = 0;
    scanf("%lld", &n);
    for (long long i = 1; i <= n; i++) s += i;
    printf("%lld\\n", s);
}
"""
INT_FORMULA = """#include <cstdio>
int main() { int n; scanf("%d", &n); printf("%d\\n", n * (n + 1) / 2); }
"""
WIDE_FORMULA = """#include <cstdio>
int main() { long long n; scanf("%lld", &n); printf("%lld\\n", n * (n + 1) / 2); }
"""
GIVEN = [TestCase(str(n), f"{n}\n".encode(), f"{n * (n + 1) // 2}\n".encode()) for n in (10, 100, 1000)]
