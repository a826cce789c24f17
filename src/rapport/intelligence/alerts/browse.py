"""What the alerts page reads beside the events themselves: the event an in-app
notification is about, where an event stands in the newest-first list, and the subject's
series around a fired window. Functions read, never write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from rapport.intelligence.alerts import store
from rapport.intelligence.trends.buckets import Interval, interval_of
from rapport.intelligence.trends.series import Bucket
from rapport.intelligence.trends.service import trend_series
from rapport.store.alerts import AlertEvent, AlertRule

# buckets shown before and after a fired window
CONTEXT: dict[Interval, tuple[timedelta, timedelta]] = {
    "hour": (timedelta(hours=24), timedelta(hours=6)),
    "day": (timedelta(days=14), timedelta(days=3)),
}
# a notification is written in the same transaction as its event, a moment after it
_SAME_MOMENT = timedelta(seconds=5)


def event_of_notification(
    session: Session, workspace_id: int, user_id: int, notification_id: int
) -> int | None:
    """The id of the event the user's alert notification ``notification_id`` tells of.

    The notification reads ``Alert <rule name>: ...`` and was written as the event fired,
    so the newest event of a rule of that name fired by then is the one."""
    found = store.alert_notification(session, user_id, notification_id)
    if found is None:
        return None
    text, created = found
    for event, rule in store.events_fired_by(session, workspace_id, created + _SAME_MOMENT):
        if text.startswith(f"Alert {rule.name}: "):
            return event.id
    return None


def event_offset(session: Session, workspace_id: int, event_id: int) -> int | None:
    """How many events are listed before ``event_id`` (newest first); None if not there."""
    event = store.event_by_id(session, workspace_id, event_id)
    if event is None:
        return None
    return store.newer_events(session, workspace_id, event)


@dataclass(frozen=True, slots=True)
class WindowSeries:
    """The watched subject's buckets around a fired window (cut in the rule's zone)."""

    buckets: tuple[Bucket, ...]
    window_start: datetime
    tz: str


def window_series(
    session: Session, rule: AlertRule, event: AlertEvent, now: datetime
) -> WindowSeries:
    """The subject's volume and sentiment per bucket, a day (hours) or two weeks (days)
    before the window to a little after it (not past ``now``)."""
    interval = interval_of(rule.interval)
    before, after = CONTEXT[interval]
    since = event.window_start - before
    until = min(event.window_end + after, max(now, event.window_end))
    kind, value = rule.subject_kind, rule.subject_value
    by = kind if kind in ("channel", "intent", "language", "sentiment") else None
    trends = trend_series(
        session,
        rule.workspace_id,
        by=by,
        interval=interval,
        since=since,
        until=until,
        tz=rule.time_zone,
        query=value if kind == "query" else None,
    )
    if by is None:
        buckets = trends.series[0].buckets if trends.series else ()
    else:
        match = [s for s in trends.series if s.key == value]
        buckets = match[0].buckets if match else ()
    if not buckets and trends.series:  # the subject had no message in the range: zeros
        buckets = tuple(Bucket(b.start, b.end) for b in trends.series[0].buckets)
    return WindowSeries(buckets, event.window_start, trends.tz)
