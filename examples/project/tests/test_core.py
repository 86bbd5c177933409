import pytest
from textstats import dedupe_in_place, moving_average, render_report, unique_words, word_counts

TEXT = "the quick brown fox jumps over the lazy dog the fox " * 20


def test_unique_words_keeps_first_occurrences():
    assert unique_words(TEXT.split()) == ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog"]
    assert unique_words([]) == []


def test_word_counts():
    counts = word_counts(TEXT)
    assert counts["the"] == 60
    assert counts["dog"] == 20


def test_render_report_orders_by_frequency():
    report = render_report(word_counts(TEXT))
    assert report.splitlines()[0] == "the: 60"
    assert report.endswith("quick: 20\n")


def test_moving_average():
    assert moving_average([1.0, 2.0, 3.0, 4.0], 2) == [1.5, 2.5, 3.5]
    with pytest.raises(ValueError):
        moving_average([1.0], 0)


def test_dedupe_in_place():
    items = [3, 1, 3, 2, 1, 3] * 10
    assert dedupe_in_place(items) == 57
    assert items == [3, 1, 2]
