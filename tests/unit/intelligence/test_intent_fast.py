"""The fast default-intent tier: every message gets an answer, and it rather says "other"
than name an intent it is unsure of."""

from __future__ import annotations

import csv
from pathlib import Path

from rapport.intelligence.intent import DEFAULT_LABELS
from rapport.intelligence.intent.fast import FastIntentModel

EVAL = Path(__file__).parent / "fixtures" / "intent_eval.csv"


def test_answers_every_line_in_order_with_default_labels() -> None:
    texts = ["Where is my parcel? It has been two weeks", "", "Ég vil fá endurgreiðslu"]
    results = FastIntentModel().classify(texts)
    assert len(results) == 3
    assert results[1].label == "other"
    assert all(r.label in DEFAULT_LABELS for r in results)
    assert all(abs(sum(r.scores.values()) - 1) < 0.01 for r in results)


def test_named_intents_are_mostly_right_on_held_out_messages() -> None:
    with EVAL.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    results = FastIntentModel().classify([row["text"] for row in rows])
    named = [
        (r.label, row["intent"]) for r, row in zip(results, rows, strict=True) if r.label != "other"
    ]
    assert len(named) >= 40
    assert sum(label == gold for label, gold in named) / len(named) >= 0.65
