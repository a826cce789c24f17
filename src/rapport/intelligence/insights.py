"""The figures of the insights dashboard, one definition for the web page and the API:
customer messages per day, sentiment per day, intents and languages of a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Connection

from rapport.intelligence.insights_store import counts_by, sentiment_per_day, volume_per_day
from rapport.intelligence.scope_store import UNREAD, MessageScope

SENTIMENTS = ("negative", "neutral", "positive", UNREAD)
# A period longer than this is shown from its first message on, not from `since`.
MAX_DAYS = 3660


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
    (most first). Days are UTC days, ``YYYY-MM-DD``."""

    scope: MessageScope
    messages: int
    volume: list[tuple[str, int]]
    sentiment: list[DaySentiment]
    intents: list[tuple[str, int]]
    languages: list[tuple[str, int]]


def _days(first: date, last: date) -> list[str]:
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def _period_days(scope: MessageScope, seen: list[str]) -> list[str]:
    """Every day from the scope's start (or its first message) to its end (or today).

    A period reaching back further than :data:`MAX_DAYS` starts at its first message
    instead, so a far-off ``since`` does not make a list of empty days."""
    first_seen = date.fromisoformat(seen[0]) if seen else None
    if scope.until is not None:
        end = scope.until  # exclusive: a period ending at midnight ends the day before
        last = end.date() - timedelta(days=1) if end.time() == time() else end.date()
    else:
        last = datetime.now(UTC).date()
    if seen:
        last = max(last, date.fromisoformat(seen[-1]))
    first = scope.since.date() if scope.since is not None else first_seen
    if first_seen is not None and first is not None:
        first = min(first, first_seen)
    if first is None or first > last:
        return []
    if (last - first).days > MAX_DAYS:
        first = first_seen or last
    return _days(first, last)


def insight_figures(conn: Connection, workspace_id: int, scope: MessageScope) -> InsightFigures:
    """The dashboard's figures for the customer messages in ``scope``."""
    volume = dict(volume_per_day(conn, workspace_id, scope))
    days = _period_days(scope, sorted(volume))
    per_day: dict[str, dict[str, int]] = {day: {} for day in days}
    for day, sentiment, count in sentiment_per_day(conn, workspace_id, scope):
        key = sentiment if sentiment in SENTIMENTS else UNREAD
        bucket = per_day.setdefault(day, {})
        bucket[key] = bucket.get(key, 0) + count
    return InsightFigures(
        scope=scope,
        messages=sum(volume.values()),
        volume=[(day, volume.get(day, 0)) for day in days],
        sentiment=[DaySentiment(day, **per_day[day]) for day in days],
        intents=counts_by(conn, workspace_id, scope, "intent"),
        languages=counts_by(conn, workspace_id, scope, "language"),
    )
