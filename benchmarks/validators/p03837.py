"""AtCoder p03837 (edges on no shortest path): N M, then M edges a b c; 2 <= N <= 100,
N - 1 <= M <= min(N(N - 1)/2, 1000), 1 <= c <= 1000; no self-loops, no double edges, connected."""

import sys

tokens = [int(t) for t in sys.stdin.read().split()]
n, m, edges = tokens[0], tokens[1], tokens[2:]
assert 2 <= n <= 100 and n - 1 <= m <= min(n * (n - 1) // 2, 1000) and len(edges) == 3 * m
seen, parent = set(), list(range(n + 1))


def root(x: int) -> int:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


for a, b, c in zip(edges[::3], edges[1::3], edges[2::3], strict=True):
    assert 1 <= a <= n and 1 <= b <= n and a != b and 1 <= c <= 1000
    assert (min(a, b), max(a, b)) not in seen
    seen.add((min(a, b), max(a, b)))
    parent[root(a)] = root(b)
assert len({root(x) for x in range(1, n + 1)}) == 1
