"""One test: the bytes a program reads and the bytes it should print."""

from dataclasses import dataclass

from perfcoder.store import digest


@dataclass(frozen=True)
class TestCase:
    name: str
    input: bytes
    output: bytes | None  # None: no expected output (only run, e.g. to produce one)

    __test__ = False  # not a pytest class

    @property
    def key(self) -> str:
        return digest(self.input, b"\0" if self.output is None else b"\1" + self.output)
