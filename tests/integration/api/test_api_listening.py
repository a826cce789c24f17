"""`/api/v1/listening`: queries, their matches and share of voice over HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.integration.api.conftest import Headers, MakeUser
from tests.integration.intelligence.listening_support import store_mentions

from rapport.store.db import Database
from rapport.store.models import Role

BASE = "/api/v1/listening"


def _add(client: TestClient, headers: Headers, **body: object) -> dict[str, object]:
    response = client.post(f"{BASE}/queries", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_queries_crud_and_history(client: TestClient, agent: Headers) -> None:
    made = _add(client, agent, name="Hekla", expression="hekla", kind="product")
    assert made["created_by"] is not None
    assert client.get(f"{BASE}/queries", headers=agent).json()[0]["name"] == "Hekla"
    assert client.get(f"{BASE}/queries?kind=brand", headers=agent).json() == []
    url = f"{BASE}/queries/{made['id']}"
    patched = client.patch(
        url, json={"expression": "hekla*", "variants": {"fa": "هکلا"}}, headers=agent
    )
    assert patched.status_code == 200
    assert (patched.json()["expression"], patched.json()["variants"]) == ("hekla*", {"fa": "هکلا"})
    assert client.get(url, headers=agent).json()["expression"] == "hekla*"
    history = client.get(f"{url}/history", headers=agent).json()
    assert [(c["action"], c["old_expression"], c["new_expression"]) for c in history] == [
        ("created", None, "hekla"),
        ("edited", "hekla", "hekla*"),
    ]
    assert history[1]["changed_by"] == made["created_by"]
    assert client.delete(url, headers=agent).status_code == 204
    assert client.get(url, headers=agent).status_code == 404
    assert client.delete(url, headers=agent).status_code == 404


def test_errors_say_what_and_where(client: TestClient, agent: Headers) -> None:
    bad = client.post(
        f"{BASE}/queries", json={"name": "X", "expression": 'vetur "tent'}, headers=agent
    )
    assert bad.status_code == 422
    error = bad.json()["error"]
    assert error["position"] == 7
    assert error["field"] == "expression"
    assert "unclosed quote at character 7" in error["message"]
    variant = client.post(
        f"{BASE}/queries",
        json={"name": "X", "expression": "hekla", "variants": {"fa": "(هکلا"}},
        headers=agent,
    )
    assert variant.status_code == 422
    assert variant.json()["error"]["field"] == "variants.fa"
    _add(client, agent, name="X", expression="vetur")
    taken = client.post(f"{BASE}/queries", json={"name": "X", "expression": "t"}, headers=agent)
    assert taken.status_code == 409
    kind = client.post(
        f"{BASE}/queries", json={"name": "Y", "expression": "t", "kind": "rival"}, headers=agent
    )
    assert kind.status_code == 422
    assert client.get(f"{BASE}/queries/999999/matches", headers=agent).status_code == 404


def test_analysts_read_but_do_not_change(
    client: TestClient, agent: Headers, make_user: MakeUser
) -> None:
    made = _add(client, agent, name="Vetur", expression="vetur")
    analyst = make_user(Role.ANALYST)
    assert client.get(f"{BASE}/queries", headers=analyst).status_code == 200
    denied = client.post(f"{BASE}/queries", json={"name": "A", "expression": "a"}, headers=analyst)
    assert denied.status_code == 403
    assert client.delete(f"{BASE}/queries/{made['id']}", headers=analyst).status_code == 403
    assert client.get(f"{BASE}/queries").status_code == 401


def test_matches_page_and_share_of_voice(
    db: Database, workspace_id: int, client: TestClient, agent: Headers
) -> None:
    store_mentions(db, workspace_id)
    fp = _add(client, agent, name="Fjord & Pine", expression='"fjord & pine" OR @fjordandpine')
    _add(client, agent, name="Nordkamm", expression="nordkamm", kind="competitor")
    page = client.get(f"{BASE}/queries/{fp['id']}/matches?limit=2", headers=agent).json()
    assert (page["total"], page["limit"], len(page["items"])) == (3, 2, 2)
    assert page["items"][0]["text"].startswith("Fjord & Pine vs Nordkamm")
    assert page["items"][0]["channel"] == "x"
    oldest = client.get(
        f"{BASE}/queries/{fp['id']}/matches?sort=received_at&limit=1", headers=agent
    ).json()
    assert oldest["items"][0]["text"].startswith("Love my Vetur 2")
    later = client.get(
        f"{BASE}/queries/{fp['id']}/matches?since=2026-11-20T09:05:00&until=2026-11-20T09:30Z",
        headers=agent,
    ).json()
    assert [m["text"][:9] for m in later["items"]] == ["The Vetur"]
    brands = client.get(f"{BASE}/share-of-voice", headers=agent).json()
    assert [v["name"] for v in brands["voices"]] == ["Fjord & Pine"]
    both = client.get(
        f"{BASE}/share-of-voice?query=Fjord%20%26%20Pine&query=Nordkamm", headers=agent
    ).json()
    assert [(v["name"], v["mentions"]) for v in both["voices"]] == [
        ("Fjord & Pine", 3),
        ("Nordkamm", 2),
    ]
    assert (both["total_mentions"], both["messages"]) == (5, 4)
    assert both["voices"][0]["share"] == 0.6
    none = client.get(f"{BASE}/share-of-voice?kind=campaign", headers=agent)
    assert none.status_code == 422


def test_queries_are_private_to_their_workspace(
    client: TestClient, agent: Headers, make_user: MakeUser, other_workspace: int
) -> None:
    made = _add(client, agent, name="Vetur", expression="vetur")
    stranger = make_user(Role.ADMIN, workspace=other_workspace)
    assert client.get(f"{BASE}/queries/{made['id']}", headers=stranger).status_code == 404
    assert client.get(f"{BASE}/queries", headers=stranger).json() == []
    # The same name is free in another workspace.
    assert (
        client.post(
            f"{BASE}/queries", json={"name": "Vetur", "expression": "v"}, headers=stranger
        ).status_code
        == 201
    )
