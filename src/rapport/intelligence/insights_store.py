"""SQL of the dashboards: customer messages counted per day, sentiment, intent and language,
and the messages behind any of those counts. Days are UTC days."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Select, Table, desc, func, select

from rapport.intelligence.scope_store import (
    READ_MESSAGES,
    UNREAD,
    MessageScope,
    channels,
    enrichments,
    messages,
    scope_conditions,
)
from rapport.store.dialects import in_list
from rapport.store.models import Identity

identities = cast(Table, Identity.__table__)


def _day(dialect_name: str) -> ColumnElement[str]:
    """The UTC day of a message as ``YYYY-MM-DD``."""
    if dialect_name == "postgresql":
        return func.to_char(func.timezone("UTC", messages.c.sent_at), "YYYY-MM-DD")
    return func.substr(messages.c.sent_at, 1, 10)  # SQLite keeps UTC as ISO text


def _counted(conn: Connection, workspace_id: int, scope: MessageScope, *keys: Any) -> list[Any]:
    query = (
        select(*keys, func.count().label("messages"))
        .select_from(READ_MESSAGES)
        .where(*scope_conditions(workspace_id, scope))
        .group_by(*keys)
        .order_by(*keys)
    )
    return list(conn.execute(query))


def volume_per_day(
    conn: Connection, workspace_id: int, scope: MessageScope
) -> list[tuple[str, int]]:
    """(day, customer messages) for every day that has any, oldest first."""
    day = _day(conn.dialect.name).label("day")
    return [(row.day, row.messages) for row in _counted(conn, workspace_id, scope, day)]


def sentiment_per_day(
    conn: Connection, workspace_id: int, scope: MessageScope
) -> list[tuple[str, str, int]]:
    """(day, sentiment, messages), oldest day first; unread messages count as ``unread``."""
    day = _day(conn.dialect.name).label("day")
    rows = _counted(conn, workspace_id, scope, day, enrichments.c.sentiment)
    return [(row.day, row.sentiment or UNREAD, row.messages) for row in rows]


def counts_by(
    conn: Connection, workspace_id: int, scope: MessageScope, reading: str
) -> list[tuple[str, int]]:
    """(value, messages) of one reading (``intent`` or ``language``), most first."""
    column = enrichments.c[reading]
    rows = _counted(conn, workspace_id, scope, column)
    pairs = [(getattr(row, reading) or UNREAD, row.messages) for row in rows]
    return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))


@dataclass(frozen=True, slots=True)
class PostFilter:
    """Which of a scope's messages a chart element stands for: a UTC day, a reading, or a
    set of messages (a topic's)."""

    day: date | None = None
    sentiment: str | None = None
    intent: str | None = None
    language: str | None = None
    message_ids: Sequence[int] | None = None


@dataclass(frozen=True, slots=True)
class PostRow:
    """One customer message listed behind a chart."""

    message_id: int
    conversation_id: int
    sent_at: datetime
    author: str
    channel: str
    text: str
    language: str | None
    sentiment: str | None
    intent: str | None


def _reading_condition(column: Any, value: str) -> ColumnElement[bool]:
    return column.is_(None) if value == UNREAD else column == value  # type: ignore[no-any-return]


def _post_conditions(
    conn: Connection, workspace_id: int, scope: MessageScope, which: PostFilter
) -> list[ColumnElement[bool]]:
    conditions = scope_conditions(workspace_id, scope)
    if which.day is not None:
        start = datetime.combine(which.day, time(), tzinfo=UTC)
        conditions += [messages.c.sent_at >= start, messages.c.sent_at < start + timedelta(days=1)]
    for reading in ("sentiment", "intent", "language"):
        value = getattr(which, reading)
        if value is not None:
            conditions.append(_reading_condition(enrichments.c[reading], value))
    if which.message_ids is not None:
        conditions.append(in_list(messages.c.id, list(which.message_ids), conn.dialect.name))
    return conditions


def posts_behind(
    conn: Connection,
    workspace_id: int,
    scope: MessageScope,
    which: PostFilter,
    *,
    limit: int,
    offset: int = 0,
) -> tuple[list[PostRow], int]:
    """One page of the messages ``which`` stands for, newest first, and how many in all."""
    if which.message_ids is not None and not which.message_ids:
        return [], 0
    conditions = _post_conditions(conn, workspace_id, scope, which)
    source = READ_MESSAGES.join(identities, identities.c.id == messages.c.identity_id)
    total = conn.execute(select(func.count()).select_from(source).where(*conditions)).scalar_one()
    query: Select[Any] = (
        select(
            messages.c.id,
            messages.c.conversation_id,
            messages.c.sent_at,
            identities.c.display_name,
            channels.c.name.label("channel"),
            messages.c.text,
            enrichments.c.language,
            enrichments.c.sentiment,
            enrichments.c.intent,
        )
        .select_from(source)
        .where(*conditions)
        .order_by(desc(messages.c.sent_at), desc(messages.c.id))
        .limit(limit)
        .offset(offset)
    )
    rows = [
        PostRow(
            row.id, row.conversation_id, row.sent_at, row.display_name, row.channel, row.text,
            row.language, row.sentiment, row.intent,
        )
        for row in conn.execute(query)
    ]  # fmt: skip
    return rows, int(total)
