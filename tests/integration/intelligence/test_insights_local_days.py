"""The dashboard's days in the user's zone, on SQLite and PostgreSQL: each bar counts the
messages of one local day (Tehran at +03:30, Berlin across both daylight-saving changes),
and the posts behind a bar are exactly the messages it counts."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from tests.integration.intelligence.insight_days_data import MOMENTS, SENTIMENTS, store_moments

from rapport.intelligence.insights import insight_figures
from rapport.intelligence.insights_store import PostFilter, posts_behind
from rapport.intelligence.scope_store import MessageScope
from rapport.store.db import Database
from rapport.store.models import Message, MessageEnrichment


def _expected(db: Database, workspace_id: int, zone: ZoneInfo) -> dict[tuple[str, str], set[int]]:
    """The ids per (local day, sentiment), straight from the database."""
    with db.session() as session:
        rows = session.execute(
            select(Message.id, Message.sent_at, MessageEnrichment.sentiment)
            .outerjoin(MessageEnrichment, MessageEnrichment.message_id == Message.id)
            .where(Message.workspace_id == workspace_id)
        ).all()
    found: dict[tuple[str, str], set[int]] = defaultdict(set)
    for message_id, sent_at, sentiment in rows:
        day = sent_at.astimezone(zone).date().isoformat()
        found[day, sentiment or "unread"].add(message_id)
    return found


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize("zone_name", ["Europe/Berlin", "Asia/Tehran", "UTC"])
def test_every_bar_counts_the_local_day_and_lists_exactly_its_posts(
    db: Database, workspace_id: int, zone_name: str
) -> None:
    store_moments(db, workspace_id)
    zone = ZoneInfo(zone_name)
    expected = _expected(db, workspace_id, zone)
    scope = MessageScope()
    with db.session() as session:
        conn = session.connection()
        figures = insight_figures(conn, workspace_id, scope, zone_name)
        assert figures.tz == zone_name
        assert figures.messages == len(MOMENTS)
        for (day, volume), bar in zip(figures.volume, figures.sentiment, strict=True):
            assert bar.day == day
            wanted = {s: expected.get((day, s), set()) for s in (*SENTIMENTS, "unread")}
            assert volume == sum(len(ids) for ids in wanted.values())
            for sentiment, ids in wanted.items():
                assert getattr(bar, sentiment) == len(ids), (day, sentiment)
            which = PostFilter(day=date.fromisoformat(day), tz=zone)
            rows, total = posts_behind(conn, workspace_id, scope, which, limit=100)
            assert total == volume
            assert {row.message_id for row in rows} == set().union(*wanted.values())
            for sentiment, ids in wanted.items():
                per = PostFilter(day=date.fromisoformat(day), tz=zone, sentiment=sentiment)
                rows, total = posts_behind(conn, workspace_id, scope, per, limit=100)
                assert (total, {row.message_id for row in rows}) == (len(ids), ids)
    days = [day for day, _ in figures.volume]
    assert days == sorted(days)
    assert {day for day, _ in expected} <= set(days)


def test_tehran_and_berlin_days_differ_from_utc_days(db: Database, workspace_id: int) -> None:
    store_moments(db, workspace_id)
    scope = MessageScope(_utc(2026, 11, 29), _utc(2026, 12, 2))
    with db.session() as session:
        conn = session.connection()
        tehran = dict(insight_figures(conn, workspace_id, scope, "Asia/Tehran").volume)
        utc = dict(insight_figures(conn, workspace_id, scope).volume)
        berlin = insight_figures(
            conn, workspace_id, MessageScope(_utc(2026, 10, 24, 22, 0), _utc(2026, 10, 25, 23, 0)),
            "Europe/Berlin",
        )  # fmt: skip
    # the 23:30 UTC message of 29 November is Tehran's 30 November
    assert utc == {"2026-11-29": 3, "2026-11-30": 1, "2026-12-01": 0}
    assert tehran == {"2026-11-29": 1, "2026-11-30": 2, "2026-12-01": 1, "2026-12-02": 0}
    # the 25-hour day: one bar, from 00:00 CEST to 00:00 CET, with all four of its messages
    assert berlin.volume == [("2026-10-25", 4)]
    assert berlin.starts[0].astimezone(ZoneInfo("Europe/Berlin")).isoformat() == (
        "2026-10-25T00:00:00+02:00"
    )
