"""Reading a program's source with the checks that make bad input a clear one-line error."""

import hashlib
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


def digest(*parts: str | bytes) -> str:
    """A stable sha256 over several parts, length-prefixed so that part boundaries matter."""
    sha = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        sha.update(len(data).to_bytes(8, "little"))
        sha.update(data)
    return sha.hexdigest()
