"""Pydantic shapes of inbox data, shared by the API and the command line's --json."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ConversationOut(_Out):
    id: int
    channel: str
    channel_kind: str
    customer: str | None
    customer_id: int | None
    subject: str | None
    status: str
    unread: bool
    message_count: int
    first_message_at: datetime
    last_message_at: datetime
    last_message_preview: str
    last_direction: str


class MessageOut(_Out):
    id: int
    conversation_id: int
    external_id: str
    in_reply_to: str | None
    direction: str
    sent_at: datetime
    author: str
    author_handle: str | None
    author_is_company: bool
    subject: str | None
    text: str
    channel: str
    language: str | None = None
    sentiment: str | None = None
    sentiment_score: float | None = None
    intent: str | None = None
    keywords: list[str] = []


class IdentityOut(_Out):
    id: int
    channel: str
    external_id: str
    handle: str | None
    display_name: str
    followers_count: int | None


class ContactOut(_Out):
    id: int
    display_name: str
    email: str | None
    created_at: datetime
    identities: list[IdentityOut]
    conversation_count: int


class ConversationDetailOut(_Out):
    conversation: ConversationOut
    messages: list[MessageOut]
    contact: ContactOut | None


class DeadLetterOut(_Out):
    id: int
    source: str
    location: str
    format: str
    reason: str
    payload: str
    created_at: datetime
