"""What the alerts page reads: the event a notification tells of, where an event stands in
the list, and the subject's series around its window (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.alerts.burst import BURST, BURST_START, NOW, make_user, store_burst

from rapport.engage.notifications import list_notifications
from rapport.intelligence.alerts.browse import event_of_notification, event_offset, window_series
from rapport.intelligence.alerts.check import check_alerts
from rapport.intelligence.alerts.rules import create_rule
from rapport.intelligence.alerts.store import event_by_id, rule_by_id
from rapport.store.db import Database


def test_a_notification_leads_to_its_event_and_the_series_shows_the_burst(db: Database) -> None:
    ws = store_burst(db)
    user = make_user(db, ws)
    other = make_user(db, ws)
    with db.session() as session:
        for name, channel in (("Spike on X", "x"), ("Spike on X too", None)):
            values = {"name": name, "metric": "volume", "notify_user_ids": [user],
                      "time_zone": "Asia/Tehran", "subject_kind": "channel" if channel else "all",
                      "subject_value": channel}  # fmt: skip
            create_rule(session, ws, values)
    with db.session() as session:
        fired = check_alerts(session, ws, NOW)
    # Tehran is UTC+3:30: its hours start at half past UTC hours; the last complete one
    # before 09:05 UTC is 07:30-08:30 UTC, which holds the whole burst (08:00-08:29)
    assert len(fired) == 2
    by_name = {alert.rule: alert.event_id for alert in fired}
    with db.session() as session:
        notes = list_notifications(session, user).items
        assert len(notes) == 2
        for note in notes:
            name = (
                "Spike on X too" if note.text.startswith("Alert Spike on X too:") else "Spike on X"
            )
            assert event_of_notification(session, ws, user, note.id) == by_name[name]
            # another user's notification is not theirs to follow
            assert event_of_notification(session, ws, other, note.id) is None
        offsets = sorted(event_offset(session, ws, event_id) or 0 for event_id in by_name.values())
        assert offsets == [0, 1]
        assert event_offset(session, ws + 1000, fired[0].event_id) is None

        event = event_by_id(session, ws, by_name["Spike on X"])
        assert event is not None
        rule = rule_by_id(session, ws, event.rule_id)
        assert rule is not None
        series = window_series(session, rule, event, NOW)
    assert series.tz == "Asia/Tehran"
    assert series.window_start == BURST_START - timedelta(minutes=30)
    window = [b for b in series.buckets if b.start == series.window_start]
    assert [b.total for b in window] == [BURST]
    # a day before, by Tehran hours, each with its one calm message, and nothing after NOW
    before = [b for b in series.buckets if b.start < series.window_start]
    assert len(before) == 24
    assert all(b.total == 1 and b.negative == 0 for b in before)
    assert series.buckets[-1].end <= NOW + timedelta(hours=1)
