"""`perfcoder.rewards` on real programs in the real sandbox, called the way TRL's GRPOTrainer calls a
reward function: keyword arguments prompts, completions, completion_ids, the dataset's columns and
trainer_state."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from perfcoder.errors import PerfcoderError
from perfcoder.execution.limits import Limits
from perfcoder.rewards import RewardTiers, correctness_reward, perfrl_reward, speedup_reward
from tests.support.sums import GIVEN, INT_FORMULA, LOOP_SUM, WIDE_FORMULA

TESTS = [{"input": t.input.decode(), "output": (t.output or b"").decode()} for t in GIVEN]
WRONG = '#include <cstdio>\nint main() { puts("0"); }\n'
BROKEN = "int main() { return x; }\n"
FAILING_SLOW = '#include <cstdio>\nint main() { puts("nope"); }\n'


def chat(code: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": f"Faster:\n```cpp\n{code}```"}]


def call(reward, completions, slows):  # type: ignore[no-untyped-def]
    """As GRPOTrainer does: every dataset column repeated per completion, plus trainer_state."""
    return reward(
        prompts=[[{"role": "user", "content": "speed this up"}]] * len(completions),
        completions=completions,
        completion_ids=[[1, 2, 3]] * len(completions),
        slow=slows,
        tests=[TESTS] * len(completions),
        trainer_state=None,
    )


@pytest.fixture
def limits() -> dict[str, object]:
    from perfcoder.execution.engine import ExecutionConfig

    return {"execution": ExecutionConfig(limits=Limits(time_s=2.0))}


def test_each_verdict_gets_its_reward(private_cache: Path, limits: dict[str, object]) -> None:
    reward = speedup_reward("cpp", cost="instructions", **limits)
    completions = [chat(WIDE_FORMULA), chat(INT_FORMULA), chat(WRONG), chat(BROKEN), [], chat(WIDE_FORMULA)]
    values = call(reward, completions, [LOOP_SUM] * 6)
    verdicts = [r.verdict for r in reward.last_records]  # type: ignore[union-attr]
    assert verdicts == [
        "accepted",
        "wrong_answer",
        "wrong_answer",
        "compile_error",
        "compile_error",
        "accepted",
    ]
    assert values[0] is not None and values[0] > 1.0 and values[5] == values[0]  # judged once, same value
    assert values[1:5] == [0.0, 0.0, 0.0, 0.0]  # the overflow is caught on generated inputs
    assert "differs from the original" in reward.last_records[1].note  # type: ignore[union-attr]
    slow_cost = reward.last_records[0].slow_cost  # type: ignore[union-attr]
    assert values[0] == pytest.approx(slow_cost / reward.last_records[0].cost)  # type: ignore[operator, union-attr]
    correct = correctness_reward("cpp", cost="instructions", **limits)
    assert call(correct, completions[:3], [LOOP_SUM] * 3) == [1.0, 0.0, 0.0]
    reward.close()
    correct.close()


def test_a_broken_task_gives_no_reward_rather_than_zero(
    private_cache: Path, limits: dict[str, object]
) -> None:
    reward = speedup_reward("cpp", cost="instructions", **limits)
    values = call(reward, [chat(WIDE_FORMULA), chat(WIDE_FORMULA)], [FAILING_SLOW, LOOP_SUM])
    assert values[0] is None and values[1] is not None and values[1] > 1.0
    reward.close()


def test_rewards_are_picklable_named_and_check_their_columns(private_cache: Path) -> None:
    reward = speedup_reward("cpp", cost="instructions", log_speedup=True)
    assert reward.__name__ == "speedup_reward" and correctness_reward().__name__ == "correctness_reward"
    copy = pickle.loads(pickle.dumps(reward))
    assert copy.config == reward.config
    with pytest.raises(PerfcoderError, match="column 'tests'"):
        copy(completions=["x"], prompts=["p"], slow=[LOOP_SUM])


CRASH = "#include <cstdlib>\nint main() { abort(); }\n"
SPIN = "int main() { volatile unsigned long long i = 0; for (;;) i++; }\n"


def test_perfrl_tiers_follow_the_verdicts_of_real_programs(
    private_cache: Path, limits: dict[str, object]
) -> None:
    reward = perfrl_reward("cpp", cost="instructions", **limits)
    programs = [BROKEN, CRASH, SPIN, WRONG, INT_FORMULA, LOOP_SUM, WIDE_FORMULA]
    values = call(reward, [chat(p) for p in programs], [LOOP_SUM] * len(programs))
    verdicts = [r.verdict for r in reward.last_records]  # type: ignore[union-attr]
    assert (
        verdicts
        == ["compile_error", "runtime_error", "timeout", "wrong_answer", "wrong_answer"] + ["accepted"] * 2
    )
    assert values == [0.0, 1.0, 1.0, 1.0, 1.0, 1.3, 2.0]  # R1 < R2 (crash, timeout, wrong) < R3 (same) < R4
    custom = perfrl_reward("cpp", cost="instructions", tiers=RewardTiers(-1.0, 0.0, 0.5, 1.0), **limits)
    assert call(custom, [chat(BROKEN), chat(LOOP_SUM), chat(WIDE_FORMULA)], [LOOP_SUM] * 3) == [
        -1.0,
        0.5,
        1.0,
    ]
    with pytest.raises(PerfcoderError, match="must not decrease"):
        RewardTiers(failed=2.0)
    reward.close()
    custom.close()
