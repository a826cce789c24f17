"""``rapport topics`` prints the period's topics, as text or as the API's JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.integration.intelligence.topics_data import DAY, store_topic_messages
from typer.testing import CliRunner

from rapport.accounts.service import get_or_create_workspace
from rapport.cli import app
from rapport.config import get_settings
from rapport.ingest.records import InboundMessage
from rapport.ingest.service import ingest_messages
from rapport.store.db import Database
from rapport.store.models import ChannelKind, Direction


@pytest.fixture
def stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("RAPPORT_DATABASE_URL", url)
    get_settings.cache_clear()
    db = Database(url)
    db.migrate()
    with db.session() as session:
        workspace = get_or_create_workspace(session, "default").id
    store_topic_messages(db, workspace)
    hostile = InboundMessage(
        external_id="evil", author_id="m", author_name="M", sent_at=DAY,
        text="\x1b[2J parcel delivery late [bold]again[/bold] parcel delivery",
        direction=Direction.INBOUND,
    )  # fmt: skip
    ingest_messages(
        db, workspace_id=workspace, channel_name="x", kind=ChannelKind.TWITTER, messages=[hostile]
    )
    yield db
    db.dispose()
    get_settings.cache_clear()


def test_topics_as_text(stored: Database) -> None:
    result = CliRunner().invoke(app, ["topics", "--examples", "5", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "31 customer messages · 3 topics" in result.output
    assert "fa 10" in result.output
    assert "\x1b" not in result.output  # an escape sequence in a post is shown, not obeyed
    # each topic's messages per day, a sparkline over the days of all the topics
    assert "per day, 2026-11-29 to 2026-11-30 (UTC), busiest 10" in result.output


def test_topics_days_in_a_zone_as_json(stored: Database) -> None:
    result = CliRunner().invoke(app, ["topics", "--json", "--tz", "Asia/Tehran"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["tz"] == "Asia/Tehran"
    for topic in body["topics"]:
        assert sum(day["messages"] for day in topic["days"]) == topic["size"]
        assert all(day["start"].endswith("+03:30") for day in topic["days"])


def test_topics_as_json_for_one_language(stored: Database) -> None:
    result = CliRunner().invoke(
        app, ["topics", "--language", "fa", "--since", "2026-11-30", "--json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["messages"] == 10
    assert body["since"].startswith("2026-11-30T00:00:00")
    assert all(t["languages"][0]["language"] == "fa" for t in body["topics"])


def test_bad_options_say_what_was_wrong(stored: Database) -> None:
    result = CliRunner().invoke(app, ["topics", "--count", "99"])
    assert result.exit_code == 1
    assert "count: give a number of topics from 1 to 40" in result.output
    result = CliRunner().invoke(app, ["topics", "--since", "yesterday"])
    assert result.exit_code == 2
    assert "--since" in result.output
