"""Stores the hand-written topic messages through the real ingest path, read by a small
analyzer that knows what each text is (so the tests know what every count must be)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from tests.unit.intelligence.topics.texts import BILLING, DELIVERY, PERSIAN_DELIVERY

from rapport.ingest.records import InboundMessage
from rapport.ingest.service import ingest_messages
from rapport.intelligence.enrichment import Enrichment
from rapport.store.db import Database
from rapport.store.models import ChannelKind, Direction

DAY = datetime(2026, 11, 30, tzinfo=UTC)


class KnowingAnalyzer:
    """Persian for Arabic script, negative for the delivery complaints, billing for the rest."""

    models = "knowing-1"

    def analyze(self, texts: Sequence[str]) -> list[Enrichment]:
        return [
            Enrichment(
                language="fa" if text in PERSIAN_DELIVERY else "en",
                sentiment="neutral" if text in BILLING else "negative",
                sentiment_score=0.9,
                intent="billing" if text in BILLING else "delivery",
                intent_score=0.8,
                keywords=(),
            )
            for text in texts
        ]


def store_topic_messages(db: Database, workspace_id: int) -> None:
    """English delivery complaints on 29 November (X), billing questions on 30 November
    (e-mail), Persian delivery complaints on 30 November (X), each answered once."""
    plan = [
        ("x", ChannelKind.TWITTER, "del", DELIVERY, DAY - timedelta(days=1)),
        ("mail", ChannelKind.EMAIL, "bill", BILLING, DAY),
        ("x", ChannelKind.TWITTER, "fa", PERSIAN_DELIVERY, DAY),
    ]
    for channel, kind, prefix, texts, day in plan:
        messages: list[InboundMessage] = []
        for n, text in enumerate(texts):
            sent = day + timedelta(hours=8, minutes=10 * n)
            messages.append(
                InboundMessage(
                    external_id=f"{prefix}-{n}", author_id=f"{prefix}-author-{n}",
                    author_name=f"Customer {prefix} {n}", text=text, sent_at=sent,
                    direction=Direction.INBOUND,
                )
            )  # fmt: skip
            messages.append(
                InboundMessage(
                    external_id=f"{prefix}-{n}-reply", author_id="brand", author_name="Brand",
                    text="Sorry, we are looking into it", sent_at=sent + timedelta(minutes=5),
                    direction=Direction.OUTBOUND, in_reply_to=f"{prefix}-{n}",
                )
            )  # fmt: skip
        ingest_messages(
            db, workspace_id=workspace_id, channel_name=channel, kind=kind, messages=messages,
            analyzer=KnowingAnalyzer(),
        )  # fmt: skip
