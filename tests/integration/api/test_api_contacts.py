"""Contacts over HTTP: search by name, identities, and each contact's conversations."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.integration.api.conftest import Headers
from tests.integration.api.payloads import message


def test_contacts_their_identities_and_conversations(client: TestClient, agent: Headers) -> None:
    zsofia = {"id": "hu-1", "name": "Zsófia Kovács", "handle": "zsofi", "followers": 310}
    bodies = [
        message("z-1", "A számla hibás", "2025-09-01T08:00:00Z", author=zsofia),
        message("z-2", "Második kérdés", "2025-09-03T08:00:00Z", author=zsofia, thread="t-2"),
        message(
            "g-1",
            "Buongiorno, un reso",
            "2025-09-02T08:00:00Z",
            author={"id": "it-1", "name": "Giulia Rossi", "email": "giulia@example.it"},
        ),
        message(
            "b-1",
            "We shipped it",
            "2025-09-02T09:00:00Z",
            author={"id": "brand", "name": "Rapport Shop"},
            direction="outbound",
            in_reply_to="g-1",
        ),
    ]
    for body in bodies:
        assert client.post("/api/v1/messages", headers=agent, json=body).status_code == 201

    everyone = client.get("/api/v1/contacts", headers=agent).json()
    # The company's own account answers; it is not a customer contact.
    assert [c["display_name"] for c in everyone["items"]] == ["Giulia Rossi", "Zsófia Kovács"]
    assert everyone["total"] == 2

    by_name = client.get("/api/v1/contacts", headers=agent, params={"q": "zsó"}).json()
    assert [c["display_name"] for c in by_name["items"]] == ["Zsófia Kovács"]
    by_email = client.get("/api/v1/contacts", headers=agent, params={"q": "giulia@"}).json()
    assert [c["email"] for c in by_email["items"]] == ["giulia@example.it"]
    wildcard = client.get("/api/v1/contacts", headers=agent, params={"q": "%"}).json()
    assert wildcard["total"] == 0  # a % is a character to look for, not a wildcard

    zsofia_id = by_name["items"][0]["id"]
    contact = client.get(f"/api/v1/contacts/{zsofia_id}", headers=agent).json()
    assert contact["conversation_count"] == 2
    assert [
        (i["channel"], i["external_id"], i["handle"], i["followers_count"])
        for i in contact["identities"]
    ] == [("api", "hu-1", "zsofi", 310)]

    conversations = client.get(f"/api/v1/contacts/{zsofia_id}/conversations", headers=agent)
    items = conversations.json()["items"]
    assert [c["last_message_preview"] for c in items] == ["Második kérdés", "A számla hibás"]
    assert {c["customer_id"] for c in items} == {zsofia_id}

    paged = client.get(
        f"/api/v1/contacts/{zsofia_id}/conversations?limit=1&offset=1", headers=agent
    ).json()
    assert paged["total"] == 2
    assert [c["id"] for c in paged["items"]] == [items[1]["id"]]

    assert client.get("/api/v1/contacts/987654321", headers=agent).status_code == 404
