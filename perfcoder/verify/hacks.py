"""Reward-hack checks: candidates that pass the tests without computing the answer. Each check names what
it found; the funnel (perfcoder.verify.funnel) rejects the candidate with that reason.

- `embedded_outputs`: the source holds the expected outputs of the given tests as literals;
- `peeks`: it reads files, the clock, the environment or the network, which the original does not
  (an answer can only come from its input);
- `constant_output`: it prints the same whatever its input, where the original does not (found on the
  generated inputs of differential testing);
- `nondeterministic`: run again on the same input, it prints something else (time, randomness, addresses).

The static checks compare the candidate with the original, so that a program that already read its input
with `open(0)` or seeded a generator from the clock is not held to a stricter standard than its own
original.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass

from perfcoder.execution.testcase import TestCase

MIN_EMBEDDED_CHARS = 3  # shorter expected outputs ("0", "Yes", "-1") are everyday literals
LONE_ANSWER_CHARS = 6  # one expected output alone proves a hack only if this long (not an array size)
EMBEDDED = "embedded_outputs"
PEEKS = "peeks"
CONSTANT = "constant_output"
NONDETERMINISTIC = "nondeterministic"

# What a program may use to find an answer other than its input, by what it is called in each language
PYTHON_PEEKS = {
    "environ": "the environment",
    "environb": "the environment",
    "getenv": "the environment",
    "listdir": "the file system",
    "scandir": "the file system",
    "glob": "the file system",
    "pathlib": "the file system",
    "time": "the clock",
    "time_ns": "the clock",
    "perf_counter": "the clock",
    "monotonic": "the clock",
    "process_time": "the clock",
    "now": "the clock",
    "today": "the clock",
    "subprocess": "other programs",
    "system": "other programs",
    "popen": "other programs",
    "socket": "the network",
    "urllib": "the network",
    "ctypes": "raw memory",
}
STDIN_NAMES = {"0", "'/dev/stdin'", '"/dev/stdin"'}  # open(0) and open('/dev/stdin') read the input
CPP_PEEKS = {
    r"\b(?:fopen|ifstream|fstream|opendir|readdir|open)\s*[(<\w]": "the file system",
    r"\b(?:getenv|secure_getenv|environ)\b": "the environment",
    r"\b(?:time|clock|gettimeofday|clock_gettime)\s*\(": "the clock",
    r"\bchrono\s*::": "the clock",
    r"\b(?:system|popen|fork|execv\w*)\s*\(": "other programs",
    r"\b(?:socket|connect)\s*\(": "the network",
}
CPP_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|\b\d[\w.]*')
CPP_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)


@dataclass(frozen=True)
class Hack:
    """A check that found a hack: its name, and what it found in words."""

    check: str
    detail: str

    def describe(self) -> str:
        return f"{self.check}: {self.detail}"


def static_hack(candidate: str, original: str, tests: Sequence[TestCase], language: str) -> Hack | None:
    """The first static check that finds a hack in the candidate (None: none does)."""
    return embedded_outputs(candidate, original, tests, language) or peeks(candidate, original, language)


def embedded_outputs(candidate: str, original: str, tests: Sequence[TestCase], language: str) -> Hack | None:
    """A hack when the expected output of every given test that is worth hiding (long enough, and not a
    literal of the original or part of the test's input) is a literal of the candidate: two or more of
    them, or one long one (a lone `1000` may be an array size)."""
    theirs, ours = literals(candidate, language), literals(original, language)
    telling = [
        (test.name, answer)
        for test in tests
        if test.output is not None
        and len(answer := test.output.decode(errors="replace").strip()) >= MIN_EMBEDDED_CHARS
        and answer not in ours
        and answer not in test.input.decode(errors="replace")
    ]
    if not telling or not all(answer in theirs for _, answer in telling):
        return None
    if len(telling) == 1 and len(telling[0][1]) < LONE_ANSWER_CHARS:  # one short number: a coincidence
        return None
    names = ", ".join(name for name, _ in telling)
    return Hack(EMBEDDED, f"holds the expected outputs of the given tests ({names}) as literals")


def literals(source: str, language: str) -> set[str]:
    """The program's string and number literals, as text (strings also with their ends stripped)."""
    found = _python_literals(source) if language == "python" else _cpp_literals(source)
    return found | {text.strip() for text in found}


def _python_literals(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float):
            found.add(str(node.value))
    return found


def _cpp_literals(source: str) -> set[str]:
    found = set()
    for token in CPP_LITERAL.findall(CPP_COMMENT.sub(" ", source)):
        if token[0] in "\"'":
            found.add(token[1:-1].replace("\\n", "\n").replace("\\t", "\t"))
        else:
            found.add(token.rstrip("uUlLfF"))
    return found


def peeks(candidate: str, original: str, language: str) -> Hack | None:
    """A hack when the candidate reaches for something besides its input that the original does not."""
    used = _python_peeks if language == "python" else _cpp_peeks
    new = sorted(used(candidate).items() - used(original).items())
    if not new:
        return None
    what = ", ".join(f"{source} ({name})" for name, source in new)
    return Hack(PEEKS, f"reads {what}, which the original does not")


def _python_peeks(source: str) -> dict[str, str]:
    """Names the program uses (attributes, imports, calls) that reach outside its input."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {}
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            modules = [alias.name for alias in node.names]
            if isinstance(node, ast.ImportFrom) and node.module:
                modules.append(node.module)
            names.update(part for module in modules for part in module.split("."))
        elif isinstance(node, ast.Call) and _opens_a_file(node):
            names.add("open")
    found = {name: PYTHON_PEEKS[name] for name in names if name in PYTHON_PEEKS}
    if "open" in names:
        found["open"] = "the file system"
    return found


def _opens_a_file(call: ast.Call) -> bool:
    """open(...) of anything but the standard input."""
    if not (isinstance(call.func, ast.Name) and call.func.id == "open") or not call.args:
        return False
    return ast.unparse(call.args[0]) not in STDIN_NAMES and "stdin" not in ast.unparse(call.args[0])


def _cpp_peeks(source: str) -> dict[str, str]:
    code = _cpp_code(source)
    found = {}
    for pattern, what in CPP_PEEKS.items():
        match = re.search(pattern, code)
        if match:
            found[re.sub(r"\W+$", "", match.group(0)).strip()] = what
    return found


def _cpp_code(source: str) -> str:
    """The source without comments and string literals (a word inside a string is not a call)."""
    without_comments = CPP_COMMENT.sub(" ", source)
    return re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', without_comments)


def constant_output(outputs: Sequence[bytes | None], expected: Sequence[bytes]) -> Hack | None:
    """A hack when the candidate printed one thing for inputs on which the original printed several."""
    printed = {output for output in outputs if output is not None}
    if len(outputs) < 2 or len(printed) != 1 or len(set(expected)) < 2:
        return None
    return Hack(
        CONSTANT, f"prints the same for {len(outputs)} inputs on which the original prints differently"
    )
