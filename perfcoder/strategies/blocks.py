"""Block edits: a request that shows the model the program's hottest block (from its per-line profile)
and asks for those lines only, which are spliced back in. A small model that rewrites a whole program
often breaks or truncates the parts it had no reason to touch; a block edit leaves them as they are, and
its reply is a few lines, not the whole program. Python only: its blocks are found with `ast`."""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass

from perfcoder.measure.lines import Profile
from perfcoder.models.base import Message
from perfcoder.strategies.extract import FENCE, TAGS
from perfcoder.strategies.prompts import SYSTEM, fenced

SCOPES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True)
class Block:
    """Lines `first`..`last` (1-based, inclusive) of a program: the statement of its scope (the module or
    the function it is in) that holds the program's hottest line, loops and all."""

    first: int
    last: int
    share: float  # of the program's own cost spent on these lines

    @property
    def size(self) -> int:
        return self.last - self.first + 1


def hottest_block(code: str, profile: Profile) -> Block | None:
    """The block around the profile's hottest line, or None when there is none to show (a Python program
    only; its hottest line must lie in a statement)."""
    if profile.language != "python" or not profile.lines:
        return None
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    statement = _outermost_in_scope(tree, profile.lines[0].line)
    if statement is None or statement.end_lineno is None:
        return None
    first, last = statement.lineno, statement.end_lineno
    share = sum(c.share for c in profile.lines if first <= c.line <= last)
    return Block(first, last, share)


def _outermost_in_scope(tree: ast.Module, line: int) -> ast.stmt | None:
    """The statement holding `line` that is a direct child of the innermost module, function or class
    body around it: a hot line inside a loop nest gives the whole nest, not only its innermost line."""
    scope: ast.AST = tree
    while True:
        holder = next((s for s in _body(scope) if s.lineno <= line <= (s.end_lineno or s.lineno)), None)
        if holder is None:
            return None
        inner = _scope_holding(holder, line)
        if inner is None:
            return holder
        scope = inner


def _body(node: ast.AST) -> list[ast.stmt]:
    return list(getattr(node, "body", []))


def _scope_holding(statement: ast.stmt, line: int) -> ast.AST | None:
    """The function or class within `statement` (itself included) whose body holds `line`."""
    for node in ast.walk(statement):
        if isinstance(node, SCOPES[1:]) and any(
            s.lineno <= line <= (s.end_lineno or s.lineno) for s in _body(node)
        ):
            return node
    return None


def block_messages(
    code: str, block: Block, profile: Profile, focus: str, feedback: str | None = None
) -> list[Message]:
    """The request: the whole program for context, then the block, its share of the cost and its
    hottest lines, the island's focus and what became of its last child; the reply is the block's new
    lines only."""
    lines = code.splitlines()
    span = f"Lines {block.first}-{block.last}" if block.size > 1 else f"Line {block.first}"
    hot = profile.within(range(block.first, block.last + 1)).describe(3)
    ask = (
        f"This Python program reads standard input:\n\n{fenced(code, 'python')}\n\n"
        f"{span} take {100 * block.share:.0f}% of its cost (deterministic per-line {profile.unit} on an "
        f"input of {profile.input_bytes:,} bytes); the hottest of them, numbered within the block:\n{hot}\n\n"
        f"{fenced(chr(10).join(lines[block.first - 1 : block.last]), 'python')}\n\n"
        f"Rewrite only these lines so that the program runs faster on large inputs and prints exactly the "
        f"same output. {focus} Reply with the new lines in one Python code block: they replace these lines "
        f"as they stand, and the rest of the program stays as it is (add any import the new lines need to "
        f"them)."
    )
    if feedback is not None:
        ask += f"\n\n{feedback}"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": ask}]


@dataclass(frozen=True)
class Splice:
    """Makes a reply to a block request into a candidate program: the parent with the block replaced
    by the reply's lines, indented as the block was (the search's Extract for that request)."""

    parent: str
    block: Block

    def __call__(self, reply: str) -> tuple[str | None, str]:
        new = _new_lines(reply)
        if new is None:
            return None, "no Python code block that parses in the reply"
        lines = self.parent.splitlines()
        if _is_whole_program(new, lines, self.block):
            return new.strip("\n") + "\n", ""
        before, after = lines[: self.block.first - 1], lines[self.block.last :]
        indent = _indent(lines[self.block.first - 1])
        program = "\n".join([*before, textwrap.indent(new.strip("\n"), indent), *after]) + "\n"
        try:
            ast.parse(program)
        except SyntaxError as error:
            return None, f"the new lines do not fit the program: {error.msg} (line {error.lineno})"
        return program, ""


def _new_lines(reply: str) -> str | None:
    """The last Python (or untagged) code block of the reply that parses once dedented."""
    blocks = [body for tag, body in FENCE.findall(reply) if not tag or tag.lower() in TAGS["python"]]
    for body in reversed(blocks):
        code = textwrap.dedent(body)
        try:
            ast.parse(code)
        except SyntaxError:
            continue
        if code.strip():
            return code
    return None


def _is_whole_program(new: str, lines: list[str], block: Block) -> bool:
    """Whether the model answered with the whole program after all: its first line is the program's and
    the block does not start there."""
    first = next((line.strip() for line in lines if line.strip()), "")
    start = next((i + 1 for i, line in enumerate(lines) if line.strip()), 1)
    reply_first = next((line.strip() for line in new.splitlines() if line.strip()), "")
    return block.first > start and reply_first == first


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]
