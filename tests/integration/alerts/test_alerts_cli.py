"""``rapport trends`` and ``rapport alerts`` as a user runs them, on a stored burst."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.integration.alerts.burst import BURST, make_user, store_burst
from typer.testing import CliRunner

from rapport.accounts.service import get_or_create_workspace
from rapport.cli import app
from rapport.config import get_settings
from rapport.store.db import Database
from rapport.store.models import User


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """A command-line database with the burst stored in its default workspace."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("RAPPORT_DATABASE_URL", url)
    monkeypatch.setenv("RAPPORT_SMTP_HOST", "")
    get_settings.cache_clear()
    db = Database(url)
    db.migrate()
    with db.session() as session:
        ws = get_or_create_workspace(session, "default").id
    store_burst(db, ws)
    yield db
    db.dispose()
    get_settings.cache_clear()


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_trends_table_and_json_in_a_time_zone(cli_db: Database) -> None:
    window = ["--since", "2026-11-30T00:00+01:00", "--until", "2026-12-01T00:00+01:00"]
    data = json.loads(
        _run("trends", "--interval", "day", "--tz", "Europe/Berlin", "--json", *window)
    )
    [series] = data["series"]
    [day] = series["buckets"]
    assert day["start"] == "2026-11-30T00:00:00+01:00"
    assert day["total"] == BURST + 9  # the burst, and quiet 23:20-07:20 UTC since midnight
    assert day["negative"] == BURST
    by_sentiment = json.loads(_run("trends", "--by", "sentiment", "--json", *window))
    assert {s["key"]: s["total"] for s in by_sentiment["series"]} == {
        "negative": BURST,
        "neutral": 9,
    }
    table = _run("trends", "--interval", "hour", "--tz", "Asia/Tehran", *window)
    assert "hour (Asia/Tehran)" in table
    assert "2026-11-30 11:00" in table  # a local hour starting at 07:30 UTC
    assert "█" in table  # the sparkline's peak


def test_trends_rejects_a_bad_zone_without_a_trace(cli_db: Database) -> None:
    result = CliRunner().invoke(app, ["trends", "--tz", "Nowhere/Land"])
    assert result.exit_code == 1
    assert "tz: 'Nowhere/Land' is not a time zone" in result.output
    assert "Traceback" not in result.output


def test_alerts_add_check_history_remove(cli_db: Database) -> None:
    with cli_db.session() as session:
        ws = get_or_create_workspace(session, "default").id
    user = make_user(cli_db, ws)
    with cli_db.session() as session:
        address = session.get(User, user).email  # type: ignore[union-attr]
    _run(
        "alerts",
        "add",
        "Angry X",
        "--metric",
        "negative-share",
        "--channel",
        "x",
        "--notify",
        address,
        "--min-count",
        "10",
    )
    _run("alerts", "add", "Busy", "--metric", "volume")
    listed = json.loads(_run("alerts", "list", "--json"))
    assert [(r["name"], r["subject_kind"], r["subject_value"]) for r in listed] == [
        ("Angry X", "channel", "x"),
        ("Busy", "all", None),
    ]
    assert listed[0]["notify_user_ids"] == [user]

    fired = _run("alerts", "check", "--now", "2026-11-30T09:05:00Z")
    assert "Angry X" in fired
    assert "100% negative" in fired
    assert "Busy" in fired
    assert f"{BURST} messages" in fired
    assert "no alert fired" in _run("alerts", "check", "--now", "2026-11-30T09:05:00Z")

    history = json.loads(_run("alerts", "history", "Angry X", "--json"))
    assert history["total"] == 1
    [event] = history["items"]
    assert event["window"]["start"] == "2026-11-30T08:00:00+00:00"
    assert len(event["posts"]) == 20
    assert all(p["sentiment"] == "negative" for p in event["posts"])
    assert "سفارشم کجاست" in _run("alerts", "history")

    _run("alerts", "remove", "Busy")
    assert [r["name"] for r in json.loads(_run("alerts", "list", "--json"))] == ["Angry X"]


def test_alerts_add_explains_bad_input(cli_db: Database) -> None:
    runner = CliRunner()
    bad_metric = runner.invoke(app, ["alerts", "add", "x", "--metric", "loudness"])
    assert bad_metric.exit_code == 1
    assert "metric: must be one of volume, negative_share" in bad_metric.output
    both = runner.invoke(
        app, ["alerts", "add", "x", "--metric", "volume", "--channel", "a", "--intent", "b"]
    )
    assert "at most one of --channel" in both.output
    nobody = runner.invoke(
        app, ["alerts", "add", "x", "--metric", "volume", "--notify", "ghost@acme.example"]
    )
    assert "--notify: no user 'ghost@acme.example'" in nobody.output
    hook = runner.invoke(app, ["alerts", "add", "x", "--metric", "volume", "--webhook", "ftp://x"])
    assert "webhook_url: must be an http://" in hook.output
    assert "Traceback" not in bad_metric.output + both.output + nobody.output + hook.output
