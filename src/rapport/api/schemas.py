"""Request and response shapes that only the API needs (inbox data shapes live in
``rapport.inbox.schemas``, shared with the command line)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from rapport.store.models import ConversationStatus, Role

T = TypeVar("T")


class PageOut(BaseModel, Generic[T]):
    """One page of a list: ``total`` counts every match, not just this page.

    Counting stops at 10,000 (and a search word found in more than 5,000 messages is
    searched in its newest 5,000): ``total_exact`` is then false and ``total`` a lower bound.
    """

    items: list[T]
    total: int
    limit: int
    offset: int
    total_exact: bool = True


class ErrorDetail(BaseModel):
    type: str = Field(description="Machine-readable kind, e.g. not_found, invalid_input.")
    message: str = Field(description="What was wrong and where, for a person to read.")
    field: str | None = Field(default=None, description="The input that was wrong, if one was.")
    fields: list[dict[str, str]] | None = Field(
        default=None, description="Every invalid input with its problem (validation errors)."
    )


class ErrorOut(BaseModel):
    """Every error the API answers with has this shape."""

    error: ErrorDetail


class HealthOut(BaseModel):
    status: str
    database: str


class ConversationPatch(BaseModel):
    """Fields of a conversation an agent may change; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    status: ConversationStatus | None = None
    unread: bool | None = None


class MessageAccepted(BaseModel):
    """Where a posted message was stored. ``duplicate`` is true when it was already there."""

    message_id: int
    conversation_id: int
    channel: str
    external_id: str
    duplicate: bool


class TokenRequest(BaseModel):
    """Credentials for a new API token (JSON body; a form with username/password also works)."""

    email: str
    password: str
    name: str = Field(default="api", max_length=200, description="A label for the token.")


class WorkspaceOut(BaseModel):
    id: int
    slug: str
    name: str


class MeOut(BaseModel):
    """The user a token belongs to."""

    user_id: int
    name: str
    email: str
    role: Role
    workspace: WorkspaceOut


class TokenOut(BaseModel):
    """A new token. ``access_token`` is shown this once; Rapport keeps only its hash."""

    access_token: str
    token_type: str = "bearer"
    name: str
    prefix: str
    user: MeOut


class ChannelOut(BaseModel):
    id: int
    name: str
    kind: str
    created_at: datetime
    conversation_count: int


# The body of POST /api/v1/messages, written out by hand: the endpoint validates it with the
# same parser as `rapport import --format jsonl`, so this schema documents, it does not check.
MESSAGE_IN_SCHEMA: dict[str, Any] = {
    "title": "MessageIn",
    "type": "object",
    "required": ["id", "text", "sent_at", "author"],
    "properties": {
        "channel": {
            "type": "string",
            "default": "api",
            "description": "Channel name; created as an API channel if it does not exist.",
        },
        "id": {"type": "string", "description": "The message's id, unique on its channel."},
        "text": {"type": "string"},
        "sent_at": {
            "type": "string",
            "format": "date-time",
            "description": "ISO 8601 with a time zone (Z allowed).",
        },
        "author": {
            "description": "The author, or just their id as a string.",
            "anyOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "required": ["id"],
                    "properties": {
                        "id": {"type": "string"},
                        "name": {"type": "string"},
                        "handle": {"type": "string"},
                        "email": {"type": "string"},
                        "followers": {"type": "integer"},
                    },
                },
            ],
        },
        "direction": {"type": "string", "enum": ["inbound", "outbound"], "default": "inbound"},
        "in_reply_to": {"type": "string", "description": "Id of the message this answers."},
        "thread": {"type": "string", "description": "Messages sharing it form one thread."},
        "subject": {"type": "string"},
        "meta": {"type": "object", "description": "Kept as it is."},
    },
    "example": {
        "channel": "api",
        "id": "m-1",
        "text": "سلام، سفارش من هنوز نرسیده است",
        "sent_at": "2026-11-20T09:15:00+03:30",
        "author": {"id": "u-7", "name": "Sara", "handle": "sara"},
    },
}
