"""A small text-statistics package with real inefficiencies, for `perfcoder optimize FILE::FUNCTION`."""

from textstats.core import dedupe_in_place, moving_average, render_report, unique_words, word_counts

__all__ = ["dedupe_in_place", "moving_average", "render_report", "unique_words", "word_counts"]
