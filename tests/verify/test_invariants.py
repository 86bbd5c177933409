"""Mutation with sibling inputs: sizes must explain their blocks in every given input, and grown inputs
keep what every given input keeps (a tree, a simple connected graph, sorted distinct values under a bound)."""

from __future__ import annotations

import random
from itertools import pairwise

from perfcoder.verify.mutation import find_blocks, mutate, tokens_of

TREES = [  # N u v, then the N - 1 edges of a tree; in the first, u happens to equal the edge count
    "6 5 1\n1 2\n2 3\n3 4\n4 5\n5 6\n",
    "4 2 3\n1 2\n2 3\n2 4\n",
    "3 1 3\n1 2\n1 3\n",
]
GRAPHS = [  # N M, then M edges a < b with a weight: connected, no self-loops, no repeated edges
    "4 4\n1 2 5\n1 3 2\n2 4 7\n3 4 1\n",
    "3 2\n1 2 3\n2 3 9\n",
]
HEROES = ["2\n3 5 2\n4 5\n", "3\n5 6 3 8\n5 100 8\n"]  # N, then N + 1 values, then N values
SORTED = ["2 10\n2 7\n", "3 20\n1 4 9\n", "4 9\n2 3 5 8\n"]  # N K, then a_1 < ... < a_N <= K


def grown(samples: list[str], scale: float, seed: int) -> list[list[int]]:
    out = mutate(samples[0].encode(), random.Random(seed), scale, 10**6, [s.encode() for s in samples])
    assert out is not None
    return [[int(t) for t in line.split()] for line in out.decode().splitlines()]


def is_tree(n: int, edges: list[list[int]]) -> bool:
    parent = list(range(n + 1))

    def root(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in edges:
        if not (1 <= a <= n and 1 <= b <= n) or root(a) == root(b):
            return False
        parent[root(a)] = root(b)
    return len(edges) == n - 1


def test_a_size_must_explain_its_block_in_every_sibling() -> None:
    lines = tokens_of(TREES[0].encode())
    assert lines is not None
    alone = find_blocks(lines)  # alone, the 5 of "6 5 1" passes for the edge count
    assert [(b.size_at, b.delta) for b in alone] == [((0, 1), 0)]
    shared = find_blocks(lines, [tokens_of(s.encode()) or [] for s in TREES[1:]])
    assert [(b.size_at, b.kind, b.length, b.delta) for b in shared] == [((0, 0), "rows", 5, -1)]


def test_a_tree_grows_into_a_tree() -> None:
    for seed, scale in enumerate((1.0, 4.0, 16.0)):
        lines = grown(TREES, scale, seed)
        n = lines[0][0]
        assert n == round(6 * scale) and lines[0][1:] == [5, 1]
        assert is_tree(n, lines[1:])
        assert all(a < b for a, b in lines[1:])  # every sample writes an edge smaller vertex first


def test_a_simple_connected_graph_stays_one() -> None:
    for seed, scale in enumerate((2.0, 8.0)):
        lines = grown(GRAPHS, scale, seed)
        n, m = lines[0]
        edges = [(a, b) for a, b, _ in lines[1:]]
        assert m == len(edges) == round(4 * scale) and n == round(4 * scale)
        assert all(1 <= a < b <= n for a, b in edges) and len(set(edges)) == m
        assert edges == sorted(edges)
        reached, frontier = {1}, [1]
        while frontier:
            v = frontier.pop()
            for a, b in edges:
                for x, y in ((a, b), (b, a)):
                    if x == v and y not in reached:
                        reached.add(y)
                        frontier.append(y)
        assert reached == set(range(1, n + 1))


def test_one_size_gives_two_blocks_one_longer() -> None:
    lines = grown(HEROES, 8.0, 1)
    assert lines[0] == [16] and len(lines[1]) == 17 and len(lines[2]) == 16 and len(lines) == 3


def test_sorted_distinct_values_stay_under_their_bound() -> None:
    for seed in range(5):
        lines = grown(SORTED, 4.0, seed)
        n, k = lines[0]
        assert (n, k) == (8, 40) and len(lines[1]) == n
        assert all(a < b for a, b in pairwise(lines[1])) and lines[1][0] >= 1 and lines[1][-1] <= k


def test_one_input_alone_keeps_the_first_claim_and_observed_ranges() -> None:
    out = mutate(TREES[1].encode(), random.Random(3), 8.0, 10**6)
    assert out is not None
    lines = [[int(t) for t in line.split()] for line in out.decode().splitlines()]
    assert lines[0] == [4, 16, 3]  # "2" claims the first two edges as its rows, N stays
    assert all(1 <= a <= 2 and 2 <= b <= 3 for a, b in lines[1:17])
