"""The inbox over HTTP on the real twcs sample: totals, order, filters, search and paging."""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.conftest import shared_data
from tests.integration.api.payloads import PASSWORD, parse_time

from rapport.accounts.service import create_token, create_user, get_or_create_workspace
from rapport.api.app import create_app
from rapport.channels.base import get_format
from rapport.ingest.pipeline import ImportReport
from rapport.ingest.service import import_file
from rapport.store.db import Database
from rapport.store.models import Conversation, Role

TWCS = "twcs/twcs_sample.csv"


@dataclass(frozen=True)
class Imported:
    client: TestClient
    headers: dict[str, str]
    workspace_id: int
    report: ImportReport
    conversations: int


@pytest.fixture(scope="module")
def twcs(db: Database) -> Iterator[Imported]:
    """The twcs sample imported once per backend into its own workspace (read-only tests)."""
    path = shared_data(TWCS)
    with db.session() as session:
        workspace = get_or_create_workspace(session, f"twcs-{uuid.uuid4().hex[:10]}")
        user = create_user(
            session,
            workspace,
            email=f"analyst-{uuid.uuid4().hex[:8]}@example.test",
            name="Reader",
            role=Role.ANALYST,
            password=PASSWORD,
        )
        _, secret = create_token(session, user, "tests")
        workspace_id = workspace.id
    report = import_file(db, workspace_id=workspace_id, path=path, fmt=get_format("twcs"))
    with db.session() as session:
        count = session.execute(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.workspace_id == workspace_id)
        ).scalar_one()
    with TestClient(create_app(db, with_ui=False)) as client:
        yield Imported(client, {"Authorization": f"Bearer {secret}"}, workspace_id, report, count)


def all_pages(imported: Imported, path: str, limit: int, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    offset = 0
    while True:
        response = imported.client.get(
            path, headers=imported.headers, params={**params, "limit": limit, "offset": offset}
        )
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["limit"] == limit
        assert page["offset"] == offset
        items.extend(page["items"])
        offset += limit
        if offset >= page["total"]:
            return items


def test_total_counts_every_conversation_and_pages_cover_them_once(twcs: Imported) -> None:
    assert twcs.report.imported == 1000
    first = twcs.client.get("/api/v1/conversations", headers=twcs.headers).json()
    assert first["total"] == twcs.conversations > 100
    assert len(first["items"]) == 50  # the default page size

    items = all_pages(twcs, "/api/v1/conversations", limit=37)
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) == twcs.conversations  # no overlap, nothing skipped
    assert sum(item["message_count"] for item in items) == twcs.report.imported


def test_newest_activity_comes_first_and_other_sorts_hold(twcs: Imported) -> None:
    newest = all_pages(twcs, "/api/v1/conversations", limit=200)
    times = [parse_time(item["last_message_at"]) for item in newest]
    assert times == sorted(times, reverse=True)
    assert times[0] > times[-1]

    oldest = all_pages(twcs, "/api/v1/conversations", limit=200, sort="last_message_at")
    assert [parse_time(i["last_message_at"]) for i in oldest] == sorted(times)

    busiest = all_pages(twcs, "/api/v1/conversations", limit=200, sort="-message_count")
    counts = [item["message_count"] for item in busiest]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] > 1


def test_channel_and_time_filters(twcs: Imported) -> None:
    client, headers = twcs.client, twcs.headers
    on_twitter = client.get("/api/v1/conversations?channel=twitter", headers=headers).json()
    assert on_twitter["total"] == twcs.conversations
    assert {item["channel"] for item in on_twitter["items"]} == {"twitter"}
    assert client.get("/api/v1/conversations?channel=email", headers=headers).json()["total"] == 0

    items = all_pages(twcs, "/api/v1/conversations", limit=500)
    middle = sorted(item["last_message_at"] for item in items)[len(items) // 2]
    since = all_pages(twcs, "/api/v1/conversations", limit=500, since=middle)
    until = all_pages(twcs, "/api/v1/conversations", limit=500, until=middle)
    assert all(parse_time(i["last_message_at"]) >= parse_time(middle) for i in since)
    assert all(parse_time(i["last_message_at"]) < parse_time(middle) for i in until)
    assert len(since) + len(until) == twcs.conversations
    assert since
    assert until


def _rows_with_words(*words: str) -> set[str]:
    # Independent of Rapport: read the CSV and keep rows with a word starting with each one.
    with shared_data(TWCS).open(encoding="utf-8", newline="") as handle:
        return {
            row["tweet_id"]
            for row in csv.DictReader(handle)
            if all(
                any(token.startswith(word) for token in re.findall(r"\w+", row["text"].lower()))
                for word in words
            )
        }


def test_search_finds_every_message_with_the_word(twcs: Imported) -> None:
    expected = _rows_with_words("flight")
    assert len(expected) > 10
    found = all_pages(twcs, "/api/v1/messages", limit=100, q="Flight")
    assert {m["external_id"] for m in found} == expected
    conversations = all_pages(twcs, "/api/v1/conversations", limit=100, q="flight")
    assert {c["id"] for c in conversations} == {m["conversation_id"] for m in found}

    both = all_pages(twcs, "/api/v1/messages", limit=100, q="flight book")
    assert {m["external_id"] for m in both} == _rows_with_words("flight", "book")
    assert len(both) < len(found)

    nothing = twcs.client.get("/api/v1/conversations?q=zzqxjvnotaword", headers=twcs.headers)
    assert nothing.json() == {
        "items": [],
        "total": 0,
        "limit": 50,
        "offset": 0,
        "total_exact": True,
    }


def test_search_text_is_data_not_query_syntax(twcs: Imported) -> None:
    for hostile in ['flight" OR 1=1 --', "flight'); DROP TABLE messages; --", "NEAR(flight)*"]:
        response = twcs.client.get(
            "/api/v1/conversations", headers=twcs.headers, params={"q": hostile}
        )
        assert response.status_code == 200, response.text
    assert twcs.client.get("/api/v1/conversations", headers=twcs.headers).json()["total"] == (
        twcs.conversations
    )


def test_one_conversation_shows_its_thread_in_order_with_authors(twcs: Imported) -> None:
    busiest = twcs.client.get(
        "/api/v1/conversations?sort=-message_count&limit=1", headers=twcs.headers
    ).json()["items"][0]
    detail = twcs.client.get(f"/api/v1/conversations/{busiest['id']}", headers=twcs.headers)
    assert detail.status_code == 200
    body = detail.json()
    assert body["conversation"] == busiest
    messages = body["messages"]
    assert len(messages) == busiest["message_count"]
    sent = [parse_time(m["sent_at"]) for m in messages]
    assert sent == sorted(sent)
    assert {m["direction"] for m in messages} == {"inbound", "outbound"}
    assert all(m["author"] for m in messages)
    assert body["contact"]["id"] == busiest["customer_id"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("sort=random", "sort"),
        ("status=archived", "status"),
        ("unread=maybe", "unread"),
        ("since=yesterday", "since"),
        ("q=a%00b", "q"),
        ("channel=%00", "channel"),
    ],
)
def test_invalid_list_parameters_answer_422_naming_the_field(
    twcs: Imported, query: str, field: str
) -> None:
    response = twcs.client.get(f"/api/v1/conversations?{query}", headers=twcs.headers)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["type"] == "invalid_input"
    assert error["field"] == field
    assert field in error["message"]


def test_paging_limits_apply_to_every_list(twcs: Imported) -> None:
    for path in ("/api/v1/messages", "/api/v1/contacts", "/api/v1/conversations"):
        assert twcs.client.get(f"{path}?limit=500", headers=twcs.headers).status_code == 200
        assert twcs.client.get(f"{path}?limit=501", headers=twcs.headers).status_code == 422
        assert twcs.client.get(f"{path}?offset=-5", headers=twcs.headers).status_code == 422
    past_end = twcs.client.get("/api/v1/conversations?offset=100000", headers=twcs.headers)
    assert past_end.json()["items"] == []
    assert past_end.json()["total"] == twcs.conversations


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/conversations/9223372036854775808",
        "/api/v1/conversations/0",
        "/api/v1/conversations/abc",
        "/api/v1/contacts/99999999999999999999",
        "/api/v1/messages?conversation_id=99999999999999999999",
    ],
)
def test_ids_out_of_range_are_422_not_a_server_error(twcs: Imported, path: str) -> None:
    response = twcs.client.get(path, headers=twcs.headers)
    assert response.status_code == 422
    assert response.json()["error"]["field"] in {"conversation_id", "contact_id"}
