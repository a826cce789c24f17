"""Replays recorded X API v2 payloads through the x-v2 reader."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import rapport.channels.twitter as twitter
from rapport.channels.base import get_format
from rapport.channels.twitter.xv2 import read_xv2, unescape_tweet_text
from rapport.ingest.records import InboundMessage, Rejected
from rapport.ingest.threading import group_into_threads
from rapport.store.models import ChannelKind, Direction

FIXTURES = Path(twitter.__file__).parent / "fixtures"
COMPANY_ID = "1590000000000000001"


def read(path: Path) -> tuple[list[InboundMessage], list[Rejected]]:
    records = list(read_xv2(path))
    messages = [r for r in records if isinstance(r, InboundMessage)]
    rejected = [r for r in records if isinstance(r, Rejected)]
    return messages, rejected


def test_format_is_registered_for_twitter() -> None:
    fmt = get_format("x-v2")
    assert fmt.kind is ChannelKind.TWITTER
    assert fmt.default_channel == "twitter"


def test_response_document_gives_tweets_with_their_authors() -> None:
    messages, _ = read(FIXTURES / "xv2_search_response.json")
    by_id = {m.external_id: m for m in messages}
    question = by_id["1808113000000000501"]
    assert question.author_id == "1590000000000000201"
    assert question.author_name == "Guðrún Kristjánsdóttir"
    assert question.author_handle == "gudrun_k"
    assert question.followers_count == 245
    assert question.sent_at == datetime(2024, 7, 2, 9, 14, 5, tzinfo=UTC)
    assert question.direction is Direction.INBOUND
    assert question.in_reply_to is None
    assert question.thread_refs == ("x-conv:1808113000000000501",)
    assert question.meta == {"conversation_id": "1808113000000000501", "lang": "is"}
    assert question.location == "document data[5]"


def test_company_account_named_by_username_is_outbound() -> None:
    messages, _ = read(FIXTURES / "xv2_search_response.json")
    outbound = {m.external_id for m in messages if m.direction is Direction.OUTBOUND}
    assert outbound == {"1808114000000000502", "1808117000000000505"}
    reply = next(m for m in messages if m.external_id == "1808114000000000502")
    assert reply.author_name == "Nordvik Air Help"
    assert reply.in_reply_to == "1808113000000000501"


def test_escaped_text_is_unescaped() -> None:
    messages, _ = read(FIXTURES / "xv2_search_response.json")
    texts = {m.external_id: m.text for m in messages}
    assert "Keflavík & enginn" in texts["1808113000000000501"]
    assert texts["1808114000000000502"].startswith("@gudrun_k Leitt að heyra <3 ")
    assert unescape_tweet_text("a &amp;lt; b &copy;") == "a &lt; b &copy;"


def test_document_tweets_group_into_x_conversations() -> None:
    messages, _ = read(FIXTURES / "xv2_search_response.json")
    threads = {frozenset(m.external_id for m in group) for group in group_into_threads(messages)}
    assert threads == {
        frozenset({"1808113000000000501", "1808114000000000502", "1808115000000000503"}),
        frozenset({"1808116000000000504", "1808117000000000505"}),
    }


def test_tweet_without_created_at_is_rejected_by_position() -> None:
    _, rejected = read(FIXTURES / "xv2_search_response.json")
    assert [(r.location, r.reason) for r in rejected] == [
        ("document data[0]", "created_at: missing")
    ]
    assert json.loads(rejected[0].payload)["id"] == "1808118000000000506"


def test_json_lines_mix_responses_and_bare_tweets() -> None:
    messages, _ = read(FIXTURES / "xv2_tweets.jsonl")
    assert [(m.location, m.external_id) for m in messages] == [
        ("line 2", "1808120000000000601"),
        ("line 3", "1808120500000000603"),
        ("line 4", "1808120300000000602"),
        ("line 5 data[0]", "1808121000000000604"),
    ]
    first, followup, reply, italian = messages
    assert first.author_name == "Kovács Péter"
    assert followup.author_handle is None  # a bare tweet line carries no user object
    assert followup.in_reply_to == reply.external_id
    assert reply.direction is Direction.OUTBOUND  # company account declared by id on line 1
    assert reply.author_id == COMPANY_ID
    assert italian.author_name == "Giulia Romano"
    assert italian.followers_count == 1520


def test_json_lines_rejections_name_line_and_field() -> None:
    _, rejected = read(FIXTURES / "xv2_tweets.jsonl")
    assert [r.location for r in rejected] == ["line 6", "line 7"]
    assert rejected[0].reason.startswith("not valid JSON: Unterminated string")
    assert rejected[1].reason == "author_id: missing"


def test_broken_first_line_does_not_lose_the_rest(tmp_path: Path) -> None:
    good = {
        "id": "2",
        "text": "still here",
        "author_id": "9",
        "created_at": "2024-07-03T09:00:00.000Z",
    }
    path = tmp_path / "tweets.jsonl"
    path.write_text('{"id": "1", "text": \n' + json.dumps(good) + "\n", encoding="utf-8")
    messages, rejected = read(path)
    assert [m.text for m in messages] == ["still here"]
    assert [r.location for r in rejected] == ["line 1"]


def test_broken_pretty_printed_document_is_one_rejection(tmp_path: Path) -> None:
    path = tmp_path / "response.json"
    path.write_text('{\n  "data": [\n    {"id": "1",\n', encoding="utf-8")
    messages, rejected = read(path)
    assert messages == []
    assert len(rejected) == 1
    assert rejected[0].location == "document"
    assert rejected[0].reason.startswith("not valid JSON")


def test_bad_company_accounts_setting_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "tweets.jsonl"
    path.write_text('{"rapport": {"company_accounts": "NordvikHelp"}}\n', encoding="utf-8")
    _, rejected = read(path)
    assert rejected[0].reason.startswith("rapport.company_accounts: expected a list")


def test_long_post_uses_its_full_note_text_and_embedded_author(tmp_path: Path) -> None:
    tweet = {
        "id": "77",
        "text": "A long complaint that X cut short…",
        "note_tweet": {"text": "A long complaint that X cut short, here in full."},
        "author": {"id": "5", "name": "Ann", "username": "ann"},
        "created_at": "2024-07-03T09:00:00.000Z",
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(tweet) + "\n", encoding="utf-8")
    messages, _ = read(path)
    assert messages[0].text == "A long complaint that X cut short, here in full."
    assert (messages[0].author_id, messages[0].author_handle) == ("5", "ann")
