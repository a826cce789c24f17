"""Each user's notification inbox: mentions, assignments, escalations, SLA warnings.

A user only ever sees and marks their own notifications: every query is keyed on the
user's id, never on a notification id alone. Functions take the caller's session and never
commit.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from rapport.errors import InvalidInput
from rapport.inbox.queries import MAX_LIMIT, Page, bounded_count
from rapport.store.engagement import Notification
from rapport.store.models import User

notifications = cast(Table, Notification.__table__)
users = cast(Table, User.__table__)

TEXT_LENGTH = 1000  # the column's size
KIND_LENGTH = 32


@dataclass(frozen=True, slots=True)
class NotificationItem:
    """One notification as its user sees it."""

    id: int
    kind: str
    text: str
    case_id: int | None
    created_at: datetime
    read_at: datetime | None

    @property
    def unread(self) -> bool:
        return self.read_at is None


def notify(
    session: Session,
    workspace_id: int,
    user_ids: Iterable[int],
    kind: str,
    text: str,
    case_id: int | None,
) -> list[int]:
    """Notify each of ``user_ids`` once; returns the users actually notified.

    Users who are not active members of the workspace are skipped, so a stale id can never
    leak a case into another workspace's inbox. Text longer than the column is shortened
    with an ellipsis.
    """
    if not kind or len(kind) > KIND_LENGTH:
        raise InvalidInput(f"notification kind: 1 to {KIND_LENGTH} characters, not {kind!r}")
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        return []
    members = set(
        session.execute(
            select(users.c.id).where(
                users.c.workspace_id == workspace_id,
                users.c.is_active.is_(True),
                users.c.id.in_(wanted),
            )
        ).scalars()
    )
    recipients = [user_id for user_id in wanted if user_id in members]
    if not recipients:
        return []
    if len(text) > TEXT_LENGTH:
        text = text[: TEXT_LENGTH - 1] + "…"
    now = datetime.now(UTC)
    session.execute(
        insert(notifications),
        [
            {
                "workspace_id": workspace_id,
                "user_id": user_id,
                "kind": kind,
                "case_id": case_id,
                "text": text,
                "created_at": now,
            }
            for user_id in recipients
        ],
    )
    return recipients


def list_notifications(
    session: Session,
    user_id: int,
    *,
    unread_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> Page[NotificationItem]:
    """A user's notifications, newest first (unread ones only when ``unread_only``)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit: must be between 1 and {MAX_LIMIT}, not {limit}")
    if offset < 0:
        raise InvalidInput(f"offset: must not be negative, not {offset}")
    n = notifications.c
    where = [n.user_id == user_id]
    if unread_only:
        where.append(n.read_at.is_(None))
    total, exact = bounded_count(session, select(n.id).where(*where))
    rows = session.execute(
        select(n.id, n.kind, n.text, n.case_id, n.created_at, n.read_at)
        .where(*where)
        .order_by(n.created_at.desc(), n.id.desc())
        .limit(limit)
        .offset(offset)
    )
    items = [NotificationItem(*row) for row in rows]
    return Page(items=items, total=total, limit=limit, offset=offset, total_exact=exact)


def unread_count(session: Session, user_id: int) -> int:
    """How many of the user's notifications are unread (the badge on the bell)."""
    n = notifications.c
    return session.execute(
        select(func.count()).where(n.user_id == user_id, n.read_at.is_(None))
    ).scalar_one()


def mark_read(session: Session, user_id: int, ids: Collection[int] | None = None) -> int:
    """Mark the user's notifications ``ids`` read (all of them when ``ids`` is None).

    Ids of other users' notifications are ignored, as are those already read; returns how
    many were marked now.
    """
    if ids is not None and not ids:
        return 0
    n = notifications.c
    statement = (
        update(notifications)
        .where(n.user_id == user_id, n.read_at.is_(None))
        .values(read_at=datetime.now(UTC))
    )
    if ids is not None:
        statement = statement.where(n.id.in_(list(ids)))
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)
