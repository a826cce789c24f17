"""Checking alert rules: each enabled rule judges its last complete bucket once.

``check_alerts`` records what fired (an event per rule and window, never two: a unique
constraint decides) and notifies the rule's users in the app, in the caller's transaction.
E-mails and webhooks go out after that transaction commits (``delivery.deliver_pending``),
so nothing is announced that was not recorded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from rapport.engage.notifications import notify
from rapport.errors import InvalidInput
from rapport.intelligence.alerts import store
from rapport.intelligence.trends.buckets import (
    Interval,
    bucket_start,
    bucket_starts,
    interval_of,
    previous_bucket,
    seasonal_slots,
    time_zone,
)
from rapport.intelligence.trends.detect import Verdict, share_verdict, volume_verdict
from rapport.intelligence.trends.series import fold
from rapport.intelligence.trends.subjects import make_subject
from rapport.store.alerts import AlertMetric, AlertRule

log = logging.getLogger(__name__)

HISTORY: dict[Interval, timedelta] = {"hour": timedelta(days=28), "day": timedelta(days=56)}
SAMPLE_SIZE = 20
NOTIFICATION_KIND = "alert"


@dataclass(frozen=True, slots=True)
class FiredAlert:
    """An alert that fired now."""

    event_id: int
    rule_id: int
    rule: str
    metric: str
    subject: str
    window_start: datetime
    window_end: datetime
    observed: float
    expected: float
    score: float
    message_ids: tuple[int, ...]


def describe(metric: str, observed: float, expected: float) -> str:
    """``45 messages (expected 12)`` or ``62% negative (expected 18%)``."""
    if metric == AlertMetric.NEGATIVE_SHARE:
        return f"{observed:.0%} negative (expected {expected:.0%})"
    return f"{observed:.0f} messages (expected {expected:.0f})"


def judge(
    session: Session, rule: AlertRule, window_start: datetime, window_end: datetime
) -> Verdict:
    """The detector's verdict on the rule's bucket ``[window_start, window_end)``."""
    interval = interval_of(rule.interval)
    zone = time_zone(rule.time_zone)
    subject = make_subject(rule.subject_kind, rule.subject_value)
    starts = bucket_starts(window_start - HISTORY[interval], window_end, interval, zone)
    slots = subject.slot_counts(session, rule.workspace_id, since=starts[0], until=window_end)
    [series] = fold(slots, starts, window_end, interval, zone, grouped=False)
    # Before the subject's first message there is no history, not a quiet one.
    first = next((i for i, b in enumerate(series.buckets[:-1]) if b.total), len(starts) - 1)
    buckets = series.buckets[first:]
    if rule.metric == AlertMetric.NEGATIVE_SHARE:
        return share_verdict(
            [b.negative for b in buckets],
            [b.read for b in buckets],
            sensitivity=rule.sensitivity,
            min_count=rule.min_count,
        )
    places = [seasonal_slots(b.start, interval, zone) for b in buckets]
    return volume_verdict(
        [b.total for b in buckets],
        [week for week, _ in places],
        [day for _, day in places],
        sensitivity=rule.sensitivity,
        min_count=rule.min_count,
    )


def _fire(
    session: Session, rule: AlertRule, start: datetime, end: datetime, verdict: Verdict
) -> FiredAlert | None:
    subject = make_subject(rule.subject_kind, rule.subject_value)
    sample = subject.sample(
        session,
        rule.workspace_id,
        since=start,
        until=end,
        negative_only=rule.metric == AlertMetric.NEGATIVE_SHARE,
        limit=SAMPLE_SIZE,
    )
    event_id = store.insert_event(
        session,
        {
            "rule_id": rule.id,
            "workspace_id": rule.workspace_id,
            "window_start": start,
            "window_end": end,
            "observed": verdict.observed,
            "expected": verdict.expected,
            "score": round(verdict.score, 3),
            "basis": verdict.basis,
            "message_ids": sample,
            "fired_at": datetime.now(UTC),
            "delivery_state": "pending",
            "delivery": {},
        },
    )
    if event_id is None:
        return None
    zone = time_zone(rule.time_zone)
    what = describe(rule.metric, verdict.observed, verdict.expected)
    text = (
        f"Alert {rule.name}: {subject.label}, {what}"
        f" in {start.astimezone(zone):%Y-%m-%d %H:%M} to {end.astimezone(zone):%H:%M} {zone.key}"
    )
    notified = notify(
        session, rule.workspace_id, rule.notify_user_ids, NOTIFICATION_KIND, text, None
    )
    state = "pending" if rule.emails or rule.webhook_url else "done"
    store.set_delivery(session, event_id, state, {"in_app": {"status": "sent", "users": notified}})
    return FiredAlert(
        event_id,
        rule.id,
        rule.name,
        rule.metric,
        subject.label,
        start,
        end,
        verdict.observed,
        verdict.expected,
        verdict.score,
        tuple(sample),
    )


def check_rule(
    session: Session, rule: AlertRule, now: datetime, *, force: bool = False
) -> FiredAlert | None:
    """Judge the rule's last complete bucket before ``now``; the alert if it fired.

    A bucket already judged is skipped (unless ``force``); within ``cooldown_seconds`` after
    a fired window the rule stays quiet."""
    interval = interval_of(rule.interval)
    zone = time_zone(rule.time_zone)
    end = bucket_start(now, interval, zone)
    start = previous_bucket(end, interval, zone)
    if not force and rule.checked_until is not None and rule.checked_until >= end:
        return None
    rule.checked_until = end
    verdict = judge(session, rule, start, end)
    if not verdict.spike:
        return None
    last = store.last_window_end(session, rule.id)
    if last is not None and last > start - timedelta(seconds=rule.cooldown_seconds):
        return None
    return _fire(session, rule, start, end, verdict)


def check_alerts(
    session: Session, workspace_id: int, now: datetime | None = None, *, force: bool = False
) -> list[FiredAlert]:
    """Check every enabled rule of the workspace on its last complete bucket before ``now``;
    the alerts that fired. Idempotent: the same rule and window never fires twice."""
    at = now or datetime.now(UTC)
    if at.tzinfo is None:
        raise InvalidInput("now: give a time with its zone")
    fired: list[FiredAlert] = []
    for rule in store.rules_of(session, workspace_id, enabled_only=True):
        try:
            alert = check_rule(session, rule, at, force=force)
        except InvalidInput as exc:  # e.g. a query rule whose queries are not installed
            log.warning("alert rule %s cannot be checked: %s", rule.id, exc)
            continue
        if alert is not None:
            fired.append(alert)
    session.flush()
    return fired
