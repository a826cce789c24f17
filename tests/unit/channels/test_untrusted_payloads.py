"""Whatever a file holds, a reader yields messages and rejections: it never crashes an import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from rapport.channels.email.messages import read_email
from rapport.channels.meta.webhooks import parse_payload
from rapport.channels.twitter.xv2 import read_xv2
from rapport.ingest.records import InboundMessage, Rejected

KEYS = [
    "object", "entry", "id", "time", "changes", "messaging", "standby", "field", "value",
    "item", "verb", "from", "name", "post_id", "comment_id", "parent_id", "created_time",
    "message", "sender", "recipient", "timestamp", "mid", "text", "is_echo", "reply_to",
    "attachments", "type", "data", "includes", "users", "author_id", "created_at",
    "referenced_tweets", "conversation_id", "note_tweet", "author", "public_metrics",
    "followers_count", "rapport", "company_accounts", "meta", "errors", "username",
]  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.sampled_from(
        ["page", "feed", "comment", "add", "replied_to", "1", "", "2024-07-02T09:00:00Z"]
    )
    | st.text(max_size=8)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)
    ),
    max_leaves=30,
)


OBJECTS = st.dictionaries(st.sampled_from(KEYS), JSON, max_size=8)
# Deliveries and responses that get past the first checks, so the inner parsers are reached.
EVENT = st.fixed_dictionaries(
    {"sender": OBJECTS, "recipient": OBJECTS, "message": OBJECTS}, optional={"timestamp": JSON}
)
CHANGE = st.fixed_dictionaries(
    {"field": st.just("feed"), "value": OBJECTS | st.fixed_dictionaries({"verb": st.just("add")})}
)
ENTRY = st.fixed_dictionaries(
    {"id": SCALARS},
    optional={
        "messaging": st.lists(EVENT | JSON, max_size=3),
        "changes": st.lists(CHANGE, max_size=3),
    },
)
DELIVERY = st.fixed_dictionaries({"object": st.just("page"), "entry": st.lists(ENTRY, max_size=3)})
RESPONSE = st.fixed_dictionaries(
    {"data": st.lists(OBJECTS, max_size=4) | OBJECTS},
    optional={"includes": st.fixed_dictionaries({"users": st.lists(OBJECTS | JSON, max_size=3)})},
)


def only_records(records: list[Any]) -> bool:
    return all(isinstance(r, InboundMessage | Rejected) for r in records)


@settings(max_examples=300, deadline=None)
@given(JSON | DELIVERY)
def test_meta_reads_any_json(payload: Any) -> None:
    assert only_records(list(parse_payload(payload, "record 1")))


@settings(max_examples=300, deadline=None)
@given(JSON | RESPONSE | OBJECTS)
def test_x_v2_reads_any_json(tmp_path_factory: Any, payload: Any) -> None:
    path = Path(tmp_path_factory.mktemp("x")) / "any.jsonl"
    path.write_text(json.dumps(payload) + "\n", encoding="utf-8")
    assert only_records(list(read_xv2(path)))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.sampled_from([b"", b"From: a@b.c\nDate: x\n", b"From x\n"]))
def test_email_reads_any_bytes(tmp_path_factory: Any, body: bytes, head: bytes) -> None:
    path = Path(tmp_path_factory.mktemp("m")) / "any.eml"
    path.write_bytes(head + body)
    assert only_records(list(read_email(path)))
