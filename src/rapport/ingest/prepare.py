"""Everything about a batch that needs no database, worked out ahead of the writer.

The reader thread prepares batch N+1 while the writer stores batch N; the writer then only
looks up, links and inserts. Nothing here touches a connection.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rapport.ingest.records import InboundMessage, Rejected
from rapport.ingest.threading import group_into_threads
from rapport.ingest.validation import message_problem
from rapport.intelligence.enrichment import Analyzer, Enrichment
from rapport.store.models import Direction

PREVIEW_LENGTH = 280
Stamp = Callable[[datetime], Any]
_INBOUND = Direction.INBOUND
_SENT_AT = 3  # where the stored time sits in a message's prepared values


def stamp_for(dialect_name: str) -> Stamp:
    """How a timestamp is written by the bulk path: SQLite keeps UTC text as SQLAlchemy
    writes it ("YYYY-MM-DD HH:MM:SS.ffffff"), PostgreSQL takes the datetime itself."""
    if dialect_name != "sqlite":
        return lambda moment: moment

    def sqlite_stamp(moment: datetime) -> str:
        if moment.tzinfo is not UTC:
            moment = moment.astimezone(UTC)
        return moment.isoformat(" ", "microseconds")[:26]  # without the "+00:00"

    return sqlite_stamp


def preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_LENGTH else flat[: PREVIEW_LENGTH - 1] + "…"


@dataclass(slots=True)
class Thread:
    """Messages of one batch that belong together, with the figures their conversation needs."""

    messages: list[InboundMessage]
    first_at: Any
    last_at: Any
    subject: str | None
    preview: str
    last_direction: str
    inbound: bool
    first_inbound: InboundMessage | None
    first_inbound_at: Any


@dataclass(slots=True)
class PreparedBatch:
    """A batch checked, deduplicated, grouped into threads and turned into row values."""

    messages: list[InboundMessage]  # valid, the first of each id
    rejected: list[Rejected]
    duplicates: int  # ids repeated inside the batch
    keys: list[str]  # every threading key of the messages
    threads: list[Thread]
    values: dict[str, tuple[Any, ...]]  # per external id: its stored column values
    size: int  # records read, for progress
    # what the analyzer read in each message, in order, where the reader already read them
    readings: list[Enrichment] | None = None


def analysis_text(message: InboundMessage) -> str:
    """What the analyzer reads of a message: an e-mail's subject often says most of what it
    is about, so it comes first."""
    return f"{message.subject}\n{message.text}" if message.subject else message.text


def analyze_batch(batch: PreparedBatch, analyzer: Analyzer) -> PreparedBatch:
    """``batch`` with what ``analyzer`` reads in each of its messages."""
    batch.readings = analyzer.analyze([analysis_text(m) for m in batch.messages])
    return batch


def _sent_at(message: InboundMessage) -> datetime:
    return message.sent_at


def make_threads(
    messages: list[InboundMessage], values: dict[str, tuple[Any, ...]]
) -> list[Thread]:
    """Group ``messages`` into threads; times come from their prepared ``values``."""
    threads = []
    for group in group_into_threads(messages):
        if len(group) == 1:
            first = last = group[0]
            inbound = [first] if first.direction is _INBOUND else []
        else:
            first = min(group, key=_sent_at)
            last = max(group, key=_sent_at)
            inbound = [m for m in group if m.direction is _INBOUND]
        first_inbound = (
            None if not inbound else inbound[0] if len(inbound) == 1 else min(inbound, key=_sent_at)
        )
        first_at = values[first.external_id][_SENT_AT]
        threads.append(
            Thread(
                messages=group,
                first_at=first_at,
                last_at=first_at if last is first else values[last.external_id][_SENT_AT],
                subject=first.subject,
                preview=preview(last.text),
                last_direction="inbound" if last.direction is _INBOUND else "outbound",
                inbound=bool(inbound),
                first_inbound=first_inbound,
                first_inbound_at=(
                    values[first_inbound.external_id][_SENT_AT] if first_inbound else None
                ),
            )
        )
    return threads


def prepare_batch(
    batch: list[InboundMessage], rejected: list[Rejected], stamp: Stamp
) -> PreparedBatch:
    """Check, deduplicate and group one batch; ``rejected`` gains the unusable messages."""
    size = len(batch) + len(rejected)
    unique: dict[str, InboundMessage] = {}
    duplicates = 0
    for message in batch:
        problem = message_problem(message)
        if problem is not None:
            rejected.append(
                Rejected(message.location or message.external_id[:200], problem, describe(message))
            )
        elif message.external_id in unique:
            duplicates += 1
        else:
            unique[message.external_id] = message
    messages = list(unique.values())
    keys: set[str] = set(unique)
    values: dict[str, tuple[Any, ...]] = {}
    for m in messages:
        if m.in_reply_to:
            keys.add(m.in_reply_to)
        if m.thread_refs:
            keys.update(m.thread_refs)
        values[m.external_id] = (
            m.external_id,
            m.in_reply_to,
            "inbound" if m.direction is _INBOUND else "outbound",
            stamp(m.sent_at),
            m.subject,
            m.text,
            None if m.meta is None else json.dumps(m.meta, ensure_ascii=False),
        )
    return PreparedBatch(
        messages=messages,
        rejected=rejected,
        duplicates=duplicates,
        keys=list(keys),
        threads=make_threads(messages, values),
        values=values,
        size=size,
    )


def describe(message: InboundMessage) -> str:
    """The message as JSON, kept in the dead-letter store for repair."""
    return json.dumps(
        {
            "id": message.external_id,
            "author": message.author_id,
            "sent_at": message.sent_at.isoformat(),
            "direction": message.direction.value,
            "in_reply_to": message.in_reply_to,
            "thread_refs": list(message.thread_refs),
            "subject": message.subject,
            "text": message.text,
        },
        ensure_ascii=False,
    )
