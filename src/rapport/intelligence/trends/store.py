"""SQL for trends: inbound messages counted per 15-minute UTC slot, and the posts behind a
window. Runs alike on SQLite and PostgreSQL; time-zone folding happens in Python."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Table,
    case,
    func,
    literal,
    null,
    select,
)

from rapport.intelligence.trends.buckets import SLOT_SECONDS
from rapport.store.dialects import epoch_seconds, in_list
from rapport.store.models import Channel, Direction, Identity, Message, MessageEnrichment

messages = cast(Table, Message.__table__)
enrichments = cast(Table, MessageEnrichment.__table__)
channels = cast(Table, Channel.__table__)
identities = cast(Table, Identity.__table__)

# What a series can be split by, and filtered on: the column each one reads.
FIELDS = ("channel", "intent", "language", "sentiment")


@dataclass(frozen=True, slots=True)
class SlotCount:
    """Inbound messages of one quarter hour (UTC), one group and one sentiment.

    ``key`` is the group's value (None without grouping, or for unread messages);
    ``sentiment`` is None for messages not read yet; ``polarity`` sums +score for positive
    and -score for negative readings."""

    slot: datetime
    key: str | None
    sentiment: str | None
    count: int
    polarity: float


@dataclass(frozen=True, slots=True)
class Post:
    """A message shown as one of the posts behind an alert."""

    id: int
    conversation_id: int
    sent_at: datetime
    channel: str
    author: str
    text: str
    sentiment: str | None
    sentiment_score: float | None


def _column(field: str) -> Any:
    if field == "channel":
        return channels.c.name
    if field in ("intent", "language", "sentiment"):
        return enrichments.c[field]
    raise ValueError(f"unknown trend field {field!r}")


def _where(
    workspace_id: int, since: datetime, until: datetime, filters: Mapping[str, str]
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        messages.c.workspace_id == workspace_id,
        messages.c.direction == Direction.INBOUND.value,
        messages.c.sent_at >= since,
        messages.c.sent_at < until,
    ]
    conditions.extend(_column(field) == value for field, value in filters.items())
    return conditions


_FROM = messages.outerjoin(enrichments, enrichments.c.message_id == messages.c.id).join(
    channels, channels.c.id == messages.c.channel_id
)


def slot_counts(
    conn: Connection,
    workspace_id: int,
    *,
    since: datetime,
    until: datetime,
    by: str | None = None,
    filters: Mapping[str, str] | None = None,
) -> list[SlotCount]:
    """Inbound messages sent in ``[since, until)`` per UTC quarter hour, group and
    sentiment; ``filters`` keeps only messages whose fields have these values."""
    epoch = epoch_seconds(messages.c.sent_at, conn.dialect.name)
    polarity = case(
        (enrichments.c.sentiment == "positive", enrichments.c.sentiment_score),
        (enrichments.c.sentiment == "negative", -enrichments.c.sentiment_score),
        else_=literal(0.0, Float),
    )
    key = _column(by) if by else null()
    per_message = (
        select(
            (epoch - epoch % SLOT_SECONDS).label("slot"),
            key.label("key"),
            enrichments.c.sentiment.label("sentiment"),
            polarity.label("polarity"),
        )
        .select_from(_FROM)
        .where(*_where(workspace_id, since, until, filters or {}))
        .subquery()
    )
    query = select(
        per_message.c.slot,
        per_message.c.key,
        per_message.c.sentiment,
        func.count(),
        func.sum(per_message.c.polarity),
    ).group_by(per_message.c.slot, per_message.c.key, per_message.c.sentiment)
    return [
        SlotCount(
            slot=datetime.fromtimestamp(int(slot), UTC),
            key=None if group is None else str(group),
            sentiment=sentiment,
            count=int(count),
            polarity=float(total or 0.0),
        )
        for slot, group, sentiment, count, total in conn.execute(query)
    ]


def sample_ids(
    conn: Connection,
    workspace_id: int,
    *,
    since: datetime,
    until: datetime,
    filters: Mapping[str, str] | None = None,
    negative_only: bool = False,
    limit: int = 20,
) -> list[int]:
    """Up to ``limit`` inbound messages of ``[since, until)``: the most negative first, then
    the newest (only negative ones with ``negative_only``)."""
    where = _where(workspace_id, since, until, filters or {})
    if negative_only:
        where.append(enrichments.c.sentiment == "negative")
    negative_first = case((enrichments.c.sentiment == "negative", 0), else_=1)
    query = (
        select(messages.c.id)
        .select_from(_FROM)
        .where(*where)
        .order_by(
            negative_first,
            case(
                (enrichments.c.sentiment == "negative", -enrichments.c.sentiment_score),
                else_=literal(0.0, Float),
            ),
            messages.c.sent_at.desc(),
            messages.c.id.desc(),
        )
        .limit(limit)
    )
    return [int(row) for row in conn.execute(query).scalars()]


def posts_of(conn: Connection, workspace_id: int, ids: Sequence[int]) -> list[Post]:
    """These messages of the workspace as posts, in the order of ``ids`` (missing ones,
    deleted since, are left out)."""
    if not ids:
        return []
    query = (
        select(
            messages.c.id,
            messages.c.conversation_id,
            messages.c.sent_at,
            channels.c.name,
            func.coalesce(identities.c.handle, identities.c.display_name),
            messages.c.text,
            enrichments.c.sentiment,
            enrichments.c.sentiment_score,
        )
        .select_from(_FROM.join(identities, identities.c.id == messages.c.identity_id))
        .where(
            messages.c.workspace_id == workspace_id,
            in_list(messages.c.id, list(ids), conn.dialect.name),
        )
    )
    found: dict[int, Post] = {}
    for row in conn.execute(query):
        found[row[0]] = Post(
            id=row[0],
            conversation_id=row[1],
            sent_at=row[2],
            channel=row[3],
            author=row[4] or "",
            text=row[5],
            sentiment=row[6],
            sentiment_score=row[7],
        )
    return [found[i] for i in ids if i in found]
