"""`--strategy` names a prompting strategy; few-shot ones draw examples from a pairs file (PIE schema)
or, by default, from the small built-in pool of the language."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from perfcoder.data.pairs import load_pairs
from perfcoder.errors import PerfcoderError
from perfcoder.strategies.prompts import (
    ChainOfThoughtStrategy,
    ConditionedStrategy,
    Example,
    FewShotStrategy,
    InstructionStrategy,
    ValueConditionedStrategy,
    first_examples,
)
from perfcoder.strategies.search import PromptStrategy

STRATEGIES = ("instruction", "fewshot", "cot", "retrieval", "conditioned", "valued")


def example_pool(language: str, path: Path | None = None) -> list[Example]:
    """(slow, fast) examples of one language from a pairs file, or the built-in pool."""
    source = path or Path(str(resources.files("perfcoder.strategies").joinpath(f"fewshot/{language}.jsonl")))
    loaded = load_pairs(source)
    pool = [Example(p.slow, p.fast) for p in loaded.items if p.fast and p.language == language]
    if not pool:
        raise PerfcoderError(f"{source}: no {language} pairs with a fast program to use as examples")
    return pool


def make_strategy(name: str, language: str, shots: int = 2, examples: Path | None = None) -> PromptStrategy:
    if name == "instruction":
        return InstructionStrategy()
    if name == "cot":
        return ChainOfThoughtStrategy()
    if name == "conditioned":
        return ConditionedStrategy()
    if name == "valued":
        return ValueConditionedStrategy()
    if name == "fewshot":
        return FewShotStrategy(first_examples(example_pool(language, examples)), shots)
    if name == "retrieval":
        from perfcoder.strategies.retrieval import nearest_examples

        return FewShotStrategy(nearest_examples(example_pool(language, examples)), shots, name="retrieval")
    raise PerfcoderError(f"unknown strategy {name!r} (known: {', '.join(STRATEGIES)})")
