"""Block edits: the hottest block found from a profile, replies spliced back into the program, and a
block island of the evolutionary search (a scripted model; the sandbox, the profiler and the judge
real)."""

from __future__ import annotations

from dataclasses import replace

import perfcoder
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.limits import Limits
from perfcoder.measure.lines import LineCost, Profile
from perfcoder.strategies.blocks import Block, Splice, hottest_block
from perfcoder.strategies.evolve import EvolveConfig
from tests.support.models import ScriptedModel, fenced

SLOW = """import sys


def count(n):
    total = 0
    for i in range(1, n + 1):
        if i % 3 == 0 or i % 5 == 0:
            total += 1
    return total


print(count(int(sys.stdin.readline())))
"""
FORMULA_LINE = "total = n // 3 + n // 5 - n // 15\n"
FAST = SLOW.replace(
    "    for i in range(1, n + 1):\n        if i % 3 == 0 or i % 5 == 0:\n            total += 1\n",
    "    " + FORMULA_LINE,
)
WRONG_LINE = "total = n // 3 + n // 5\n"
TESTS = [{"input": "1000\n", "output": "467\n"}, {"input": "20000\n", "output": "9333\n"}]


def profile_of(costs: dict[int, float], code: str = SLOW) -> Profile:
    """A profile with these per-line costs (what profile_run reads from a run, made by hand)."""
    own = sum(costs.values())
    text = code.splitlines()
    lines = [
        LineCost(line, cost, cost / own, text[line - 1])
        for line, cost in sorted(costs.items(), key=lambda item: -item[1])
    ]
    return Profile("python", "line executions", "t", 10, own, own, lines)


def test_the_block_is_the_costliest_statement_of_a_scope_loops_and_all() -> None:
    block = hottest_block(SLOW, profile_of({7: 60.0, 8: 30.0, 6: 8.0, 12: 2.0}))
    assert block is not None and (block.first, block.last) == (6, 8)
    assert abs(block.share - 0.98) < 1e-9
    # the loop's lines together cost more than the hottest single line, the call at module level
    assert hottest_block(SLOW, profile_of({6: 25.0, 7: 30.0, 8: 30.0, 12: 35.0})) == Block(6, 8, 85 / 120)
    assert hottest_block(SLOW, profile_of({12: 5.0, 7: 1.0})) == Block(12, 12, 5 / 6)
    # a `def` line is no block (its cost is its body's), nor a statement sharing its line; nor is any
    # line of C++
    assert hottest_block(SLOW, profile_of({4: 1.0})) is None
    shared = "def ni(): return int(input())\na = [ni() for _ in range(3)]; print(sum(a))\n"
    assert hottest_block(shared, profile_of({1: 9.0, 2: 1.0}, shared)) is None
    assert hottest_block(SLOW, replace(profile_of({7: 1.0}), language="cpp")) is None


def test_a_reply_is_spliced_in_at_the_blocks_indentation_or_taken_whole_or_refused() -> None:
    splice = Splice(SLOW, Block(6, 8, 0.98))
    assert splice(fenced(FORMULA_LINE, "python")) == (FAST, "")
    indented = fenced("        " + FORMULA_LINE, "python", preface="Here:\n")
    assert splice(indented) == (FAST, "")  # however the model indents it
    # statements the reply repeats from just before or after the block are not spliced in twice
    repeating = "total = 0\n\n" + FORMULA_LINE + "return total\n"
    assert splice(fenced(repeating, "python")) == (FAST, "")
    # a reply that echoes most of a short program's other lines around its new lines is still spliced
    short = "n = int(input())\na = []\nfor _ in range(n):\n    a.append(int(input()))\nprint(sum(a))\n"
    echo = "a = []\na = [int(input()) for _ in range(n)]\nprint(sum(a))\n"
    spliced = short.replace(
        "for _ in range(n):\n    a.append(int(input()))", "a = [int(input()) for _ in range(n)]"
    )
    assert Splice(short, Block(3, 4, 1.0))(fenced(echo, "python")) == (spliced, "")
    assert splice(fenced(FAST, "python")) == (FAST, "")  # it answered with the whole program
    headless = FAST.replace("import sys\n\n\n", "")
    assert splice(fenced(headless, "python")) == (headless, "")  # or most of it: judged as it is
    code, why = splice(fenced("return n // 3\nelse:\n    pass\n", "python"))
    assert code is None and "no Python code block that parses" in why
    code, why = Splice(SLOW, Block(12, 12, 1.0))(fenced("if True:\n    x = 1\n", "python"))
    assert code is not None and why == ""  # a whole statement fits anywhere a statement does


def test_a_block_island_asks_for_the_hot_loop_only_and_its_splice_is_verified() -> None:
    model = ScriptedModel([[fenced(WRONG_LINE, "python")], [fenced(FORMULA_LINE, "python")]])
    evolve = EvolveConfig(islands=1, block_islands=1, exploit=1.0, profile_budget_s=0.01)
    result = perfcoder.optimize(
        SLOW, TESTS, language="python", model=model, search="evolve", budget=2, evolve=evolve,
        cost="instructions", execution=ExecutionConfig(limits=Limits(time_s=2.0)),
    )  # fmt: skip
    whole, block = (messages[-1]["content"] for messages in model.seen)
    assert "Reply with the complete optimized program" in whole and "import sys" in whole
    loop = "".join(SLOW.splitlines(keepends=True)[5:8])
    assert block.startswith("These lines of a Python program") and f"```python\n{loop}```" in block
    # only the block and what it depends on, or what depends on it, is shown: not the whole program
    assert "in the function `def count(n):`" in block and "import sys" not in block
    assert block.split("They use these statements", 1)[1].split("```python\n", 1)[1].startswith("total = 0\n")
    assert "come after them and use what they leave:\n\n```python\nreturn total\n```" in block
    assert "Reply with the new lines only" in block
    # the whole-program island's reply held a block, not a program: rejected; the block island's
    # reply spliced into the input is the verified, faster program
    assert [c.stage for c in result.candidates][1] == "measured"
    assert result.improved and result.code == FAST
