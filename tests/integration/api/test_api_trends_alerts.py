"""Trends and alerts over HTTP: the series in a time zone, rules made, changed and removed,
bad input answered with the field, and the events with their posts."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.integration.alerts.burst import BURST, NOW, store_burst
from tests.integration.api.conftest import Headers

from rapport.intelligence.alerts.check import check_alerts
from rapport.store.db import Database


def test_trends_per_hour_in_tehran(
    client: TestClient, db: Database, workspace_id: int, agent: Headers
) -> None:
    store_burst(db, workspace_id)
    answer = client.get(
        "/api/v1/trends",
        params={
            "interval": "hour",
            "since": "2026-11-30T11:00:00+03:30",
            "until": "2026-11-30T13:00:00+03:30",
            "tz": "Asia/Tehran",
        },
        headers=agent,
    )
    assert answer.status_code == 200, answer.text
    [series] = answer.json()["series"]
    starts = [b["start"] for b in series["buckets"]]
    assert starts == ["2026-11-30T11:00:00+03:30", "2026-11-30T12:00:00+03:30"]
    # The burst (08:00-08:29 UTC) is 11:30-11:59 in Tehran: all of it in the 11:00 hour.
    assert [b["total"] for b in series["buckets"]] == [BURST, 0]
    assert series["buckets"][0]["negative_share"] == 1.0
    assert series["buckets"][1]["negative_share"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"tz": "Mars/Olympus"}, "tz"),
        ({"interval": "week"}, "interval"),
        ({"by": "colour"}, "by"),
        ({"since": "2026-12-01T00:00Z", "until": "2026-11-01T00:00Z"}, "since"),
    ],
)
def test_trends_bad_input_names_the_field(
    client: TestClient, agent: Headers, params: dict[str, str], field: str
) -> None:
    answer = client.get("/api/v1/trends", params=params, headers=agent)
    assert answer.status_code == 422
    assert field in answer.text


def test_alert_rules_crud_and_events(
    client: TestClient, db: Database, workspace_id: int, agent: Headers
) -> None:
    store_burst(db, workspace_id)
    hook = {"webhook_url": "http://127.0.0.1:9/h", "webhook_secret": "k"}
    made = client.post(
        "/api/v1/alerts", json={"name": "Spike", "metric": "volume", **hook}, headers=agent
    )
    assert made.status_code == 201, made.text
    rule = made.json()
    assert rule["has_webhook_secret"]
    assert "webhook_secret" not in rule
    again = client.post("/api/v1/alerts", json={"name": "Spike", "metric": "volume"}, headers=agent)
    assert again.status_code == 409
    bad = client.post(
        "/api/v1/alerts", json={"name": "x", "metric": "volume", "emails": ["nope"]}, headers=agent
    )
    assert bad.status_code == 422
    assert "emails" in bad.text
    no_secret = client.post(
        "/api/v1/alerts",
        json={"name": "y", "metric": "volume", "webhook_url": "https://hooks.example/x"},
        headers=agent,
    )
    assert no_secret.status_code == 422
    assert "webhook_secret" in no_secret.text

    changed = client.patch(
        f"/api/v1/alerts/{rule['id']}", json={"sensitivity": 5, "webhook_url": ""}, headers=agent
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["sensitivity"] == 5
    assert changed.json()["webhook_url"] is None

    with db.session() as session:
        assert len(check_alerts(session, workspace_id, NOW)) == 1
    events = client.get(
        "/api/v1/alerts/events", params={"rule_id": rule["id"], "limit": 1}, headers=agent
    ).json()
    assert events["total"] == 1
    [event] = events["items"]
    assert event["observed"] == BURST
    assert len(event["posts"]) == 20

    assert client.delete(f"/api/v1/alerts/{rule['id']}", headers=agent).status_code == 204
    assert client.get(f"/api/v1/alerts/{rule['id']}", headers=agent).status_code == 404
    assert client.get("/api/v1/alerts/events", headers=agent).json()["total"] == 0
    assert client.get("/api/v1/alerts").status_code == 401
