"""SQL of the topics: which messages a period holds, their texts and readings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, select

from rapport.intelligence.scope_store import MessageScope, enrichments, messages, scoped
from rapport.intelligence.topics.summary import TopicPost
from rapport.store.dialects import in_list

_POST_COLUMNS = (
    messages.c.id,
    messages.c.conversation_id,
    messages.c.text,
    enrichments.c.language,
    enrichments.c.sentiment,
    messages.c.sent_at,
)


def scope_ids(conn: Connection, workspace_id: int, scope: MessageScope) -> list[int]:
    """The ids of the customer messages in ``scope``, in id order."""
    query = scoped(select(messages.c.id), workspace_id, scope).order_by(messages.c.id)
    return list(conn.execute(query).scalars())


def posts_of(
    conn: Connection, workspace_id: int, scope: MessageScope, ids: Sequence[int]
) -> list[TopicPost]:
    """The messages of ``scope`` with these ids (and their readings), in id order."""
    if not ids:
        return []
    query = (
        scoped(select(*_POST_COLUMNS), workspace_id, scope)
        .where(in_list(messages.c.id, list(ids), conn.dialect.name))
        .order_by(messages.c.id)
    )
    return _posts(conn, query)


def posts_after(
    conn: Connection, workspace_id: int, scope: MessageScope, after_id: int, limit: int
) -> list[TopicPost]:
    """The next ``limit`` messages of ``scope`` with ids after ``after_id``."""
    query = (
        scoped(select(*_POST_COLUMNS), workspace_id, scope)
        .where(messages.c.id > after_id)
        .order_by(messages.c.id)
        .limit(limit)
    )
    return _posts(conn, query)


def _posts(conn: Connection, query: Select[Any]) -> list[TopicPost]:
    return [
        TopicPost(row.id, row.conversation_id, row.text, row.language, row.sentiment, row.sent_at)
        for row in conn.execute(query)
    ]
