"""Sentiment as a user sees it: clear cases in several languages, empty lines, scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from rapport.intelligence.sentiment import LABELS, analyse_sentiment, clean_for_sentiment


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I love this, thank you so much! 😍", "positive"),
        ("Worst service ever. Never again, I hate it 😡", "negative"),
        ("Grazie mille, bellissimo!", "positive"),
        ("Das ist schrecklich, total enttäuscht", "negative"),
    ],
)
def test_clear_cases(text: str, label: str) -> None:
    assert analyse_sentiment([text])[0].label == label


def test_empty_line_is_neutral_and_scores_sum_to_one() -> None:
    results = analyse_sentiment(["", "Merci beaucoup, c'est parfait"])
    assert results[0].label == "neutral"
    for result in results:
        assert set(result.scores) == set(LABELS)
        assert sum(result.scores.values()) == pytest.approx(1.0, abs=1e-3)
        assert result.score == max(result.scores.values())


def test_handles_and_links_are_made_generic() -> None:
    cleaned = clean_for_sentiment("@FjordPine sooooo good!!! https://t.co/abc")
    assert "fjordpine" not in cleaned
    assert cleaned.startswith("@ user")
    assert "http" in cleaned
    assert "soo good" in cleaned


def test_accurate_tier_answers_in_order_with_scores() -> None:
    texts = ["Thank you, this is wonderful!", "", "Il servizio è pessimo, sono furioso"]
    results = analyse_sentiment(texts, "accurate")
    assert [r.label for r in results] == ["positive", "neutral", "negative"]
    assert sum(results[0].scores.values()) == pytest.approx(1.0, abs=1e-3)


def test_a_hugging_face_folder_without_transformers_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rapport.config import get_settings
    from rapport.errors import InvalidModel

    monkeypatch.setenv("RAPPORT_SENTIMENT_MODEL_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        with pytest.raises(InvalidModel, match=r"config\.json"):
            analyse_sentiment(["hello"])
    finally:
        monkeypatch.delenv("RAPPORT_SENTIMENT_MODEL_DIR")
        get_settings.cache_clear()


def test_accurate_tier_reads_the_language_it_is_given() -> None:
    # the e5 head has a part per xlm-t language: the same words said to be German or
    # Hindi score differently, and a language it has no part for gets the general part
    import numpy as np

    from rapport.intelligence.sentiment import _accurate_head, embed, fast_scores

    head = _accurate_head()
    assert {"de", "hi", "en"} <= set(head.languages)
    vectors = embed(["Kein Kommentar."] * 3)
    fast = np.repeat(fast_scores(["Kein Kommentar."], ["de"]), 3, axis=0)
    german, hindi, other = head.scores(vectors, ["de", "hi", "sw"], fast)
    general = head.scores(vectors[:1], [""], fast[:1])[0]
    assert abs(german - hindi).max() > 0.01
    assert other == pytest.approx(general, abs=1e-6)
    assert german.sum() == pytest.approx(1.0, abs=1e-3)


def test_the_stacked_head_weighs_the_fast_tier_itself() -> None:
    # the head reads the fast tier's probabilities: a confident fast "negative" pulls the
    # answer that way, and without them it says plainly what it needs
    import numpy as np

    from rapport.intelligence.sentiment import _accurate_head, embed

    head = _accurate_head()
    assert head.reads_fast
    vectors = embed(["ok"] * 2)
    sure = np.array([[0.98, 0.01, 0.01], [0.01, 0.01, 0.98]], np.float32)
    negative, positive = head.scores(vectors, ["en", "en"], sure)
    assert negative[0] > positive[0]
    assert positive[2] > negative[2]
    with pytest.raises(ValueError, match="fast tier"):
        head.scores(vectors, ["en", "en"])


def test_emoji_hidden_by_mojibake_count_as_the_emoji() -> None:
    # emoji as UTF-8 read as Windows-1252 on its way in; the repaired text reads the same
    crying, angry = "Nai yar 😭", "So slow 😡😡"
    assert clean_for_sentiment(_as_windows_1252(crying)) == clean_for_sentiment(crying)
    broken, repaired = analyse_sentiment([_as_windows_1252(angry), angry])
    assert broken == repaired
    assert clean_for_sentiment("café crème") == "café crème"  # clean text is left alone


def _as_windows_1252(text: str) -> str:
    return text.encode("utf-8").decode("cp1252")
