"""Process discovery over HTTP: an uploaded log gives the same JSON as the CLI's ``--json``,
bad files are 422s that say where, and the workspace's own cases have a map too."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.integration.api.conftest import Headers, MakeUser

from rapport.api.discovery import upload_limit
from rapport.discovery.analysis import discover_map, discover_variants
from rapport.discovery.readers import ColumnMapping, read_log
from rapport.discovery.views import map_json, variants_json
from rapport.store.models import Role

FIXTURES = Path(__file__).parents[1] / "discovery" / "fixtures"
TICKETS = {"case": "ticket", "activity": "step", "timestamp": "at", "resource": "agent"}


def _upload(client: TestClient, headers: Headers, view: str, name: str, **fields: Any) -> Any:
    path = FIXTURES / name
    response = client.post(
        f"/api/v1/discovery/{view}",
        files={"file": (name, path.read_bytes())},
        data=fields,
        headers=headers,
    )
    return response


def test_an_uploaded_xes_log_gives_the_cli_map_and_variants(
    client: TestClient, make_user: MakeUser
) -> None:
    analyst = make_user(Role.ANALYST)  # reading is open to every role
    log = read_log(FIXTURES / "small.xes")

    mapped = _upload(client, analyst, "map", "small.xes")
    assert mapped.status_code == 200, mapped.text
    assert mapped.json() == map_json(discover_map(log))

    variants = _upload(client, analyst, "variants", "small.xes")
    assert variants.status_code == 200, variants.text
    assert variants.json() == variants_json(discover_variants(log))
    assert [v["variant"] for v in variants.json()] == [["a"], ["b", "a"]]


def test_a_csv_upload_with_its_columns_and_the_map_filters(
    client: TestClient, agent: Headers
) -> None:
    mapped = _upload(client, agent, "map", "tickets.csv", **TICKETS)
    assert mapped.status_code == 200, mapped.text
    body = mapped.json()
    assert body["activities"] == {"Open": 2, "Close": 2, "Answer": 1}
    edges = {(e["source"], e["target"]): e for e in body["edges"]}
    assert edges[("Open", "Answer")]["mean_seconds"] == 3600
    log = read_log(FIXTURES / "tickets.csv", mapping=ColumnMapping(**TICKETS))
    assert body == map_json(discover_map(log))

    filtered = _upload(client, agent, "map", "tickets.csv", **TICKETS, where="team=back")
    assert filtered.json()["activities"] == {"Open": 1, "Answer": 1, "Close": 1}
    frequent = _upload(client, agent, "map", "tickets.csv", **TICKETS, min_count=2)
    assert [(e["source"], e["target"]) for e in frequent.json()["edges"]] == []

    handover = _upload(client, agent, "handover", "tickets.csv", **TICKETS)
    assert handover.json() == [{"source": "ann", "target": "bob", "count": 1}]
    teams = _upload(client, agent, "handover", "tickets.csv", **TICKETS, by="team")
    assert teams.json() == [{"source": "front", "target": "back", "count": 1}]

    performance = _upload(client, agent, "performance", "tickets.csv", **TICKETS, top=1)
    assert performance.status_code == 200, performance.text
    assert performance.json()["cases"] == 2
    assert performance.json()["events"] == 5
    assert len(performance.json()["bottlenecks"]) == 1


def test_an_ocel_sqlite_upload_is_flattened_on_its_object_type(
    client: TestClient, agent: Headers, tmp_path: Path
) -> None:
    path = tmp_path / "orders.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            """
            CREATE TABLE object (ocel_id TEXT, ocel_type TEXT);
            CREATE TABLE event_map_type (ocel_type TEXT, ocel_type_map TEXT);
            CREATE TABLE event_object (ocel_event_id TEXT, ocel_object_id TEXT);
            CREATE TABLE event_Place (ocel_id TEXT, ocel_time TEXT);
            CREATE TABLE event_Ship (ocel_id TEXT, ocel_time TEXT);
            INSERT INTO object VALUES ('o1', 'order'), ('o2', 'order');
            INSERT INTO event_map_type VALUES ('Place order', 'Place'), ('Ship', 'Ship');
            INSERT INTO event_Place VALUES ('e1', '2024-01-01T10:00:00Z'),
                                           ('e2', '2024-01-01T11:00:00Z');
            INSERT INTO event_Ship VALUES ('e3', '2024-01-02T10:00:00Z');
            INSERT INTO event_object VALUES ('e1', 'o1'), ('e2', 'o2'), ('e3', 'o1'), ('e3', 'o2');
            """
        )
    response = client.post(
        "/api/v1/discovery/variants",
        files={"file": ("orders.sqlite", path.read_bytes())},
        data={"object_type": "order"},
        headers=agent,
    )
    assert response.status_code == 200, response.text
    [only] = response.json()
    assert (only["variant"], only["count"]) == (["Place order", "Ship"], 2)


@pytest.mark.parametrize(
    ("name", "fields", "message"),
    [
        ("badtime.csv", TICKETS, "badtime.csv: row 2, field 'at': 'not a date'"),
        ("broken.xes", {}, "broken.xes: not a readable XES log"),
        ("broken.jsonocel", {"object_type": "order"}, "broken.jsonocel: line 3: not valid JSON"),
        ("tickets.csv", {}, "tickets.csv: no column 'case:concept:name'"),
    ],
)
def test_a_bad_file_is_a_422_that_says_where(
    client: TestClient, agent: Headers, name: str, fields: dict[str, str], message: str
) -> None:
    response = _upload(client, agent, "map", name, **fields)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["type"] == "event_log_error"
    assert error["message"].startswith(message)
    assert "/tmp" not in error["message"]  # the client's name, not the temporary copy's


def test_an_unknown_extension_and_an_oversized_upload(client: TestClient, agent: Headers) -> None:
    unknown = client.post(
        "/api/v1/discovery/map", files={"file": ("log.txt", b"a,b\n")}, headers=agent
    )
    assert unknown.status_code == 422
    assert "unknown log format" in unknown.json()["error"]["message"]

    client.app.dependency_overrides[upload_limit] = lambda: 100  # type: ignore[attr-defined]
    try:
        big = _upload(client, agent, "map", "small.xes")
    finally:
        client.app.dependency_overrides.clear()  # type: ignore[attr-defined]
    assert big.status_code == 413
    assert big.json()["error"]["type"] == "payload_too_large"


def test_no_token_is_a_401(client: TestClient) -> None:
    response = _upload(client, {}, "map", "small.xes")
    assert response.status_code == 401
    assert client.get("/api/v1/discovery/cases/map").status_code == 401


def _message(client: TestClient, headers: Headers, ext: str, author: str, text: str) -> None:
    body = {
        "channel": "web",
        "id": ext,
        "author": {"id": author, "name": f"Customer {author}"},
        "text": text,
        "sent_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
    }
    response = client.post("/api/v1/messages", json=body, headers=headers)
    assert response.status_code in (200, 201), response.text


def test_the_workspace_cases_have_a_map_and_variants(
    client: TestClient, agent: Headers, make_user: MakeUser, other_workspace: int
) -> None:
    empty = client.get("/api/v1/discovery/cases/map", headers=agent)
    assert empty.status_code == 200, empty.text
    assert empty.json()["activities"] == {}

    _message(client, agent, "d1", "cust-1", "My parcel never arrived")
    _message(client, agent, "d2", "cust-2", "Where is my refund?")
    cases = client.get("/api/v1/cases", headers=agent).json()["items"]
    assert len(cases) == 2

    mapped = client.get("/api/v1/discovery/cases/map", headers=agent)
    assert mapped.status_code == 200, mapped.text
    body = mapped.json()
    assert sum(body["start"].values()) == 2  # one start per case
    variants = client.get("/api/v1/discovery/cases/variants", headers=agent).json()
    assert sum(v["count"] for v in variants) == 2

    stranger = make_user(workspace=other_workspace)
    theirs = client.get("/api/v1/discovery/cases/map", headers=stranger).json()
    assert theirs["activities"] == {}
