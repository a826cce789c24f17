"""Alert events as people and programs read them: the rule, the window, the figures and
the posts that caused it (the webhook body, ``alerts history``, the API)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy.orm import Session

from rapport.errors import InvalidInput
from rapport.inbox.queries import MAX_LIMIT, Page
from rapport.intelligence.alerts import store
from rapport.intelligence.trends.store import Post, posts_of
from rapport.store.alerts import AlertEvent, AlertRule

POST_TEXT_LIMIT = 2000


def post_document(post: Post) -> dict[str, Any]:
    data = asdict(post)
    data["sent_at"] = post.sent_at.isoformat()
    data["text"] = post.text[:POST_TEXT_LIMIT]
    return data


def rule_document(rule: AlertRule) -> dict[str, Any]:
    """A rule as JSON-ready data; the webhook secret is never shown."""
    return {
        "id": rule.id,
        "name": rule.name,
        "metric": rule.metric,
        "subject_kind": rule.subject_kind,
        "subject_value": rule.subject_value,
        "interval": rule.interval,
        "time_zone": rule.time_zone,
        "sensitivity": rule.sensitivity,
        "min_count": rule.min_count,
        "cooldown_seconds": rule.cooldown_seconds,
        "notify_user_ids": list(rule.notify_user_ids),
        "emails": list(rule.emails),
        "webhook_url": rule.webhook_url,
        "has_webhook_secret": bool(rule.webhook_secret),
        "enabled": rule.enabled,
        "checked_until": rule.checked_until.isoformat() if rule.checked_until else None,
        "created_at": rule.created_at.isoformat(),
    }


def rule_summary(rule: AlertRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "metric": rule.metric,
        "subject_kind": rule.subject_kind,
        "subject_value": rule.subject_value,
        "interval": rule.interval,
        "time_zone": rule.time_zone,
    }


def event_document(event: AlertEvent, rule: AlertRule, posts: list[Post]) -> dict[str, Any]:
    """One event as JSON-ready data (times in ISO 8601 with their offset, UTC)."""
    return {
        "id": event.id,
        "rule": rule_summary(rule),
        "window": {"start": event.window_start.isoformat(), "end": event.window_end.isoformat()},
        "observed": event.observed,
        "expected": event.expected,
        "score": event.score,
        "basis": event.basis,
        "fired_at": event.fired_at.isoformat(),
        "delivery_state": event.delivery_state,
        "delivery": event.delivery,
        "posts": [post_document(p) for p in posts],
    }


def load_document(session: Session, event: AlertEvent, rule: AlertRule) -> dict[str, Any]:
    posts = posts_of(session.connection(), event.workspace_id, event.message_ids)
    return event_document(event, rule, posts)


def list_events(
    session: Session,
    workspace_id: int,
    *,
    rule_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[dict[str, Any]]:
    """Events of the workspace (of one rule), newest first, each with its posts."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit: must be between 1 and {MAX_LIMIT}, not {limit}")
    if offset < 0:
        raise InvalidInput(f"offset: must not be negative, not {offset}")
    rows, total = store.events_page(
        session, workspace_id, rule_id=rule_id, limit=limit, offset=offset
    )
    items = [load_document(session, event, rule) for event, rule in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)
