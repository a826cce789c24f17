"""A listening query as what a trend counts and an alert rule watches: the burst of
messages about orders fires the rule on the "Orders" query, not the one on "Shop"."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from tests.integration.alerts.burst import BURST, BURST_START, NOW, message, store, store_burst

from rapport.intelligence.alerts.check import check_alerts
from rapport.intelligence.alerts.rules import create_rule
from rapport.intelligence.listening.queries import add_query, remove_query
from rapport.intelligence.trends.service import trend_series
from rapport.store.alerts import AlertEvent
from rapport.store.db import Database
from rapport.store.models import Message

EARLIER_ORDERS = 8  # one "order" mention every six hours of the quiet days


def _queries(db: Database, ws: int) -> None:
    store(
        db,
        ws,
        [
            message(
                f"o{i}", "my order came, thanks", f"calm{i}", BURST_START - timedelta(hours=6 * i)
            )
            for i in range(1, EARLIER_ORDERS + 1)
        ],
    )
    with db.session() as session:
        add_query(session, ws, "Orders", "order*", kind="topic")
        add_query(session, ws, "Shop", '"shop open"', kind="topic")


def test_a_query_trend_counts_only_its_matches(db: Database) -> None:
    ws = store_burst(db)
    _queries(db, ws)
    since = BURST_START - timedelta(hours=3)
    with db.session() as session:
        orders = trend_series(session, ws, since=since, until=NOW, query="Orders")
        shop = trend_series(session, ws, since=since, until=NOW, query="Shop")
    assert [s.total for s in orders.series] == [BURST]
    burst_hour = next(b for b in orders.series[0].buckets if b.start == BURST_START)
    assert burst_hour.total == BURST
    assert burst_hour.negative == BURST
    # the quiet history has one "is the shop open today" an hour, none in the burst hour
    assert [b.total for b in shop.series[0].buckets if b.start < BURST_START] == [1, 1, 1]
    assert next(b for b in shop.series[0].buckets if b.start == BURST_START).total == 0


def test_the_rule_on_the_bursting_query_fires_with_its_posts(db: Database) -> None:
    ws = store_burst(db)
    _queries(db, ws)
    with db.session() as session:
        for name in ("Orders", "Shop"):
            create_rule(
                session,
                ws,
                {"name": f"{name} spike", "metric": "volume", "subject_kind": "query",
                 "subject_value": name},
            )  # fmt: skip
    with db.session() as session:
        fired = check_alerts(session, ws, NOW)
        assert [a.rule for a in fired] == ["Orders spike"]
        event = session.scalars(select(AlertEvent).where(AlertEvent.workspace_id == ws)).one()
        texts = session.scalars(select(Message.text).where(Message.id.in_(event.message_ids)))
        assert len(event.message_ids) == 20
        assert all("Where is my order" in t for t in texts)
    with db.session() as session:
        assert check_alerts(session, ws, NOW) == []  # the same window never fires twice


def test_a_rule_whose_query_was_removed_is_skipped_not_fatal(db: Database) -> None:
    ws = store_burst(db)
    _queries(db, ws)
    with db.session() as session:
        create_rule(session, ws, {"name": "Orders spike", "metric": "volume",
                                  "subject_kind": "query", "subject_value": "Orders"})  # fmt: skip
        create_rule(session, ws, {"name": "Everything", "metric": "volume"})
        remove_query(session, ws, "Orders")
    with db.session() as session:
        assert [a.rule for a in check_alerts(session, ws, NOW)] == ["Everything"]
