"""Pydantic shapes of listening data, shared by the API and the command line's --json."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from rapport.store.listening import QueryKind

if TYPE_CHECKING:
    from rapport.intelligence.listening.matching import ShownMatch

_EXPRESSION = (
    'Boolean keywords: words, "phrases", AND, OR, NOT (or -word), parentheses, #hashtags, '
    "@handles and prefix* (see docs/listening.md)."
)
_VARIANTS = (
    "Expressions by language (ISO 639-1): a message read as that language is matched by its "
    'variant instead of the expression, e.g. {"fa": "هکلا OR hekla"}.'
)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class QueryOut(_Out):
    id: int
    name: str
    kind: str
    expression: str
    variants: dict[str, str]
    created_at: datetime
    updated_at: datetime
    created_by: int | None


class QueryIn(BaseModel):
    """A new listening query."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00]*$")
    expression: str = Field(max_length=2000, pattern=r"^[^\x00]*$", description=_EXPRESSION)
    kind: QueryKind = QueryKind.BRAND
    variants: dict[str, str] = Field(default_factory=dict, description=_VARIANTS)


class QueryPatch(BaseModel):
    """Fields to change; omitted ones stay. ``variants`` replaces every variant."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100, pattern=r"^[^\x00]*$")
    expression: str | None = Field(
        default=None, max_length=2000, pattern=r"^[^\x00]*$", description=_EXPRESSION
    )
    kind: QueryKind | None = None
    variants: dict[str, str] | None = Field(default=None, description=_VARIANTS)


class ChangeOut(_Out):
    id: int
    query_id: int
    name: str
    action: str
    changed_by: int | None
    changed_at: datetime
    old_kind: str | None
    new_kind: str | None
    old_expression: str | None
    new_expression: str | None
    old_variants: dict[str, str] | None
    new_variants: dict[str, str] | None


class MatchOut(BaseModel):
    """A message a query matched; the readings are null for a message not read yet."""

    message_id: int
    conversation_id: int
    received_at: datetime
    channel: str
    language: str | None
    sentiment: str | None
    intent: str | None
    text: str

    @classmethod
    def of(cls, shown: ShownMatch) -> MatchOut:
        return cls(**asdict(shown.match), text=shown.text)


class VoiceOut(_Out):
    name: str
    mentions: int
    share: float = Field(description="Mentions over the mentions of every query (0 to 1).")
    negative: int
    neutral: int
    positive: int
    unread: int = Field(description="Mentions not read by the sentiment model.")
    net_sentiment: float | None = Field(
        description="(positive - negative) / read mentions, -1 to 1; null when none was read."
    )
    channels: dict[str, int]


class ShareOfVoiceOut(_Out):
    """A message that matches two queries is a mention of both: ``total_mentions`` can be
    more than ``messages``, the distinct messages mentioned."""

    since: datetime | None
    until: datetime | None
    total_mentions: int
    messages: int
    voices: list[VoiceOut]
