"""Word statistics. Each function here works, and each is slower than it needs to be."""

from __future__ import annotations


def unique_words(words: list[str]) -> list[str]:
    """The words in order of first appearance, each once (a membership test on a list: quadratic)."""
    seen: list[str] = []
    for word in words:
        if word not in seen:
            seen.append(word)
    return seen


def word_counts(text: str) -> dict[str, int]:
    """How often each word occurs (counts every word again for each occurrence)."""
    words = text.lower().split()
    return {word: words.count(word) for word in words}


def render_report(counts: dict[str, int]) -> str:
    """One line per word, most frequent first (builds the text by repeated concatenation)."""
    report = ""
    for word in sorted(counts, key=lambda w: (-counts[w], w)):
        report = report + word + ": " + str(counts[word]) + "\n"
    return report


def moving_average(values: list[float], window: int) -> list[float]:
    """Means of each window of consecutive values (sums every window from scratch)."""
    if window <= 0:
        raise ValueError("window must be positive")
    return [sum(values[i : i + window]) / window for i in range(len(values) - window + 1)]


def dedupe_in_place(items: list[int]) -> int:
    """Removes repeated items from the list itself, keeping first occurrences; returns how many went."""
    removed = 0
    i = 0
    while i < len(items):
        if items[i] in items[:i]:
            del items[i]
            removed += 1
        else:
            i += 1
    return removed
