"""Share of voice: how the mentions of a set of queries (brands, say) divide between them.

Pure arithmetic over matched messages. A message that matches two queries is a mention of
both, so the mentions add up to more than the messages when queries overlap, and each
share is a query's mentions over the sum of all mentions (the shares add up to 1).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from rapport.intelligence.listening.matching import MatchedMessage

SENTIMENTS = ("negative", "neutral", "positive")


@dataclass(frozen=True, slots=True)
class Voice:
    """One query's mentions. ``net_sentiment`` is (positive - negative) / read mentions,
    from -1 to 1, None when no mention was read; ``unread`` mentions have no sentiment."""

    name: str
    mentions: int
    share: float
    negative: int
    neutral: int
    positive: int
    unread: int
    net_sentiment: float | None
    channels: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ShareOfVoice:
    since: datetime | None
    until: datetime | None
    total_mentions: int
    messages: int  # distinct messages among the mentions
    voices: list[Voice]


def _voice(name: str, mentions: list[MatchedMessage], total: int) -> Voice:
    sentiments = Counter(m.sentiment for m in mentions)
    negative, neutral, positive = (sentiments.get(s, 0) for s in SENTIMENTS)
    read = negative + neutral + positive
    channels = Counter(m.channel for m in mentions)
    return Voice(
        name=name,
        mentions=len(mentions),
        share=len(mentions) / total if total else 0.0,
        negative=negative,
        neutral=neutral,
        positive=positive,
        unread=len(mentions) - read,
        net_sentiment=(positive - negative) / read if read else None,
        channels=dict(sorted(channels.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


def share_of_voice(
    matches: Mapping[str, Iterable[MatchedMessage]],
    since: datetime | None = None,
    until: datetime | None = None,
) -> ShareOfVoice:
    """Mentions, share, sentiment split and channels per query, most mentioned first."""
    listed = {name: list(found) for name, found in matches.items()}
    total = sum(len(found) for found in listed.values())
    distinct = {m.message_id for found in listed.values() for m in found}
    voices = [_voice(name, found, total) for name, found in listed.items()]
    voices.sort(key=lambda v: (-v.mentions, v.name))
    return ShareOfVoice(since, until, total, len(distinct), voices)
