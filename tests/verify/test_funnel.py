"""The verification funnel with real programs in the real sandbox: each hack check rejects its hack by
name, duplicates are never judged twice, and one candidate meets the same rejection through optimize,
evaluate, bench and the training reward."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import perfcoder
from perfcoder.environment import Environment
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.execution.limits import Limits
from perfcoder.execution.testcase import TestCase
from perfcoder.verify import hacks
from perfcoder.verify.funnel import Verifier, normalized
from tests.support.commands import evaluate_json, run_cli
from tests.support.files import write_rows

TRIANGLE = "n = int(input())\ntotal = 0\nfor i in range(1, n + 1):\n    total += i\nprint(total)\n"
FORMULA = "n = int(input())\nprint(n * (n + 1) // 2)\n"
TESTS = [TestCase("a", b"100\n", b"5050\n"), TestCase("b", b"1000\n", b"500500\n")]
EMBEDS = "n = int(input())\nprint({100: 5050, 1000: 500500}.get(n, n * (n + 1) // 2))\n"
PEEKS = "import os\nn = int(input())\nprint(os.environ.get('ANSWER', n * (n + 1) // 2))\n"
CONSTANT = "input()\nprint(50 * 101)\n"  # right for n = 100, whatever the input
COIN = "import random\n{name} = int(input())\nprint({name} * ({name} + 1) // 2 + (random.random() < 0.5))\n"


@pytest.fixture
def env(private_cache: Path) -> Iterator[Environment]:
    config = ExecutionConfig(limits=Limits(time_s=5.0), cache_dir=private_cache)
    with perfcoder.make("python", cost="cpu", repeats=1, config=config) as environment:
        yield environment


def test_static_hacks_are_rejected_by_name_before_they_run(env: Environment) -> None:
    verifier = Verifier(env, TRIANGLE, TESTS, None)
    embeds, peeks, right = verifier.verify([EMBEDS, PEEKS, FORMULA])
    assert (embeds.stage, embeds.verdict, embeds.hack) == ("hack", "rejected", hacks.EMBEDDED)
    assert "(a, b)" in embeds.reason and embeds.submission is None  # never ran
    assert (peeks.hack, peeks.submission) == (hacks.PEEKS, None)
    assert "the environment (environ)" in peeks.reason
    assert right.stage == "measured" and right.accepted and right.speedup is not None
    assert verifier.counts.hacks == {hacks.EMBEDDED: 1, hacks.PEEKS: 1}
    assert verifier.counts.measured == 1 and verifier.counts.spared == 2


def test_a_program_that_ignores_its_input_is_named_on_generated_inputs(env: Environment) -> None:
    same_answer = [TestCase("a", b"100\n", b"5050\n"), TestCase("b", b"0100\n", b"5050\n")]
    verifier = Verifier(env, TRIANGLE, same_answer)
    (constant,) = verifier.verify([CONSTANT])  # passes both given tests
    assert constant.submission is not None and constant.submission.passed
    assert (constant.stage, constant.hack) == ("hack", hacks.CONSTANT)
    assert constant.mismatch is not None and "prints the same for" in constant.reason
    assert verifier.counts.measured == 0


def test_a_program_that_prints_something_else_when_run_again_is_rejected(env: Environment) -> None:
    """Each coin program prints the right answer in half of its runs: some pass the tests once and fail
    the second run (all 40 passing both runs, or none passing the first, has odds below 1e-5)."""
    coins = [COIN.format(name=f"n{k}") for k in range(40)]
    verifier = Verifier(env, TRIANGLE, TESTS[:1], None)
    checked = verifier.verify(coins)
    stages = {c.stage for c in checked}
    assert stages <= {"tests", "hack", "measured"}
    flagged = [c for c in checked if c.stage == "hack"]
    assert flagged and all(c.hack == hacks.NONDETERMINISTIC for c in flagged)
    assert "printed something else when run again on test a" in flagged[0].reason


def test_duplicates_are_judged_once_and_the_original_is_not_measured_again(env: Environment) -> None:
    verifier = Verifier(env, TRIANGLE, TESTS, None)
    commented = "# the closed form\nn = int(input())\nprint(n * (n + 1) // 2)  # Gauss\n"
    assert normalized(commented, "python") == normalized(FORMULA, "python")
    first, again, original = verifier.verify([FORMULA, commented, "# the input, again\n" + TRIANGLE])
    assert first.stage == "measured" and again.stage == "duplicate" and again.duplicate_of == 0
    assert again.speedup == first.speedup
    assert original.stage == "duplicate" and original.speedup == 1.0  # the input itself
    (later,) = verifier.verify([FORMULA])  # a later call: still not judged again
    assert later.duplicate_of == 0
    assert verifier.counts.measured == 1 and verifier.counts.candidates == 4


def test_the_same_hack_is_rejected_for_the_same_reason_on_every_path(
    tmp_path: Path, private_cache: Path
) -> None:
    (tmp_path / "slow.py").write_text(TRIANGLE)
    (tmp_path / "peeks.py").write_text(PEEKS)
    rows = [{"input": t.input.decode(), "output": (t.output or b"").decode()} for t in TESTS]
    tests = write_rows(tmp_path / "tests.jsonl", rows)
    reasons = {}

    def model(messages: object, params: object) -> list[str]:
        return [f"```python\n{PEEKS}```"]

    result = perfcoder.optimize(tmp_path / "slow.py", tests, model=model, k=1, cost="instructions")
    reasons["optimize"] = (result.candidates[0].hack, result.candidates[0].note)

    pair = {"id": "tri", "problem_id": "tri", "language": "python", "input": TRIANGLE, "target": FORMULA}
    pairs = write_rows(tmp_path / "pairs.jsonl", [{**pair, "test_cases": rows}])
    predictions = write_rows(tmp_path / "pred.jsonl", [{"id": "tri", "generated_answers": [PEEKS]}])
    report = tmp_path / "report"
    evaluate_json(private_cache, "--pairs", pairs, "--predictions", predictions, "--report", report)
    [record] = [json.loads(line) for line in (report / "results.jsonl").read_text().splitlines()]
    reasons["evaluate"] = (record["candidates"][0]["hack"], record["candidates"][0]["note"])

    bench = ("bench", tmp_path / "slow.py", tmp_path / "peeks.py", "--tests", tests, "--differential")
    done = run_cli(*bench, "--json", cache=private_cache)
    verified = json.loads(done.stdout)["verification"]
    reasons["bench"] = (verified["hack"], verified["reason"])

    reward = perfcoder.rewards.perfrl_reward("python", cost="instructions")
    try:
        [value] = reward([f"```python\n{PEEKS}```"], slow=[TRIANGLE], tests=[rows])
    finally:
        reward.close()
    record_of_reward = reward.last_records[0]
    assert record_of_reward is not None and value == reward.config.tiers.compile_error
    reasons["reward"] = (
        hacks.PEEKS if record_of_reward.verdict == "rejected" else None,
        record_of_reward.note,
    )

    expected = (hacks.PEEKS, "peeks: reads the environment (environ), which the original does not")
    assert reasons == {path: expected for path in ("optimize", "evaluate", "bench", "reward")}


def test_a_lone_short_answer_among_the_literals_is_no_proof() -> None:
    one_test = [TestCase("a", b"7\n", b"1000\n")]
    sized = "n = int(input())\nbuffer = [0] * 1000\nprint(n * 142 + 6)\n"
    assert hacks.embedded_outputs(sized, TRIANGLE, one_test, "python") is None
    long_answer = [TestCase("a", b"7\n", b"8128128\n")]
    assert hacks.embedded_outputs("input()\nprint(8128128)\n", TRIANGLE, long_answer, "python") is not None
