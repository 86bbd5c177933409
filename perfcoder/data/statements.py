"""Sample tests from CodeNet problem statements (HTML): the `<pre>` after each "Sample Input N"
heading, paired with the one after "Sample Output N" / "Output for the Sample Input N"."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from perfcoder.errors import PerfcoderError
from perfcoder.execution.testcase import TestCase

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
INPUT_HEADING = re.compile(r"(?:sample input|入力例)\s*(\d*)", re.IGNORECASE)
OUTPUT_HEADING = re.compile(r"(?:sample output|output for the sample input|出力例)\s*(\d*)", re.IGNORECASE)


class _SampleParser(HTMLParser):
    """Collects (kind, number, text) for every sample block; kind is "input" or "output"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.samples: list[tuple[str, int, str]] = []
        self._heading: list[str] | None = None  # text of the heading being read
        self._pending: tuple[str, int] | None = None  # the sample the next <pre> holds
        self._pre: list[str] | None = None
        self._counts = {"input": 0, "output": 0}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HEADINGS:
            self._heading, self._pending = [], None
        elif tag == "pre" and self._pending is not None and self._pre is None:
            self._pre = []

    def handle_endtag(self, tag: str) -> None:
        if tag in HEADINGS and self._heading is not None:
            self._pending = self._classify(" ".join("".join(self._heading).split()))
            self._heading = None
        elif tag == "pre" and self._pre is not None and self._pending is not None:
            self.samples.append((*self._pending, "".join(self._pre)))
            self._pre = self._pending = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)
        elif self._pre is not None:
            self._pre.append(data)

    def _classify(self, heading: str) -> tuple[str, int] | None:
        for kind, pattern in (("output", OUTPUT_HEADING), ("input", INPUT_HEADING)):
            if match := pattern.fullmatch(heading):
                self._counts[kind] += 1
                return kind, int(match.group(1) or self._counts[kind])
        return None


def sample_tests(html: str) -> list[TestCase]:
    """The statement's sample tests in number order; an input without an output is left out."""
    parser = _SampleParser()
    parser.feed(html)
    parser.close()
    inputs: dict[int, str] = {}
    outputs: dict[int, str] = {}
    for kind, number, text in parser.samples:
        (inputs if kind == "input" else outputs).setdefault(number, _as_file(text))
    return [
        TestCase(f"sample{number}", inputs[number].encode(), outputs[number].encode())
        for number in sorted(inputs.keys() & outputs.keys())
    ]


def statement_tests(directory: Path, problem_id: str) -> list[TestCase]:
    """The sample tests of `directory/{problem_id}.html`; an error when there is no such statement."""
    path = directory / f"{problem_id}.html"
    if not path.is_file():
        raise PerfcoderError(f"no statement {path.name} in {directory}")
    tests = sample_tests(path.read_text(encoding="utf-8", errors="replace"))
    if not tests:
        raise PerfcoderError(f"statement {path.name} has no sample tests")
    return tests


def _as_file(text: str) -> str:
    """A `<pre>` block as the file a program reads: no leading blank line, one final newline."""
    text = text.lstrip("\n").replace("\r\n", "\n")
    return text if text.endswith("\n") else text + "\n"
