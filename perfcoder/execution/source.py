"""Reading a program's source with the checks that make bad input a clear one-line error, and what a
Python source imports."""

import ast
from pathlib import Path

from perfcoder.errors import PerfcoderError

MAX_SOURCE_BYTES = 1_000_000  # larger sources are not programs a model wrote


def read_source(path: Path) -> str:
    if not path.is_file():
        raise PerfcoderError(f"{path}: no such file")
    data = path.read_bytes()
    return check_source(data, str(path))


def check_source(data: bytes, where: str) -> str:
    if len(data) > MAX_SOURCE_BYTES:
        raise PerfcoderError(f"{where}: source is {len(data)} bytes, over the {MAX_SOURCE_BYTES} byte limit")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PerfcoderError(f"{where}: source is not UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise PerfcoderError(f"{where}: source is empty")
    return text


def python_imports(source: str) -> set[str]:
    """The top-level packages a Python source imports anywhere (absolute imports; none if it does not
    parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imported.add(node.module.partition(".")[0])
    return imported
