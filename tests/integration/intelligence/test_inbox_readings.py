"""The inbox filters on what messages were read as, and shows each message's reading."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.integration.intelligence.fakes import ShoutingAnalyzer

from rapport.accounts.service import get_or_create_workspace
from rapport.inbox.queries import ConversationFilter, get_conversation, list_conversations
from rapport.ingest.records import InboundMessage
from rapport.ingest.service import ingest_messages
from rapport.store.db import Database
from rapport.store.models import ChannelKind, Direction

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _message(ext: str, text: str, author: str, minutes: int, **extra: object) -> InboundMessage:
    return InboundMessage(
        external_id=ext,
        author_id=author,
        author_name=author.title(),
        text=text,
        sent_at=T0 + timedelta(minutes=minutes),
        direction=extra.pop("direction", Direction.INBOUND),  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )


def store_read_inbox(db: Database, ws: int | None = None) -> int:
    """Three conversations read by the fake analyzer: Ann's negative complaint, Bo's and
    Cy's neutral messages (Cy's answered by a shouting company reply)."""
    if ws is None:
        with db.session() as session:
            ws = get_or_create_workspace(session, f"readings-{uuid.uuid4().hex[:8]}").id
    messages = [
        _message("a1", "Where is my parcel!", "ann", 0),
        _message(
            "a2", "Looking into it", "brand", 5, direction=Direction.OUTBOUND, in_reply_to="a1"
        ),
        _message("b1", "Nice boots", "bo", 10),
        # A company reply that shouts does not make its conversation a negative one.
        _message("c1", "Is the shop open today", "cy", 20),
        _message(
            "c2", "Yes! Until six!", "brand", 25, direction=Direction.OUTBOUND, in_reply_to="c1"
        ),
    ]
    ingest_messages(
        db,
        workspace_id=ws,
        channel_name="x",
        kind=ChannelKind.TWITTER,
        messages=messages,
        analyzer=ShoutingAnalyzer(),
    )
    return ws


def _customers(db: Database, ws: int, flt: ConversationFilter) -> list[str | None]:
    with db.session() as session:
        return [c.customer for c in list_conversations(session, ws, flt).items]


def test_filter_by_sentiment_intent_and_language(db: Database) -> None:
    ws = store_read_inbox(db)
    assert _customers(db, ws, ConversationFilter(sentiment="negative")) == ["Ann"]
    assert _customers(db, ws, ConversationFilter(sentiment="neutral")) == ["Cy", "Bo"]
    assert _customers(db, ws, ConversationFilter(intent="complaint")) == ["Ann"]
    assert _customers(db, ws, ConversationFilter(sentiment="negative", intent="other")) == []
    assert len(_customers(db, ws, ConversationFilter(language="en"))) == 3
    assert _customers(db, ws, ConversationFilter(language="fa")) == []


def test_each_message_shows_its_reading(db: Database) -> None:
    ws = store_read_inbox(db)
    with db.session() as session:
        [conversation] = list_conversations(
            session, ws, ConversationFilter(sentiment="negative")
        ).items
        detail = get_conversation(session, ws, conversation.id)
    first = detail.messages[0]
    assert (first.language, first.sentiment, first.intent) == ("en", "negative", "complaint")
    assert first.keywords == ("Where", "is")
    assert first.sentiment_score == 0.9
