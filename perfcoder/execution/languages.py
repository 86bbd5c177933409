"""The languages perfcoder judges, found from a file's extension or named by the user."""

from dataclasses import dataclass
from pathlib import Path

from perfcoder.errors import PerfcoderError


@dataclass(frozen=True)
class Language:
    name: str
    extensions: tuple[str, ...]
    source_name: str  # the file name the source gets inside the sandbox


CPP = Language("cpp", (".cpp", ".cc", ".cxx", ".c++"), "main.cpp")
PYTHON = Language("python", (".py",), "main.py")
LANGUAGES = {language.name: language for language in (CPP, PYTHON)}
ALIASES = {"c++": "cpp", "cxx": "cpp", "py": "python", "python3": "python"}


def language_named(name: str) -> Language:
    key = ALIASES.get(name.lower(), name.lower())
    if key not in LANGUAGES:
        raise PerfcoderError(f"unknown language {name!r} (known: {', '.join(LANGUAGES)})")
    return LANGUAGES[key]


def language_of(path: Path) -> Language:
    """The language of a source file from its extension; ask for --language when it says nothing."""
    suffix = path.suffix.lower()
    for language in LANGUAGES.values():
        if suffix in language.extensions:
            return language
    raise PerfcoderError(f"{path}: cannot tell the language from extension {suffix!r}; pass --language")
