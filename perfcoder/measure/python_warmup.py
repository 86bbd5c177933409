"""What the Python fork server runs once before its jobs, so that valgrind has translated the
interpreter's code a typical contest program needs (the compiler on a rich grammar, common bytecodes,
reading stdin, `int`/`str`/`list`/`dict`/`set` methods, printing) before it forks a child per job: each
child would otherwise translate it again, which costs about as much as the program's own run.

It is run by the server, not imported: it reads its input from `sys.stdin` and prints to `sys.stdout`
(both stand-ins, same classes as a program's), imports only what a plain start-up already has, and
leaves nothing behind that outlives `main()`. Its names are its own (`_wu_*`): identifiers a program
also uses would be interned here first, which makes the program's own compile cheaper than in a plain
run. It defines no class: a class is a reference cycle, left for the children's garbage collector.
"""

import os
import sys

_WU_LINES = 24  # lines of the warm-up input: a few dozen objects, as a sample test makes


def _wu_input() -> str:
    """The warm-up's stdin: a header, rows of numbers, words, floats."""
    rows = [f"{_wu_i} {_wu_i * 7 % 11} {-_wu_i}" for _wu_i in range(_WU_LINES)]
    return f"{_WU_LINES} 3\n" + "\n".join(rows) + "\nabc dEf ghi\n3.25 -1.5e3 7\n"


def _wu_fib(_wu_n: int, _wu_memo: dict[int, int]) -> int:
    if _wu_n < 2:
        return _wu_n
    if _wu_n not in _wu_memo:
        _wu_memo[_wu_n] = _wu_fib(_wu_n - 1, _wu_memo) + _wu_fib(_wu_n - 2, _wu_memo)
    return _wu_memo[_wu_n]


def _wu_numbers(_wu_rows: list[list[int]]) -> list[int]:
    """Integer work: arithmetic, comprehensions, sorting, dicts, sets, big numbers."""
    _wu_out = []
    _wu_total = 0
    _wu_seen: set[int] = set()
    _wu_count: dict[int, int] = {}
    for _wu_a, _wu_b, _wu_c in _wu_rows:
        _wu_total += _wu_a * _wu_b - _wu_c // 3 + _wu_a % 5 + (_wu_a << 2) ^ (_wu_b & 3) | 1
        _wu_seen.add(_wu_b)
        _wu_count[_wu_b] = _wu_count.get(_wu_b, 0) + 1
        _wu_count.setdefault(_wu_c, 0)
        if _wu_a > _wu_b and _wu_b in _wu_seen:
            _wu_out.append(_wu_a)
        elif not _wu_a:
            continue
        else:
            _wu_out.insert(0, _wu_b)
    _wu_out.sort(reverse=True)
    _wu_out = sorted(_wu_out, key=lambda _wu_v: (-_wu_v, _wu_v % 3))
    _wu_grid = [[0] * 5 for _ in range(5)]
    for _wu_i, _wu_j in zip(range(5), reversed(range(5)), strict=True):
        _wu_grid[_wu_i][_wu_j] = max(_wu_i, _wu_j) - min(_wu_i, _wu_j) + abs(_wu_i - _wu_j)
    _wu_big = pow(3, 200, 10**9 + 7) + 2**100 // 3**20 + divmod(_wu_total, 7)[1]
    _wu_squares = {_wu_k: _wu_k * _wu_k for _wu_k in range(10) if _wu_k % 2}
    _wu_out.extend([_wu_big % 1000, sum(_wu_squares.values()), len(_wu_seen), sum(map(sum, _wu_grid))])
    _wu_out.append(sum(_wu_v for _wu_v in _wu_count.values()) + _wu_fib(30, {}))
    _wu_out.append(sorted((_wu_q % 4, -_wu_q) for _wu_q in range(9))[0][1])
    return _wu_out + [_wu_out.pop(), _wu_out.index(_wu_out[0]), _wu_out.count(1)][:2]


def _wu_text(_wu_words: list[str], _wu_floats: list[float]) -> str:
    """String and float work: methods, formatting, slicing."""
    _wu_joined = "-".join(_wu_w.upper() for _wu_w in _wu_words if not _wu_w.startswith("z"))
    _wu_parts = [_wu_joined[::-1], _wu_joined[1:4], _wu_joined.lower().replace("-", "")]
    _wu_parts.append(str(_wu_joined.find("DEF") + _wu_joined.count("-") + ord("a") - len(chr(98))))
    _wu_parts.append("%d %s %.3f" % (len(_wu_parts), _wu_parts[0].strip(), _wu_floats[0]))  # noqa: UP031 (programs do)
    _wu_parts.append("{} {:>6} {:.2f}".format(_wu_floats[1], "x", sum(_wu_floats) / 3))
    _wu_parts.append(f"{max(_wu_floats):.4f} {round(_wu_floats[2] ** 0.5, 3)} {_wu_words[0]!r}")
    _wu_parts.append(" ".join(map(str, [1.5, -0.0, 1e300, float("inf"), 2 / 3])))
    try:
        _wu_parts.append(str(int(_wu_words[0])))
    except ValueError:
        _wu_parts.append("".join(sorted(set(_wu_words[1]))).isdigit() * "y" or "n")
    finally:
        _wu_parts.append((_wu_words[-1].split("h")[0].isalpha() and "ok") or "no")
    return "\n".join(_wu_parts)


def main() -> None:
    """Read the input the ways programs do, compute, print the ways programs do."""
    _wu_n, _wu_k = map(int, input().split())
    _wu_rows = [list(map(int, sys.stdin.readline().split())) for _ in range(_wu_n // 2)]
    for _wu_line in sys.stdin:
        if _wu_line.startswith("abc"):
            break
        _wu_rows.append([int(_wu_t) for _wu_t in _wu_line.split()][: _wu_k + 1])
    _wu_rest = sys.stdin.read().split()
    _wu_tail = sys.stdin.buffer.read()
    print(*_wu_numbers(_wu_rows), sep=" ", end="\n")
    print(len(_wu_rest), len(_wu_tail), _wu_k)
    sys.stdout.write(_wu_text(["abc", "dEf", "ghi"], [3.25, -1.5e3, 7.0]) + "\n")
    print("\n".join(str(_wu_r) for _wu_r in _wu_rows[:3]), flush=False)


def run(path: str) -> None:
    """Run main() with stdin read from `path` (written here, removed after) and stdout to /dev/null,
    then put the real streams back."""
    with open(path, "w") as handle:
        handle.write(_wu_input())
    stdin, stdout = sys.stdin, sys.stdout
    try:
        with open(path) as sys.stdin, open(os.devnull, "w") as sys.stdout:
            main()
    finally:
        sys.stdin, sys.stdout = stdin, stdout
        os.unlink(path)
