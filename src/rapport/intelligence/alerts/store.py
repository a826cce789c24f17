"""SQL for alert rules and alert events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, func, or_, select, update
from sqlalchemy.orm import Session

from rapport.store.alerts import AlertEvent, AlertRule
from rapport.store.dialects import insert_ignoring_conflicts
from rapport.store.engagement import Notification
from rapport.store.models import User

events = cast(Table, AlertEvent.__table__)


def rules_of(session: Session, workspace_id: int, *, enabled_only: bool = False) -> list[AlertRule]:
    query = select(AlertRule).where(AlertRule.workspace_id == workspace_id)
    if enabled_only:
        query = query.where(AlertRule.enabled.is_(True))
    return list(session.scalars(query.order_by(AlertRule.name)))


def rule_by_id(session: Session, workspace_id: int, rule_id: int) -> AlertRule | None:
    return session.scalars(
        select(AlertRule).where(AlertRule.workspace_id == workspace_id, AlertRule.id == rule_id)
    ).first()


def rule_by_name(session: Session, workspace_id: int, name: str) -> AlertRule | None:
    return session.scalars(
        select(AlertRule).where(AlertRule.workspace_id == workspace_id, AlertRule.name == name)
    ).first()


def active_members(session: Session, workspace_id: int, user_ids: Sequence[int]) -> set[int]:
    if not user_ids:
        return set()
    return set(
        session.scalars(
            select(User.id).where(
                User.workspace_id == workspace_id,
                User.is_active.is_(True),
                User.id.in_(list(user_ids)),
            )
        )
    )


def user_ids_by_email(session: Session, workspace_id: int, emails: Sequence[str]) -> dict[str, int]:
    if not emails:
        return {}
    rows = session.execute(
        select(func.lower(User.email), User.id).where(
            User.workspace_id == workspace_id,
            func.lower(User.email).in_([e.lower() for e in emails]),
        )
    )
    return {email: user_id for email, user_id in rows}


def last_window_end(session: Session, rule_id: int) -> datetime | None:
    """The end of the newest window the rule fired on."""
    return session.scalars(
        select(AlertEvent.window_end)
        .where(AlertEvent.rule_id == rule_id)
        .order_by(AlertEvent.window_start.desc())
        .limit(1)
    ).first()


def insert_event(session: Session, values: dict[str, Any]) -> int | None:
    """Record an event; None when the rule already fired on this window (the unique
    constraint decides, so two workers checking at once fire once)."""
    conn = session.connection()
    result = conn.execute(insert_ignoring_conflicts(events, conn.dialect.name).values(**values))
    if not result.rowcount:
        return None
    return session.scalars(
        select(AlertEvent.id).where(
            AlertEvent.rule_id == values["rule_id"],
            AlertEvent.window_start == values["window_start"],
        )
    ).one()


def set_delivery(session: Session, event_id: int, state: str, delivery: dict[str, Any]) -> None:
    session.execute(
        update(events)
        .where(events.c.id == event_id)
        .values(delivery_state=state, delivery=delivery)
    )


def claim_pending(session: Session, limit: int = 100) -> list[int]:
    """Take up to ``limit`` events whose deliveries have not started: each is marked
    ``sending`` by exactly one caller, so no e-mail or webhook goes out twice."""
    pending = list(
        session.scalars(
            select(AlertEvent.id)
            .where(AlertEvent.delivery_state == "pending")
            .order_by(AlertEvent.id)
            .limit(limit)
        )
    )
    claimed = []
    for event_id in pending:
        result = session.execute(
            update(events)
            .where(events.c.id == event_id, events.c.delivery_state == "pending")
            .values(delivery_state="sending")
        )
        if getattr(result, "rowcount", 0):
            claimed.append(event_id)
    return claimed


def event_with_rule(session: Session, event_id: int) -> tuple[AlertEvent, AlertRule] | None:
    row = session.execute(
        select(AlertEvent, AlertRule)
        .join(AlertRule, AlertRule.id == AlertEvent.rule_id)
        .where(AlertEvent.id == event_id)
    ).first()
    return None if row is None else (row[0], row[1])


def events_page(
    session: Session, workspace_id: int, *, rule_id: int | None, limit: int, offset: int
) -> tuple[list[tuple[AlertEvent, AlertRule]], int]:
    """Events of the workspace (of one rule), newest first, and how many there are."""
    where = [AlertEvent.workspace_id == workspace_id]
    if rule_id is not None:
        where.append(AlertEvent.rule_id == rule_id)
    total = session.scalar(select(func.count()).select_from(AlertEvent).where(*where)) or 0
    rows = session.execute(
        select(AlertEvent, AlertRule)
        .join(AlertRule, AlertRule.id == AlertEvent.rule_id)
        .where(*where)
        .order_by(AlertEvent.fired_at.desc(), AlertEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [(row[0], row[1]) for row in rows], int(total)


def alert_notification(
    session: Session, user_id: int, notification_id: int
) -> tuple[str, datetime] | None:
    """The text and time of the user's own alert notification ``notification_id``."""
    row = session.execute(
        select(Notification.text, Notification.created_at).where(
            Notification.id == notification_id,
            Notification.user_id == user_id,
            Notification.kind == "alert",
        )
    ).first()
    return None if row is None else (row[0], row[1])


def events_fired_by(
    session: Session, workspace_id: int, before: datetime, limit: int = 50
) -> list[tuple[AlertEvent, AlertRule]]:
    """The workspace's events fired at or before ``before``, newest first."""
    rows = session.execute(
        select(AlertEvent, AlertRule)
        .join(AlertRule, AlertRule.id == AlertEvent.rule_id)
        .where(AlertEvent.workspace_id == workspace_id, AlertEvent.fired_at <= before)
        .order_by(AlertEvent.fired_at.desc(), AlertEvent.id.desc())
        .limit(limit)
    )
    return [(row[0], row[1]) for row in rows]


def newer_events(session: Session, workspace_id: int, event: AlertEvent) -> int:
    """How many of the workspace's events come before ``event`` in the newest-first list."""
    count = session.scalar(
        select(func.count())
        .select_from(AlertEvent)
        .where(
            AlertEvent.workspace_id == workspace_id,
            or_(
                AlertEvent.fired_at > event.fired_at,
                and_(AlertEvent.fired_at == event.fired_at, AlertEvent.id > event.id),
            ),
        )
    )
    return int(count or 0)


def event_by_id(session: Session, workspace_id: int, event_id: int) -> AlertEvent | None:
    return session.scalars(
        select(AlertEvent).where(AlertEvent.workspace_id == workspace_id, AlertEvent.id == event_id)
    ).first()
