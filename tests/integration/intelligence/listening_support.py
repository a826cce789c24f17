"""Messages for the listening tests, stored through the real ingest path and read by a small
stand-in analyzer whose language and sentiment readings the tests can predict."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from rapport.ingest.records import InboundMessage
from rapport.ingest.service import ingest_messages
from rapport.intelligence.enrichment import Enrichment
from rapport.store.db import Database
from rapport.store.models import ChannelKind, Direction

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class ScriptAnalyzer:
    """Persian for Arabic script, Icelandic for þ or ð, English otherwise; "!" is negative,
    "love" or "takk" positive, the rest neutral."""

    models = "listening-test-1"

    def analyze(self, texts: Sequence[str]) -> list[Enrichment]:
        return [self._read(text) for text in texts]

    @staticmethod
    def _read(text: str) -> Enrichment:
        if any("\u0600" <= c <= "\u06ff" for c in text):
            language = "fa"
        elif any(c in "þðÞÐ" for c in text):
            language = "is"
        else:
            language = "en"
        lowered = text.lower()
        sentiment = (
            "negative"
            if "!" in text
            else "positive"
            if "love" in lowered or "takk" in lowered
            else "neutral"
        )
        return Enrichment(language, sentiment, 0.9, "other", 0.5, ())


def message(
    ext: str, text: str, minutes: int, *, author: str = "ann", outbound: bool = False
) -> InboundMessage:
    return InboundMessage(
        external_id=ext,
        author_id=author,
        author_name=author.title(),
        text=text,
        sent_at=T0 + timedelta(minutes=minutes),
        direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
    )


# (external id, text, minutes after T0, channel)
MENTIONS = [
    ("m1", "Love my Vetur 2 tent from @fjordandpine", 0, "x"),
    ("m2", "The Vetur pole snapped! Not happy with Fjord & Pine", 10, "x"),
    ("m3", "Tjaldið Vetur stóð sig vel, takk", 20, "email"),
    ("m4", "کیسه\u200cخواب «هکلا» رو به وین هم ارسال می\u200cکنید؟", 30, "x"),  # noqa: RUF001
    ("m5", "Is the Hekla sleeping bag warm enough for Tromsø?", 40, "email"),
    ("m6", "Nordkamm boots are cheaper, and I love them", 50, "x"),
    ("m7", "Fjord & Pine vs Nordkamm: who has the better Vetur-like tent?", 60, "x"),
]


def store_mentions(db: Database, ws: int) -> None:
    """The MENTIONS, read, on channels x (X) and email, plus a company reply on x that says
    "Vetur" too (replies are not mentions)."""
    for channel, kind in (("x", ChannelKind.TWITTER), ("email", ChannelKind.EMAIL)):
        batch = [
            message(ext, text, minutes, author=f"c-{ext}")
            for ext, text, minutes, on in MENTIONS
            if on == channel
        ]
        if channel == "x":
            batch.append(
                message("r1", "Sorry about your Vetur pole!", 15, author="brand", outbound=True)
            )
        ingest_messages(
            db,
            workspace_id=ws,
            channel_name=channel,
            kind=kind,
            messages=batch,
            analyzer=ScriptAnalyzer(),
        )
