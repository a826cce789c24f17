"""Share of voice arithmetic: mentions, shares, sentiment split and channels."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rapport.intelligence.listening.matching import MatchedMessage
from rapport.intelligence.listening.share import share_of_voice

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def m(message_id: int, sentiment: str | None, channel: str = "twitter") -> MatchedMessage:
    return MatchedMessage(message_id, 1, T0, channel, "en", sentiment, "other")


def test_shares_sentiment_and_channels() -> None:
    result = share_of_voice(
        {
            "Fjord & Pine": [
                m(1, "negative"),
                m(2, "positive", "email"),
                m(3, "positive"),
                m(4, None),
            ],
            "Rival": [m(3, "positive"), m(5, "negative", "facebook")],
            "Quiet": [],
        }
    )
    assert result.total_mentions == 6
    assert result.messages == 5  # message 3 mentions both brands and counts for both
    fp, rival, quiet = result.voices
    assert (fp.name, fp.mentions, fp.share) == ("Fjord & Pine", 4, pytest.approx(4 / 6))
    assert (fp.negative, fp.neutral, fp.positive, fp.unread) == (1, 0, 2, 1)
    assert fp.net_sentiment == pytest.approx((2 - 1) / 3)  # over read mentions only
    assert fp.channels == {"twitter": 3, "email": 1}
    assert (rival.mentions, rival.share, rival.net_sentiment) == (2, pytest.approx(2 / 6), 0.0)
    assert rival.channels == {"facebook": 1, "twitter": 1}
    assert (quiet.mentions, quiet.share, quiet.net_sentiment) == (0, 0.0, None)
    assert sum(v.share for v in result.voices) == pytest.approx(1.0)


def test_no_mentions_at_all() -> None:
    result = share_of_voice({"A": [], "B": []})
    assert result.total_mentions == 0
    assert [v.share for v in result.voices] == [0.0, 0.0]


def test_most_mentioned_first_then_by_name() -> None:
    result = share_of_voice({"b": [m(1, "neutral")], "a": [m(2, "neutral")], "c": []})
    assert [v.name for v in result.voices] == ["a", "b", "c"]
