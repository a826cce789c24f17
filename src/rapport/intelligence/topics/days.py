"""Each topic's messages per local day: folded from the quarter-hour tallies the topics kept
while assigning messages (no query per topic), in the user's time zone (pure)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rapport.intelligence.topics.summary import SlotTally, Topic, TopicDay
from rapport.intelligence.trends.buckets import bucket_starts, next_bucket
from rapport.intelligence.trends.series import fold
from rapport.intelligence.trends.store import SlotCount


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
    """The messages per local day starting at ``starts`` (every day present, empty ones 0)."""
    if not starts:
        return []
    counts = [
        SlotCount(slot, None, sentiment, count, 0.0) for (slot, sentiment), count in slots.items()
    ]
    [series] = fold(counts, starts, next_bucket(starts[-1], "day", tz), "day", tz, grouped=False)
    return [
        TopicDay(bucket.start.astimezone(tz).date(), bucket.start, bucket.total, bucket.negative)
        for bucket in series.buckets
    ]
