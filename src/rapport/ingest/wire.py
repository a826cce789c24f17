"""Prepared batches as plain tuples, for handing them from a reader process to the writer.

Pickling dataclass instances costs more than preparing them; tuples of strings and numbers
pickle about fifteen times faster. ``encode`` and ``decode`` are exact inverses.
"""

from __future__ import annotations

from typing import Any

from rapport.ingest.prepare import PreparedBatch, Thread
from rapport.ingest.records import InboundMessage, Rejected
from rapport.intelligence.enrichment import Enrichment
from rapport.store.models import Direction

WireBatch = tuple[Any, ...]
_DIRECTIONS = {d.value: d for d in Direction}


def encode(batch: PreparedBatch) -> WireBatch:
    messages = batch.messages
    index = {id(m): i for i, m in enumerate(messages)}
    return (
        [
            (
                m.external_id,
                m.author_id,
                m.text,
                m.sent_at,
                m.direction.value,
                m.author_name,
                m.author_handle,
                m.author_email,
                m.followers_count,
                m.in_reply_to,
                m.thread_refs,
                m.subject,
                m.meta,
                m.location,
            )
            for m in messages
        ],
        [(r.location, r.reason, r.payload) for r in batch.rejected],
        batch.duplicates,
        batch.keys,
        [
            (
                [index[id(m)] for m in t.messages],
                t.first_at,
                t.last_at,
                t.subject,
                t.preview,
                t.last_direction,
                t.inbound,
                -1 if t.first_inbound is None else index[id(t.first_inbound)],
                t.first_inbound_at,
            )
            for t in batch.threads
        ],
        [batch.values[m.external_id] for m in messages],
        batch.size,
        None
        if batch.readings is None
        else [
            (r.language, r.sentiment, r.sentiment_score, r.intent, r.intent_score, r.keywords)
            for r in batch.readings
        ],
    )


def decode(wire: WireBatch) -> PreparedBatch:
    raw_messages, raw_rejected, duplicates, keys, raw_threads, values, size, readings = wire
    directions = _DIRECTIONS
    # Fields in InboundMessage's order; the fifth, the direction, travels as its value.
    messages = [
        InboundMessage(*m[:4], directions[m[4]], *m[5:])  # type: ignore[call-arg]
        for m in raw_messages
    ]
    threads = [
        Thread(
            [messages[i] for i in members],
            first_at,
            last_at,
            subject,
            preview,
            last_direction,
            inbound,
            None if first_inbound < 0 else messages[first_inbound],
            first_inbound_at,
        )
        for (
            members,
            first_at,
            last_at,
            subject,
            preview,
            last_direction,
            inbound,
            first_inbound,
            first_inbound_at,
        ) in raw_threads
    ]
    return PreparedBatch(
        messages=messages,
        rejected=[Rejected(*r) for r in raw_rejected],
        duplicates=duplicates,
        keys=keys,
        threads=threads,
        values={m.external_id: v for m, v in zip(messages, values, strict=True)},
        size=size,
        readings=None if readings is None else [Enrichment(*r) for r in readings],
    )
