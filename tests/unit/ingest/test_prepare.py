"""Preparing a batch without a database: checks, duplicates, threads and their figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from rapport.ingest.prepare import prepare_batch, stamp_for
from rapport.ingest.records import InboundMessage
from rapport.store.models import Direction

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def msg(
    ext: str,
    minutes: int,
    *,
    reply_to: str | None = None,
    outbound: bool = False,
    author: str = "ann",
    text: str = "hi",
) -> InboundMessage:
    return InboundMessage(
        external_id=ext,
        author_id=author,
        text=text,
        sent_at=T0 + timedelta(minutes=minutes),
        direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
        in_reply_to=reply_to,
        location=f"line {ext}",
    )


def test_sqlite_stamps_are_utc_text_as_sqlalchemy_writes_them() -> None:
    stamp = stamp_for("sqlite")
    tehran = timezone(timedelta(hours=3, minutes=30))
    assert stamp(datetime(2026, 3, 20, 12, 0, tzinfo=tehran)) == "2026-03-20 08:30:00.000000"
    assert stamp(T0.replace(microsecond=7)) == "2026-11-02 09:00:00.000007"
    assert stamp_for("postgresql")(T0) is T0


def test_a_batch_is_checked_deduplicated_and_threaded() -> None:
    batch = [
        msg("2", 5, reply_to="1", outbound=True, author="brand", text="Sorry!\n  Checking  now"),
        msg("1", 0, text="Where is my order?"),
        msg("1", 0, text="Where is my order?"),  # the same record twice
        msg("x" * 600, 1),  # an id no column can hold
        msg("9", 30, author="bob", text="Unrelated"),
    ]
    prepared = prepare_batch(batch, [], stamp_for("sqlite"))
    assert [m.external_id for m in prepared.messages] == ["2", "1", "9"]
    assert prepared.duplicates == 1
    assert [(r.location, r.reason) for r in prepared.rejected] == [
        (f"line {'x' * 600}", "id: longer than 500 characters")
    ]
    assert prepared.size == 5
    assert sorted(prepared.keys) == ["1", "2", "9"]
    threads = sorted(prepared.threads, key=lambda t: len(t.messages), reverse=True)
    order, single = threads
    assert {m.external_id for m in order.messages} == {"1", "2"}
    assert order.first_at == "2026-11-02 09:00:00.000000"
    assert order.last_at == "2026-11-02 09:05:00.000000"
    assert order.preview == "Sorry! Checking now"
    assert order.last_direction == "outbound"
    assert order.first_inbound is not None
    assert order.first_inbound.external_id == "1"
    assert [m.external_id for m in single.messages] == ["9"]
    # the stored values of a message, in the order of the messages table's columns
    assert prepared.values["2"][:4] == ("2", "1", "outbound", "2026-11-02 09:05:00.000000")
