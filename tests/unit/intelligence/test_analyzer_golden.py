"""The default analyzer answers exactly as it did before its enrichment was made faster."""

from __future__ import annotations

import json

import pytest
from tests.conftest import shared_data
from tests.unit.intelligence.analyzer_golden import (
    EDGE_CASES,
    GOLDEN,
    TWCS,
    golden_texts,
    readings,
)

from rapport.intelligence.analyzer import DefaultAnalyzer


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return golden_texts(shared_data(TWCS).parents[1])


def test_every_reading_is_the_recorded_one(texts: list[str]) -> None:
    recorded = json.loads(GOLDEN.read_text("utf-8"))
    assert len(texts) == len(recorded)
    found = readings(texts)
    differing = [
        (index, texts[index][:60], want, got)
        for index, (want, got) in enumerate(zip(recorded, found, strict=True))
        if want != got
    ]
    assert not differing, f"{len(differing)} readings changed, first: {differing[:3]}"


def test_a_text_reads_the_same_alone_as_in_a_batch(texts: list[str]) -> None:
    analyzer = DefaultAnalyzer()
    together = analyzer.analyze(texts)
    picked = [0, 7, 401, 500, len(texts) - len(EDGE_CASES), len(texts) - 1]
    for index in picked:
        assert analyzer.analyze([texts[index]]) == [together[index]]
    # and in a batch that holds the same text more than once
    doubled = analyzer.analyze([texts[3], texts[3], texts[9]])
    assert doubled == [together[3], together[3], together[9]]
