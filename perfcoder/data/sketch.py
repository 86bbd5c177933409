"""CERT's sketches of Python code: the user's details anonymised, the library usage kept.

Modes (CERT §3.2): `constants` (default; numbers -> `number`, strings and f-strings -> `string`;
docstrings, True/False/None kept), `names` (user-defined functions, classes, variables and parameters
-> `name_1`, `name_2`, ... by first appearance; imported modules and names, attributes, keyword-argument
names and builtins kept; on Python 3.11 names inside f-strings stay, the f-string being one token) and
`both`. The sketch is spliced from the token positions of the source, so
everything not anonymised (spacing, comments, line breaks) stays exactly as written; a sketch is still
Python, and with no placeholder in it, it is a complete program."""

from __future__ import annotations

import ast
import builtins
import io
import keyword
import re
import textwrap
import tokenize

from perfcoder.errors import PerfcoderError

SKETCH_MODES = ("constants", "names", "both")
NUMBER, STRING, NAME_PREFIX = "number", "string", "name_"
PLACEHOLDER = re.compile(rf"\b(?:{NUMBER}|{STRING}|{NAME_PREFIX}\d+)\b")
Span = tuple[int, int, str]  # start offset, end offset, replacement


def sketch(code: str, mode: str = "constants", context: str = "") -> str:
    """The sketch of `code`; names defined in `context` (e.g. a task's prompt, which precedes the code)
    count as user-defined too, so a completion is sketched as it reads in its file."""
    if mode not in SKETCH_MODES:
        raise PerfcoderError(f"sketch mode must be one of {', '.join(SKETCH_MODES)}, not {mode!r}")
    tokens = _tokens(code)
    spans: list[Span] = []
    if mode in ("constants", "both"):
        spans += _constant_spans(code, tokens)
    if mode in ("names", "both"):
        spans += _name_spans(code, tokens, context)
    return _splice(code, spans)


def without_comments(code: str) -> str:
    """The code with its comments removed (CERT drops them from sketches: they are the user's words); a
    line that held only a comment goes with it."""
    offsets = _line_offsets(code)
    spans: list[Span] = []
    for token in _tokens(code):
        if token.type != tokenize.COMMENT:
            continue
        line = token.start[0] - 1
        alone = not token.line[: token.start[1]].strip()
        start = offsets[line] if alone else offsets[line] + token.start[1]
        end = offsets[line + 1] if alone else offsets[line] + token.end[1]
        spans.append((start, end, ""))
    return _splice(code, spans)


def has_placeholder(sketched: str) -> bool:
    """Whether a sketch still needs filling in (CERT answers with a sketch that needs none)."""
    return any(
        token.type == tokenize.NAME and PLACEHOLDER.fullmatch(token.string)
        for token in _tokens(sketched, strict=False)
    )


def _tokens(code: str, strict: bool = True) -> list[tokenize.TokenInfo]:
    try:
        return list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError) as error:
        if strict:
            raise PerfcoderError(f"cannot sketch code that does not tokenize: {error}") from None
        return []


def _constant_spans(code: str, tokens: list[tokenize.TokenInfo]) -> list[Span]:
    """Numbers, and each run of adjacent string parts (implicit concatenation, f-strings) as one string;
    docstrings stay."""
    offsets = _line_offsets(code)
    docstrings = _docstring_starts(code)
    spans: list[Span] = []
    run: list[int] | None = None  # [start, end] of the string run being read
    depth = 0  # inside an f-string's replacement fields (Python >= 3.12 tokenizes them)
    for token in tokens:
        start = offsets[token.start[0] - 1] + token.start[1]
        end = offsets[token.end[0] - 1] + token.end[1]
        kind = tokenize.tok_name[token.type]
        if kind == "FSTRING_START":
            depth += 1
            run = run or [start, end]
            continue
        if kind == "FSTRING_END":
            depth -= 1
            if run is not None:
                run[1] = end
            continue
        if depth:
            continue
        if token.type == tokenize.STRING and token.start not in docstrings:
            run = [run[0] if run else start, end]
            continue
        if token.type in (tokenize.NL, tokenize.COMMENT) and run is not None:
            continue
        if run is not None:
            spans.append((run[0], run[1], STRING))
            run = None
        if token.type == tokenize.NUMBER:
            spans.append((start, end, NUMBER))
    if run is not None:
        spans.append((run[0], run[1], STRING))
    return spans


def _name_spans(code: str, tokens: list[tokenize.TokenInfo], context: str) -> list[Span]:
    """Every use of a user-defined name, except where it is an attribute or a keyword argument's name."""
    defined = _defined_names(code, context)
    offsets = _line_offsets(code)
    numbers: dict[str, int] = {}
    spans: list[Span] = []
    significant = [t for t in tokens if t.type not in (tokenize.NL, tokenize.COMMENT)]
    for i, token in enumerate(significant):
        if token.type != tokenize.NAME or token.string not in defined:
            continue
        before = significant[i - 1].string if i else ""
        after = significant[i + 1].string if i + 1 < len(significant) else ""
        if before == "." or (after == "=" and before in ("(", ",") and _inside_call(significant, i)):
            continue
        number = numbers.setdefault(token.string, len(numbers) + 1)
        start = offsets[token.start[0] - 1] + token.start[1]
        spans.append((start, start + len(token.string), f"{NAME_PREFIX}{number}"))
    return spans


def _defined_names(code: str, context: str) -> set[str]:
    """Names the code (read after its context, as in its file) defines — functions, classes,
    assignments, parameters, loop/with/except targets — less what it imports and Python's own names."""
    trees = [tree for tree in (_parsed(context + code),) if tree] or [
        tree for tree in (_parsed(textwrap.dedent(code)), _parsed(context)) if tree
    ]
    if not trees:
        raise PerfcoderError("cannot sketch names of code that does not parse (with its context or alone)")
    defined: set[str] = set()
    imported: set[str] = set()
    for node in (node for tree in trees for node in ast.walk(tree)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            defined.add(node.id)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            defined.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            imported.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return defined - imported - set(dir(builtins)) - set(keyword.kwlist) - {"self", "cls"}


def _parsed(code: str) -> ast.Module | None:
    if not code.strip():
        return None
    try:
        return ast.parse(code)
    except SyntaxError:
        return None


def _inside_call(tokens: list[tokenize.TokenInfo], index: int) -> bool:
    """Whether the token at `index` sits directly inside a call's parentheses (f( ... here ...)), not
    a `def`'s parameter list (whose names are the user's)."""
    depth = 0
    for position in range(index - 1, -1, -1):
        token = tokens[position]
        if token.string in (")", "]", "}"):
            depth += 1
        elif token.string in ("(", "[", "{"):
            if depth == 0:
                return token.string == "(" and not (position >= 2 and tokens[position - 2].string == "def")
            depth -= 1
    return False


def _docstring_starts(code: str) -> set[tuple[int, int]]:
    """(line, column) where each docstring begins."""
    tree, shift = _parsed(code), 0
    if tree is None:  # an indented fragment: parse it dedented, columns shifted back
        dedented = textwrap.dedent(code)
        tree, shift = _parsed(dedented), _indent(code) - _indent(dedented)
    if tree is None:
        return set()
    starts = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        first = node.body[0] if node.body else None
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            starts.add((first.value.lineno, first.value.col_offset + shift))
    return starts


def _indent(code: str) -> int:
    first = next((line for line in code.splitlines() if line.strip()), "")
    return len(first) - len(first.lstrip())


def _line_offsets(code: str) -> list[int]:
    """Character offset of each line's start (tokenize counts lines from 1, columns in characters)."""
    offsets, total = [0], 0
    for line in code.splitlines(keepends=True):
        total += len(line)
        offsets.append(total)
    return offsets


def _splice(code: str, spans: list[Span]) -> str:
    parts, position = [], 0
    for start, end, replacement in sorted(spans):
        if start < position:
            continue  # inside a span already replaced
        parts += [code[position:start], replacement]
        position = end
    return "".join(parts) + code[position:]
