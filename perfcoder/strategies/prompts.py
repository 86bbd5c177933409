"""Prompts for optimization (PIE §3.1): instruction, few-shot, chain-of-thought, retrieval-based
few-shot, performance-conditioned and (AlphaCode) value-conditioned, as chat messages; plus the
execution feedback that refinement adds. Each strategy is a small object with a name and one method,
so a new one plugs in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from perfcoder.models.base import Message

LANGUAGE_NAMES = {"cpp": "C++", "python": "Python"}
FENCE_TAGS = {"cpp": "cpp", "python": "python"}
SYSTEM = (
    "You are an expert programmer. You make programs faster while keeping their output exactly the same "
    "for every valid input."
)
WRITER_SYSTEM = "You are an expert competitive programmer. You write correct, complete programs."
SCORE_TAG = (
    "Optimized version with score {score}/10"  # PIE's performance-conditioned tag; training uses it too
)
VALUE_TAGS = {True: "CORRECT SOLUTION", False: "INCORRECT SOLUTION"}  # AlphaCode's value conditioning


@dataclass(frozen=True)
class Example:
    slow: str
    fast: str


def fenced(code: str, language: str) -> str:
    """A code block; a longer fence when the code holds one (a docstring's examples, say)."""
    fence = "````" if "```" in code else "```"
    return f"{fence}{FENCE_TAGS[language]}\n{code.rstrip()}\n{fence}"


def instruction(code: str, language: str) -> str:
    name = LANGUAGE_NAMES[language]
    return (
        f"Optimize this {name} program so that it runs faster on large inputs. It reads standard input and "
        f"must print exactly the same output as before. Reply with the complete optimized program in one "
        f"{name} code block.\n\n{fenced(code, language)}"
    )


@dataclass(frozen=True)
class InstructionStrategy:
    name: str = "instruction"

    def messages(self, code: str, language: str) -> list[Message]:
        return [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": instruction(code, language)},
        ]


@dataclass(frozen=True)
class ChainOfThoughtStrategy:
    name: str = "cot"

    def messages(self, code: str, language: str) -> list[Message]:
        ask = (
            instruction(code, language)
            + "\n\nFirst explain step by step where the program spends its time and which algorithm or data "
            "structure would do the same work faster; then give the complete optimized program."
        )
        return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": ask}]


@dataclass(frozen=True)
class FewShotStrategy:
    """k (slow, fast) pairs as earlier turns of the conversation; `choose` picks them for a program
    (the first k of a training set, or the k nearest by embedding for retrieval)."""

    choose: Callable[[str, int], Sequence[Example]]
    k: int = 2
    name: str = "fewshot"

    def messages(self, code: str, language: str) -> list[Message]:
        turns: list[Message] = [{"role": "system", "content": SYSTEM}]
        for example in self.choose(code, self.k):
            turns.append({"role": "user", "content": instruction(example.slow, language)})
            turns.append({"role": "assistant", "content": fenced(example.fast, language)})
        turns.append({"role": "user", "content": instruction(code, language)})
        return turns


@dataclass(frozen=True)
class ConditionedStrategy:
    """For models trained with performance tags: ask for the top score."""

    score: int = 10
    name: str = "conditioned"

    def messages(self, code: str, language: str) -> list[Message]:
        ask = f"{instruction(code, language)}\n\n{SCORE_TAG.format(score=self.score)}:"
        return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": ask}]


@dataclass(frozen=True)
class ValueConditionedStrategy:
    """For models trained with AlphaCode's value conditioning: ask for a correct solution."""

    correct: bool = True
    name: str = "valued"

    def messages(self, code: str, language: str) -> list[Message]:
        ask = f"{instruction(code, language)}\n\n{VALUE_TAGS[self.correct]}:"
        return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": ask}]


def new_program(code: str, language: str) -> list[Message]:
    """PIE's self-play: a program for a new task on the same input format, written from a seed program."""
    name = LANGUAGE_NAMES[language]
    ask = (
        f"Here is a {name} program that reads standard input:\n\n{fenced(code, language)}\n\n"
        f"Write a new {name} program that reads input in exactly the same format but computes something "
        "different: another task of similar difficulty whose answer depends on the input. It must be "
        "deterministic and print its answer to standard output. Reply with the complete program in one "
        f"{name} code block."
    )
    return [{"role": "system", "content": WRITER_SYSTEM}, {"role": "user", "content": ask}]


def feedback_turn(reply: str, report: str, language: str) -> list[Message]:
    """Refinement: the model's last answer and what execution said about it, then a request to do better."""
    ask = (
        f"{report}\n\nFix any problem and make the program faster still. Reply with the complete program in "
        f"one {LANGUAGE_NAMES[language]} code block."
    )
    return [{"role": "assistant", "content": reply}, {"role": "user", "content": ask}]


def first_examples(pool: Sequence[Example]) -> Callable[[str, int], Sequence[Example]]:
    """Few-shot examples: the first k of the pool that are not the program itself."""

    def choose(code: str, k: int) -> Sequence[Example]:
        return [example for example in pool if example.slow != code][:k]

    return choose
