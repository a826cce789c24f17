"""SQL for message enrichments: which messages still need reading, and writing the results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, Connection, Table, delete, func, or_, select

from rapport.store.dialects import in_list
from rapport.store.models import Message, MessageEnrichment

messages = cast(Table, Message.__table__)
enrichments = cast(Table, MessageEnrichment.__table__)


@dataclass(frozen=True, slots=True)
class PendingMessage:
    id: int
    text: str
    subject: str | None


def _to_read(
    workspace_id: int,
    *,
    models: str,
    since: datetime | None,
    redo: bool,
    fresh_since: datetime | None = None,
) -> list[ColumnElement[bool]]:
    """Which messages a backfill reads: the workspace's, sent since ``since``, and unless
    ``redo`` only those not yet read by ``models``. With ``redo`` and ``fresh_since``, a
    reading by ``models`` at or after ``fresh_since`` counts as done (a redo span delivered
    twice reads its messages once)."""
    conditions: list[ColumnElement[bool]] = [messages.c.workspace_id == workspace_id]
    unread = [enrichments.c.message_id.is_(None), enrichments.c.models != models]
    if not redo:
        conditions.append(or_(*unread))
    elif fresh_since is not None:
        conditions.append(or_(*unread, enrichments.c.enriched_at < fresh_since))
    if since is not None:
        conditions.append(messages.c.sent_at >= since)
    return conditions


_WITH_READINGS = messages.outerjoin(enrichments, enrichments.c.message_id == messages.c.id)


def pending_messages(
    conn: Connection,
    workspace_id: int,
    *,
    models: str,
    after_id: int = 0,
    through_id: int | None = None,
    since: datetime | None = None,
    redo: bool = False,
    fresh_since: datetime | None = None,
    limit: int = 1000,
) -> list[PendingMessage]:
    """The next ``limit`` messages (by id, after ``after_id`` and up to ``through_id``) not
    yet read by ``models``. With ``redo`` every message is returned, read before or not,
    but for those ``models`` read at or after ``fresh_since`` (when given)."""
    upto = [] if through_id is None else [messages.c.id <= through_id]
    query = (
        select(messages.c.id, messages.c.text, messages.c.subject)
        .select_from(_WITH_READINGS)
        .where(
            *_to_read(workspace_id, models=models, since=since, redo=redo, fresh_since=fresh_since),
            messages.c.id > after_id,
            *upto,
        )
        .order_by(messages.c.id)
        .limit(limit)
    )
    return [PendingMessage(row.id, row.text, row.subject) for row in conn.execute(query)]


def pending_spans(
    conn: Connection,
    workspace_id: int,
    *,
    models: str,
    since: datetime | None,
    redo: bool,
    size: int,
) -> list[tuple[int, int, int]]:
    """The messages ``pending_messages`` would hand out, cut into spans of ``size``:
    ``(after_id, through_id, count)`` each, in id order."""
    query = (
        select(messages.c.id)
        .select_from(_WITH_READINGS)
        .where(*_to_read(workspace_id, models=models, since=since, redo=redo))
        .order_by(messages.c.id)
    )
    spans: list[tuple[int, int, int]] = []
    after, last, count = 0, 0, 0
    for (message_id,) in conn.execute(query):
        last, count = message_id, count + 1
        if count == size:
            spans.append((after, last, count))
            after, count = last, 0
    if count:
        spans.append((after, last, count))
    return spans


def count_pending(
    conn: Connection, workspace_id: int, *, models: str, since: datetime | None, redo: bool
) -> int:
    """How many messages ``pending_messages`` will hand out in all (for a progress bar)."""
    query = (
        select(func.count())
        .select_from(_WITH_READINGS)
        .where(*_to_read(workspace_id, models=models, since=since, redo=redo))
    )
    return int(conn.execute(query).scalar_one())


def save_enrichments(conn: Connection, rows: Sequence[dict[str, object]]) -> None:
    """Write enrichment rows, replacing any earlier reading of the same messages."""
    if not rows:
        return
    ids = [cast(int, row["message_id"]) for row in rows]
    conn.execute(
        delete(enrichments).where(in_list(enrichments.c.message_id, ids, conn.dialect.name))
    )
    conn.execute(enrichments.insert(), list(rows))


def enrichment_of(conn: Connection, message_ids: Sequence[int]) -> dict[int, MessageEnrichment]:
    """The stored readings of these messages, by message id (missing ones are absent)."""
    if not message_ids:
        return {}
    rows = conn.execute(
        select(enrichments).where(
            in_list(enrichments.c.message_id, list(message_ids), conn.dialect.name)
        )
    )
    found: dict[int, MessageEnrichment] = {}
    for row in rows:
        item = MessageEnrichment(**row._mapping)
        found[item.message_id] = item
    return found


def count_read_since(conn: Connection, workspace_id: int, *, models: str, moment: datetime) -> int:
    """How many of the workspace's messages ``models`` read at or after ``moment``."""
    query = select(func.count()).where(
        enrichments.c.workspace_id == workspace_id,
        enrichments.c.models == models,
        enrichments.c.enriched_at >= moment,
    )
    return int(conn.execute(query).scalar_one())
