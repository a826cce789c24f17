"""Inbox queries at their limits: bounded totals, windowed search, plans for few matches,
and messages the database could not hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from rapport.inbox import queries, search
from rapport.inbox.queries import ConversationFilter, list_conversations, list_messages
from rapport.ingest.records import InboundMessage
from rapport.ingest.service import ingest_messages
from rapport.store.db import Database
from rapport.store.models import ChannelKind, DeadLetter, Direction, Message

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def _threads(count: int, word_every: int = 3) -> list[InboundMessage]:
    """``count`` one-message conversations; every ``word_every``-th mentions a refund."""
    return [
        InboundMessage(
            external_id=f"t{i}",
            author_id=f"u{i % 7}",
            sent_at=T0 + timedelta(minutes=i),
            direction=Direction.INBOUND,
            text=f"order {i}: " + ("please refund me" if i % word_every == 0 else "where is it"),
        )
        for i in range(count)
    ]


@pytest.fixture
def stocked(db: Database, workspace_id: int) -> int:
    report = ingest_messages(
        db,
        workspace_id=workspace_id,
        channel_name="web",
        kind=ChannelKind.API,
        messages=_threads(60),
    )
    assert report.imported == 60
    return workspace_id


def test_totals_stop_counting_at_the_bound_and_say_so(
    db: Database, stocked: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.session() as session:
        exact = list_conversations(session, stocked, limit=10)
    assert (exact.total, exact.total_exact) == (60, True)
    monkeypatch.setattr(queries, "COUNT_LIMIT", 25)
    with db.session() as session:
        bounded = list_conversations(session, stocked, ConversationFilter(status="open"), limit=10)
    assert (bounded.total, bounded.total_exact) == (25, False)
    assert [c.id for c in bounded.items] == [c.id for c in exact.items]


def test_search_of_a_common_word_looks_at_its_newest_matches(
    db: Database, stocked: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.session() as session:
        everything = list_conversations(session, stocked, ConversationFilter(search="refund"))
    assert (everything.total, everything.total_exact) == (20, True)
    monkeypatch.setattr(search, "SEARCH_WINDOW", 5)
    with db.session() as session:
        windowed = list_conversations(session, stocked, ConversationFilter(search="refund"))
    assert windowed.total_exact is False
    assert windowed.total == 5
    # the newest five matches, newest first
    assert [c.id for c in windowed.items] == [c.id for c in everything.items[:5]]


@pytest.mark.parametrize("few", [0, 10_000])
def test_search_order_and_paging_are_the_same_whichever_plan_runs(
    db: Database, stocked: int, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    monkeypatch.setattr(queries, "FEW_CANDIDATES", few)
    flt = ConversationFilter(search="refund")
    with db.session() as session:
        first = list_conversations(session, stocked, flt, limit=8)
        second = list_conversations(session, stocked, flt, limit=8, offset=8)
        oldest = list_conversations(
            session, stocked, flt, limit=3, sort=queries.ConversationSort.OLDEST
        )
        unread = list_conversations(
            session, stocked, ConversationFilter(search="refund", unread=True)
        )
    ids = [c.id for c in first.items + second.items]
    assert len(ids) == len(set(ids)) == 16
    stamps = [c.last_message_at for c in first.items + second.items]
    assert stamps == sorted(stamps, reverse=True)
    assert all("refund" in c.last_message_preview for c in first.items)
    assert [c.last_message_preview for c in oldest.items] == [
        "order 0: please refund me",
        "order 3: please refund me",
        "order 6: please refund me",
    ]
    assert (unread.total, unread.total_exact) == (20, True)


def test_message_search_finds_persian_and_icelandic_words(db: Database, workspace_id: int) -> None:
    texts = ["سفارش من هنوز نرسیده است", "Pöntunin mín er ekki komin", "My order is late"]
    ingest_messages(
        db,
        workspace_id=workspace_id,
        channel_name="mail",
        kind=ChannelKind.EMAIL,
        messages=[
            InboundMessage(
                external_id=f"m{i}",
                author_id=f"a{i}",
                text=t,
                sent_at=T0,
                direction=Direction.INBOUND,
            )
            for i, t in enumerate(texts)
        ],
    )
    with db.session() as session:
        persian = list_messages(session, workspace_id, search="سفارش")
        icelandic = list_messages(session, workspace_id, search="pöntunin")
    assert [m.text for m in persian.items] == [texts[0]]
    assert [m.text for m in icelandic.items] == [texts[1]]


def test_unstorable_ids_are_dead_letters_and_nuls_are_dropped(
    db: Database, workspace_id: int
) -> None:
    good = InboundMessage(
        external_id="ok",
        author_id="ann",
        text="bad\x00byte",
        sent_at=T0,
        direction=Direction.INBOUND,
        author_name="A" * 400,
        location="line 1",
    )
    too_long = InboundMessage(
        external_id="x" * 501,
        author_id="bob",
        text="hi",
        sent_at=T0,
        direction=Direction.INBOUND,
        location="line 2",
    )
    nul_id = InboundMessage(
        external_id="a\x00b",
        author_id="cat",
        text="hi",
        sent_at=T0,
        direction=Direction.INBOUND,
        location="line 3",
    )
    report = ingest_messages(
        db,
        workspace_id=workspace_id,
        channel_name="web",
        kind=ChannelKind.API,
        messages=[good, too_long, nul_id],
    )
    assert (report.imported, report.rejected) == (1, 2)
    assert sorted((r.location, r.reason) for r in report.rejections) == [
        ("line 2", "id: longer than 500 characters"),
        ("line 3", "id: contains a NUL character"),
    ]
    with db.session() as session:
        stored = session.scalars(select(Message).where(Message.workspace_id == workspace_id)).one()
        kept = session.scalars(
            select(DeadLetter).where(DeadLetter.workspace_id == workspace_id)
        ).all()
        conversation = list_conversations(session, workspace_id).items[0]
    assert stored.text == "badbyte"
    assert conversation.customer is not None
    assert len(conversation.customer) == 300
    assert len(kept) == 2


def test_command_line_says_when_a_total_is_a_lower_bound(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from rapport.accounts.service import get_or_create_workspace
    from rapport.cli import app
    from rapport.config import get_settings

    with sqlite_db.session() as session:
        workspace = get_or_create_workspace(session, "bounded").id
    ingest_messages(
        sqlite_db,
        workspace_id=workspace,
        channel_name="web",
        kind=ChannelKind.API,
        messages=_threads(40),
    )
    monkeypatch.setenv("RAPPORT_DATABASE_URL", sqlite_db.url)
    get_settings.cache_clear()
    monkeypatch.setattr(queries, "COUNT_LIMIT", 25)
    runner = CliRunner()
    bounded = runner.invoke(app, ["conversations", "list", "-w", "bounded", "--limit", "5"])
    monkeypatch.setattr(queries, "COUNT_LIMIT", 100)
    exact = runner.invoke(app, ["conversations", "list", "-w", "bounded", "--limit", "5"])
    get_settings.cache_clear()
    assert bounded.exit_code == 0, bounded.output
    assert "25+ conversations" in bounded.output
    assert "40 conversations" in exact.output
