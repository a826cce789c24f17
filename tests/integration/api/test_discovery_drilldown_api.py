"""The cases behind an edge of the workspace's own map, over HTTP and on the command line
(SQLite and PostgreSQL), and behind an edge of an uploaded log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.integration.api.conftest import Headers, MakeUser
from typer.testing import CliRunner

from rapport.cli import app
from rapport.config import get_settings
from rapport.store.db import Database
from rapport.store.models import Workspace

FIXTURES = Path(__file__).parents[1] / "discovery" / "fixtures"
TICKETS = {"case": "ticket", "activity": "step", "timestamp": "at", "resource": "agent"}


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


@pytest.fixture
def two_cases(client: TestClient, agent: Headers) -> list[str]:
    _message(client, agent, "d1", "cust-1", "My parcel never arrived")
    _message(client, agent, "d2", "cust-2", "Where is my refund?")
    cases = client.get("/api/v1/cases", headers=agent).json()["items"]
    assert len(cases) == 2
    for case, statuses in zip(cases, (["open", "resolved"], ["open", "pending", "resolved"]),
                              strict=True):  # fmt: skip
        for status in statuses:
            changed = client.patch(
                f"/api/v1/cases/{case['id']}", json={"status": status}, headers=agent
            )
            assert changed.status_code == 200, changed.text
    return sorted(str(c["id"]) for c in cases)


def test_the_cases_behind_each_edge_of_the_workspace_map(
    client: TestClient, agent: Headers, make_user: MakeUser, other_workspace: int,
    two_cases: list[str],
) -> None:  # fmt: skip
    mapped = client.get("/api/v1/discovery/cases/map", headers=agent).json()
    assert mapped["edges"], mapped
    for edge in mapped["edges"]:
        params = {"source": edge["source"], "target": edge["target"], "limit": 1}
        answer = client.get("/api/v1/discovery/cases/edge-cases", params=params, headers=agent)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["edge"]["count"] == edge["count"]
        assert body["edge"]["mean_seconds"] == pytest.approx(edge["mean_seconds"])
        assert 1 <= body["total"] <= edge["count"]
        assert len(body["cases"]) == 1  # paged
        assert body["cases"][0]["case"] in two_cases

    first = mapped["edges"][0]
    params = {"source": first["source"], "target": first["target"]}
    every = client.get("/api/v1/discovery/cases/edge-cases", params=params, headers=agent).json()
    assert sorted(c["case"] for c in every["cases"]) == two_cases  # both cases open alike

    variant = client.get("/api/v1/discovery/cases/variant-cases?rank=1", headers=agent).json()
    assert variant["total"] >= 1
    assert variant["variant"]
    start = next(iter(mapped["start"]))
    acts = client.get(
        "/api/v1/discovery/cases/activity-cases", params={"activity": start}, headers=agent
    ).json()
    assert acts["total"] == 2

    stranger = make_user(workspace=other_workspace)
    theirs = client.get("/api/v1/discovery/cases/edge-cases", params=params, headers=stranger)
    assert theirs.json()["total"] == 0
    unknown = client.get("/api/v1/discovery/cases/variant-cases?rank=99", headers=agent)
    assert unknown.status_code == 422
    assert "variant 99" in unknown.json()["error"]["message"]
    assert client.get("/api/v1/discovery/cases/edge-cases", params=params).status_code == 401


def test_the_cases_behind_an_edge_of_an_uploaded_log(client: TestClient, agent: Headers) -> None:
    path = FIXTURES / "tickets.csv"
    response = client.post(
        "/api/v1/discovery/edge-cases",
        files={"file": ("tickets.csv", path.read_bytes())},
        data={**TICKETS, "source": "Open", "target": "Close"},
        headers=agent,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["edge"]["count"] == 1
    assert [c["case"] for c in body["cases"]] == [body["cases"][0]["case"]]


@pytest.fixture
def cli_on(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("RAPPORT_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_command_line_lists_the_same_cases(
    client: TestClient, agent: Headers, db: Database, workspace_id: int, two_cases: list[str],
    cli_on: None,
) -> None:  # fmt: skip
    with db.session() as session:
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        slug = workspace.slug
    edge = client.get("/api/v1/discovery/cases/map", headers=agent).json()["edges"][0]
    pair = [edge["source"], edge["target"]]
    result = CliRunner().invoke(
        app, ["discover", "cases-of", "--cases", "-w", slug, "--edge", *pair, "--json"]
    )
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    api = client.get(
        "/api/v1/discovery/cases/edge-cases",
        params={"source": pair[0], "target": pair[1]},
        headers=agent,
    ).json()
    assert body == api
    table = CliRunner().invoke(
        app, ["discover", "cases-of", "--cases", "-w", slug, "--edge", *pair]
    )
    assert table.exit_code == 0
    assert two_cases[0] in table.stdout
