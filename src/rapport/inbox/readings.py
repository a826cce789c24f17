"""What the inbox filters on from message enrichments: sentiment, intent, language."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select

from rapport.store.models import Conversation, Direction, Message, MessageEnrichment


def read_as(
    workspace_id: int,
    *,
    sentiment: str | None = None,
    intent: str | None = None,
    language: str | None = None,
) -> ColumnElement[bool] | None:
    """Conversations in which a customer wrote a message read with all of these (one
    message has to match every one given), or None when none is given."""
    wanted: list[Any] = []
    if sentiment:
        wanted.append(MessageEnrichment.sentiment == sentiment)
    if intent:
        wanted.append(MessageEnrichment.intent == intent)
    if language:
        wanted.append(MessageEnrichment.language == language)
    if not wanted:
        return None
    matching = (
        select(Message.conversation_id)
        .join(MessageEnrichment, MessageEnrichment.message_id == Message.id)
        .where(
            MessageEnrichment.workspace_id == workspace_id,
            Message.direction == Direction.INBOUND.value,
            *wanted,
        )
    )
    return Conversation.id.in_(matching.scalar_subquery())
