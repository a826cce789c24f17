"""The API filters conversations on what their messages were read as, and returns readings."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.integration.api.conftest import MakeUser
from tests.integration.intelligence.test_inbox_readings import store_read_inbox

from rapport.store.db import Database
from rapport.store.models import Role


def test_conversations_filter_on_sentiment_and_messages_carry_readings(
    db: Database, workspace_id: int, client: TestClient, make_user: MakeUser
) -> None:
    store_read_inbox(db, workspace_id)
    headers = make_user(Role.ANALYST)
    negative = client.get("/api/v1/conversations?sentiment=negative", headers=headers)
    assert negative.status_code == 200
    [item] = negative.json()["items"]
    assert item["customer"] == "Ann"
    detail = client.get(f"/api/v1/conversations/{item['id']}", headers=headers).json()
    first = detail["messages"][0]
    assert (first["language"], first["sentiment"], first["intent"]) == (
        "en",
        "negative",
        "complaint",
    )
    neutral = client.get("/api/v1/conversations?sentiment=neutral&intent=other", headers=headers)
    assert [c["customer"] for c in neutral.json()["items"]] == ["Cy", "Bo"]
    wrong = client.get("/api/v1/conversations?sentiment=angry", headers=headers)
    assert wrong.status_code == 422
