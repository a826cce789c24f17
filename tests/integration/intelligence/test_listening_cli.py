"""`rapport listen`: save queries, try them, list their matches and share of voice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.integration.intelligence.listening_support import store_mentions
from typer.testing import CliRunner

from rapport.accounts.service import get_or_create_workspace
from rapport.cli import app
from rapport.config import get_settings
from rapport.store.db import Database


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("RAPPORT_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "160")
    get_settings.cache_clear()
    db = Database(url)
    db.migrate()
    with db.session() as session:
        ws = get_or_create_workspace(session, get_settings().workspace).id
    store_mentions(db, ws)
    db.dispose()
    yield url
    get_settings.cache_clear()


def run(*args: str, stdin: str | None = None) -> str:
    result = CliRunner().invoke(app, list(args), input=stdin)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_add_list_show_edit_history_remove(database: str) -> None:
    assert "added brand query 'Fjord & Pine'" in run(
        "listen", "add", "Fjord & Pine", "--query", '"fjord & pine" OR @fjordandpine'
    )
    run("listen", "add", "Hekla", "-q", "hekla", "--kind", "product", "--variant", "fa=هکلا")
    listed = json.loads(run("listen", "list", "--json"))
    assert [(q["name"], q["kind"], q["variants"]) for q in listed] == [
        ("Fjord & Pine", "brand", {}),
        ("Hekla", "product", {"fa": "هکلا"}),
    ]
    assert "Hekla" in run("listen", "list", "--kind", "product")
    run("listen", "edit", "Hekla", "--query", "hekla*", "--variant", "fa=")
    shown = json.loads(run("listen", "show", "Hekla", "--json"))
    assert (shown["expression"], shown["variants"]) == ("hekla*", {})
    history = json.loads(run("listen", "history", "Hekla", "--json"))
    assert [(c["action"], c["old_expression"], c["new_expression"]) for c in history] == [
        ("created", None, "hekla"),
        ("edited", "hekla", "hekla*"),
    ]
    assert "removed query 'Hekla'" in run("listen", "remove", "Hekla")
    table = run("listen", "history", "Hekla", "--tz", "Atlantic/Reykjavik")
    assert "removed" in table
    assert "GMT" in table


def test_mistakes_are_one_line_with_the_position(database: str) -> None:
    bad = CliRunner().invoke(app, ["listen", "add", "X", "--query", "vetur AND (tent"])
    assert bad.exit_code == 1
    assert "expression: '(' is never closed at character 11" in bad.output
    assert "Traceback" not in bad.output
    run("listen", "add", "X", "--query", "vetur")
    taken = CliRunner().invoke(app, ["listen", "add", "X", "--query", "tent"])
    assert taken.exit_code == 1
    assert "exists already" in taken.output
    missing = CliRunner().invoke(app, ["listen", "show", "Nope"])
    assert missing.exit_code == 1
    assert "does not exist" in missing.output
    zone = CliRunner().invoke(app, ["listen", "matches", "X", "--tz", "Mars/Olympus"])
    assert zone.exit_code == 2
    assert "not a time zone" in zone.output
    when = CliRunner().invoke(app, ["listen", "matches", "X", "--since", "yesterday"])
    assert when.exit_code == 2
    assert "--since" in when.output


def test_try_an_expression_on_lines_of_standard_input(database: str) -> None:
    lines = "Love my VETUR tent\nvetur recall!\nsomething else\nTjaldið Vetur\n"
    assert run("listen", "test", "vetur -recall", stdin=lines).split() == [
        "match",
        "no",
        "no",
        "match",
    ]
    bad = CliRunner().invoke(app, ["listen", "test", '"vetur'], input="x\n")
    assert bad.exit_code == 1
    assert "unclosed quote at character 1" in bad.output


def test_matches_and_share_of_voice(database: str) -> None:
    run("listen", "add", "Fjord & Pine", "--query", '"fjord & pine" OR @fjordandpine')
    run("listen", "add", "Nordkamm", "--query", "nordkamm")
    found = json.loads(run("listen", "matches", "Fjord & Pine", "--json", "--limit", "2"))
    assert [m["text"][:10] for m in found] == ["Fjord & Pi", "The Vetur "]
    assert found[1]["sentiment"] == "negative"
    first = json.loads(run("listen", "matches", "Fjord & Pine", "--json", "--oldest"))
    assert first[0]["text"].startswith("Love my Vetur 2")
    table = run("listen", "matches", "Fjord & Pine", "--tz", "Europe/Oslo", "--limit", "1")
    assert "3 matches of Fjord & Pine" in table
    assert "2026-11-20 11:00" in table  # 10:00 UTC shown in Oslo time
    assert "use --offset 1 for more" in table
    share = json.loads(run("listen", "share-of-voice", "--json"))
    assert [(v["name"], v["mentions"]) for v in share["voices"]] == [
        ("Fjord & Pine", 3),
        ("Nordkamm", 2),
    ]
    assert (share["total_mentions"], share["messages"]) == (5, 4)
    text = run("listen", "share-of-voice", "--since", "2026-11-20T09:30:00Z")
    # After 09:30: Nordkamm's boots, and one message naming both brands.
    assert "3 mentions in 2 messages" in text
    assert "66.7%" in text
    assert "33.3%" in text


def test_terminal_escapes_in_messages_are_shown_harmless(database: str) -> None:
    db = Database(database)
    from tests.integration.intelligence.listening_support import ScriptAnalyzer, message

    from rapport.ingest.service import ingest_messages
    from rapport.store.models import ChannelKind

    with db.session() as session:
        ws = get_or_create_workspace(session, get_settings().workspace).id
    ingest_messages(
        db,
        workspace_id=ws,
        channel_name="x",
        kind=ChannelKind.TWITTER,
        messages=[message("evil", "vetur \x1b[2J[bold]cleared[/bold]", 90, author="eve")],
        analyzer=ScriptAnalyzer(),
    )
    db.dispose()
    run("listen", "add", "V", "--query", "cleared")
    out = run("listen", "matches", "V")
    assert "\x1b" not in out
    assert "[bold]cleared[/bold]" in out
