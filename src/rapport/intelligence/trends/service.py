"""Trends over time: the series a user asks for (``rapport trends``, ``GET /api/v1/trends``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from rapport.errors import InvalidInput
from rapport.intelligence.trends import store
from rapport.intelligence.trends.buckets import (
    Interval,
    bucket_starts,
    interval_of,
    next_bucket,
    time_zone,
)
from rapport.intelligence.trends.series import Series, fold

DEFAULT_SPAN = {"hour": timedelta(days=2), "day": timedelta(days=30)}


@dataclass(frozen=True, slots=True)
class Trends:
    """Series of one request; ``since``/``until`` are the first bucket's start and the last
    one's end (whole local buckets), ``tz`` the zone they were cut in."""

    by: str | None
    interval: Interval
    tz: str
    since: datetime
    until: datetime
    series: list[Series]


def trend_series(
    session: Session,
    workspace_id: int,
    *,
    by: str | None = None,
    interval: str = "hour",
    since: datetime | None = None,
    until: datetime | None = None,
    tz: str | None = None,
    now: datetime | None = None,
) -> Trends:
    """Inbound volume and sentiment per local hour or day in ``[since, until)``, whole or
    split ``by`` channel, intent, language or sentiment; empty buckets are zeros.

    Defaults: ``until`` now, ``since`` two days (hours) or thirty days (days) earlier."""
    if by is not None and by not in store.FIELDS:
        raise InvalidInput(f"by: must be one of {', '.join(store.FIELDS)}, not {by!r}")
    step = interval_of(interval)
    zone = time_zone(tz)
    for name, moment in (("since", since), ("until", until)):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput(f"{name}: give a time with its zone, like 2026-11-01T09:00+01:00")
    end = until or now or datetime.now(UTC)
    start = since or end - DEFAULT_SPAN[step]
    if start >= end:
        raise InvalidInput("since: must be before until")
    starts = bucket_starts(start, end, step, zone)
    last_end = next_bucket(starts[-1], step, zone)
    slots = store.slot_counts(
        session.connection(), workspace_id, since=starts[0], until=last_end, by=by
    )
    series = fold(slots, starts, last_end, step, zone, grouped=by is not None)
    return Trends(by, step, zone.key, starts[0], last_end, series)


def trends_document(trends: Trends) -> dict[str, Any]:
    """The series as JSON-ready data (the API answers the same)."""
    zone = time_zone(trends.tz)
    return {
        "by": trends.by,
        "interval": trends.interval,
        "tz": trends.tz,
        "since": trends.since.astimezone(zone).isoformat(),
        "until": trends.until.astimezone(zone).isoformat(),
        "series": [
            {
                "key": series.key,
                "total": series.total,
                "buckets": [
                    {
                        "start": b.start.astimezone(zone).isoformat(),
                        "end": b.end.astimezone(zone).isoformat(),
                        "total": b.total,
                        "negative": b.negative,
                        "neutral": b.neutral,
                        "positive": b.positive,
                        "negative_share": b.negative_share,
                        "mean_score": b.mean_score,
                    }
                    for b in series.buckets
                ],
            }
            for series in trends.series
        ],
    }
