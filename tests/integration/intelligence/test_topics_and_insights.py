"""Topics and dashboard figures of stored messages, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from tests.integration.intelligence.topics_data import DAY, store_topic_messages
from tests.unit.intelligence.topics.texts import BILLING, DELIVERY, PERSIAN_DELIVERY

from rapport.intelligence.insights import insight_figures
from rapport.intelligence.insights_store import PostFilter, posts_behind
from rapport.intelligence.scope_store import MessageScope
from rapport.intelligence.topics import top_topics
from rapport.store.db import Database
from rapport.store.models import Message


def _texts(db: Database, ids: tuple[int, ...]) -> set[str]:
    with db.session() as session:
        return set(session.scalars(select(Message.text).where(Message.id.in_(ids))))


def test_topics_of_stored_messages(db: Database, workspace_id: int) -> None:
    store_topic_messages(db, workspace_id)
    with db.session() as session:
        report = top_topics(session.connection(), workspace_id, MessageScope(), examples=3)
    assert report.messages == 30  # the company's replies are not customer messages
    groups = {frozenset(_texts(db, topic.members)): topic for topic in report.topics}
    assert set(groups) == {frozenset(DELIVERY), frozenset(BILLING), frozenset(PERSIAN_DELIVERY)}
    persian = groups[frozenset(PERSIAN_DELIVERY)]
    assert persian.languages == [("fa", 10)]
    assert persian.sentiment == {"negative": 10, "neutral": 0, "positive": 0}
    assert groups[frozenset(BILLING)].sentiment["neutral"] == 10
    assert all(post.text in PERSIAN_DELIVERY for post in persian.examples)


def test_topics_of_one_channel_language_and_period(db: Database, workspace_id: int) -> None:
    store_topic_messages(db, workspace_id)
    with db.session() as session:
        conn = session.connection()
        persian = top_topics(conn, workspace_id, MessageScope(language="fa"))
        on_x = top_topics(conn, workspace_id, MessageScope(channel="x"))
        last_day = top_topics(conn, workspace_id, MessageScope(since=DAY, channel="mail"))
    assert persian.messages == 10
    assert persian.topics
    assert all(_texts(db, t.members) <= set(PERSIAN_DELIVERY) for t in persian.topics)
    assert on_x.messages == 20
    assert {frozenset(_texts(db, t.members)) for t in on_x.topics} == {
        frozenset(DELIVERY), frozenset(PERSIAN_DELIVERY)
    }  # fmt: skip
    assert last_day.messages == 10


def test_dashboard_figures_and_the_posts_behind_them(db: Database, workspace_id: int) -> None:
    store_topic_messages(db, workspace_id)
    scope = MessageScope(since=DAY - timedelta(days=2), until=DAY + timedelta(days=1))
    with db.session() as session:
        conn = session.connection()
        figures = insight_figures(conn, workspace_id, scope)
        negative, total = posts_behind(
            conn, workspace_id, scope, PostFilter(day=date(2026, 11, 30), sentiment="negative"),
            limit=4, offset=0,
        )  # fmt: skip
        second_page, _ = posts_behind(
            conn, workspace_id, scope, PostFilter(day=date(2026, 11, 30), sentiment="negative"),
            limit=4, offset=4,
        )  # fmt: skip
        billing, billing_total = posts_behind(
            conn, workspace_id, scope, PostFilter(intent="billing"), limit=50
        )
    assert figures.messages == 30
    assert figures.volume == [("2026-11-28", 0), ("2026-11-29", 10), ("2026-11-30", 20)]
    [_, first, last] = figures.sentiment
    assert (first.negative, first.neutral, first.positive) == (10, 0, 0)
    assert (last.negative, last.neutral, last.positive, last.unread) == (10, 10, 0, 0)
    assert figures.intents == [("billing", 10), ("delivery", 20)][::-1]
    assert figures.languages == [("en", 20), ("fa", 10)]
    # the Persian complaints of 30 November, newest first, a page at a time
    assert total == 10
    assert [row.text for row in negative] == PERSIAN_DELIVERY[::-1][:4]
    assert [row.text for row in second_page] == PERSIAN_DELIVERY[::-1][4:8]
    assert negative[0].channel == "x"
    assert negative[0].author == "Customer fa 9"
    assert billing_total == 10
    assert {row.text for row in billing} == set(BILLING)


def test_messages_not_read_yet_count_as_unread(db: Database, workspace_id: int) -> None:
    from rapport.ingest.records import InboundMessage
    from rapport.ingest.service import ingest_messages
    from rapport.store.models import ChannelKind, Direction

    message = InboundMessage(
        external_id="u-1", author_id="u", author_name="U", text="hello there",
        sent_at=DAY, direction=Direction.INBOUND,
    )  # fmt: skip
    ingest_messages(
        db, workspace_id=workspace_id, channel_name="x", kind=ChannelKind.TWITTER,
        messages=[message],
    )  # fmt: skip
    scope = MessageScope(since=DAY, until=DAY + timedelta(days=1))
    with db.session() as session:
        conn = session.connection()
        figures = insight_figures(conn, workspace_id, scope)
        rows, total = posts_behind(conn, workspace_id, scope, PostFilter(sentiment="unread"),
                                   limit=10)  # fmt: skip
    assert figures.sentiment[0].unread == 1
    assert figures.intents == [("unread", 1)]
    assert (total, rows[0].text, rows[0].sentiment) == (1, "hello there", None)


def _member_days(db: Database, ids: tuple[int, ...], zone: ZoneInfo) -> Counter[date]:
    """The local days of these messages, straight from the database."""
    with db.session() as session:
        sent = session.scalars(select(Message.sent_at).where(Message.id.in_(ids)))
        return Counter(moment.astimezone(zone).date() for moment in sent)


def test_each_topic_counts_its_members_per_local_day(db: Database, workspace_id: int) -> None:
    store_topic_messages(db, workspace_id)
    # Anchorage is UTC-9 in November: 09:00 UTC is local midnight, so a topic written from
    # 08:00 to 09:30 UTC falls on two local days there, and on one in UTC.
    zone = ZoneInfo("America/Anchorage")
    scope = MessageScope(since=DAY - timedelta(days=3), until=DAY + timedelta(days=1))
    with db.session() as session:
        conn = session.connection()
        local = top_topics(conn, workspace_id, scope, tz=zone.key)
        in_utc = top_topics(conn, workspace_id, scope)
        open_ended = top_topics(conn, workspace_id, MessageScope(), tz=zone.key)
    assert local.tz == "America/Anchorage"
    assert local.topics
    for topic in local.topics:
        expected = _member_days(db, topic.members, zone)
        days = {d.day: d.messages for d in topic.days}
        assert {day: n for day, n in days.items() if n} == dict(expected)
        # every day of the period is there, empty ones as zeros, oldest first
        assert [d.day for d in topic.days] == sorted(days)
        assert len(topic.days) == 5  # 26 Nov 15:00 local to 30 Nov 15:00 local
        negative = {d.day: d.negative for d in topic.days if d.negative}
        assert sum(negative.values()) == topic.sentiment["negative"]
    persian = next(t for t in local.topics if t.languages == [("fa", 10)])
    assert {d.day: d.messages for d in persian.days if d.messages} == {
        date(2026, 11, 29): 6, date(2026, 11, 30): 4
    }  # fmt: skip
    persian_utc = next(t for t in in_utc.topics if t.languages == [("fa", 10)])
    assert [(d.day, d.messages) for d in persian_utc.days if d.messages] == [
        (date(2026, 11, 30), 10)
    ]
    # with no period given, the days run from the first message of any topic to the last
    assert [d.day for d in open_ended.topics[0].days] == [
        date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 30)
    ]  # fmt: skip
