"""What the insights page shows, read in one place: the period's figures, topics, response
times, and the posts behind any chart element."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rapport.engage.sla import sla_report
from rapport.intelligence.insights import InsightFigures, insight_figures
from rapport.intelligence.insights_store import PostFilter, PostRow, posts_behind
from rapport.intelligence.listening.matching import MatchedMessage
from rapport.intelligence.listening.service import brand_voices
from rapport.intelligence.listening.share import ShareOfVoice
from rapport.intelligence.scope_store import MessageScope
from rapport.intelligence.topics import TopicReport, top_topics
from rapport.intelligence.trends.buckets import local_midnight
from rapport.store.db import Database

PERIODS = {"7": "Last 7 days", "30": "Last 30 days", "90": "Last 90 days", "all": "All time"}
DEFAULT_PERIOD = "30"
DASHBOARD_TOPICS = 10


def period_of(value: str | None) -> str:
    """A known period key (the default for anything else)."""
    return value if value in PERIODS else DEFAULT_PERIOD


def period_scope(period: str, tz: ZoneInfo, now: datetime | None = None) -> MessageScope:
    """The customer messages of the last ``period`` local days of ``tz``, today included,
    each whole from its midnight (all of them for ``all``)."""
    if period == "all":
        return MessageScope()
    today = (now or datetime.now(UTC)).astimezone(tz).date()
    return MessageScope(since=local_midnight(today - timedelta(days=int(period) - 1), tz))


@dataclass(frozen=True, slots=True)
class Dashboard:
    figures: InsightFigures
    topics: TopicReport
    sla: dict[str, Any]
    # share of voice between the brand queries, and each brand's mentions; None: no brands
    voices: ShareOfVoice | None = None
    mentions: dict[str, list[MatchedMessage]] = field(default_factory=dict)


def load_dashboard(
    db: Database, workspace_id: int, scope: MessageScope, tz: str | None = None
) -> Dashboard:
    """Every panel's figures for ``scope``, read in one transaction; the days of the charts
    and of the topics are cut in ``tz``."""
    with db.session() as session:
        conn = session.connection()
        voices = brand_voices(
            session, workspace_id, since=scope.since, until=scope.until, channel=scope.channel
        )
        return Dashboard(
            figures=insight_figures(conn, workspace_id, scope, tz),
            topics=top_topics(conn, workspace_id, scope, count=None, examples=3, tz=tz),
            sla=sla_report(conn, workspace_id, since=scope.since, until=scope.until),
            voices=voices[0] if voices else None,
            mentions=voices[1] if voices else {},
        )


def load_posts(
    db: Database, workspace_id: int, scope: MessageScope, which: PostFilter, page: int, size: int
) -> tuple[list[PostRow], int]:
    """Page ``page`` (from 1) of ``size`` posts behind a chart element, newest first."""
    with db.session() as session:
        return posts_behind(
            session.connection(), workspace_id, scope, which, limit=size, offset=(page - 1) * size
        )
