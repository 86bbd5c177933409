"""Regenerate the shipped examples' tests: inputs from seeded generators, outputs from the fast program.

Every input is checked in the sandbox: slow and fast must agree on it, and each wrong_fast program must
pass the first (small) test and fail a larger one. Run: `.venv/bin/python examples/make_tests.py`.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from pathlib import Path

from perfcoder.execution.engine import ExecutionConfig, Executor, Program
from perfcoder.execution.languages import language_of
from perfcoder.execution.limits import Limits
from perfcoder.execution.testcase import TestCase

ROOT = Path(__file__).parent
Generator = Callable[[random.Random, int], str]


def _line(values: object) -> str:
    return " ".join(map(str, values))  # type: ignore[call-overload]


def single(_: random.Random, n: int) -> str:
    return f"{n}\n"


def pair_count(rng: random.Random, n: int) -> str:
    return f"{n} 1000\n{_line(rng.randint(1, 999) for _ in range(n))}\n"


def numbers_in_line(big: int) -> Generator:
    def make(rng: random.Random, n: int) -> str:
        high = big if n >= 100_000 else 1000
        return f"{n}\n{_line(rng.randint(1, high) for _ in range(n))}\n"

    return make


def numbers_per_line(rng: random.Random, n: int) -> str:
    high = 10**9 if n >= 100_000 else 1000
    return f"{n}\n" + "".join(f"{rng.randint(1, high)}\n" for _ in range(n))


def range_queries(big_from: int, big: int) -> Generator:
    def make(rng: random.Random, n: int) -> str:
        high = big if n >= big_from else 1000
        queries = []
        for _ in range(n):
            left = rng.randint(1, n)
            queries.append(f"{left} {rng.randint(left, n)}")
        return f"{n} {n}\n{_line(rng.randint(1, high) for _ in range(n))}\n" + "\n".join(queries) + "\n"

    return make


def membership(rng: random.Random, n: int) -> str:
    values = _line(rng.randint(1, 4 * n) for _ in range(n))
    queries = _line(rng.randint(1, 4 * n) for _ in range(n))
    return f"{n} {n}\n{values}\n{queries}\n"


def distinct(big_from: int) -> Generator:
    def make(rng: random.Random, n: int) -> str:
        base = 2**60 if n >= big_from else 0
        return f"{n}\n{_line(base + rng.randint(1, max(2, n // 2)) for _ in range(n))}\n"

    return make


def matrices(rng: random.Random, n: int) -> str:
    rows = [_line(rng.randint(0, 1000) for _ in range(n)) for _ in range(2 * n)]
    return f"{n}\n" + "\n".join(rows) + "\n"


def signed_mostly_positive(rng: random.Random, n: int) -> str:
    high = 10**9 if n >= 10_000 else 100
    return f"{n}\n{_line(rng.randint(-high // 4, high) for _ in range(n))}\n"


def shuffled(rng: random.Random, n: int) -> str:
    return f"{n}\n{_line(rng.randint(-(10**9), 10**9) for _ in range(n))}\n"


# example -> (generator, sizes of tests 1..3): test 1 small like a sample, the last one large
EXAMPLES: dict[str, tuple[Generator, list[int]]] = {
    "cpp/prime_sum": (single, [10, 10_000, 30_000]),
    "cpp/pair_count": (pair_count, [8, 5_000, 20_000]),
    "cpp/endl_flush": (single, [5, 20_000, 200_000]),
    "cpp/fast_io": (numbers_in_line(10**9), [5, 20_000, 200_000]),
    "cpp/prefix_sums": (range_queries(20_000, 10**9), [5, 5_000, 20_000]),
    "cpp/membership": (membership, [5, 5_000, 20_000]),
    "cpp/distinct_count": (distinct(10**9), [6, 5_000, 20_000]),
    "cpp/tribonacci": (single, [5, 28, 34]),
    "cpp/string_build": (single, [5, 10_000, 40_000]),
    "cpp/matrix_order": (matrices, [3, 100, 250]),
    "cpp/max_subarray": (signed_mostly_positive, [6, 5_000, 20_000]),
    "python/prime_sum": (single, [10, 2_000, 6_000]),
    "python/pair_count": (pair_count, [8, 500, 1_500]),
    "python/print_join": (single, [5, 20_000, 100_000]),
    "python/fast_input": (numbers_per_line, [5, 20_000, 200_000]),
    "python/prefix_sums": (range_queries(3_000, 10**15), [5, 1_000, 3_000]),
    "python/membership": (membership, [5, 1_000, 4_000]),
    "python/distinct_count": (distinct(6_000), [6, 1_000, 6_000]),
    "python/tribonacci": (single, [5, 18, 23]),
    "python/sort_builtin": (shuffled, [6, 500, 1_500]),
    "python/string_build": (single, [5, 10_000, 40_000]),
    "python/max_subarray": (signed_mostly_positive, [6, 800, 2_500]),
}


def program(path: Path) -> Program:
    return Program(path.read_text(), language_of(path))


def make_example(executor: Executor, name: str, generator: Generator, sizes: list[int]) -> None:
    directory = ROOT / name
    ext = ".cpp" if name.startswith("cpp/") else ".py"
    rng = random.Random(name)
    inputs = [generator(rng, n).encode() for n in sizes]
    outputs = executor.outputs(program(directory / f"fast{ext}"), inputs)
    if None in outputs:
        raise SystemExit(f"{name}: fast program failed on test {outputs.index(None) + 1}")
    tests = [
        TestCase(str(i), data, out) for i, (data, out) in enumerate(zip(inputs, outputs, strict=True), 1)
    ]
    fast = executor.run(program(directory / f"fast{ext}"), tests)
    slow = executor.run(program(directory / f"slow{ext}"), tests)
    if not slow.passed:
        raise SystemExit(f"{name}: slow and fast disagree: {slow.verdict}")
    for wrong in sorted(directory.glob(f"wrong_fast{ext}")):
        judged = executor.run(program(wrong), tests)
        if not judged.tests[0].passed or judged.passed:
            raise SystemExit(f"{name}: {wrong.name} must pass test 1 and fail a larger one")
    out = directory / "tests"
    out.mkdir(exist_ok=True)
    for test in tests:
        assert test.output is not None
        (out / f"input.{test.name}.txt").write_bytes(test.input)
        (out / f"output.{test.name}.txt").write_bytes(test.output)
    times = ", ".join(f"{t.cpu_s:.2f}/{f.cpu_s:.2f}" for t, f in zip(slow.tests, fast.tests, strict=True))
    print(f"{name}: cpu s slow/fast per test: {times}")


def main(names: list[str]) -> None:
    executor = Executor(ExecutionConfig(limits=Limits(time_s=60), use_store=False))
    for name, (generator, sizes) in EXAMPLES.items():
        if not names or name in names:
            make_example(executor, name, generator, sizes)


if __name__ == "__main__":
    main(sys.argv[1:])
