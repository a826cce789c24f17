"""What the alerts page reads and changes, each call in its own transaction: the rules, the
choices of the form, a page of fired alerts with their posts and series, and rule changes
(through the same functions as the CLI and the API, so the same checks apply)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from rapport.errors import InvalidInput, NotFound
from rapport.inbox.queries import Page, list_channels
from rapport.intelligence.alerts import rules, store
from rapport.intelligence.alerts.browse import (
    WindowSeries,
    event_of_notification,
    event_offset,
    window_series,
)
from rapport.intelligence.alerts.history import rule_document
from rapport.intelligence.intent.taxonomy import DEFAULT_LABELS
from rapport.intelligence.listening.store import queries_of
from rapport.intelligence.trends.store import Post, posts_of
from rapport.store.alerts import AlertEvent, AlertRule
from rapport.store.db import Database
from rapport.web.directory import Colleague, colleagues


@dataclass(frozen=True, slots=True)
class Choices:
    """What the form offers: the workspace's channels, intents, listening queries, users."""

    channels: list[str]
    intents: list[str]
    queries: list[str]
    people: list[Colleague]


@dataclass(frozen=True, slots=True)
class FiredAlert:
    """One event as the page shows it."""

    id: int
    rule: dict[str, Any]
    window_start: datetime
    window_end: datetime
    observed: float
    expected: float
    score: float
    basis: str
    fired_at: datetime
    posts: list[Post]
    series: WindowSeries | None  # None when the subject cannot be counted any more


def load_rules(db: Database, workspace_id: int) -> list[dict[str, Any]]:
    """The workspace's rules by name, as the API shows them (no secret)."""
    with db.session() as session:
        return [rule_document(rule) for rule in store.rules_of(session, workspace_id)]


def load_choices(db: Database, workspace_id: int) -> Choices:
    with db.session() as session:
        return Choices(
            channels=[c.name for c in list_channels(session, workspace_id)],
            intents=list(DEFAULT_LABELS),
            queries=[q.name for q in queries_of(session, workspace_id)],
            people=colleagues(session, workspace_id),
        )


def _fired(session: Session, event: AlertEvent, rule: AlertRule, now: datetime) -> FiredAlert:
    try:
        series: WindowSeries | None = window_series(session, rule, event, now)
    except (InvalidInput, NotFound):  # e.g. its listening query was removed
        series = None
    return FiredAlert(
        id=event.id,
        rule=rule_document(rule),
        window_start=event.window_start,
        window_end=event.window_end,
        observed=event.observed,
        expected=event.expected,
        score=event.score,
        basis=event.basis,
        fired_at=event.fired_at,
        posts=posts_of(session.connection(), event.workspace_id, event.message_ids),
        series=series,
    )


def load_events(
    db: Database, workspace_id: int, *, page: int, size: int, now: datetime | None = None
) -> Page[FiredAlert]:
    """Page ``page`` (from 1) of the workspace's fired alerts, newest first."""
    at = now or datetime.now(UTC)
    with db.session() as session:
        rows, total = store.events_page(
            session, workspace_id, rule_id=None, limit=size, offset=(page - 1) * size
        )
        items = [_fired(session, event, rule, at) for event, rule in rows]
    return Page(items=items, total=total, limit=size, offset=(page - 1) * size)


def locate_event(
    db: Database, workspace_id: int, user_id: int, *, event: int | None, notification: int | None
) -> tuple[int, int] | None:
    """The event to open (given, or the one a notification tells of) and how many events
    are listed before it; None when there is no such event in the workspace."""
    with db.session() as session:
        if event is None and notification is not None:
            event = event_of_notification(session, workspace_id, user_id, notification)
        if event is None:
            return None
        offset = event_offset(session, workspace_id, event)
    return None if offset is None else (event, offset)


def add_rule(db: Database, workspace_id: int, values: dict[str, Any]) -> str:
    """Create a rule; its name. Raises what ``rules.create_rule`` raises (nothing saved)."""
    with db.session() as session:
        return rules.create_rule(session, workspace_id, values).name


def set_enabled(db: Database, workspace_id: int, rule_id: int, enabled: bool) -> None:
    with db.session() as session:
        rules.update_rule(session, workspace_id, rule_id, {"enabled": enabled})


def remove_rule(db: Database, workspace_id: int, rule_id: int) -> None:
    with db.session() as session:
        rules.delete_rule(session, workspace_id, rule_id)
