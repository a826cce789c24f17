"""Conversations of the import path: created from threads, folded, merged, recounted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, func, select, update

from rapport.engage.case_store import fold_cases
from rapport.ingest.bulk import BulkWriter
from rapport.ingest.prepare import Stamp, Thread, preview
from rapport.store.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Identity,
    Message,
    ThreadLink,
)
from rapport.store.types import UTCDateTime

conversations = cast(Table, Conversation.__table__)
messages = cast(Table, Message.__table__)
identities = cast(Table, Identity.__table__)
thread_links = cast(Table, ThreadLink.__table__)

# Folds a batch's messages into an existing conversation's figures. In an UPDATE every
# right-hand side sees the row as it was, so the comparisons use the old last_message_at.
UPDATE_CONVERSATION = """
UPDATE conversations SET
  message_count = message_count + ?,
  first_message_at = CASE WHEN ? < first_message_at THEN ? ELSE first_message_at END,
  last_message_preview = CASE WHEN ? > last_message_at THEN ? ELSE last_message_preview END,
  last_direction = CASE WHEN ? > last_message_at THEN ? ELSE last_direction END,
  last_message_at = CASE WHEN ? > last_message_at THEN ? ELSE last_message_at END,
  contact_id = CASE WHEN contact_id IS NULL OR ? < first_message_at
                    THEN COALESCE(?, contact_id) ELSE contact_id END,
  unread = (unread OR ?),
  status = CASE WHEN ? AND status = 'closed' THEN 'open' ELSE status END
WHERE id = ?
"""
COLUMNS = (
    "id",
    "workspace_id",
    "channel_id",
    "contact_id",
    "subject",
    "status",
    "unread",
    "message_count",
    "first_message_at",
    "last_message_at",
    "last_message_preview",
    "last_direction",
    "created_at",
)
OPEN = ConversationStatus.OPEN.value


class ConversationWriter:
    """Writes the conversations of one channel of one workspace."""

    def __init__(self, workspace_id: int, channel_id: int, stamp: Stamp) -> None:
        self.workspace_id = workspace_id
        self.channel_id = channel_id
        self._stamp = stamp

    def create(
        self,
        writer: BulkWriter,
        ids: list[int],
        threads: list[Thread],
        authors: dict[str, tuple[int, int | None]],
    ) -> None:
        """Insert one conversation per thread, with the ids allocated for them."""
        now = self._stamp(datetime.now(UTC))
        head = (self.workspace_id, self.channel_id)
        rows = [
            (
                conversation_id,
                *head,
                authors[t.first_inbound.author_id][1] if t.first_inbound else None,
                t.subject,
                OPEN,
                t.inbound,
                len(t.messages),
                t.first_at,
                t.last_at,
                t.preview,
                t.last_direction,
                now,
            )
            for conversation_id, t in zip(ids, threads, strict=True)
        ]
        writer.insert(conversations, COLUMNS, rows)

    def merge(self, conn: Connection, target: int, others: list[int]) -> None:
        """Fold conversations that turned out to be one thread into the oldest of them."""
        fold_cases(conn, target, others, datetime.now(UTC))
        conn.execute(
            update(messages)
            .where(messages.c.conversation_id.in_(others))
            .values(conversation_id=target)
        )
        conn.execute(
            update(thread_links)
            .where(thread_links.c.conversation_id.in_(others))
            .values(conversation_id=target)
        )
        conn.execute(conversations.delete().where(conversations.c.id.in_(others)))

    def recount(self, conn: Connection, conversation_id: int) -> None:
        """Work a merged conversation's figures out again from its stored messages."""
        count, first_at = conn.execute(
            select(func.count(), func.min(messages.c.sent_at)).where(
                messages.c.conversation_id == conversation_id
            )
        ).one()
        last = conn.execute(
            select(messages.c.text, messages.c.direction, messages.c.sent_at)
            .where(messages.c.conversation_id == conversation_id)
            .order_by(messages.c.sent_at.desc(), messages.c.id.desc())
            .limit(1)
        ).one()
        customer = conn.execute(
            select(identities.c.contact_id)
            .join(messages, messages.c.identity_id == identities.c.id)
            .where(
                messages.c.conversation_id == conversation_id,
                messages.c.direction == Direction.INBOUND.value,
            )
            .order_by(messages.c.sent_at)
            .limit(1)
        ).scalar()
        first_value = UTCDateTime().process_result_value(first_at, conn.dialect)
        conn.execute(
            update(conversations)
            .where(conversations.c.id == conversation_id)
            .values(
                message_count=count,
                first_message_at=first_value,
                last_message_at=last.sent_at,
                last_message_preview=preview(last.text),
                last_direction=last.direction,
                contact_id=customer,
                unread=True,
            )
        )


def aggregate_update(
    conversation_id: int, thread: Thread, authors: dict[str, tuple[int, int | None]]
) -> tuple[Any, ...]:
    """Parameters of UPDATE_CONVERSATION folding ``thread`` into a stored conversation.

    The customer is the author of the earliest inbound message: the stored one is replaced
    when this thread brings an inbound message older than anything in the conversation.
    """
    first_at, last_at = thread.first_at, thread.last_at
    first_inbound = thread.first_inbound
    return (
        len(thread.messages),
        first_at,
        first_at,
        last_at,
        thread.preview,
        last_at,
        thread.last_direction,
        last_at,
        last_at,
        thread.first_inbound_at,
        authors[first_inbound.author_id][1] if first_inbound else None,
        thread.inbound,
        thread.inbound,
        conversation_id,
    )
