"""Growing test inputs from sample inputs: find the integers that give sizes (a row count, a vector
length, a string length), scale them, and fill the new rows, vectors and strings with values drawn
like the sample's own (same column, same range, same alphabet). The input keeps its shape, so the
problem's programs still read it; only sizes and values change. An input that states no sizes grows
by its magnitudes instead. Inputs that break a problem's hidden constraints are caught later: the
reference programs must all accept them and agree."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

INT = re.compile(r"-?\d+")
FLOAT = re.compile(r"-?\d+\.\d+")
MAX_SIZE = 10**6  # an integer above this is a value, not a size


@dataclass
class Block:
    """A part of the input whose length an integer of the input gives."""

    size_at: tuple[int, int]  # (line, token) of the size
    kind: str  # "rows": lines after the size; "tokens": a line's tokens; "chars": a one-token line's length
    first: int  # first line of the block
    length: int  # lines (rows) or tokens / chars (others)
    width_at: tuple[int, int] | None = None  # rows of strings: the size that gives every row's length
    lines: list[int] = field(default_factory=list)


def mutate(data: bytes, rng: random.Random, scale: float, max_bytes: int) -> bytes | None:
    """A new input shaped like `data`, its sizes times `scale` (shrunk to fit max_bytes); None when the
    input is not text or has no values to vary."""
    try:
        lines = [line.split() for line in data.decode("ascii").splitlines()]
    except UnicodeDecodeError:
        return None
    if not any(lines):
        return None
    blocks = find_blocks(lines)
    fit = max(1.0, len(data) * scale / max_bytes) if blocks else 1.0
    grown = _regrow(lines, blocks, scale / fit, rng) if blocks else _magnify(lines, scale)
    text = "\n".join(" ".join(line) for line in grown) + "\n"
    encoded = text.encode()
    return encoded if len(encoded) <= max_bytes else None


def find_blocks(lines: list[list[str]]) -> list[Block]:
    """The blocks whose sizes the input states, first claim wins, scanning sizes in reading order."""
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
    lines: list[list[str]], at: tuple[int, int], size: int, claimed: set[int], blocks: list[Block]
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


def _regrow(lines: list[list[str]], blocks: list[Block], scale: float, rng: random.Random) -> list[list[str]]:
    out = [list(line) for line in lines]
    grown: dict[int, list[list[str]]] = {}  # first line of a block -> its new lines
    for block in blocks:
        new_length = max(1, round(block.length * scale))
        out[block.size_at[0]][block.size_at[1]] = str(new_length)
        grown[block.first] = _grow_block(lines, block, new_length, scale, out, rng)
    result: list[list[str]] = []
    skip = {j for block in blocks for j in block.lines}
    for j, line in enumerate(out):
        if j in grown:
            result.extend(grown[j])
        elif j not in skip:
            result.append(line)
    return result


def _magnify(lines: list[list[str]], scale: float) -> list[list[str]]:
    """An input with no stated sizes (say, `n` alone) grows by its magnitudes: every positive integer
    times scale."""
    return [
        [str(max(1, round(int(t) * scale))) if INT.fullmatch(t) and int(t) >= 1 else t for t in line]
        for line in lines
    ]


def _grow_block(
    lines: list[list[str]],
    block: Block,
    length: int,
    scale: float,
    out: list[list[str]],
    rng: random.Random,
) -> list[list[str]]:
    if block.kind == "tokens":
        tokens = lines[block.first]
        return [[_like(tokens, rng) for _ in range(length)]]
    if block.kind == "chars":
        return [["".join(rng.choice(lines[block.first][0]) for _ in range(length))]]
    rows = [lines[j] for j in block.lines]
    if block.width_at is not None:
        width = max(1, round(len(rows[0][0]) * scale))
        out[block.width_at[0]][block.width_at[1]] = str(width)
        alphabet = "".join(row[0] for row in rows)
        return [["".join(rng.choice(alphabet) for _ in range(width))] for _ in range(length)]
    columns = list(zip(*rows, strict=True))
    return [[_like(list(column), rng) for column in columns] for _ in range(length)]


def _like(values: list[str], rng: random.Random) -> str:
    """A value like the observed ones: integers and decimals uniform over their range, strings of a
    length and alphabet seen."""
    if all(INT.fullmatch(v) for v in values):
        numbers = [int(v) for v in values]
        return str(rng.randint(min(numbers), max(numbers)))
    if all(FLOAT.fullmatch(v) or INT.fullmatch(v) for v in values):
        decimals = max(len(v.partition(".")[2]) for v in values)
        low, high = min(map(float, values)), max(map(float, values))
        return f"{rng.uniform(low, high):.{decimals}f}"
    alphabet = "".join(values)
    return "".join(rng.choice(alphabet) for _ in range(len(rng.choice(values))))
