"""Which customer messages an insight reads: a workspace's inbound messages of a period,
optionally of one channel and one language. Shared by the topics and the dashboards, so
both count the same messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table

from rapport.errors import InvalidInput
from rapport.store.models import Channel, Direction, Message, MessageEnrichment

messages = cast(Table, Message.__table__)
enrichments = cast(Table, MessageEnrichment.__table__)
channels = cast(Table, Channel.__table__)
UNREAD = "unread"  # the sentiment, intent or language of a message not read yet


@dataclass(frozen=True, slots=True)
class MessageScope:
    """Inbound messages sent in [since, until), of ``channel`` (its name) and ``language``
    (ISO 639-1 as read by the enrichment, ``und`` when unknown, ``unread`` before it was
    read) when given."""

    since: datetime | None = None
    until: datetime | None = None
    channel: str | None = None
    language: str | None = None

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            moment = getattr(self, name)
            if moment is None:
                continue
            if moment.tzinfo is None:
                raise InvalidInput(f"{name}: give a time zone (or read it as UTC first)")
            try:
                object.__setattr__(self, name, moment.astimezone(UTC))
            except OverflowError:
                raise InvalidInput(f"{name}: {moment.isoformat()} is out of range") from None
        if self.since and self.until and self.since >= self.until:
            raise InvalidInput(
                f"until ({self.until.isoformat()}) must be after since ({self.since.isoformat()})"
            )


# Messages with their reading (absent until enriched) and their channel.
READ_MESSAGES = messages.outerjoin(enrichments, enrichments.c.message_id == messages.c.id).join(
    channels, channels.c.id == messages.c.channel_id
)


def scope_conditions(workspace_id: int, scope: MessageScope) -> list[ColumnElement[bool]]:
    """The WHERE conditions of ``scope`` over :data:`READ_MESSAGES`."""
    conditions: list[ColumnElement[bool]] = [
        messages.c.workspace_id == workspace_id,
        messages.c.direction == Direction.INBOUND.value,
    ]
    if scope.since is not None:
        conditions.append(messages.c.sent_at >= scope.since)
    if scope.until is not None:
        conditions.append(messages.c.sent_at < scope.until)
    if scope.channel is not None:
        conditions.append(channels.c.name == scope.channel)
    if scope.language == UNREAD:
        conditions.append(enrichments.c.language.is_(None))
    elif scope.language is not None:
        conditions.append(enrichments.c.language == scope.language)
    return conditions


def scoped(query: Select[Any], workspace_id: int, scope: MessageScope) -> Select[Any]:
    """``query`` over the read messages, limited to ``scope``."""
    return query.select_from(READ_MESSAGES).where(*scope_conditions(workspace_id, scope))
