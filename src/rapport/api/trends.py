"""``GET /api/v1/trends``: inbound volume and sentiment over time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from rapport.api.auth import CurrentPrincipal, RequestSession
from rapport.api.params import text_query
from rapport.intelligence.trends.service import trend_series, trends_document

router = APIRouter(tags=["trends"])


def _utc(moment: datetime | None) -> datetime | None:
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


@router.get("/trends")
def get_trends(
    principal: CurrentPrincipal,
    session: RequestSession,
    by: Annotated[
        Literal["channel", "intent", "language", "sentiment"] | None,
        Query(description="Split the series by this field."),
    ] = None,
    interval: Annotated[Literal["hour", "day"], Query(description="Bucket size.")] = "hour",
    since: Annotated[
        datetime | None, Query(description="From (default: 2 or 30 days back).")
    ] = None,
    until: Annotated[datetime | None, Query(description="Until (default: now).")] = None,
    tz: Annotated[str, text_query("IANA time zone of the buckets, e.g. Asia/Tehran.", 64)] = "UTC",
) -> Any:
    """Per local hour or day: messages, negative/neutral/positive readings, negative share
    and mean score (-1..1), for the workspace or per channel, intent, language or sentiment;
    empty buckets are zeros, times carry the zone's offset."""
    trends = trend_series(
        session,
        principal.workspace_id,
        by=by,
        interval=interval,
        since=_utc(since),
        until=_utc(until),
        tz=tz,
    )
    return trends_document(trends)
