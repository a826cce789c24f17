"""The figures of the insights dashboard, one definition for the web page and the API:
customer messages per day, sentiment per day, intents and languages of a period.

Days are local days of the zone the user reads in, cut as the trends and the topics' days
are (``trends.buckets``): counted per UTC quarter hour, folded into local days."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from rapport.errors import InvalidInput
from rapport.intelligence.insights_store import counts_by, sentiment_per_slot
from rapport.intelligence.scope_store import UNREAD, MessageScope
from rapport.intelligence.trends.buckets import (
    bucket_start,
    bucket_starts,
    next_bucket,
    previous_bucket,
    time_zone,
)

SENTIMENTS = ("negative", "neutral", "positive", UNREAD)
# A period longer than this is shown from its first message on, not from `since`.
MAX_DAYS = 3660

# (UTC quarter hour, sentiment, messages), as the store counts them
SlotCounts = list[tuple[datetime, str, int]]


@dataclass(frozen=True, slots=True)
class DaySentiment:
    day: str
    negative: int = 0
    neutral: int = 0
    positive: int = 0
    unread: int = 0


@dataclass(frozen=True, slots=True)
class InsightFigures:
    """What the customers wrote in a period: ``messages`` in all, and per day (every day
    of the period, zero where none came), per sentiment and day, per intent and language
    (most first). Days are local days of ``tz``, ``YYYY-MM-DD``; ``starts`` holds when each
    one begins (UTC), so a day may last 23 or 25 hours."""

    scope: MessageScope
    messages: int
    volume: list[tuple[str, int]]
    sentiment: list[DaySentiment]
    intents: list[tuple[str, int]]
    languages: list[tuple[str, int]]
    tz: str = "UTC"
    starts: tuple[datetime, ...] = ()


def period_days(
    scope: MessageScope, slots: SlotCounts, tz: ZoneInfo, now: datetime | None = None
) -> list[datetime]:
    """The UTC starts of every local day from the scope's start (or its first message) to
    its end (or today, or its last message if later).

    A period reaching back further than :data:`MAX_DAYS` starts at its first message
    instead, so a far-off ``since`` does not make a list of empty days."""
    first_seen = slots[0][0] if slots else None
    try:
        if scope.until is not None:
            end = scope.until  # exclusive: a period ending at local midnight ends the day before
        else:
            end = next_bucket(bucket_start(now or datetime.now(UTC), "day", tz), "day", tz)
            if slots:
                end = max(end, next_bucket(bucket_start(slots[-1][0], "day", tz), "day", tz))
        start = scope.since or first_seen
        if start is None:
            return []
        if end - start > timedelta(days=MAX_DAYS):
            start = first_seen or previous_bucket(end, "day", tz)
        return bucket_starts(start, end, "day", tz)
    except OverflowError:  # a local day before year 1 or after 9999
        raise InvalidInput(f"since/until: too close to the calendar's ends in {tz.key}") from None


def fold_days(
    slots: SlotCounts, starts: list[datetime], tz: ZoneInfo
) -> tuple[list[tuple[str, int]], list[DaySentiment]]:
    """Messages per local day and per day and sentiment, for the days starting at ``starts``
    (every day present, empty ones 0); a sentiment the dashboard does not know is unread.

    Every local midnight falls on a UTC quarter hour, so a slot lies wholly in the day whose
    start is the last one at or before it (found by bisection, as for the topics' days)."""
    if not starts:
        return [], []
    end = next_bucket(starts[-1], "day", tz)
    per_day: list[dict[str, int]] = [{} for _ in starts]
    for slot, reading, count in slots:
        position = bisect_right(starts, slot) - 1
        if position < 0 or slot >= end:
            continue
        key = reading if reading in SENTIMENTS else UNREAD
        per_day[position][key] = per_day[position].get(key, 0) + count
    days = [start.astimezone(tz).date().isoformat() for start in starts]
    volume = [(day, sum(counts.values())) for day, counts in zip(days, per_day, strict=True)]
    sentiment = [DaySentiment(day, **counts) for day, counts in zip(days, per_day, strict=True)]
    return volume, sentiment


def insight_figures(
    conn: Connection,
    workspace_id: int,
    scope: MessageScope,
    tz: str | None = None,
    *,
    now: datetime | None = None,
) -> InsightFigures:
    """The dashboard's figures for the customer messages in ``scope``, the days cut in
    ``tz`` (an IANA name, default UTC; an unknown one is an :class:`InvalidInput`)."""
    zone = time_zone(tz)
    slots = sentiment_per_slot(conn, workspace_id, scope)
    starts = period_days(scope, slots, zone, now)
    volume, sentiment = fold_days(slots, starts, zone)
    return InsightFigures(
        scope=scope,
        messages=sum(count for _, _, count in slots),
        volume=volume,
        sentiment=sentiment,
        intents=counts_by(conn, workspace_id, scope, "intent"),
        languages=counts_by(conn, workspace_id, scope, "language"),
        tz=zone.key,
        starts=tuple(starts),
    )
