"""POST /api/v1/messages (idempotent, threaded, validated) and changing a conversation."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.integration.api.conftest import Headers
from tests.integration.api.payloads import message, parse_time

PERSIAN = "سلام، سفارش شماره ۱۰۴۲ من هنوز نرسیده است. لطفاً پیگیری کنید."


def post(client: TestClient, headers: Headers, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/messages", headers=headers, json=body)


def test_posting_the_same_message_twice_stores_it_once(client: TestClient, agent: Headers) -> None:
    body = message("ticket-1", "My parcel is late", "2025-05-01T09:00:00+02:00")
    first = post(client, agent, body)
    assert first.status_code == 201
    created = first.json()
    assert created["duplicate"] is False
    assert created["channel"] == "api"

    again = post(client, agent, body)
    assert again.status_code == 200
    assert again.json() == {**created, "duplicate": True}

    conversation = client.get(
        f"/api/v1/conversations/{created['conversation_id']}", headers=agent
    ).json()
    assert conversation["conversation"]["message_count"] == 1
    assert [m["id"] for m in conversation["messages"]] == [created["message_id"]]
    assert client.get("/api/v1/messages", headers=agent).json()["total"] == 1


def test_a_reply_joins_its_conversation_and_moves_it(client: TestClient, agent: Headers) -> None:
    author = {"id": "c-9", "name": "Ásta Jónsdóttir", "handle": "asta"}
    question = post(
        client, agent, message("q-1", "Where is my order?", "2025-05-01T09:00:00Z", author=author)
    ).json()
    unrelated = post(
        client, agent, message("x-1", "Another topic", "2025-05-01T09:30:00Z", author="c-10")
    ).json()
    before = client.get(
        f"/api/v1/conversations/{question['conversation_id']}", headers=agent
    ).json()["conversation"]
    assert before["message_count"] == 1

    reply_body = message(
        "a-1",
        "It left our warehouse today.",
        "2025-05-01T10:15:00Z",
        author={"id": "brand", "name": "Rapport Shop"},
        direction="outbound",
        in_reply_to="q-1",
    )
    reply = post(client, agent, reply_body)
    assert reply.status_code == 201
    assert reply.json()["conversation_id"] == question["conversation_id"]
    assert unrelated["conversation_id"] != question["conversation_id"]

    after = client.get(f"/api/v1/conversations/{question['conversation_id']}", headers=agent).json()
    summary = after["conversation"]
    assert summary["message_count"] == 2
    assert parse_time(summary["last_message_at"]) > parse_time(before["last_message_at"])
    assert summary["last_direction"] == "outbound"
    assert summary["last_message_preview"] == "It left our warehouse today."
    assert [m["external_id"] for m in after["messages"]] == ["q-1", "a-1"]
    assert [m["author"] for m in after["messages"]] == ["Ásta Jónsdóttir", "Rapport Shop"]
    assert after["contact"]["display_name"] == "Ásta Jónsdóttir"

    inbox = client.get("/api/v1/conversations", headers=agent).json()["items"]
    assert inbox[0]["id"] == question["conversation_id"]  # newest activity first


def test_persian_text_round_trips_and_is_searchable(client: TestClient, agent: Headers) -> None:
    created = post(
        client, agent, message("fa-1", PERSIAN, "2025-06-01T08:00:00+03:30", author="u-fa")
    ).json()
    post(client, agent, message("en-1", "Order 1042 has not arrived", "2025-06-01T09:00:00Z"))

    shown = client.get(f"/api/v1/conversations/{created['conversation_id']}", headers=agent)
    assert shown.json()["messages"][0]["text"] == PERSIAN

    for query in ("سفارش", "پیگیری", "سفار", "سفارش نرسیده"):
        found = client.get("/api/v1/conversations", headers=agent, params={"q": query}).json()
        assert [c["id"] for c in found["items"]] == [created["conversation_id"]], query
        messages = client.get("/api/v1/messages", headers=agent, params={"q": query}).json()
        assert [m["external_id"] for m in messages["items"]] == ["fa-1"], query
    missing = client.get("/api/v1/messages", headers=agent, params={"q": "کتاب"}).json()
    assert missing["total"] == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": None}, "id"),
        ({"text": None}, "text"),
        ({"text": 42}, "text"),
        ({"sent_at": "2025-06-01 08:00"}, "sent_at"),  # no time zone
        ({"sent_at": "last tuesday"}, "sent_at"),
        ({"author": None}, "author"),
        ({"author": {"id": "u", "followers": "many"}}, "author.followers"),
        ({"direction": "sideways"}, "direction"),
        ({"meta": [1, 2]}, "meta"),
        ({"channel": ""}, "channel"),
        ({"id": ""}, "id"),
        ({"id": "x" * 501}, "id"),
        ({"text": "nul \x00 inside"}, "text"),
        ({"author": {"id": "u", "name": "n" * 301}}, "author.name"),
        ({"in_reply_to": "r" * 501}, "in_reply_to"),
    ],
)
def test_a_bad_message_is_422_naming_the_field(
    client: TestClient, agent: Headers, change: dict[str, Any], field: str
) -> None:
    body = {**message("bad-1", "text", "2025-06-01T08:00:00Z"), **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = post(client, agent, body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["type"] == "invalid_input"
    assert error["field"] == field
    assert client.get("/api/v1/messages", headers=agent).json()["total"] == 0


def test_a_body_that_is_not_an_object_is_422(client: TestClient, agent: Headers) -> None:
    for content in ("[1, 2]", "not json", ""):
        response = client.post(
            "/api/v1/messages",
            headers={**agent, "Content-Type": "application/json"},
            content=content,
        )
        assert response.status_code == 422, content
        assert response.json()["error"]["type"] == "invalid_input"


def test_a_message_can_go_to_a_named_channel(client: TestClient, agent: Headers) -> None:
    body = message("w-1", "From the web form", "2025-06-02T08:00:00Z", channel="webform")
    created = post(client, agent, body).json()
    assert created["channel"] == "webform"
    channels = client.get("/api/v1/channels", headers=agent).json()
    assert [(c["name"], c["kind"], c["conversation_count"]) for c in channels] == [
        ("webform", "api", 1)
    ]
    listed = client.get("/api/v1/conversations?channel=webform", headers=agent).json()
    assert [c["id"] for c in listed["items"]] == [created["conversation_id"]]


def test_read_unread_and_status_change_what_the_inbox_shows(
    client: TestClient, agent: Headers
) -> None:
    first = post(client, agent, message("s-1", "first", "2025-07-01T08:00:00Z", author="a"))
    second = post(client, agent, message("s-2", "second", "2025-07-01T09:00:00Z", author="b"))
    one, two = first.json()["conversation_id"], second.json()["conversation_id"]

    def ids(**params: Any) -> list[int]:
        page = client.get("/api/v1/conversations", headers=agent, params=params).json()
        return [c["id"] for c in page["items"]]

    assert ids(unread="true") == [two, one]
    read = client.post(f"/api/v1/conversations/{one}/read", headers=agent)
    assert read.status_code == 200
    assert read.json()["unread"] is False
    assert ids(unread="true") == [two]
    assert ids(unread="false") == [one]
    assert client.post(f"/api/v1/conversations/{one}/unread", headers=agent).json()["unread"]
    assert ids(unread="true") == [two, one]

    closed = client.patch(f"/api/v1/conversations/{two}", headers=agent, json={"status": "closed"})
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert ids(status="closed") == [two]
    assert ids(status="open") == [one]

    bad = client.patch(f"/api/v1/conversations/{two}", headers=agent, json={"status": "done"})
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "status"
    assert ids(status="closed") == [two]

    # A new customer message reopens a closed conversation.
    post(
        client,
        agent,
        message("s-3", "still there?", "2025-07-02T08:00:00Z", author="b", in_reply_to="s-2"),
    )
    assert ids(status="open") == [two, one]

    missing = client.post("/api/v1/conversations/999999999/read", headers=agent)
    assert missing.status_code == 404


def test_the_same_message_posted_concurrently_is_stored_once(
    client: TestClient, agent: Headers
) -> None:
    body = message("race-1", "Posted by a retrying webhook", "2025-08-01T08:00:00Z")
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda _: post(client, agent, body), range(6)))
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 200, 200, 201]
    assert len({r.json()["message_id"] for r in responses}) == 1
    assert client.get("/api/v1/messages", headers=agent).json()["total"] == 1
    assert client.get("/api/v1/conversations", headers=agent).json()["total"] == 1
