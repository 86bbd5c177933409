"""Reading a program's source with the checks that make bad input a clear one-line error."""

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
