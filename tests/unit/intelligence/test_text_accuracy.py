"""Accuracy floors on the xlm-t val sets (never trained on): what a user would notice drop."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import shared_data

from rapport.intelligence.datasets import checked_languages, read_language_checks, read_xlmt
from rapport.intelligence.evaluation import evaluate
from rapport.intelligence.language import detect_languages
from rapport.intelligence.sentiment import analyse_sentiment

CHECKED = Path(__file__).resolve().parent / "fixtures" / "xlmt_val_languages.tsv"


def test_language_accuracy_on_single_tweets() -> None:
    # the xlm-t sets are labelled by where a tweet was collected (the Hindi one is a third
    # English): the tweets whose language was checked by hand are judged by that language
    items = read_xlmt(shared_data("sentiment/xlmt"), "val", "language")
    gold = checked_languages(items, read_language_checks(CHECKED))
    predicted = [g.code for g in detect_languages([i.text for i in items])]
    figures = evaluate(gold, predicted, [i.label for i in items])
    assert figures.accuracy >= 0.98  # the target of issue 4
    for code, sub in figures.per_language.items():
        # romanized Hindi is the hardest: short, spelled many ways, unknown to lid.176
        assert sub.accuracy >= (0.85 if code == "hi" else 0.95), code


def test_fast_sentiment_macro_f1() -> None:
    items = read_xlmt(shared_data("sentiment/xlmt"), "val", "sentiment")
    results = analyse_sentiment([i.text for i in items])
    figures = evaluate(
        [i.label for i in items], [r.label for r in results], [i.language for i in items]
    )
    mean = sum(s.macro_f1 for s in figures.per_language.values()) / len(figures.per_language)
    assert mean >= 0.55
