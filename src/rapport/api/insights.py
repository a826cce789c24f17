"""``/api/v1/insights``: the figures of the insights dashboard, and the posts behind them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from rapport.api.auth import CurrentPrincipal, RequestSession
from rapport.api.params import PagingDep, text_query
from rapport.api.schemas import PageOut
from rapport.api.topics import aware
from rapport.intelligence.insights import insight_figures
from rapport.intelligence.insights_store import PostFilter, posts_behind
from rapport.intelligence.scope_store import MessageScope
from rapport.intelligence.trends.buckets import time_zone

router = APIRouter(prefix="/insights", tags=["insights"])

Since = Annotated[
    datetime | None,
    Query(description="Messages sent at or after (ISO 8601; a time without a zone is in tz)."),
]
Until = Annotated[datetime | None, Query(description="Messages sent before.")]
Channel = Annotated[str | None, text_query("Only this channel (its name).", 100)]
Language = Annotated[str | None, text_query("Only this language (ISO 639-1; und, unread).", 16)]
Tz = Annotated[
    str | None, text_query("Cut the days in this IANA zone, e.g. Asia/Tehran (default UTC).", 64)
]


class DayCountOut(BaseModel):
    day: str = Field(description="A local day of tz, YYYY-MM-DD.")
    start: datetime = Field(description="When that day starts, with the zone's offset.")
    messages: int


class DaySentimentOut(BaseModel):
    day: str = Field(description="A local day of tz, YYYY-MM-DD.")
    negative: int
    neutral: int
    positive: int
    unread: int = Field(description="Messages not read by the enrichment yet.")


class IntentCountOut(BaseModel):
    intent: str
    messages: int


class LanguageCountOut(BaseModel):
    language: str
    messages: int


class InsightsOut(BaseModel):
    since: datetime | None
    until: datetime | None
    tz: str = Field(description="The time zone the days are cut in.")
    messages: int = Field(description="Customer messages in the period.")
    volume: list[DayCountOut] = Field(description="Every day of the period, oldest first.")
    sentiment: list[DaySentimentOut]
    intents: list[IntentCountOut] = Field(description="Most first.")
    languages: list[LanguageCountOut] = Field(description="Most first.")


class PostOut(BaseModel):
    message_id: int
    conversation_id: int
    sent_at: datetime
    author: str
    channel: str
    text: str
    language: str | None
    sentiment: str | None
    intent: str | None


@router.get("", response_model=InsightsOut)
def get_insights(
    principal: CurrentPrincipal,
    session: RequestSession,
    since: Since = None,
    until: Until = None,
    channel: Channel = None,
    language: Language = None,
    tz: Tz = None,
) -> InsightsOut:
    """Customer messages per day, sentiment per day, intents and languages of a period:
    the figures the /insights page charts. Days are local days of ``tz``."""
    zone = time_zone(tz)
    scope = MessageScope(aware(since, zone), aware(until, zone), channel, language)
    figures = insight_figures(session.connection(), principal.workspace_id, scope, zone.key)
    return InsightsOut(
        since=scope.since and scope.since.astimezone(zone),
        until=scope.until and scope.until.astimezone(zone),
        tz=zone.key,
        messages=figures.messages,
        volume=[
            DayCountOut(day=day, start=start.astimezone(zone), messages=n)
            for (day, n), start in zip(figures.volume, figures.starts, strict=True)
        ],
        sentiment=[
            DaySentimentOut.model_validate(d, from_attributes=True) for d in figures.sentiment
        ],
        intents=[IntentCountOut(intent=k, messages=n) for k, n in figures.intents],
        languages=[LanguageCountOut(language=k, messages=n) for k, n in figures.languages],
    )


@router.get("/posts", response_model=PageOut[PostOut])
def list_posts(
    principal: CurrentPrincipal,
    session: RequestSession,
    paging: PagingDep,
    since: Since = None,
    until: Until = None,
    channel: Channel = None,
    language: Language = None,
    day: Annotated[date | None, Query(description="Only this local day of tz.")] = None,
    sentiment: Annotated[
        Literal["negative", "neutral", "positive", "unread"] | None, Query()
    ] = None,
    intent: Annotated[str | None, text_query("Only this intent (or unread).", 64)] = None,
    tz: Tz = None,
) -> PageOut[PostOut]:
    """The customer messages behind a figure of the dashboard, newest first: with ``day``
    and ``tz`` exactly those of that day's bar."""
    zone = time_zone(tz)
    scope = MessageScope(aware(since, zone), aware(until, zone), channel)
    which = PostFilter(day=day, tz=zone, sentiment=sentiment, intent=intent, language=language)
    rows, total = posts_behind(
        session.connection(),
        principal.workspace_id,
        scope,
        which,
        limit=paging.limit,
        offset=paging.offset,
    )
    return PageOut[PostOut](
        items=[PostOut.model_validate(row, from_attributes=True) for row in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )
