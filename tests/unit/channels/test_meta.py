"""Replays recorded Meta webhook deliveries through the meta reader, and checks signatures."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import rapport.channels.meta as meta
from rapport.channels.base import get_format
from rapport.channels.meta.signatures import sign_body, verify_signature
from rapport.channels.meta.webhooks import parse_payload, read_meta
from rapport.ingest.records import InboundMessage, Rejected
from rapport.ingest.threading import group_into_threads
from rapport.store.models import ChannelKind, Direction

FIXTURES = Path(meta.__file__).parent / "fixtures"
PAGE = "104729385610002"
POST = "104729385610002_811200000000001"
SECRET = "aurora-test-app-secret"


def read(name: str) -> tuple[list[InboundMessage], list[Rejected]]:
    records = list(read_meta(FIXTURES / name))
    messages = [r for r in records if isinstance(r, InboundMessage)]
    rejected = [r for r in records if isinstance(r, Rejected)]
    return messages, rejected


def test_format_is_registered_for_facebook() -> None:
    fmt = get_format("meta")
    assert fmt.kind is ChannelKind.FACEBOOK
    assert fmt.default_channel == "facebook"


def test_feed_comments_become_messages_threaded_by_post() -> None:
    messages, _ = read("feed_comments.jsonl")
    by_id = {m.external_id: m for m in messages}
    assert list(by_id) == [
        POST,
        "811200000000001_900000000000012",
        "811200000000001_900000000000011",
        "811200000000001_900000000000014",
        "811200000000001_900000000000015",
    ]
    asta = by_id["811200000000001_900000000000011"]
    assert asta.author_id == "7301000000000011"
    assert asta.author_name == "Ásta Sigurðardóttir"
    assert asta.text == "Spedite anche in Islanda? Ég bý á Akureyri."
    assert asta.sent_at == datetime(2024, 11, 7, 9, 35, 1, tzinfo=UTC)
    assert asta.direction is Direction.INBOUND
    assert asta.in_reply_to == POST  # a top-level comment answers the post
    assert asta.thread_refs == (POST,)
    answer = by_id["811200000000001_900000000000012"]
    assert answer.direction is Direction.OUTBOUND  # the Page commenting as itself
    assert answer.in_reply_to == asta.external_id
    assert by_id[POST].direction is Direction.OUTBOUND
    assert len(group_into_threads(messages)) == 1


def test_feed_skips_reactions_and_edits_and_rejects_what_it_cannot_read() -> None:
    messages, rejected = read("feed_comments.jsonl")
    assert all(m.location.split()[1] not in ("4", "5") for m in messages)
    assert [(r.location, r.reason) for r in rejected] == [
        ("line 6 entry[0].changes[0]", "value.from: missing"),
        ("line 8", "object: expected 'page', got 'instagram'"),
    ]
    assert json.loads(rejected[0].payload)["value"]["comment_id"].endswith("013")


def test_messenger_messages_thread_by_page_and_person() -> None:
    messages, _ = read("messenger.json")
    by_id = {m.external_id: m for m in messages}
    echo = by_id["m_Aurora-echo-0001"]
    assert echo.direction is Direction.OUTBOUND
    assert echo.author_id == PAGE
    assert echo.thread_refs == (f"messenger:{PAGE}:6120000000000001",)
    first = by_id["m_Maryam-0001"]
    assert first.direction is Direction.INBOUND
    assert first.author_id == "6120000000000001"
    assert first.sent_at == datetime(2024, 11, 8, 9, 58, 40, 877000, tzinfo=UTC)
    assert first.text.startswith("سلام، سفارش من")
    assert by_id["m_Maryam-0002"].in_reply_to == "m_Aurora-echo-0001"
    assert by_id["m_Jon-0001"].text == "[image]"
    threads = {frozenset(m.external_id for m in g) for g in group_into_threads(messages)}
    assert threads == {
        frozenset({"m_Maryam-0001", "m_Aurora-echo-0001", "m_Maryam-0002"}),
        frozenset({"m_Jon-0001", "m_Jon-0002"}),
    }


def test_messenger_receipts_are_skipped_and_bad_events_rejected() -> None:
    messages, rejected = read("messenger.json")
    assert len(messages) == 5  # the delivery and read receipts of record 3 are not messages
    assert [(r.location, r.reason) for r in rejected] == [
        ("record 4 entry[0].messaging[2]", "timestamp: not a time: 'yesterday'"),
        ("record 5 entry[0].messaging[0]", "message.mid: missing"),
    ]


def test_parse_payload_reads_a_live_delivery() -> None:
    body = (FIXTURES / "signed_delivery.body.json").read_bytes()
    records = list(parse_payload(json.loads(body), "webhook"))
    assert len(records) == 1
    message = records[0]
    assert isinstance(message, InboundMessage)
    assert message.text == "سلام، سفارش من رسید؟"
    assert message.location == "webhook entry[0].messaging[0]"


def test_recorded_signature_verifies() -> None:
    body = (FIXTURES / "signed_delivery.body.json").read_bytes()
    headers = json.loads((FIXTURES / "signed_delivery.headers.json").read_text())
    assert verify_signature(body, headers["X-Hub-Signature-256"], SECRET)
    assert sign_body(body, SECRET) == headers["X-Hub-Signature-256"]


def test_tampered_or_wrongly_signed_deliveries_fail() -> None:
    body = (FIXTURES / "signed_delivery.body.json").read_bytes()
    header = json.loads((FIXTURES / "signed_delivery.headers.json").read_text())[
        "X-Hub-Signature-256"
    ]
    assert not verify_signature(
        body.replace(b"6120000000000001", b"6120000000000009"), header, SECRET
    )
    assert not verify_signature(body, header, "another-secret")
    assert not verify_signature(body, header, "")
    assert not verify_signature(body, header.removeprefix("sha256="), SECRET)
    assert not verify_signature(body, "sha1=" + header.removeprefix("sha256="), SECRET)
    assert not verify_signature(body, "sha256=", SECRET)
    assert not verify_signature(body, "sha256=zz\u00e9", SECRET)
    assert verify_signature(body, header.upper().replace("SHA256=", "sha256="), SECRET)
