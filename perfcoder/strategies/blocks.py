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
CONTEXT_CHARS = 2000  # of the statements shown before the block, and again after it
WHOLE = 0.5  # a reply's core that repeats this share of the lines outside the block is a whole program


@dataclass(frozen=True)
class Block:
    """Lines `first`..`last` (1-based, inclusive) of a program: one statement of a scope's body (the
    module's, a function's or a class's), loops and all."""

    first: int
    last: int
    share: float  # of the program's own cost spent on these lines


def hottest_block(code: str, profile: Profile) -> Block | None:
    """The costliest statement of any scope's body, by its lines' summed profile costs, or None when
    there is none (a Python program only). A function's cost is charged where its body runs, so `def`
    and `class` statements are not blocks themselves: their bodies' statements are. The costliest
    statement, not the one around the costliest line: a flat profile's hottest line may be a one-line
    helper that is called from the loop that matters."""
    if profile.language != "python" or not profile.lines:
        return None
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    cost = {c.line: c.share for c in profile.lines}
    lines = code.splitlines()
    best: Block | None = None
    for statement in filter(lambda s: _owns_its_lines(s, lines), _statements(tree)):
        first, last = statement.lineno, statement.end_lineno or statement.lineno
        share = sum(cost.get(line, 0.0) for line in range(first, last + 1))
        if share > 0 and (best is None or share > best.share):
            best = Block(first, last, share)
    return best


def _owns_its_lines(statement: ast.stmt, lines: list[str]) -> bool:
    """Whether the statement's lines hold nothing else (not `def f(): return x`, not `a = 1; b = 2`): a
    block is replaced by whole lines."""
    first, last = lines[statement.lineno - 1], lines[(statement.end_lineno or statement.lineno) - 1]
    rest = last[statement.end_col_offset :].strip() if statement.end_col_offset is not None else ""
    return not first[: statement.col_offset].strip() and (not rest or rest.startswith("#"))


def _statements(tree: ast.Module) -> list[ast.stmt]:
    """Every statement that is a direct child of a module, function or class body, except the
    definitions of functions and classes."""
    found: list[ast.stmt] = []
    for node in ast.walk(tree):
        if isinstance(node, SCOPES):
            found += [s for s in node.body if not isinstance(s, SCOPES[1:])]
    return found


def block_messages(
    code: str, block: Block, profile: Profile, focus: str, feedback: str | None = None
) -> list[Message]:
    """The request: the block, its share of the cost and its costliest lines, the statements around it
    that it depends on or that depend on it, the island's focus and what became of its last child. The
    rest of the program is not shown: a small model shown a whole program gives a whole program back."""
    lines = code.splitlines()
    hot = profile.within(range(block.first, block.last + 1)).describe(3)
    ask = (
        f"These lines of a Python program that reads standard input take {100 * block.share:.0f}% of its "
        f"cost (deterministic per-line {profile.unit} on an input of {profile.input_bytes:,} bytes):\n\n"
        f"{fenced(chr(10).join(lines[block.first - 1 : block.last]), 'python')}\n\n"
        f"The costliest of them, numbered within these lines:\n{hot}"
    )
    before, after = context(code, block)
    header = _function_header(code, block)
    if header:
        ask += f"\n\nThey are in the function `{header}`."
    if before:
        ask += f"\n\nThey use these statements of the program:\n\n{fenced(before, 'python')}"
    if after:
        ask += f"\n\nThese statements come after them and use what they leave:\n\n{fenced(after, 'python')}"
    ask += (
        f"\n\nRewrite these lines so that the program runs faster on large inputs and prints exactly the "
        f"same output. {focus} Reply with the new lines only, in one Python code block: they replace these "
        f"lines as they stand, and the rest of the program stays as it is (add any import they need to them)."
    )
    if feedback is not None:
        ask += f"\n\n{feedback}"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": ask}]


def context(code: str, block: Block) -> tuple[str, str]:
    """The statements of the block's scopes (its function's body, the module's) that define a name the
    block reads, before it, and that read a name it sets, after it; up to CONTEXT_CHARS each, the
    nearest first."""
    tree = ast.parse(code)
    statement = next(s for s in _statements(tree) if s.lineno == block.first)
    reads, sets = _reads(statement), _names(statement, ast.Store)
    earlier, later = _around(tree, block)
    before = [s for s in earlier if _defines(s) & reads]
    after = [s for s in later if _reads(s) & sets]
    return _shown(code, list(reversed(before)), reverse=True), _shown(code, after)


def _around(tree: ast.Module, block: Block) -> tuple[list[ast.stmt], list[ast.stmt]]:
    """The statements of the block's scopes' bodies before it and after it, in program order."""
    around = [
        s
        for scope in ast.walk(tree)
        if isinstance(scope, SCOPES) and _overlaps(scope, block)
        for s in scope.body
        if not _overlaps(s, block)
    ]
    around.sort(key=lambda s: s.lineno)
    return [s for s in around if s.lineno < block.first], [s for s in around if s.lineno > block.last]


def _function_header(code: str, block: Block) -> str | None:
    """The first line of the innermost function around the block, if any (its parameters)."""
    functions = [
        node
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _overlaps(node, block)
    ]
    if not functions:
        return None
    innermost = max(functions, key=lambda node: node.lineno)
    return code.splitlines()[innermost.lineno - 1].strip()


def _overlaps(node: ast.AST, block: Block) -> bool:
    if isinstance(node, ast.Module):
        return True
    first = getattr(node, "lineno", 0)
    return first <= block.last and block.first <= (getattr(node, "end_lineno", None) or first)


def _names(node: ast.AST, context: type[ast.expr_context]) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, context)}


def _reads(node: ast.AST) -> set[str]:
    """The names a statement reads (`x += 1` reads x too)."""
    augmented = {
        n.target.id for n in ast.walk(node) if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)
    }
    return _names(node, ast.Load) | augmented


def _defines(statement: ast.stmt) -> set[str]:
    if isinstance(statement, SCOPES[1:]):
        return {statement.name}
    if isinstance(statement, ast.Import | ast.ImportFrom):
        return {(alias.asname or alias.name).split(".")[0] for alias in statement.names}
    return _names(statement, ast.Store)


def _shown(code: str, statements: list[ast.stmt], reverse: bool = False) -> str:
    """The statements' source, in the order given, up to CONTEXT_CHARS; in program order."""
    parts: list[str] = []
    for statement in statements:
        text = ast.get_source_segment(code, statement) or ""
        if sum(map(len, parts)) + len(text) > CONTEXT_CHARS:
            break
        parts.append(text)
    return "\n".join(reversed(parts) if reverse else parts)


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
        core = _without_repeats(new, self.parent, self.block)
        if _is_whole_program(core, lines, self.block):
            return new.strip("\n") + "\n", ""
        before, after = lines[: self.block.first - 1], lines[self.block.last :]
        indent = _indent(lines[self.block.first - 1])
        program = "\n".join([*before, textwrap.indent(core.strip("\n"), indent), *after]) + "\n"
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


def _without_repeats(new: str, parent: str, block: Block) -> str:
    """The new lines without the statements they repeat at their start from just before the block, or at
    their end from just after it (`print(ans)` shown after a loop, given back with it, would print
    twice)."""
    earlier, later = ({ast.dump(s) for s in statements} for statements in _around(ast.parse(parent), block))
    statements = ast.parse(new).body
    while len(statements) > 1 and ast.dump(statements[-1]) in later:
        statements.pop()
    while len(statements) > 1 and ast.dump(statements[0]) in earlier:
        statements.pop(0)
    lines = new.splitlines()
    return "\n".join(lines[statements[0].lineno - 1 : statements[-1].end_lineno]) + "\n"


def _is_whole_program(core: str, lines: list[str], block: Block) -> bool:
    """Whether the model answered with (most of) a whole program after all: what is left of its reply
    once the statements it repeats at its edges are set aside still repeats at least half of the lines
    outside the block (it rewrote more than the block, a function around it say)."""
    outside = {line.strip() for i, line in enumerate(lines, 1) if not block.first <= i <= block.last}
    outside.discard("")
    if not outside:
        return False
    repeated = outside & {line.strip() for line in core.splitlines()}
    return len(repeated) >= WHOLE * len(outside)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]
