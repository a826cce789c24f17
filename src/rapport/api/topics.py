"""``/api/v1/topics``: what the customer messages of a period are about."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Annotated

from fastapi import APIRouter, Query

from rapport.api.auth import CurrentPrincipal, RequestSession
from rapport.api.params import text_query
from rapport.intelligence.scope_store import MessageScope
from rapport.intelligence.topics import top_topics
from rapport.intelligence.topics.schemas import TopicsOut, topics_out
from rapport.intelligence.topics.service import MAX_COUNT, MAX_EXAMPLES

router = APIRouter(tags=["insights"])


def aware(moment: datetime | None, tz: tzinfo = UTC) -> datetime | None:
    """A time without a zone is read in ``tz`` (by default UTC, the zone Rapport stores)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=tz)


@router.get("/topics", response_model=TopicsOut)
def list_topics(
    principal: CurrentPrincipal,
    session: RequestSession,
    since: Annotated[
        datetime | None, Query(description="Messages sent at or after (ISO 8601; UTC if no zone).")
    ] = None,
    until: Annotated[datetime | None, Query(description="Messages sent before.")] = None,
    channel: Annotated[str | None, text_query("Only this channel (its name).", 100)] = None,
    language: Annotated[
        str | None, text_query("Only messages read as this language (ISO 639-1).", 16)
    ] = None,
    count: Annotated[
        int | None, Query(ge=1, le=MAX_COUNT, description="Topics to find (default: chosen).")
    ] = None,
    examples: Annotated[int, Query(ge=1, le=MAX_EXAMPLES, description="Posts per topic.")] = 5,
    tz: Annotated[
        str | None, text_query("Cut each topic's days in this IANA zone (default UTC).", 64)
    ] = None,
) -> TopicsOut:
    """The top topics of the customer messages of a period, largest first: each with a
    label, size, share, sentiment split, languages and example posts. The same messages
    give the same topics. Each topic has its messages per local day of ``tz``."""
    scope = MessageScope(aware(since), aware(until), channel, language)
    report = top_topics(
        session.connection(), principal.workspace_id, scope, count=count, examples=examples,
        tz=tz,
    )  # fmt: skip
    return topics_out(report)
