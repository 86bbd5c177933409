"""AtCoder p02834 (tag on a tree): N u v, then N - 1 edges A_i B_i forming a tree; 2 <= N <= 10^5,
1 <= u, v <= N, u != v."""

import sys

tokens = [int(t) for t in sys.stdin.read().split()]
n, u, v, ends = tokens[0], tokens[1], tokens[2], tokens[3:]
assert 2 <= n <= 10**5 and 1 <= u <= n and 1 <= v <= n and u != v and len(ends) == 2 * (n - 1)
parent = list(range(n + 1))


def root(x: int) -> int:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


for a, b in zip(ends[::2], ends[1::2], strict=True):
    assert 1 <= a <= n and 1 <= b <= n
    ra, rb = root(a), root(b)
    assert ra != rb  # N - 1 edges and no cycle: a tree
    parent[ra] = rb
