"""What every given input of a problem keeps, learned per block of the input (see
perfcoder.verify.mutation), so that grown inputs keep it too: a column's values sorted, pairwise distinct,
or within [1, X] for another number X of the input (vertex labels and a vertex count; X then grows with
the input); two such columns forming the edges of a tree, or of a connected graph without self-loops or
repeated edges.

Only what at least two inputs show is learned: one sample is too little evidence to tell a constraint from
a coincidence, and then values are drawn in their observed range as before. These are guesses from
examples, not the problem's constraints; a validator remains the authority."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from perfcoder.verify.mutation import Block, Lines

INT = re.compile(r"-?\d+")
FLOAT = re.compile(r"-?\d+\.\d+")
MIN_EVIDENCE = 3  # values a column must have in some input before "distinct" or "sorted" means anything
HEADER_NUMBERS = 64  # numbers before a block considered as its values' bounds (the first ones)
EDGE_TRIES = 30  # random pairs tried per edge before a graph is given up as too dense
Position = tuple[int, int]


@dataclass(frozen=True)
class Column:
    """One column of a block: its values over all inputs and what they keep."""

    values: tuple[str, ...]
    bound_at: Position | None = None  # values in [low, the number there]
    distinct: bool = False
    order: str | None = None  # "increasing" or "nondecreasing"
    within: tuple[Position, ...] = ()  # every header number that bounds the values in every input

    @property
    def integers(self) -> bool:
        return all(INT.fullmatch(v) for v in self.values)


@dataclass(frozen=True)
class Edges:
    """Two label columns of a rows block that together are edges on vertices 1..X."""

    columns: tuple[int, int]
    bound_at: Position
    loops: bool  # some input joins a vertex to itself
    repeats: bool  # some input repeats an edge
    ordered: bool  # every edge is written smaller vertex first
    sorted_rows: bool  # edges come sorted
    connected: bool
    tree: bool


@dataclass(frozen=True)
class Traits:
    columns: tuple[Column, ...]
    edges: Edges | None = None

    def bounds(self) -> list[Position]:
        """The numbers that grow with the block: its edges' vertex count, its other columns' limits."""
        if self.edges is None:
            return [c.bound_at for c in self.columns if c.bound_at is not None]
        others = [
            c.bound_at
            for n, c in enumerate(self.columns)
            if n not in self.edges.columns and c.bound_at is not None
        ]
        return [self.edges.bound_at, *others]


def learn_traits(
    block: Block, lines: Lines, peers: Sequence[tuple[Lines, Block]], regrown: set[int]
) -> Traits:
    """The block's invariants over this input and its peers (the same block in sibling inputs). Bounds
    are numbers on lines before the block that are not `regrown`."""
    tables = [(ls, _columns(ls, b)) for ls, b in [(lines, block), *peers]]
    width = len(tables[0][1])
    tables = [(ls, cols) for ls, cols in tables if len(cols) == width]
    header = [
        (i, p)
        for i in range(block.first)
        if i not in regrown
        for p, token in enumerate(lines[i])
        if INT.fullmatch(token)
    ][:HEADER_NUMBERS]
    evidence = len(tables) >= 2
    columns = tuple(_column([cols[c] for _, cols in tables], tables, header, evidence) for c in range(width))
    edges = _edges(columns, tables, block) if evidence and block.kind == "rows" else None
    return Traits(columns, edges)


def _columns(lines: Lines, block: Block) -> list[list[str]]:
    if block.kind == "tokens":
        return [lines[block.first]]
    if block.kind == "rows":
        return [list(column) for column in zip(*(lines[j] for j in block.lines), strict=False)]
    return []


def _column(
    per_input: list[list[str]],
    tables: list[tuple[Lines, list[list[str]]]],
    header: list[Position],
    evidence: bool,
) -> Column:
    values = tuple(v for column in per_input for v in column)
    if not evidence or not all(INT.fullmatch(v) for v in values):
        return Column(values)
    numbers = [[int(v) for v in column] for column in per_input]
    enough = any(len(column) >= MIN_EVIDENCE for column in numbers)
    distinct = enough and all(len(set(column)) == len(column) for column in numbers)
    order = None
    if enough and all(a < b for column in numbers for a, b in pairwise(column)):
        order = "increasing"
    elif enough and all(a <= b for column in numbers for a, b in pairwise(column)):
        order = "nondecreasing"
    limits = _limits(numbers, [ls for ls, _ in tables], header)
    return Column(values, _first_limit(limits), distinct, order, tuple(at for at, _ in limits))


def _limits(
    numbers: list[list[int]], inputs: list[Lines], header: list[Position]
) -> list[tuple[Position, bool]]:
    """Each header number X with every value in [1, X] in every input, and whether some input's values
    reach X (a vertex count) or not (a value limit such as K)."""
    if any(v < 1 for column in numbers for v in column):
        return []
    found = []
    for at in header:
        limits = [_number(lines, at) for lines in inputs]
        pairs = list(zip(numbers, limits, strict=True))
        if all(x is not None and max(column, default=0) <= x for column, x in pairs):
            found.append((at, any(column and max(column) == x for column, x in pairs)))
    return found


def _first_limit(limits: Sequence[tuple[Position, bool]]) -> Position | None:
    """The first reached limit, else the first at all."""
    return next((at for at, reached in limits if reached), limits[0][0] if limits else None)


def _number(lines: Lines, at: Position) -> int | None:
    line, token = at
    if line < len(lines) and token < len(lines[line]) and INT.fullmatch(lines[line][token]):
        return int(lines[line][token])
    return None


def _edges(
    columns: tuple[Column, ...], tables: list[tuple[Lines, list[list[str]]]], block: Block
) -> Edges | None:
    """The first two columns bounded by one header number that their values reach together."""
    inputs = [ls for ls, _ in tables]
    for a, b in combinations(range(len(columns)), 2):
        shared = [at for at in columns[a].within if at in columns[b].within]
        numbers = [[int(v) for v in cols[a] + cols[b]] for _, cols in tables]
        bound_at = _first_limit(
            [(at, reached) for at, reached in _limits(numbers, inputs, shared) if reached]
        )
        if bound_at is not None:
            return _graph_traits((a, b), bound_at, tables, block, columns[a].order is not None)
    return None


def _graph_traits(
    pair: tuple[int, int],
    bound_at: Position,
    tables: list[tuple[Lines, list[list[str]]]],
    block: Block,
    sorted_rows: bool,
) -> Edges:
    graphs = [
        (_number(ls, bound_at) or 0, list(zip(map(int, cols[pair[0]]), map(int, cols[pair[1]]), strict=True)))
        for ls, cols in tables
    ]
    connected = all(_connected(n, edges) for n, edges in graphs)
    return Edges(
        columns=pair,
        bound_at=bound_at,
        loops=any(a == b for _, edges in graphs for a, b in edges),
        repeats=any(len({frozenset(e) for e in edges}) < len(edges) for _, edges in graphs),
        ordered=all(a < b for _, edges in graphs for a, b in edges),
        sorted_rows=sorted_rows,
        connected=connected,
        tree=connected and all(len(edges) == n - 1 for n, edges in graphs) and bound_at == block.size_at,
    )


def _connected(n: int, edges: list[tuple[int, int]]) -> bool:
    parent = list(range(n + 1))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent[root(a)] = root(b)
    return len({root(v) for v in range(1, n + 1)}) == 1


def draw_column(
    column: Column, length: int, values: dict[Position, int], rng: random.Random
) -> list[str] | None:
    """`length` new values like the column's: integers in its range (up to its bound's new value),
    distinct and sorted when every input had them so; decimals and strings as observed."""
    if not column.values:
        return None
    if not column.integers:
        return [_like(column.values, rng) for _ in range(length)]
    numbers = [int(v) for v in column.values]
    low, high = min(numbers), max(numbers)
    if column.bound_at is not None:
        high = max(low, values.get(column.bound_at, high))
    if column.distinct and high - low + 1 >= length:
        drawn = rng.sample(range(low, high + 1), length)
    else:
        drawn = [rng.randint(low, high) for _ in range(length)]
    if column.order is not None:
        drawn.sort()
    return [str(v) for v in drawn]


def draw_edges(
    edges: Edges, count: int, values: dict[Position, int], rng: random.Random
) -> list[tuple[int, int]] | None:
    """`count` edges on vertices 1..n (n the bound's new value) with the learned shape: a random tree, or
    a random spanning tree plus random further edges; None when no such graph exists."""
    n = values[edges.bound_at]
    if (edges.tree and count != n - 1) or (edges.connected and count < n - 1):
        return None
    if not edges.loops and not edges.repeats and count > n * (n - 1) // 2:
        return None
    chosen = _random_tree(n, rng) if edges.connected else []
    seen = {frozenset(e) for e in chosen}
    tries = EDGE_TRIES * count + 100
    while len(chosen) < count and tries:
        tries -= 1
        a, b = rng.randint(1, n), rng.randint(1, n)
        if (a == b and not edges.loops) or (not edges.repeats and frozenset((a, b)) in seen):
            continue
        seen.add(frozenset((a, b)))
        chosen.append((a, b))
    if len(chosen) < count:
        return None
    if edges.ordered:
        chosen = [(min(a, b), max(a, b)) for a, b in chosen]
    if edges.sorted_rows:
        return sorted(chosen)
    rng.shuffle(chosen)
    return chosen


def _random_tree(n: int, rng: random.Random) -> list[tuple[int, int]]:
    """Each vertex after the first joins a random earlier one, under a random labelling."""
    label = list(range(1, n + 1))
    rng.shuffle(label)
    return [(label[v], label[rng.randrange(v)]) for v in range(1, n)]


def _like(values: Sequence[str], rng: random.Random) -> str:
    """A value like the observed ones: decimals uniform over their range, strings of a length and
    alphabet seen."""
    if all(FLOAT.fullmatch(v) or INT.fullmatch(v) for v in values):
        decimals = max(len(v.partition(".")[2]) for v in values)
        low, high = min(map(float, values)), max(map(float, values))
        return f"{rng.uniform(low, high):.{decimals}f}"
    alphabet = "".join(values)
    return "".join(rng.choice(alphabet) for _ in range(len(rng.choice(values))))
