"""SQL of the dashboards: customer messages counted per UTC quarter hour and sentiment (the
service folds them into the user's local days), per intent and language, and the messages
behind any of those counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Select, Table, desc, func, select

from rapport.errors import InvalidInput
from rapport.intelligence.scope_store import (
    READ_MESSAGES,
    UNREAD,
    MessageScope,
    channels,
    enrichments,
    messages,
    scope_conditions,
)
from rapport.intelligence.trends.buckets import SLOT_SECONDS, local_midnight
from rapport.store.dialects import epoch_seconds, in_list
from rapport.store.models import Identity

identities = cast(Table, Identity.__table__)


def _counted(conn: Connection, workspace_id: int, scope: MessageScope, *keys: Any) -> list[Any]:
    query = (
        select(*keys, func.count().label("messages"))
        .select_from(READ_MESSAGES)
        .where(*scope_conditions(workspace_id, scope))
        .group_by(*keys)
        .order_by(*keys)
    )
    return list(conn.execute(query))


def sentiment_per_slot(
    conn: Connection, workspace_id: int, scope: MessageScope
) -> list[tuple[datetime, str, int]]:
    """(UTC quarter hour, sentiment, messages), oldest first; unread messages count as
    ``unread``. Every local midnight of the tz database falls on a quarter hour of UTC, so
    these fold exactly into the days of any zone (see ``trends.buckets``)."""
    epoch = epoch_seconds(messages.c.sent_at, conn.dialect.name)
    slot = (epoch - epoch % SLOT_SECONDS).label("slot")
    rows = _counted(conn, workspace_id, scope, slot, enrichments.c.sentiment)
    return [
        (datetime.fromtimestamp(int(row.slot), UTC), row.sentiment or UNREAD, row.messages)
        for row in rows
    ]


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
    """Which of a scope's messages a chart element stands for: a local day of ``tz``, a
    reading, or a set of messages (a topic's)."""

    day: date | None = None
    tz: tzinfo = UTC
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
        # the same bounds as the day's bar: local midnight to the next one (23 or 25 hours
        # on a daylight-saving change)
        try:
            start = local_midnight(which.day, which.tz)
            end = local_midnight(which.day + timedelta(days=1), which.tz)
        except OverflowError:
            raise InvalidInput(f"day: {which.day.isoformat()} is out of range") from None
        conditions += [messages.c.sent_at >= start, messages.c.sent_at < end]
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
