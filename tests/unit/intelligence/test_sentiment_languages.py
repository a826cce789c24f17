"""Sentiment beyond the eight tweet languages the models were trained on: customer messages
in some seventy languages, labelled by reading them (``fixtures/sentiment_guard.tsv``)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from rapport.intelligence.datasets import XLMT_LANGUAGES
from rapport.intelligence.language import detect_languages
from rapport.intelligence.sentiment import (
    LABELS,
    _fast_model,
    analyse_sentiment,
    clean_for_sentiment,
)

GUARD = Path(__file__).parent / "fixtures" / "sentiment_guard.tsv"
TWEET_LANGUAGES = set(XLMT_LANGUAGES.values())


def _others() -> list[dict[str, str]]:
    with GUARD.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [r for r in rows if r["label"] != "skip" and r["language"] not in TWEET_LANGUAGES]


def test_the_fast_tier_reads_languages_it_has_no_labelled_tweets_in() -> None:
    rows = _others()
    assert len({r["language"] for r in rows}) >= 60
    texts = [r["text"] for r in rows]
    said = [r.label for r in analyse_sentiment(texts, "fast")]
    right = sum(s == r["label"] for s, r in zip(said, rows, strict=True)) / len(rows)
    # the n-gram model alone, without the word lexicon, is near chance on these
    languages = [g.code for g in detect_languages(texts)]
    probs = _fast_model().scores([clean_for_sentiment(t) for t in texts], languages)
    alone = [LABELS[k] for k in probs.argmax(axis=1).tolist()]
    right_alone = sum(s == r["label"] for s, r in zip(alone, rows, strict=True)) / len(rows)
    assert right >= 0.6, f"{right:.3f} of {len(rows)} right"
    assert right >= right_alone + 0.15, f"{right:.3f} against {right_alone:.3f} without it"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Takk kærlega fyrir hjálpina, þið eruð frábær!", "positive"),
        ("Pakkinn minn er ekki enn kominn, hvað er að gerast?", "negative"),
        ("Köszönöm szépen a gyors segítséget!", "positive"),
        ("A csomagom még mindig nem érkezett meg, mit tegyek?", "negative"),
        ("غذا خیلی خوشمزه بود، حتماً دوباره میایم", "positive"),
        ("سفارشم هنوز نرسیده، چیکار کنم؟", "negative"),
    ],
)
def test_the_founding_documents_languages(text: str, label: str) -> None:
    assert analyse_sentiment([text], "fast")[0].label == label
