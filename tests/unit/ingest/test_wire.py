"""Prepared batches survive the trip to the writer process unchanged."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta

from rapport.ingest.prepare import prepare_batch, stamp_for
from rapport.ingest.records import InboundMessage, Rejected
from rapport.ingest.wire import decode, encode
from rapport.store.models import Direction

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_encode_then_decode_gives_the_same_batch() -> None:
    batch = [
        InboundMessage(
            "1",
            "ann",
            "Hvar er pöntunin mín?",
            T0,
            Direction.INBOUND,
            author_name="Ásta",
            followers_count=12,
            subject="Pöntun",
            meta={"lang": "is"},
            location="line 2",
        ),
        InboundMessage(
            "2",
            "shop",
            "Við skoðum málið — Sigrún",
            T0 + timedelta(minutes=4),
            Direction.OUTBOUND,
            in_reply_to="1",
            location="line 3",
        ),
        InboundMessage(
            "3",
            "psid",
            "سلام",
            T0,
            Direction.INBOUND,
            thread_refs=("messenger:page:psid",),
            location="line 4",
        ),
    ]
    prepared = prepare_batch(
        batch, [Rejected("line 9", "created_at: missing", "x")], stamp_for("sqlite")
    )
    back = decode(pickle.loads(pickle.dumps(encode(prepared))))
    assert back.messages == prepared.messages
    assert back.rejected == prepared.rejected
    assert (back.duplicates, back.size, sorted(back.keys)) == (
        prepared.duplicates,
        prepared.size,
        sorted(prepared.keys),
    )
    assert back.values == prepared.values
    assert back.threads == prepared.threads
    # threads refer to the very message objects of the batch, as the writer expects
    assert all(m in back.messages for t in back.threads for m in t.messages)
    assert back.messages[1].direction is Direction.OUTBOUND
