"""Each topic's messages per local day: folded from the quarter-hour tallies the topics kept
while assigning messages (no query per topic), in the user's time zone (pure)."""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime
from zoneinfo import ZoneInfo

from rapport.intelligence.topics.summary import SlotTally, Topic, TopicDay
from rapport.intelligence.trends.buckets import bucket_starts, next_bucket


def day_starts(
    topics: list[Topic], since: datetime | None, until: datetime | None, tz: ZoneInfo
) -> list[datetime]:
    """The local days every topic's series spans: the period's, or where it is open, from
    the first to the last message of any topic."""
    seen = [slot for topic in topics for slot, _ in topic.slots]
    if not seen and (since is None or until is None):
        return []
    start = since or min(seen)
    end = until or next_bucket(max(seen), "day", tz)
    return bucket_starts(start, end, "day", tz)


def topic_days(slots: SlotTally, starts: list[datetime], tz: ZoneInfo) -> list[TopicDay]:
    """The messages per local day starting at ``starts`` (every day present, empty ones 0).

    Every local midnight of the tz database falls on a UTC quarter hour, so a slot lies
    wholly in the day whose start is the last one at or before it (found by bisection,
    without a zone conversion per slot)."""
    if not starts:
        return []
    end = next_bucket(starts[-1], "day", tz)
    totals = [0] * len(starts)
    negatives = [0] * len(starts)
    for (slot, sentiment), count in slots.items():
        position = bisect_right(starts, slot) - 1
        if position < 0 or slot >= end:
            continue
        totals[position] += count
        if sentiment == "negative":
            negatives[position] += count
    return [
        TopicDay(start.astimezone(tz).date(), start, total, negative)
        for start, total, negative in zip(starts, totals, negatives, strict=True)
    ]
