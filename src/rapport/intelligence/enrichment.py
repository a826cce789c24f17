"""Enrich messages: language, sentiment, intent and keywords, as they arrive or in a backfill.

The service knows nothing of which models read the text: it is handed an ``Analyzer`` (the
default one combines Rapport's bundled models, see ``rapport.intelligence.analyzer``) and
stores what it says beside each message. Work goes in batches, each in its caller's
transaction; a backfill that stops half-way resumes where it left off, because only messages
not yet read by the same models are picked up again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Connection

from rapport.intelligence.enrichment_store import (
    PendingMessage,
    count_pending,
    pending_messages,
    save_enrichments,
)
from rapport.store.db import Database


@dataclass(frozen=True, slots=True)
class Enrichment:
    """What an analyzer read in one text."""

    language: str  # ISO 639-1, "und" when it cannot be told
    sentiment: str  # negative, neutral or positive
    sentiment_score: float  # the probability of that sentiment, 0..1
    intent: str
    intent_score: float
    keywords: tuple[str, ...]


class Analyzer(Protocol):
    """Reads texts; ``models`` names its model versions (stored with every reading)."""

    @property
    def models(self) -> str: ...

    def analyze(self, texts: Sequence[str]) -> list[Enrichment]:
        """One ``Enrichment`` per text, in order."""
        ...


@dataclass(slots=True)
class EnrichReport:
    enriched: int = 0
    batches: int = 0


def enrichment_rows(
    workspace_id: int,
    models: str,
    message_ids: Sequence[int],
    readings: Sequence[Enrichment],
    stamped_now: object,
) -> list[tuple[object, ...]]:
    """Rows for the bulk writer, in ``message_enrichments`` column order (keywords as JSON
    text, ``stamped_now`` already in the driver's time format)."""
    return [
        (
            message_id,
            workspace_id,
            reading.language,
            reading.sentiment,
            round(reading.sentiment_score, 4),
            reading.intent,
            round(reading.intent_score, 4),
            json.dumps(list(reading.keywords), ensure_ascii=False),
            models,
            stamped_now,
        )
        for message_id, reading in zip(message_ids, readings, strict=True)
    ]


def _text_of(message: PendingMessage) -> str:
    # An e-mail's subject often says most of what it is about.
    return f"{message.subject}\n{message.text}" if message.subject else message.text


def enrich_batch(
    conn: Connection, workspace_id: int, analyzer: Analyzer, batch: Sequence[PendingMessage]
) -> int:
    """Read and store one batch of messages; returns how many were enriched."""
    if not batch:
        return 0
    readings = analyzer.analyze([_text_of(message) for message in batch])
    now = datetime.now(UTC)
    save_enrichments(
        conn,
        [
            {
                "message_id": message.id,
                "workspace_id": workspace_id,
                "language": reading.language,
                "sentiment": reading.sentiment,
                "sentiment_score": round(reading.sentiment_score, 4),
                "intent": reading.intent,
                "intent_score": round(reading.intent_score, 4),
                "keywords": list(reading.keywords),
                "models": analyzer.models,
                "enriched_at": now,
            }
            for message, reading in zip(batch, readings, strict=True)
        ],
    )
    return len(batch)


def enrich_messages(
    db: Database,
    workspace_id: int,
    analyzer: Analyzer,
    *,
    since: datetime | None = None,
    redo: bool = False,
    fresh_since: datetime | None = None,
    after_id: int = 0,
    through_id: int | None = None,
    batch_size: int = 1000,
    on_total: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> EnrichReport:
    """Backfill: enrich every message of the workspace that the analyzer's models have not
    read yet (all of them with ``redo``), sent at or after ``since``.

    Like an import, the backfill owns its transactions: one per batch, so a long run holds
    no lock for long and keeps what it did if it is stopped. ``after_id`` and ``through_id``
    keep it to a span of message ids (what one Celery task reads). With ``redo``,
    ``fresh_since`` spares the messages the same models read at or after that moment (a
    redo span delivered twice reads nothing twice); the total ``on_total`` reports ignores it.
    """
    report = EnrichReport()
    if on_total is not None:
        with db.engine.connect() as conn:
            on_total(
                count_pending(conn, workspace_id, models=analyzer.models, since=since, redo=redo)
            )
    while True:
        with db.engine.begin() as conn:
            batch = pending_messages(
                conn,
                workspace_id,
                models=analyzer.models,
                after_id=after_id,
                through_id=through_id,
                since=since,
                redo=redo,
                fresh_since=fresh_since,
                limit=batch_size,
            )
            done = enrich_batch(conn, workspace_id, analyzer, batch)
        if not batch:
            return report
        after_id = batch[-1].id
        report.enriched += done
        report.batches += 1
        if progress is not None:
            progress(done)
