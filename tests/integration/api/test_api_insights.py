"""``/api/v1/topics`` and ``/api/v1/insights``: the same figures as the page, per workspace."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.integration.api.conftest import Headers, MakeUser
from tests.integration.intelligence.insight_days_data import MOMENTS, store_moments
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
    assert body["tz"] == "UTC"
    assert body["volume"] == [
        {"day": "2026-11-28", "start": "2026-11-28T00:00:00Z", "messages": 0},
        {"day": "2026-11-29", "start": "2026-11-29T00:00:00Z", "messages": 10},
        {"day": "2026-11-30", "start": "2026-11-30T00:00:00Z", "messages": 20},
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


def test_insights_days_in_the_zone_asked_for(
    db: Database, workspace_id: int, client: TestClient, agent: Headers
) -> None:
    store_moments(db, workspace_id)
    # a date without a zone is the local midnight of tz: these are three whole Tehran days
    period = "since=2026-11-29&until=2026-12-02&tz=Asia/Tehran"
    body = client.get(f"/api/v1/insights?{period}", headers=agent).json()
    assert (body["tz"], body["since"]) == ("Asia/Tehran", "2026-11-29T00:00:00+03:30")
    assert body["until"] == "2026-12-02T00:00:00+03:30"
    # 23:30 UTC on 29 November is 03:00 on the 30th in Tehran
    assert body["volume"] == [
        {"day": "2026-11-29", "start": "2026-11-29T00:00:00+03:30", "messages": 1},
        {"day": "2026-11-30", "start": "2026-11-30T00:00:00+03:30", "messages": 2},
        {"day": "2026-12-01", "start": "2026-12-01T00:00:00+03:30", "messages": 1},
    ]
    assert body["messages"] == 4
    posts = client.get(f"/api/v1/insights/posts?{period}&day=2026-11-30", headers=agent).json()
    assert posts["total"] == 2
    assert sorted(item["sent_at"] for item in posts["items"]) == [
        "2026-11-29T20:30:00Z", "2026-11-29T23:30:00Z"
    ]  # fmt: skip
    in_utc = client.get("/api/v1/insights?since=2026-11-29&until=2026-12-02", headers=agent)
    assert [d["messages"] for d in in_utc.json()["volume"]] == [3, 1, 0]


def test_insights_days_across_berlin_daylight_saving(
    db: Database, workspace_id: int, client: TestClient, agent: Headers
) -> None:
    store_moments(db, workspace_id)
    spring = client.get(
        "/api/v1/insights?since=2026-03-28&until=2026-03-31&tz=Europe/Berlin", headers=agent
    ).json()
    assert [(d["day"], d["start"], d["messages"]) for d in spring["volume"]] == [
        ("2026-03-28", "2026-03-28T00:00:00+01:00", 1),
        ("2026-03-29", "2026-03-29T00:00:00+01:00", 2),  # 23 hours
        ("2026-03-30", "2026-03-30T00:00:00+02:00", 1),
    ]
    autumn = "since=2026-10-25&until=2026-10-26&tz=Europe/Berlin"
    body = client.get(f"/api/v1/insights?{autumn}", headers=agent).json()
    assert body["volume"] == [
        {"day": "2026-10-25", "start": "2026-10-25T00:00:00+02:00", "messages": 4}
    ]  # 25 hours, the repeated 02:00-03:00 included
    posts = client.get(f"/api/v1/insights/posts?{autumn}&day=2026-10-25", headers=agent).json()
    assert posts["total"] == 4
    expected = {m.isoformat().replace("+00:00", "Z") for m in MOMENTS[5:9]}
    assert {item["sent_at"] for item in posts["items"]} == expected


def test_insights_refuse_an_unknown_zone(client: TestClient, agent: Headers) -> None:
    for path in ("/api/v1/insights", "/api/v1/insights/posts"):
        response = client.get(f"{path}?tz=Mars/Olympus", headers=agent)
        assert response.status_code == 422
        assert "tz" in response.json()["error"]["message"]
