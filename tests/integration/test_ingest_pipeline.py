"""The ingest pipeline on a real database: dedupe, threading, aggregates, dead letters."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from tests.conftest import conversation_sets, shared_data

from rapport.accounts.service import get_or_create_channel
from rapport.channels.base import get_format
from rapport.inbox.queries import ConversationFilter, get_conversation, list_conversations
from rapport.ingest.pipeline import Ingestor
from rapport.ingest.records import InboundMessage, Rejected
from rapport.ingest.service import import_file
from rapport.store.db import Database
from rapport.store.models import ChannelKind, Conversation, DeadLetter, Direction, Message

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def msg(
    ext: str,
    author: str,
    minutes: int,
    *,
    reply_to: str | None = None,
    outbound: bool = False,
    text: str | None = None,
    refs: tuple[str, ...] = (),
) -> InboundMessage:
    return InboundMessage(
        external_id=ext,
        author_id=author,
        author_name=author.title(),
        text=text if text is not None else f"message {ext}",
        sent_at=T0 + timedelta(minutes=minutes),
        direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
        in_reply_to=reply_to,
        thread_refs=refs,
    )


def ingestor(db: Database, workspace_id: int, batch_size: int = 1000, name: str = "x") -> Ingestor:
    with db.session() as session:
        channel = get_or_create_channel(session, workspace_id, name, ChannelKind.TWITTER)
    return Ingestor(
        db,
        workspace_id=workspace_id,
        channel_id=channel.id,
        source="test",
        format_name="test",
        batch_size=batch_size,
    )


def test_reply_chain_becomes_one_conversation_in_order(db: Database, workspace_id: int) -> None:
    thread = [
        msg("1", "ann", 0, text="My parcel never arrived"),
        msg("2", "brand", 5, reply_to="1", outbound=True, text="Sorry Ann, checking now — Sigrún"),
        msg("3", "ann", 9, reply_to="2", text="Thanks!"),
    ]
    report = ingestor(db, workspace_id).run(thread)
    assert (report.imported, report.duplicates, report.rejected) == (3, 0, 0)
    with db.session() as session:
        page = list_conversations(session, workspace_id)
        assert page.total == 1
        conv = page.items[0]
        assert conv.message_count == 3
        assert conv.customer == "Ann"
        assert conv.last_message_preview == "Thanks!"
        assert conv.last_direction == "inbound"
        assert conv.unread
        detail = get_conversation(session, workspace_id, conv.id)
    assert [m.external_id for m in detail.messages] == ["1", "2", "3"]
    assert [m.direction for m in detail.messages] == ["inbound", "outbound", "inbound"]
    assert detail.messages[1].author == "Brand"
    assert detail.messages[1].author_is_company
    assert detail.contact is not None
    assert detail.contact.display_name == "Ann"


def test_replies_arriving_before_their_parents_merge_across_batches(
    db: Database, workspace_id: int
) -> None:
    # Two answers arrive first, in separate batches, each making its own conversation;
    # the post they both answer arrives last and must fold them into one.
    run = ingestor(db, workspace_id, batch_size=1)
    report = run.run(
        [
            msg("b", "brand", 10, reply_to="a", outbound=True, text="first answer"),
            msg("c", "cat", 20, reply_to="a", text="me too"),
            msg("a", "ann", 0, text="the original post"),
        ]
    )
    assert report.imported == 3
    assert conversation_sets(db, workspace_id) == {frozenset({"a", "b", "c"})}
    with db.session() as session:
        page = list_conversations(session, workspace_id)
    conv = page.items[0]
    assert page.total == 1
    assert conv.message_count == 3
    assert conv.first_message_at == T0
    assert conv.last_message_at == T0 + timedelta(minutes=20)
    assert conv.last_message_preview == "me too"
    assert conv.customer == "Ann"  # the author of the earliest customer message


def test_same_input_twice_changes_nothing(db: Database, workspace_id: int) -> None:
    messages = [msg("1", "ann", 0), msg("2", "brand", 1, reply_to="1", outbound=True)]
    first = ingestor(db, workspace_id).run(messages)
    second = ingestor(db, workspace_id).run([*messages, msg("1", "ann", 0)])
    assert first.imported == 2
    assert (second.imported, second.duplicates) == (0, 3)
    with db.session() as session:
        assert list_conversations(session, workspace_id).items[0].message_count == 2


def test_new_inbound_message_reopens_a_closed_conversation(db: Database, workspace_id: int) -> None:
    run = ingestor(db, workspace_id)
    run.run([msg("1", "ann", 0)])
    with db.session() as session:
        conv = session.scalars(
            select(Conversation).where(Conversation.workspace_id == workspace_id)
        ).one()
        conv.status, conv.unread = "closed", False
    run.run([msg("2", "ann", 60, reply_to="1", text="still waiting")])
    with db.session() as session:
        item = list_conversations(session, workspace_id).items[0]
    assert (item.status, item.unread, item.message_count) == ("open", True, 2)
    assert item.last_message_preview == "still waiting"


def test_thread_keys_join_messages_without_reply_ids(db: Database, workspace_id: int) -> None:
    ingestor(db, workspace_id).run(
        [
            msg("m1", "psid-1", 0, refs=("messenger:page:psid-1",)),
            msg("m2", "page", 3, outbound=True, refs=("messenger:page:psid-1",)),
            msg("m3", "psid-2", 4, refs=("messenger:page:psid-2",)),
        ]
    )
    assert conversation_sets(db, workspace_id) == {frozenset({"m1", "m2"}), frozenset({"m3"})}


def test_rejected_records_are_kept_once_with_their_reason(db: Database, workspace_id: int) -> None:
    records = [msg("1", "ann", 0), Rejected("line 3", "created_at: not a time", "x,y,z")]
    for _ in range(2):
        report = ingestor(db, workspace_id).run(records)
        assert report.rejected == 1
    with db.session() as session:
        kept = session.scalars(
            select(DeadLetter).where(DeadLetter.workspace_id == workspace_id)
        ).all()
    assert [(d.location, d.reason, d.payload) for d in kept] == [
        ("line 3", "created_at: not a time", "x,y,z")
    ]


def test_same_external_id_on_two_channels_is_two_messages(db: Database, workspace_id: int) -> None:
    ingestor(db, workspace_id, name="x").run([msg("1", "ann", 0)])
    report = ingestor(db, workspace_id, name="x-eu").run([msg("1", "ann", 0)])
    assert report.imported == 1
    with db.session() as session:
        assert list_conversations(session, workspace_id).total == 2


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), batch_size=st.integers(1, 7))
def test_threading_does_not_depend_on_arrival_order_or_batches(
    db: Database, workspace_id: int, seed: int, batch_size: int
) -> None:
    rng = random.Random(seed)
    # a forest: each message answers one earlier message or starts a thread
    forest: list[InboundMessage] = []
    for i in range(25):
        parent = str(rng.randrange(i)) if i and rng.random() < 0.7 else None
        forest.append(msg(str(i), f"user{rng.randrange(5)}", i, reply_to=parent))
    expected: dict[str, str] = {}

    def root(ext: str) -> str:
        parent = forest[int(ext)].in_reply_to
        return root(parent) if parent else ext

    for m in forest:
        expected[m.external_id] = root(m.external_id)
    want = {frozenset(e for e in expected if expected[e] == r) for r in set(expected.values())}
    shuffled = forest[:]
    rng.shuffle(shuffled)
    channel = f"c{seed}-{batch_size}"
    run = ingestor(db, workspace_id, batch_size=batch_size, name=channel)
    run.run(shuffled)
    with db.session() as session:
        rows = session.execute(
            select(Message.conversation_id, Message.external_id)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.channel_id == run.channel_id)
        ).all()
        counts = dict(
            session.execute(
                select(Conversation.id, Conversation.message_count).where(
                    Conversation.channel_id == run.channel_id
                )
            ).all()
        )
    got: dict[int, set[str]] = {}
    for conversation_id, ext in rows:
        got.setdefault(conversation_id, set()).add(ext)
    assert {frozenset(g) for g in got.values()} == want
    assert {cid: len(g) for cid, g in got.items()} == counts


def test_twcs_sample_threads_the_same_in_any_batch_size(db: Database, workspace_id: int) -> None:
    sample = shared_data("twcs/twcs_sample.csv")
    fmt = get_format("twcs")
    with db.session() as session:
        ws_small = workspace_id
    report = import_file(db, workspace_id=ws_small, path=sample, fmt=fmt, batch_size=37)
    assert (report.imported, report.rejected) == (1000, 0)
    again = import_file(db, workspace_id=ws_small, path=sample, fmt=fmt, batch_size=5000)
    assert (again.imported, again.duplicates) == (0, 1000)
    with db.session() as session:
        page = list_conversations(session, ws_small, limit=500)
        total_messages = session.execute(
            select(func.sum(Conversation.message_count)).where(
                Conversation.workspace_id == ws_small
            )
        ).scalar_one()
    # 253 threads start in the sample and 2 replies answer tweets outside it
    assert page.total == 255
    assert total_messages == 1000
    newest = [c.last_message_at for c in page.items]
    assert newest == sorted(newest, reverse=True)
    with db.session() as session:
        sprint = list_conversations(
            session, ws_small, ConversationFilter(search="private secured link")
        )
    assert sprint.total >= 1
    with db.session() as session:
        detail = get_conversation(session, ws_small, sprint.items[0].id)
    assert any("private secured link" in m.text for m in detail.messages)
    assert any(m.author == "sprintcare" for m in detail.messages)


def test_twcs_rejects_bad_rows_with_line_and_field(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
        "10,ann,True,Tue Oct 31 22:10:47 +0000 2017,hello,11,\n"
        "11,brand,maybe,Tue Oct 31 22:11:47 +0000 2017,hi,,10.0\n"
        '12,ann,True,yesterday,"multi\nline",,\n'
        "13,ann,True,Tue Oct 31 22:15:47 +0000 2017,ok,,\n",
        encoding="utf-8",
    )
    report = import_file(db, workspace_id=workspace_id, path=bad, fmt=get_format("twcs"))
    assert (report.imported, report.rejected) == (2, 2)
    reasons = {r.location: r.reason for r in report.rejections}
    assert reasons["line 3"].startswith("inbound:")
    assert reasons["line 4"].startswith("created_at:")
