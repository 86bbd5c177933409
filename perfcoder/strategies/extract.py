"""Pulling a program out of model text: fenced blocks tagged with the language first, then untagged
ones, then the whole reply; a candidate must look like a whole program (C++: has `main`; Python: parses).
The last qualifying block wins: models put their final answer last."""

from __future__ import annotations

import ast
import re
from typing import Literal

FENCE = re.compile(r"```[ \t]*([\w+#.-]*)[^\n]*\n(.*?)(?:\n[ \t]*```|\Z)", re.DOTALL)
# a block closed only by a fence at the start of a line: code whose docstrings hold indented ``` fences
FENCE_AT_START = re.compile(
    r"^(`{3,})[ \t]*([\w+#.-]*)[^\n]*\n(.*?)(?:\n\1[ \t]*$|\Z)", re.DOTALL | re.MULTILINE
)
TAGS = {"cpp": {"cpp", "c++", "cc", "cxx", "c", "cplusplus"}, "python": {"python", "py", "python3"}}
CPP_MAIN = re.compile(r"\bmain\s*\(")


def extract_code(text: str, language: str) -> str | None:
    """The program in `text`, or None when there is none (recorded as a candidate without code)."""
    for found in (_blocks_at_start(text), FENCE.findall(text)):
        code = _program_in([(tag.lower(), body) for tag, body in found], text, language)
        if code is not None:
            return code
    return None


def _blocks_at_start(text: str) -> list[tuple[str, str]]:
    return [(tag, body) for _, tag, body in FENCE_AT_START.findall(text)]


def _program_in(blocks: list[tuple[str, str]], text: str, language: str) -> str | None:
    tagged = [body for tag, body in blocks if tag in TAGS[language]]
    untagged = [body for tag, body in blocks if not tag]
    for group in (tagged, untagged, [text] if not blocks else []):
        for body in reversed(group):
            if looks_like_program(body, language):
                return body.strip("\n") + "\n"
    return None


def looks_like_program(code: str, language: str) -> bool:
    if language == "cpp":
        return bool(CPP_MAIN.search(code))
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return bool(code.strip())


def parses(text: str, mode: Literal["eval", "exec"] = "eval") -> bool:
    """Whether text is a Python expression (`eval`) or module (`exec`)."""
    try:
        ast.parse(text.strip() if mode == "eval" else text, mode=mode)
    except (SyntaxError, ValueError):
        return False
    return True
