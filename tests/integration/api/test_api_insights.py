"""``/api/v1/topics`` and ``/api/v1/insights``: the same figures as the page, per workspace."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.integration.api.conftest import Headers, MakeUser
from tests.integration.intelligence.topics_data import store_topic_messages
from tests.unit.intelligence.topics.texts import PERSIAN_DELIVERY

from rapport.store.db import Database
from rapport.store.models import Role

PERIOD = "since=2026-11-28T00:00:00Z&until=2026-12-01T00:00:00Z"


def test_topics_of_a_period(
    db: Database, workspace_id: int, client: TestClient, make_user: MakeUser
) -> None:
    store_topic_messages(db, workspace_id)
    headers = make_user(Role.ANALYST)
    response = client.get(f"/api/v1/topics?{PERIOD}&examples=2", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["messages"], body["unassigned"]) == (30, 0)
    assert [topic["size"] for topic in body["topics"]] == [10, 10, 10]
    persian = [t for t in body["topics"] if t["languages"] == [{"language": "fa", "messages": 10}]]
    assert len(persian) == 1
    assert all(example["text"] in PERSIAN_DELIVERY for example in persian[0]["examples"])
    assert len(persian[0]["examples"]) == 2
    one = client.get(f"/api/v1/topics?{PERIOD}&language=fa", headers=headers).json()
    assert one["messages"] == 10
    # each topic's days, here in Anchorage (UTC-9): 08:00-09:30 UTC spans local midnight
    local = client.get(
        f"/api/v1/topics?{PERIOD}&language=fa&tz=America/Anchorage", headers=headers
    ).json()
    assert local["tz"] == "America/Anchorage"
    days = [t["days"] for t in local["topics"]]
    assert all(len(topic_days) == 4 for topic_days in days)  # 27 to 30 November, local
    assert days[0][0]["day"] == "2026-11-27"
    assert days[0][0]["start"] == "2026-11-27T00:00:00-09:00"
    summed = [
        (sum(t[i]["messages"] for t in days), sum(t[i]["negative"] for t in days)) for i in range(4)
    ]
    assert summed == [(0, 0), (0, 0), (6, 6), (4, 4)]


def test_topics_reject_bad_input(client: TestClient, make_user: MakeUser) -> None:
    headers = make_user(Role.ANALYST)
    assert client.get("/api/v1/topics?count=0", headers=headers).status_code == 422
    bad_zone = client.get("/api/v1/topics?tz=Mars/Olympus", headers=headers)
    assert bad_zone.status_code == 422
    assert "tz" in bad_zone.json()["error"]["message"]
    backwards = client.get("/api/v1/topics?since=2026-12-01&until=2026-11-01", headers=headers)
    assert backwards.status_code == 422
    assert "until" in backwards.json()["error"]["message"]
    assert client.get("/api/v1/topics").status_code == 401


def test_insights_figures_and_posts(
    db: Database,
    workspace_id: int,
    other_workspace: int,
    client: TestClient,
    agent: Headers,
    make_user: MakeUser,
) -> None:
    store_topic_messages(db, workspace_id)
    body = client.get(f"/api/v1/insights?{PERIOD}", headers=agent).json()
    assert body["messages"] == 30
    assert body["volume"] == [
        {"day": "2026-11-28", "messages": 0},
        {"day": "2026-11-29", "messages": 10},
        {"day": "2026-11-30", "messages": 20},
    ]
    assert body["sentiment"][2] == {
        "day": "2026-11-30", "negative": 10, "neutral": 10, "positive": 0, "unread": 0
    }  # fmt: skip
    assert body["intents"] == [
        {"intent": "delivery", "messages": 20},
        {"intent": "billing", "messages": 10},
    ]
    assert body["languages"][1] == {"language": "fa", "messages": 10}
    posts = client.get(
        f"/api/v1/insights/posts?{PERIOD}&day=2026-11-30&sentiment=negative&limit=3",
        headers=agent,
    ).json()
    assert posts["total"] == 10
    assert [item["text"] for item in posts["items"]] == PERSIAN_DELIVERY[::-1][:3]
    # another workspace sees none of it
    other = make_user(Role.ANALYST, workspace=other_workspace)
    assert client.get(f"/api/v1/insights?{PERIOD}", headers=other).json()["messages"] == 0


def test_far_off_periods_are_answered_not_crashed(client: TestClient, agent: Headers) -> None:
    old = client.get("/api/v1/insights?since=0001-01-01T00:00:00Z", headers=agent)
    assert old.status_code == 200
    assert len(old.json()["volume"]) <= 3661  # no list of empty days back to year 1
    odd = client.get("/api/v1/insights?since=0001-01-01T00:00:00%2B14:00", headers=agent)
    assert odd.status_code == 422
    assert "since" in odd.json()["error"]["message"]
    early = client.get("/api/v1/topics?until=0001-01-02T00:00:00Z", headers=agent)
    assert early.status_code == 200
    assert early.json()["topics"] == []
