"""Pulling a program out of model text: fenced blocks tagged with the language first, then untagged
ones, then the whole reply; a candidate must look like a whole program (C++: has `main`; Python: parses).
The last qualifying block wins: models put their final answer last."""

from __future__ import annotations

import ast
import re

FENCE = re.compile(r"```[ \t]*([\w+#.-]*)[^\n]*\n(.*?)(?:\n[ \t]*```|\Z)", re.DOTALL)
TAGS = {"cpp": {"cpp", "c++", "cc", "cxx", "c", "cplusplus"}, "python": {"python", "py", "python3"}}
CPP_MAIN = re.compile(r"\bmain\s*\(")


def extract_code(text: str, language: str) -> str | None:
    """The program in `text`, or None when there is none (recorded as a candidate without code)."""
    blocks = [(tag.lower(), body) for tag, body in FENCE.findall(text)]
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
