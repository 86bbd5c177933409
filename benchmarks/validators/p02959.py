"""AtCoder p02959 (heroes and monsters): N, then A_1 .. A_{N+1}, then B_1 .. B_N; 1 <= N <= 10^5,
1 <= A_i, B_i <= 10^9."""

import sys

lines = sys.stdin.read().split("\n")
n = int(lines[0])
a, b = [int(t) for t in lines[1].split()], [int(t) for t in lines[2].split()]
assert 1 <= n <= 10**5 and len(a) == n + 1 and len(b) == n and not "".join(lines[3:]).strip()
assert all(1 <= x <= 10**9 for x in a + b)
