"""Which stored messages a listening query matches.

The SQL narrows by workspace, period, channel and direction; on SQLite the full-text index
narrows further where the query has required ASCII words (with the messages the index might
read differently added back). The matcher then decides every message, so the index only
ever saves time, never changes an answer. Messages are read in batches of ids.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from rapport.inbox.queries import Page, check_paging
from rapport.intelligence.listening import store
from rapport.intelligence.listening.compiled import CompiledQuery
from rapport.intelligence.listening.matcher import Words
from rapport.intelligence.listening.queries import compiled
from rapport.store.listening import ListeningQuery


@dataclass(frozen=True, slots=True)
class MatchedMessage:
    """A message a query matched, with what it was read as (None where it was not read)."""

    message_id: int
    conversation_id: int
    received_at: datetime
    channel: str
    language: str | None
    sentiment: str | None
    intent: str | None


@dataclass(frozen=True, slots=True)
class ShownMatch:
    """A matched message with its text, for one page of matches."""

    match: MatchedMessage
    text: str


def _compiled(query: ListeningQuery | CompiledQuery | str) -> CompiledQuery:
    if isinstance(query, CompiledQuery):
        return query
    if isinstance(query, str):
        return CompiledQuery.of("expression", query)
    return compiled(query)


def _matched(row: store.MessageRow) -> MatchedMessage:
    return MatchedMessage(
        message_id=row.id,
        conversation_id=row.conversation_id,
        received_at=row.sent_at,
        channel=row.channel,
        language=row.language,
        sentiment=row.sentiment,
        intent=row.intent,
    )


def matching_messages(
    session: Session,
    workspace_id: int,
    query: ListeningQuery | CompiledQuery | str,
    since: datetime | None = None,
    until: datetime | None = None,
    channel: str | None = None,
    direction: str | None = "inbound",
) -> Iterator[MatchedMessage]:
    """The messages ``query`` matches, oldest id first: sent at or after ``since`` and
    before ``until``, on ``channel`` (a name) if given, customers' messages only unless
    ``direction`` says otherwise (None: both directions).

    ``query`` is a stored query, a compiled one or an expression; a message read as a
    language the query has a variant for is matched by that variant."""
    target = _compiled(query)
    scope = store.Scope(workspace_id, since, until, channel, direction)
    for batch in store.message_batches(session, scope, need=target.index_need()):
        for row in batch:
            if target.matches(row.text, row.language):
                yield _matched(row)


def matches_of_many(
    session: Session,
    workspace_id: int,
    queries: Sequence[CompiledQuery],
    since: datetime | None = None,
    until: datetime | None = None,
    channel: str | None = None,
    direction: str | None = "inbound",
) -> dict[str, list[MatchedMessage]]:
    """The matches of several queries, by query name. When each can use the index, each
    reads its own candidates; otherwise the period is read once and every message is
    folded once and tested against all of them."""
    found: dict[str, list[MatchedMessage]] = {q.name: [] for q in queries}
    if all(q.index_need() is not None for q in queries):
        for q in queries:
            found[q.name] = list(
                matching_messages(session, workspace_id, q, since, until, channel, direction)
            )
        return found
    scope = store.Scope(workspace_id, since, until, channel, direction)
    markers = any(q.markers for q in queries)
    for batch in store.message_batches(session, scope):
        for row in batch:
            words = Words.of(row.text, markers)
            for q in queries:
                if q.matches_words(words, row.language):
                    found[q.name].append(_matched(row))
    return found


def list_matches(
    session: Session,
    workspace_id: int,
    query: ListeningQuery | CompiledQuery | str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    channel: str | None = None,
    limit: int = 50,
    offset: int = 0,
    oldest_first: bool = False,
) -> Page[ShownMatch]:
    """One page of a query's matches, newest first (or oldest first), with their texts; the
    total is exact."""
    check_paging(limit, offset)
    every = list(matching_messages(session, workspace_id, query, since, until, channel))
    every.sort(key=lambda m: (m.received_at, m.message_id), reverse=not oldest_first)
    page = every[offset : offset + limit]
    texts = store.texts_of(session, [m.message_id for m in page])
    items = [ShownMatch(m, texts.get(m.message_id, "")) for m in page]
    return Page(items, len(every), limit, offset)
