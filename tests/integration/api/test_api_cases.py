"""The engagement API as a client uses it: cases opened by incoming messages, changed with
their history recorded, notes with mentions, rules as YAML, the SLA report, the activity
feed, notifications, and isolation between workspaces."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from tests.integration.api.conftest import Headers, MakeUser

from rapport.store.models import Role

RULES = """
rules:
  - name: Refunds are urgent
    when: {text: {contains_any: ["refund*"]}}
    then: {priority: urgent, tag: refund}
"""


def _message(client: TestClient, headers: Headers, ext: str, text: str, **extra: object) -> None:
    sent = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    body = {
        "channel": "web",
        "id": ext,
        "author": {"id": "cust-7", "name": "Ásta Björk"},
        "text": text,
        "sent_at": sent,
        **extra,
    }
    response = client.post("/api/v1/messages", json=body, headers=headers)
    assert response.status_code in (200, 201), response.text


def _only_case(client: TestClient, headers: Headers) -> dict:  # type: ignore[type-arg]
    response = client.get("/api/v1/cases", headers=headers)
    assert response.status_code == 200, response.text
    [case] = response.json()["items"]
    return case  # type: ignore[no-any-return]


def test_a_message_opens_a_case_an_agent_can_work(
    client: TestClient, agent: Headers, make_user: MakeUser
) -> None:
    admin = make_user(Role.ADMIN)
    put = client.put(
        "/api/v1/rules",
        content=RULES,
        headers={**admin, "Content-Type": "application/yaml"},
    )
    assert put.status_code == 200, put.text
    assert put.json()["rules"][0]["name"] == "Refunds are urgent"

    _message(client, agent, "w1", "I still have no refund for order 19870")
    case = _only_case(client, agent)
    assert case["status"] == "new"
    assert case["priority"] == "urgent"
    assert case["tags"] == ["refund"]

    me = client.get("/api/v1/me", headers=agent).json()
    patched = client.patch(
        f"/api/v1/cases/{case['id']}",
        json={"assignee": me["email"], "add_tags": ["returns"], "status": "pending"},
        headers=agent,
    )
    assert patched.status_code == 200, patched.text
    detail = patched.json()
    assert detail["case"]["assignee_email"] == me["email"]
    assert detail["case"]["tags"] == ["refund", "returns"]
    history = [(e["activity"], e["resource"]) for e in detail["events"]]
    assert ("assigned", me["name"]) in history
    assert ("status_changed", me["name"]) in history

    mine = client.get("/api/v1/cases", params={"assignee": "me"}, headers=agent).json()
    assert [c["id"] for c in mine["items"]] == [case["id"]]


def test_bad_rules_are_refused_with_line_and_field(client: TestClient, make_user: MakeUser) -> None:
    admin = make_user(Role.ADMIN)
    bad = "rules:\n  - name: X\n    when: {text: {contains_any: []}}\n    then: {priority: hot}\n"
    response = client.put(
        "/api/v1/rules", content=bad, headers={**admin, "Content-Type": "application/yaml"}
    )
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert "line 3" in message
    assert "line 4" in message
    assert "priority" in message
    assert client.get("/api/v1/rules", headers=admin).json()["rules"] == []


def test_agents_cannot_change_rules_and_analysts_cannot_change_cases(
    client: TestClient, agent: Headers, make_user: MakeUser
) -> None:
    response = client.put(
        "/api/v1/rules", content=RULES, headers={**agent, "Content-Type": "application/yaml"}
    )
    assert response.status_code == 403
    _message(client, agent, "a1", "Hello there, a question about sizes")
    case = _only_case(client, agent)
    analyst = make_user(Role.ANALYST)
    response = client.patch(
        f"/api/v1/cases/{case['id']}", json={"priority": "low"}, headers=analyst
    )
    assert response.status_code == 403
    assert client.get(f"/api/v1/cases/{case['id']}", headers=analyst).status_code == 200


def test_notes_mention_a_colleague_who_is_notified(
    client: TestClient, agent: Headers, make_user: MakeUser
) -> None:
    colleague_email = "ragnar-mention@example.test"
    colleague = make_user(Role.AGENT, email=colleague_email)
    _message(client, agent, "n1", "Is the Hríma jacket warm enough for Tromsø?")
    case = _only_case(client, agent)
    note = client.post(
        f"/api/v1/cases/{case['id']}/notes",
        json={"body": "@ragnar-mention can you check stock? <b>not html</b>"},
        headers=agent,
    )
    assert note.status_code == 201, note.text
    assert note.json()["notified"] == 1
    inbox = client.get("/api/v1/notifications", headers=colleague).json()
    assert inbox["unread"] == 1
    assert inbox["items"][0]["case_id"] == case["id"]
    assert client.get("/api/v1/notifications", headers=agent).json()["unread"] == 0
    read = client.post("/api/v1/notifications/read", json={}, headers=colleague)
    assert read.json()["unread"] == 0
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=agent).json()
    assert detail["notes"][0]["body"].endswith("<b>not html</b>")  # kept as text


def test_sla_report_and_activity_feed(client: TestClient, agent: Headers) -> None:
    _message(client, agent, "s1", "Where is my parcel?")
    report = client.get("/api/v1/sla/report", headers=agent)
    assert report.status_code == 200
    assert report.json()["cases"] == 1
    feed = client.get("/api/v1/activity", headers=agent).json()
    assert feed["items"][0]["activity"] == "created"


def test_another_workspace_cannot_see_or_change_a_case(
    client: TestClient, agent: Headers, make_user: MakeUser, other_workspace: int
) -> None:
    _message(client, agent, "i1", "Private question about my order")
    case = _only_case(client, agent)
    stranger = make_user(Role.ADMIN, workspace=other_workspace)
    assert client.get(f"/api/v1/cases/{case['id']}", headers=stranger).status_code == 404
    patch = client.patch(f"/api/v1/cases/{case['id']}", json={"status": "closed"}, headers=stranger)
    assert patch.status_code == 404
    assert client.get("/api/v1/cases", headers=stranger).json()["items"] == []


def test_a_reply_on_a_channel_that_cannot_send_says_why(client: TestClient, agent: Headers) -> None:
    _message(client, agent, "r1", "Can someone answer me?")
    case = _only_case(client, agent)
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=agent).json()
    conversation = detail["conversation_ids"][0]
    response = client.post(
        f"/api/v1/conversations/{conversation}/replies",
        json={"text": "Hi Ásta, we are on it."},
        headers=agent,
    )
    assert response.status_code == 422
    assert (
        "cannot send" in response.json()["error"]["message"]
        or "settings" in response.json()["error"]["message"]
    )
