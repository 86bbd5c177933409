"""Growing test inputs from sample inputs: find the integers that give sizes (a row count, a vector
length, a string length), scale them, and fill the new rows, vectors and strings with values drawn
like the sample's own (same column, same range, same alphabet). The input keeps its shape, so the
problem's programs still read it; only sizes and values change. An input that states no sizes grows
by its magnitudes instead.

Given the problem's other sample inputs (siblings), a size must explain its block in every one of them
(so a vertex number that happens to equal an edge count is not taken for it), a block may be one longer
or shorter than its size (N - 1 edges of a tree, N + 1 values), and the invariants that every sample
keeps (sorted, distinct, bounded by another number of the input, a tree, a simple connected graph; see
perfcoder.verify.invariants) are kept by the new values. Constraints no sample shows are caught later:
by a validator, or by the reference programs all accepting an input and agreeing."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from perfcoder.verify.invariants import INT, Traits, draw_column, draw_edges, learn_traits

MAX_SIZE = 10**6  # an integer above this is a value, not a size
DELTAS = (0, -1, 1)  # a block's length is its size, or one less (N - 1 edges), or one more, in that order
Lines = list[list[str]]


@dataclass
class Block:
    """A part of the input whose length an integer of the input gives."""

    size_at: tuple[int, int]  # (line, token) of the size
    kind: str  # "rows": lines after the size; "tokens": a line's tokens; "chars": a one-token line's length
    first: int  # first line of the block
    length: int  # lines (rows) or tokens / chars (others)
    width_at: tuple[int, int] | None = None  # rows of strings: the size that gives every row's length
    lines: list[int] = field(default_factory=list)
    delta: int = 0  # length - size


def mutate(
    data: bytes, rng: random.Random, scale: float, max_bytes: int, siblings: Sequence[bytes] = ()
) -> bytes | None:
    """A new input shaped like `data`, its sizes times `scale` (shrunk to fit max_bytes); None when the
    input is not text or has no values to vary. `siblings`: the problem's other given inputs, whose
    shared structure and invariants the new input keeps."""
    lines = tokens_of(data)
    if lines is None or not any(lines):
        return None
    others = [other for other in map(tokens_of, siblings) if other is not None and other != lines]
    blocks = find_blocks(lines, others)
    fit = max(1.0, len(data) * scale / max_bytes) if blocks else 1.0
    grown = _regrow(lines, blocks, scale / fit, rng, others) if blocks else _magnify(lines, scale)
    if grown is None:
        return None
    encoded = ("\n".join(" ".join(line) for line in grown) + "\n").encode()
    return encoded if len(encoded) <= max_bytes else None


def tokens_of(data: bytes) -> Lines | None:
    try:
        return [line.split() for line in data.decode("ascii").splitlines()]
    except UnicodeDecodeError:
        return None


def find_blocks(lines: Lines, siblings: Sequence[Lines] = ()) -> list[Block]:
    """The blocks whose sizes the input states. With siblings: the blocks that every sibling has in the
    same place (each explained by its own value of the same size); without, or when none is shared: first
    claim wins, scanning sizes in reading order."""
    if siblings:
        shared = _shared_blocks(lines, siblings)
        if shared:
            return shared
    blocks: list[Block] = []
    claimed: set[int] = set()
    for i, line in enumerate(lines):
        for p, token in enumerate(line):
            if INT.fullmatch(token) and 1 <= int(token) <= MAX_SIZE:
                block = _block_for(lines, (i, p), int(token), claimed, blocks)
                if block is not None:
                    blocks.append(block)
                    claimed.update(block.lines)
    return blocks


def _block_for(
    lines: Lines, at: tuple[int, int], size: int, claimed: set[int], blocks: list[Block]
) -> Block | None:
    i = at[0]
    for block in blocks:  # a second size may be the length of every row of a block of strings
        rows = [lines[r] for r in block.lines]
        strings = block.kind == "rows" and block.width_at is None and all(len(r) == 1 for r in rows)
        if strings and size >= 2 and block.size_at[0] == i and all(len(r[0]) == size for r in rows):
            block.width_at = at
            return None
    later = [j for j in range(i + 1, len(lines)) if j not in claimed]
    run = later[:size]
    widths = {len(lines[j]) for j in run}
    if size >= 2 and len(run) == size and run == list(range(i + 1, i + 1 + size)) and len(widths) == 1:
        return Block(at, "rows", i + 1, size, lines=run)
    for j in later[:1]:
        if size >= 2 and len(lines[j]) == size:
            return Block(at, "tokens", j, size, lines=[j])
        if size >= 2 and len(lines[j]) == 1 and len(lines[j][0]) == size:
            return Block(at, "chars", j, size, lines=[j])
    return None


def _shared_blocks(lines: Lines, siblings: Sequence[Lines]) -> list[Block]:
    """Line by line, the block starting there that an earlier integer explains in this input and in
    every sibling alike (same kind, same size position, same difference between size and length)."""
    at_value: dict[int, list[tuple[int, int]]] = {}  # value -> its positions, in reading order
    for at, value in _integers(lines, len(lines)):
        at_value.setdefault(value, []).append(at)
    runs = _run_lengths(lines)
    blocks: list[Block] = []
    regrown: set[int] = set()
    i = 0
    while i < len(lines):
        block = _explained(lines, i, runs[i], siblings, at_value, regrown)
        if block is None:
            i += 1
            continue
        _find_width(lines, block, siblings)
        blocks.append(block)
        regrown.update(block.lines)
        i = block.lines[-1] + 1
    return blocks


def _run_lengths(lines: Lines) -> list[int]:
    """Per line, how many equally wide lines run from it (itself included)."""
    runs = [0] * (len(lines) + 1)
    for i in range(len(lines) - 1, -1, -1):
        same = i + 1 < len(lines) and len(lines[i + 1]) == len(lines[i])
        runs[i] = runs[i + 1] + 1 if same else 1
    return runs[:-1]


def _explained(
    lines: Lines,
    i: int,
    run: int,
    siblings: Sequence[Lines],
    at_value: dict[int, list[tuple[int, int]]],
    regrown: set[int],
) -> Block | None:
    if not lines[i]:
        return None
    extents = {"rows": run, "tokens": len(lines[i]), "chars": len(lines[i][0]) if len(lines[i]) == 1 else 0}
    for delta in DELTAS:
        for kind, length in extents.items():
            for at in at_value.get(length - delta, []) if length >= 1 else []:
                if at[0] >= i:
                    break
                block = rebuild(Block(at, kind, i, length, delta=delta), lines)
                if at[0] not in regrown and block and all(rebuild(block, other) for other in siblings):
                    return block
    return None


def _integers(lines: Lines, before: int) -> list[tuple[tuple[int, int], int]]:
    return [
        ((i, p), int(token))
        for i, line in enumerate(lines[:before])
        for p, token in enumerate(line)
        if INT.fullmatch(token) and 0 <= int(token) <= MAX_SIZE
    ]


def _extent(lines: Lines, i: int, kind: str) -> int | None:
    """How long the structure of `kind` starting at line i is: a maximal run of equally wide lines, a
    line's tokens, or a one-token line's characters."""
    if i >= len(lines) or not lines[i]:
        return None
    if kind == "rows":
        end = i
        while end < len(lines) and len(lines[end]) == len(lines[i]):
            end += 1
        return end - i
    if kind == "tokens":
        return len(lines[i])
    return len(lines[i][0]) if len(lines[i]) == 1 else None


def rebuild(block: Block, lines: Lines) -> Block | None:
    """The same block in another input (its own size, same place), or None when that input does not
    have it there."""
    line, token = block.size_at
    if line >= len(lines) or token >= len(lines[line]) or not INT.fullmatch(lines[line][token]):
        return None
    length = int(lines[line][token]) + block.delta
    if length < 1 or _extent(lines, block.first, block.kind) != length:
        return None
    rows = list(range(block.first, block.first + length)) if block.kind == "rows" else [block.first]
    return Block(block.size_at, block.kind, block.first, length, block.width_at, rows, block.delta)


def _find_width(lines: Lines, block: Block, siblings: Sequence[Lines]) -> None:
    """Rows of single strings of one length: the earlier integer that gives that length everywhere."""
    if block.kind != "rows" or any(len(lines[j]) != 1 for j in block.lines):
        return
    widths = {len(lines[j][0]) for j in block.lines}
    for at, value in _integers(lines, block.first):
        if at != block.size_at and widths == {value} and value >= 2:
            candidate = Block(
                block.size_at, block.kind, block.first, block.length, at, block.lines, block.delta
            )
            if all(_same_width(candidate, other) for other in siblings):
                block.width_at = at
                return


def _same_width(block: Block, lines: Lines) -> bool:
    there = rebuild(block, lines)
    if there is None or block.width_at is None:
        return False
    line, token = block.width_at
    width = lines[line][token] if token < len(lines[line]) else ""
    return all(len(lines[j]) == 1 and str(len(lines[j][0])) == width for j in there.lines)


def _regrow(
    lines: Lines, blocks: list[Block], scale: float, rng: random.Random, siblings: Sequence[Lines]
) -> Lines | None:
    out = [list(line) for line in lines]
    regrown = {j for block in blocks for j in block.lines}
    traits = {block.first: learn_traits(block, lines, _peers(block, siblings), regrown) for block in blocks}
    values = _new_values(lines, blocks, list(traits.values()), scale)
    for (row, token), value in values.items():
        out[row][token] = str(value)
    grown: dict[int, Lines] = {}  # first line of a block -> its new lines
    for block in blocks:
        length = values[block.size_at] + block.delta
        new_lines = _grow_block(lines, block, length, scale, out, rng, traits[block.first], values)
        if new_lines is None:
            return None
        grown[block.first] = new_lines
    result: Lines = []
    for j, kept in enumerate(out):
        if j in grown:
            result.extend(grown[j])
        elif j not in regrown:
            result.append(kept)
    return result


def _peers(block: Block, siblings: Sequence[Lines]) -> list[tuple[Lines, Block]]:
    return [(lines, peer) for lines in siblings if (peer := rebuild(block, lines)) is not None]


def _new_values(
    lines: Lines, blocks: list[Block], traits: Sequence[Traits], scale: float
) -> dict[tuple[int, int], int]:
    """The new value of every size, and of every number that bounds a block's values (a vertex count),
    each scaled once even when several blocks share it."""
    values: dict[tuple[int, int], int] = {}
    for block in blocks:
        old = int(lines[block.size_at[0]][block.size_at[1]])
        values[block.size_at] = max(1 - block.delta, round(old * scale), 1)
    for trait in traits:
        for at in trait.bounds():
            if at not in values:
                old = int(lines[at[0]][at[1]])
                values[at] = max(old, round(old * scale))
    return values


def _magnify(lines: Lines, scale: float) -> Lines:
    """An input with no stated sizes (say, `n` alone) grows by its magnitudes: every positive integer
    times scale."""
    return [
        [str(max(1, round(int(t) * scale))) if INT.fullmatch(t) and int(t) >= 1 else t for t in line]
        for line in lines
    ]


def _grow_block(
    lines: Lines,
    block: Block,
    length: int,
    scale: float,
    out: Lines,
    rng: random.Random,
    traits: Traits,
    values: dict[tuple[int, int], int],
) -> Lines | None:
    if block.kind == "tokens":
        column = draw_column(traits.columns[0], length, values, rng)
        return None if column is None else [column]
    if block.kind == "chars":
        return [["".join(rng.choice(lines[block.first][0]) for _ in range(length))]]
    rows = [lines[j] for j in block.lines]
    if block.width_at is not None:
        width = values.get(block.width_at) or max(1, round(len(rows[0][0]) * scale))
        out[block.width_at[0]][block.width_at[1]] = str(width)
        alphabet = "".join(row[0] for row in rows)
        return [["".join(rng.choice(alphabet) for _ in range(width))] for _ in range(length)]
    columns: list[list[str] | None] = [None] * len(rows[0])
    if traits.edges is not None:
        pairs = draw_edges(traits.edges, length, values, rng)
        if pairs is None:
            return None
        columns[traits.edges.columns[0]] = [str(a) for a, _ in pairs]
        columns[traits.edges.columns[1]] = [str(b) for _, b in pairs]
    for c, column in enumerate(columns):
        if column is None:
            columns[c] = draw_column(traits.columns[c], length, values, rng)
    if any(column is None for column in columns):
        return None
    return [list(row) for row in zip(*(c for c in columns if c is not None), strict=True)]
