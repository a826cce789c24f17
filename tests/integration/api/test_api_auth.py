"""Health, authentication, roles and workspace isolation over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.integration.api.conftest import Headers, MakeUser
from tests.integration.api.payloads import PASSWORD, message

from rapport.api.app import create_app
from rapport.channels.base import get_format
from rapport.ingest.service import import_file
from rapport.store.db import Database
from rapport.store.models import Role

PROTECTED = [
    ("GET", "/api/v1/conversations"),
    ("GET", "/api/v1/conversations/1"),
    ("GET", "/api/v1/messages"),
    ("POST", "/api/v1/messages"),
    ("GET", "/api/v1/contacts"),
    ("GET", "/api/v1/channels"),
    ("GET", "/api/v1/deadletters"),
    ("GET", "/api/v1/me"),
]


def test_healthz_answers_after_asking_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'r.db'}", with_ui=False)
    # Point the running app at a database file in a folder that does not exist.
    app.state.db = Database(f"sqlite:///{tmp_path / 'missing' / 'r.db'}")
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_every_api_route_needs_a_token(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["type"] == "authentication_failed"


@pytest.mark.parametrize(
    "authorization",
    ["Bearer rpt_not-a-real-token", "Bearer something-else", "Basic dXNlcjpwYXNz", "rpt_abc"],
)
def test_a_bad_token_is_401(client: TestClient, authorization: str) -> None:
    response = client.get("/api/v1/conversations", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "token" in response.json()["error"]["message"]


def test_me_tells_who_the_token_belongs_to(
    client: TestClient, make_user: MakeUser, workspace_id: int
) -> None:
    headers = make_user(Role.ANALYST, email=f"Reader{workspace_id}@Example.test")
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["role"] == "analyst"
    assert me["email"] == f"reader{workspace_id}@example.test"  # stored in lower case
    assert me["workspace"]["id"] == workspace_id


def test_a_user_gets_a_token_with_email_and_password(
    client: TestClient, make_user: MakeUser, workspace_id: int
) -> None:
    email = f"agent{workspace_id}@example.test"
    make_user(Role.AGENT, email=email)

    as_json = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert as_json.status_code == 201
    token = as_json.json()["access_token"]
    assert token.startswith("rpt_")
    assert as_json.json()["token_type"] == "bearer"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["email"] == email

    # The OAuth2 password form (what Swagger's Authorize dialog sends) works too.
    as_form = client.post(
        "/api/v1/auth/token", data={"username": email.upper(), "password": PASSWORD}
    )
    assert as_form.status_code == 201
    assert as_form.json()["access_token"] != token

    wrong = client.post("/api/v1/auth/token", json={"email": email, "password": "not it at all"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["message"] == "wrong e-mail or password"
    unknown = client.post(
        "/api/v1/auth/token", json={"email": "nobody@example.test", "password": PASSWORD}
    )
    assert unknown.status_code == 401

    missing = client.post("/api/v1/auth/token", json={"email": email})
    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == "password"


def test_analysts_read_but_may_not_write(
    client: TestClient, make_user: MakeUser, agent: Headers
) -> None:
    posted = client.post(
        "/api/v1/messages", headers=agent, json=message("m-1", "hello", "2025-01-02T10:00:00Z")
    )
    conversation_id = posted.json()["conversation_id"]
    analyst = make_user(Role.ANALYST)

    assert client.get("/api/v1/conversations", headers=analyst).json()["total"] == 1
    assert client.get(f"/api/v1/conversations/{conversation_id}", headers=analyst).is_success
    attempts = [
        client.post(
            "/api/v1/messages", headers=analyst, json=message("m-2", "hi", "2025-01-02T11:00:00Z")
        ),
        client.post(f"/api/v1/conversations/{conversation_id}/read", headers=analyst),
        client.post(f"/api/v1/conversations/{conversation_id}/unread", headers=analyst),
        client.patch(
            f"/api/v1/conversations/{conversation_id}", headers=analyst, json={"status": "closed"}
        ),
    ]
    for response in attempts:
        assert response.status_code == 403
        assert response.json()["error"]["message"].startswith("analysts may read")
    after = client.get(f"/api/v1/conversations/{conversation_id}", headers=analyst).json()
    assert after["conversation"]["status"] == "open"
    assert after["conversation"]["unread"] is True
    assert after["conversation"]["message_count"] == 1


def test_dead_letters_are_for_admins(
    client: TestClient, db: Database, make_user: MakeUser, workspace_id: int, tmp_path: Path
) -> None:
    source = tmp_path / "mixed.jsonl"
    source.write_text(
        '{"id": "a", "text": "fine", "sent_at": "2025-01-01T00:00:00Z", "author": "u"}\n'
        '{"id": "b", "text": "no time", "author": "u"}\n',
        encoding="utf-8",
    )
    report = import_file(db, workspace_id=workspace_id, path=source, fmt=get_format("jsonl"))
    assert (report.imported, report.rejected) == (1, 1)

    admin_view = client.get("/api/v1/deadletters", headers=make_user(Role.ADMIN))
    assert admin_view.status_code == 200
    page = admin_view.json()
    assert page["total"] == 1
    rejected = page["items"][0]
    assert rejected["location"] == "line 2"
    assert "sent_at" in rejected["reason"]
    assert '"no time"' in rejected["payload"]

    for role in (Role.AGENT, Role.ANALYST):
        denied = client.get("/api/v1/deadletters", headers=make_user(role))
        assert denied.status_code == 403
        assert "admin" in denied.json()["error"]["message"]


def test_nobody_sees_another_workspace(
    client: TestClient, make_user: MakeUser, other_workspace: int
) -> None:
    mine = make_user(Role.ADMIN)
    theirs = make_user(Role.ADMIN, workspace=other_workspace)
    # The same message id in both workspaces: each keeps its own.
    eva = {"id": "u-1", "name": "Eva"}
    body = message("m-1", "private matter", "2025-03-01T08:00:00Z", author=eva)
    own = client.post("/api/v1/messages", headers=mine, json=body).json()
    other = client.post("/api/v1/messages", headers=theirs, json=body).json()
    assert own["duplicate"] is False
    assert other["duplicate"] is False
    assert own["conversation_id"] != other["conversation_id"]

    secret_conversation = other["conversation_id"]
    secret_contact = client.get("/api/v1/contacts", headers=theirs).json()["items"][0]["id"]
    guesses = [
        client.get(f"/api/v1/conversations/{secret_conversation}", headers=mine),
        client.post(f"/api/v1/conversations/{secret_conversation}/read", headers=mine),
        client.post(f"/api/v1/conversations/{secret_conversation}/unread", headers=mine),
        client.patch(
            f"/api/v1/conversations/{secret_conversation}", headers=mine, json={"status": "closed"}
        ),
        client.get(f"/api/v1/contacts/{secret_contact}", headers=mine),
        client.get(f"/api/v1/contacts/{secret_contact}/conversations", headers=mine),
    ]
    for response in guesses:
        assert response.status_code == 404
        assert "private matter" not in response.text
        assert response.json()["error"]["type"] == "not_found"

    listed = client.get("/api/v1/conversations", headers=mine).json()
    assert [c["id"] for c in listed["items"]] == [own["conversation_id"]]
    leaked = client.get(
        f"/api/v1/messages?conversation_id={secret_conversation}", headers=mine
    ).json()
    assert leaked["total"] == 0
    assert client.get("/api/v1/messages?q=private", headers=mine).json()["total"] == 1
    assert [c["name"] for c in client.get("/api/v1/channels", headers=mine).json()] == ["api"]

    untouched = client.get(f"/api/v1/conversations/{secret_conversation}", headers=theirs).json()
    assert untouched["conversation"]["status"] == "open"
    assert untouched["conversation"]["unread"] is True
