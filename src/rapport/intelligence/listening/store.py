"""SQL of listening: the named queries and their history, and messages read in batches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from rapport.intelligence.listening.folding import (
    NOT_ASCII_GLOB,
    index_unsafe_glob,
    index_unsafe_regex,
)
from rapport.intelligence.listening.matcher import IndexAll, IndexNeed, IndexWord, fts5_query
from rapport.store.dialects import in_list
from rapport.store.listening import ListeningQuery, ListeningQueryChange
from rapport.store.models import Channel, Message, MessageEnrichment

BATCH = 2_000


def query_by_name(session: Session, workspace_id: int, name: str) -> ListeningQuery | None:
    return session.scalars(
        select(ListeningQuery).where(
            ListeningQuery.workspace_id == workspace_id, ListeningQuery.name == name
        )
    ).one_or_none()


def query_by_id(session: Session, workspace_id: int, query_id: int) -> ListeningQuery | None:
    return session.scalars(
        select(ListeningQuery).where(
            ListeningQuery.workspace_id == workspace_id, ListeningQuery.id == query_id
        )
    ).one_or_none()


def queries_of(
    session: Session, workspace_id: int, *, kind: str | None = None
) -> list[ListeningQuery]:
    """The workspace's queries by name, of one kind if asked."""
    conditions: list[ColumnElement[bool]] = [ListeningQuery.workspace_id == workspace_id]
    if kind is not None:
        conditions.append(ListeningQuery.kind == kind)
    return list(
        session.scalars(select(ListeningQuery).where(*conditions).order_by(ListeningQuery.name))
    )


def changes_of(session: Session, workspace_id: int, query_id: int) -> list[ListeningQueryChange]:
    """A query's changes, oldest first."""
    return list(
        session.scalars(
            select(ListeningQueryChange)
            .where(
                ListeningQueryChange.workspace_id == workspace_id,
                ListeningQueryChange.query_id == query_id,
            )
            .order_by(ListeningQueryChange.id)
        )
    )


def last_query_id_named(session: Session, workspace_id: int, name: str) -> int | None:
    """The id of the query last known by ``name`` (it may have been removed since)."""
    return session.scalars(
        select(ListeningQueryChange.query_id)
        .where(ListeningQueryChange.workspace_id == workspace_id, ListeningQueryChange.name == name)
        .order_by(ListeningQueryChange.id.desc())
        .limit(1)
    ).first()


@dataclass(frozen=True, slots=True)
class MessageRow:
    id: int
    conversation_id: int
    sent_at: datetime
    channel: str
    text: str
    language: str | None
    sentiment: str | None
    intent: str | None


@dataclass(frozen=True, slots=True)
class Scope:
    """Which messages a listening query reads."""

    workspace_id: int
    since: datetime | None = None
    until: datetime | None = None
    channel: str | None = None
    direction: str | None = "inbound"


def _conditions(session: Session, scope: Scope, need: IndexNeed | None) -> list[Any]:
    conditions: list[Any] = [Message.workspace_id == scope.workspace_id]
    if scope.direction is not None:
        conditions.append(Message.direction == scope.direction)
    if scope.since is not None:
        conditions.append(Message.sent_at >= scope.since)
    if scope.until is not None:
        conditions.append(Message.sent_at < scope.until)
    if scope.channel is not None:
        conditions.append(Channel.name == scope.channel)
    if need is not None:
        dialect = session.get_bind().dialect.name
        if dialect == "sqlite":
            conditions.append(_index_prefilter(need))
        elif dialect == "postgresql":
            conditions.append(_substring_prefilter(need))
    return conditions


def _index_prefilter(need: IndexNeed) -> ColumnElement[bool]:
    """SQLite: the full-text index finds the messages with the ASCII words; messages with
    characters the index folds differently from the matcher are read too, so none is
    missed."""
    indexed: Select[Any] = (
        select(literal_column("rowid"))
        .select_from(text("message_fts"))
        .where(text("message_fts MATCH :listening_fts").bindparams(listening_fts=fts5_query(need)))
    )
    not_ascii = Message.text.op("GLOB")(bindparam("listening_not_ascii", NOT_ASCII_GLOB))
    unsafe = Message.text.op("GLOB")(bindparam("listening_unsafe", index_unsafe_glob()))
    return or_(Message.id.in_(indexed.scalar_subquery()), and_(not_ascii, unsafe))


def _substring_prefilter(need: IndexNeed) -> ColumnElement[bool]:
    """PostgreSQL: a message is read only if it holds the need's ASCII words as substrings
    (any case), or a character the matcher may fold into ASCII letters (``Café`` for
    "cafe"), which the matcher then decides. The database does the scanning, and only the
    candidates travel to Python to be folded and matched."""
    unsafe = Message.text.op("~")(bindparam("listening_unsafe", index_unsafe_regex()))
    return or_(_contains(need), unsafe)


def _contains(need: IndexNeed) -> ColumnElement[bool]:
    if isinstance(need, IndexWord):
        # the word is ASCII letters and digits only (``matcher._indexable``): no LIKE
        # wildcard can be in it, and it is a bound value, never part of the SQL
        return Message.text.ilike(f"%{need.word}%")
    parts = [_contains(item) for item in need.items]
    return and_(*parts) if isinstance(need, IndexAll) else or_(*parts)


def message_batches(
    session: Session, scope: Scope, *, need: IndexNeed | None = None, batch: int = BATCH
) -> Iterator[list[MessageRow]]:
    """The scope's messages with their readings, by id, ``batch`` at a time, so a long
    period never sits in memory at once. ``need`` (the words every match must hold) narrows
    them first: with the full-text index on SQLite, with substring tests on PostgreSQL; the
    caller still decides each message."""
    conditions = _conditions(session, scope, need)
    after = 0
    while True:
        query = (
            select(
                Message.id,
                Message.conversation_id,
                Message.sent_at,
                Channel.name,
                Message.text,
                MessageEnrichment.language,
                MessageEnrichment.sentiment,
                MessageEnrichment.intent,
            )
            .join(Channel, Channel.id == Message.channel_id)
            .outerjoin(MessageEnrichment, MessageEnrichment.message_id == Message.id)
            .where(*conditions, Message.id > after)
            .order_by(Message.id)
            .limit(batch)
        )
        rows = [MessageRow(*row) for row in session.execute(query)]
        if not rows:
            return
        yield rows
        if len(rows) < batch:
            return
        after = rows[-1].id


def texts_of(session: Session, message_ids: Sequence[int]) -> dict[int, str]:
    """The texts of these messages, by id (to show a page of matches)."""
    if not message_ids:
        return {}
    dialect = session.get_bind().dialect.name
    rows = session.execute(
        select(Message.id, Message.text).where(in_list(Message.id, list(message_ids), dialect))
    )
    return {message_id: body for message_id, body in rows}
