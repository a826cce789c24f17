"""Messages a minute either side of the local midnights that matter (Berlin's two
daylight-saving changes, Tehran's +03:30), stored through the real ingest path with
readings of every kind, unread ones included."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select

from rapport.ingest.records import InboundMessage
from rapport.ingest.service import ingest_messages
from rapport.intelligence.enrichment import Enrichment
from rapport.store.db import Database
from rapport.store.models import ChannelKind, Direction, Message, MessageEnrichment


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# Messages a minute either side of the local midnights that matter, in UTC.
MOMENTS = [
    _utc(2026, 3, 28, 22, 59),  # Berlin 28 Mar 23:59 CET
    _utc(2026, 3, 28, 23, 0),  # Berlin 29 Mar 00:00 CET; the day has 23 hours
    _utc(2026, 3, 29, 21, 59),  # Berlin 29 Mar 23:59 CEST
    _utc(2026, 3, 29, 22, 0),  # Berlin 30 Mar 00:00 CEST
    _utc(2026, 10, 24, 21, 59),  # Berlin 24 Oct 23:59 CEST
    _utc(2026, 10, 24, 22, 0),  # Berlin 25 Oct 00:00 CEST; the day has 25 hours
    _utc(2026, 10, 25, 0, 59),  # Berlin 25 Oct 02:59, the first time
    _utc(2026, 10, 25, 1, 30),  # Berlin 25 Oct 02:30, the second time
    _utc(2026, 10, 25, 22, 59),  # Berlin 25 Oct 23:59 CET
    _utc(2026, 10, 25, 23, 0),  # Berlin 26 Oct 00:00 CET
    _utc(2026, 11, 29, 20, 29),  # Tehran 29 Nov 23:59
    _utc(2026, 11, 29, 20, 30),  # Tehran 30 Nov 00:00
    _utc(2026, 11, 29, 23, 30),  # Tehran 30 Nov 03:00, UTC 29 Nov
    _utc(2026, 11, 30, 23, 59),  # Tehran 1 Dec 03:29
]
SENTIMENTS = ("negative", "neutral", "positive")


class CyclingAnalyzer:
    """Reads message n (its text says n) as negative, neutral, positive in turn; every
    fourth is left unread, so the sentiment bars have all four parts."""

    models = "cycling-1"

    def analyze(self, texts: Sequence[str]) -> list[Enrichment]:
        return [
            Enrichment(
                language="en", sentiment=SENTIMENTS[int(text.split()[-1]) % 3],
                sentiment_score=0.9, intent="delivery", intent_score=0.8, keywords=(),
            )
            for text in texts
        ]  # fmt: skip


def store_moments(db: Database, workspace_id: int) -> None:
    """One message at each of :data:`MOMENTS`, most of them read."""
    messages = [
        InboundMessage(
            external_id=f"m-{n}", author_id=f"a-{n}", author_name=f"Customer {n}",
            text=f"where is my parcel {n}", sent_at=moment, direction=Direction.INBOUND,
        )
        for n, moment in enumerate(MOMENTS)
    ]  # fmt: skip
    ingest_messages(
        db, workspace_id=workspace_id, channel_name="x", kind=ChannelKind.TWITTER,
        messages=messages, analyzer=CyclingAnalyzer(),
    )  # fmt: skip
    with db.session() as session:  # forget every fourth reading: those stay unread
        stored = session.scalars(select(Message).where(Message.workspace_id == workspace_id))
        for message in stored:
            if int(message.text.split()[-1]) % 4 == 3:
                reading = session.get(MessageEnrichment, message.id)
                assert reading is not None
                session.delete(reading)
