"""The evolutionary search with a scripted model (the search loop under test, the sandbox and judge
real): parent choice, the feedback the model gets, the sample budget, duplicates, the minimum gain,
and a search killed with SIGKILL that resumes to the same end."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import perfcoder
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.limits import Limits
from perfcoder.models.base import ChatRequest, Sample
from perfcoder.strategies.evolve import EvolveConfig
from perfcoder.strategies.search import OptimizeResult
from tests.support.models import ScriptedModel, fenced
from tests.support.paths import ROOT

HEAD = '#include <cstdio>\nint main() {\n    long long n, c = 0;\n    scanf("%lld", &n);\n'
LOOP = (
    HEAD
    + "    for (long long i = 1; i <= n; i++)\n        if (i % 3 == 0 || i % 5 == 0) c++;\n"
    + ('    printf("%lld\\n", c);\n}\n')
)
BLOCKS = (
    HEAD
    + "    c = n / 15 * 7;\n    for (long long i = n / 15 * 15 + 1; i <= n; i++)\n"
    + ('        if (i % 3 == 0 || i % 5 == 0) c++;\n    printf("%lld\\n", c);\n}\n')
)
FORMULA = HEAD + '    printf("%lld\\n", n / 3 + n / 5 - n / 15);\n}\n'
WRONG = HEAD + '    printf("%lld\\n", n / 3 + n / 5);\n}\n'
WRONG_TOO = HEAD + '    printf("%lld\\n", n / 3 + n / 5 - n / 14);\n}\n'
# correct, and slower by a fraction: a volatile add costs about three of LOOP's iterations, and SLOWER
# must stay well within the time limit on the largest input the ladder grows for LOOP
EXTRA = "\n    volatile long long v = 0;\n    for (long long i = 0; i < n / 8; i++) v += i;"
SLOWER = LOOP.replace("&n);", "&n);" + EXTRA)
TESTS = [{"input": "1000\n", "output": "467\n"}, {"input": "20000\n", "output": "9333\n"}]
QUICK = ExecutionConfig(limits=Limits(time_s=1.0))  # the ladders stop where LOOP takes 0.5 s


class Script:
    """Replies in turn, recording every prompt (the last user message) and sampling temperature."""

    def __init__(self, replies: list[str]) -> None:
        self.replies, self.prompts, self.temperatures, self.turns = replies, [], [], []
        self.conversations: list[list[dict[str, str]]] = []

    def __call__(self, messages: list[dict[str, str]], params: Any) -> list[str]:
        self.conversations.append(messages)
        self.prompts.append(messages[-1]["content"])
        self.turns.append([message["role"] for message in messages])
        self.temperatures.append(round(params.temperature, 6))
        return [f"```cpp\n{self.replies[len(self.prompts) - 1]}```"] * params.n


def run(script: Script, **settings: Any) -> OptimizeResult:
    evolve = EvolveConfig(
        **{"islands": 2, "exploit": 1.0, "profile_budget_s": 0.01, **settings.pop("evolve", {})}
    )
    budget = settings.pop("budget", 4)
    return perfcoder.optimize(
        LOOP, TESTS, language="cpp", model=script, search="evolve", budget=budget, evolve=evolve,
        cost="instructions", execution=QUICK, **settings,
    )  # fmt: skip


def test_evolve_picks_parents_feeds_back_and_keeps_to_its_budget() -> None:
    script = Script([BLOCKS, WRONG, BLOCKS, FORMULA])
    result = run(script)
    # step 1: the algorithm island, the input as parent, with its profile
    assert "Focus: Use a better algorithm" in script.prompts[0]
    profile = script.prompts[0].split("Where it spends", 1)[1]
    assert "per-line instructions" in profile and "if (i % 3 == 0 || i % 5 == 0) c++;" in profile
    # step 3: the algorithm island again, whose fastest member is now BLOCKS
    assert "already" in script.prompts[2] and "c = n / 15 * 7;" in script.prompts[2]
    # step 4: the other island hears of its failed child, with the input it failed on, and works on
    # BLOCKS: a round that finds a new best sends it to every island
    assert "A previous attempt was rejected (wrong_answer): test 1" in script.prompts[3]
    assert "c = n / 15 * 7;" in script.prompts[3]
    assert [c.stage for c in result.candidates] == ["measured", "tests", "duplicate", "measured"]
    assert result.samples == 4 and len(result.curve) == 4 and result.curve == sorted(result.curve)
    assert result.improved and result.code == FORMULA and result.speedup == result.curve[-1]
    assert result.verification is not None and result.verification["measured"] == 2


class Batches(ScriptedModel):
    """A scripted model that records how many requests arrive together."""

    def __init__(self, rounds: list[list[str]]) -> None:
        super().__init__(rounds)
        self.batches: list[int] = []

    def chat_all(self, requests: Sequence[ChatRequest]) -> list[list[Sample]]:
        self.batches.append(len(requests))
        return super().chat_all(requests)


def test_a_round_asks_every_island_at_once_within_the_budget() -> None:
    model = Batches([[fenced(code, "cpp")] for code in (BLOCKS, WRONG, FORMULA)])
    evolve = EvolveConfig(islands=2, profile_budget_s=0.01, profile=False)
    result = perfcoder.optimize(
        LOOP, TESTS, language="cpp", model=model, search="evolve", budget=3, evolve=evolve,
        cost="instructions", execution=QUICK,
    )  # fmt: skip
    assert model.batches == [2, 1] and result.samples == 3 and result.code == FORMULA


def test_an_island_hears_of_a_copy_and_samples_hotter_and_of_a_child_that_is_no_faster() -> None:
    script = Script([LOOP, WRONG, SLOWER, FORMULA, FORMULA])
    result = perfcoder.optimize(
        LOOP, TESTS, language="cpp", model=script, search="evolve", budget=5, cost="instructions",
        evolve=EvolveConfig(islands=2, exploit=1.0, profile=False, copy_heat=0.3), execution=QUICK,
    )  # fmt: skip
    assert "gave back a program already tried (1.00x the original's speed)" in script.prompts[2]
    not_faster = script.prompts[4].split("A previous attempt was correct but not faster (", 1)[1]
    assert float(not_faster.split("x", 1)[0]) < 1.0 and "against its parent's 1.00x" in not_faster
    assert [c.stage for c in result.candidates] == ["duplicate", "tests", "measured", "measured", "duplicate"]
    assert result.code == FORMULA
    # only the island that got a copy back asks hotter, and only until it gets something else
    assert script.temperatures == [0.7, 0.7, 1.0, 0.7, 0.7]


def test_a_retrieval_island_asks_with_the_nearest_examples_as_earlier_turns() -> None:
    script = Script([WRONG, BLOCKS])
    evolve = {"islands": 1, "retrieval_islands": 1}
    result = run(script, budget=2, evolve=evolve, shots=1)  # the examples: the built-in C++ pool
    assert script.turns == [["system", "user"], ["system", "user", "assistant", "user"]]
    assert (
        "Focus: Make edits like the examples'" in script.prompts[1] and "Where it spends" in script.prompts[1]
    )
    assert [c.stage for c in result.candidates] == ["tests", "measured"]


def test_a_failed_child_is_shown_to_the_model_with_its_failing_input_once() -> None:
    script = Script([WRONG, WRONG_TOO, FORMULA])
    result = run(script, budget=3, evolve={"islands": 1, "repair": True})
    # step 2 continues step 1's conversation: the failed program, then the test input it failed on
    assert script.turns == [["system", "user"], ["system", "user", "assistant", "user"], ["system", "user"]]
    assert script.conversations[1][:2] == script.conversations[0]
    assert "n / 3 + n / 5);" in script.conversations[1][2]["content"]
    failure = "wrong_answer on the input '1000\\n': the expected output is '467\\n', it printed '533\\n'"
    assert failure in script.prompts[1]
    # the repair failed too: step 3 is asked afresh (a repair is not repaired), told what went wrong
    assert "A previous attempt was rejected (wrong_answer)" in script.prompts[2]
    assert [c.stage for c in result.candidates] == ["tests", "tests", "measured"]
    assert result.candidates[1].failed_test is not None and result.code == FORMULA


def test_without_profiles_the_model_is_not_told_where_time_goes() -> None:
    script = Script([BLOCKS, WRONG, FORMULA, FORMULA])
    result = run(script, evolve={"profile": False})
    assert not any("Where it spends" in prompt for prompt in script.prompts)
    assert result.code == FORMULA


def test_a_gain_below_the_minimum_returns_the_input_and_says_why() -> None:
    result = run(Script([FORMULA, WRONG, FORMULA, FORMULA]), min_gain=1000.0)
    assert not result.improved and result.code == LOOP and result.speedup == 1.0
    assert "below the minimum gain of 100000%" in result.note


RESUMABLE = """
import json, sys, time
import perfcoder
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.limits import Limits
from perfcoder.strategies.evolve import EvolveConfig
LOOP, TESTS, REPLIES = json.loads(sys.argv[1])
calls = []
def model(messages, params):
    calls.append(1)
    time.sleep(0.5)
    return [f"```cpp\\n{REPLIES[params.seed // 1000 % len(REPLIES)]}```"] * params.n
result = perfcoder.optimize(
    LOOP, TESTS, language="cpp", model=model, search="evolve", budget=6, cost="instructions",
    evolve=EvolveConfig(islands=2, profile_budget_s=0.01), state=__import__("pathlib").Path(sys.argv[2]),
    execution=ExecutionConfig(limits=Limits(time_s=1.0)),
)
print(json.dumps({"code": result.code, "curve": result.curve, "stages": [c.stage for c in result.candidates],
                  "sampled_now": len(calls)}))
"""


def test_a_search_killed_with_sigkill_resumes_and_ends_as_an_uninterrupted_one(tmp_path: Path) -> None:
    replies = [BLOCKS, WRONG, FORMULA, LOOP.replace("c++", "c += 1")]
    argv = [sys.executable, "-c", RESUMABLE, json.dumps([LOOP, TESTS, replies])]

    def start(cache: Path, state: Path) -> subprocess.Popen[str]:
        env = {**os.environ, "PERFCODER_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
        return subprocess.Popen([*argv, str(state)], stdout=subprocess.PIPE, text=True, env=env)

    whole = start(tmp_path / "a", tmp_path / "a.jsonl")
    uninterrupted = json.loads(whole.communicate(timeout=600)[0])
    killed = start(tmp_path / "b", tmp_path / "b.jsonl")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:  # kill it once it has done some steps but not all
        done = (tmp_path / "b.jsonl").read_text().count("\n") if (tmp_path / "b.jsonl").exists() else 0
        if done >= 2:
            break
        time.sleep(0.1)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert done >= 2
    resumed = json.loads(start(tmp_path / "b", tmp_path / "b.jsonl").communicate(timeout=600)[0])
    assert resumed["sampled_now"] < uninterrupted["sampled_now"] == 6  # the first steps came from the cache
    for key in ("code", "curve", "stages"):
        assert resumed[key] == uninterrupted[key]
    assert (tmp_path / "b.jsonl").read_text().count("\n") == 6  # every step recorded once
