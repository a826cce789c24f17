"""`rapport import` reads new messages as it stores them; `rapport enrich` reads the rest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from rapport.cli import app
from rapport.config import get_settings
from rapport.store.db import Database
from rapport.store.models import Message, MessageEnrichment

POSTS = [
    ("p-1", "en", "My parcel never arrived and nobody answers my emails. Terrible service!"),
    ("p-2", "fa", "سلام، سفارش من هنوز نرسیده است. لطفا پیگیری کنید"),
    ("p-3", "is", "Takk kærlega fyrir frábæra þjónustu, tjaldið er dásamlegt"),
    ("p-4", "it", "Vorrei restituire le scarpe e avere il rimborso, sono troppo piccole"),
    ("p-5", "en", "I love this tent, thank you so much, great service!"),
]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("RAPPORT_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _posts_file(tmp_path: Path) -> Path:
    path = tmp_path / "posts.jsonl"
    lines = [
        json.dumps(
            {
                "id": ext,
                "text": text,
                "sent_at": f"2026-11-20T09:1{n}:00+01:00",
                "author": {"id": f"u-{n}", "name": f"Customer {n}"},
            },
            ensure_ascii=False,
        )
        for n, (ext, _language, text) in enumerate(POSTS)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _readings(url: str) -> dict[str, MessageEnrichment]:
    db = Database(url)
    try:
        with db.session() as session:
            rows = session.execute(
                select(Message.external_id, MessageEnrichment).join(
                    MessageEnrichment, MessageEnrichment.message_id == Message.id
                )
            ).all()
            return {external_id: reading for external_id, reading in rows}
    finally:
        db.dispose()


def test_import_reads_every_new_message(database: str, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(_posts_file(tmp_path)), "--format", "jsonl", "-q"])
    assert result.exit_code == 0, result.output
    readings = _readings(database)
    assert {ext: r.language for ext, r in readings.items()} == {
        ext: language for ext, language, _ in POSTS
    }
    assert all(r.sentiment in ("negative", "neutral", "positive") for r in readings.values())
    assert readings["p-5"].sentiment == "positive"
    assert "þjónustu" in readings["p-3"].keywords
    # Nothing is left for a backfill by the same models.
    again = runner.invoke(app, ["enrich", "-q"])
    assert again.exit_code == 0, again.output
    assert again.stdout.strip() == "enriched=0"


def test_enrich_backfills_what_an_import_did_not_read(database: str, tmp_path: Path) -> None:
    runner = CliRunner()
    path = _posts_file(tmp_path)
    result = runner.invoke(app, ["import", str(path), "--format", "jsonl", "-q", "--no-enrich"])
    assert result.exit_code == 0, result.output
    assert _readings(database) == {}
    filled = runner.invoke(app, ["enrich", "--since", "2026-11-20T08:11:00Z", "-q"])
    assert filled.exit_code == 0, filled.output
    assert filled.stdout.strip() == "enriched=4"
    assert sorted(_readings(database)) == ["p-2", "p-3", "p-4", "p-5"]
    rest = runner.invoke(app, ["enrich", "-q"])
    assert rest.stdout.strip() == "enriched=1"


def test_enrich_says_what_is_wrong_with_its_options(database: str) -> None:
    result = CliRunner().invoke(app, ["enrich", "--since", "last tuesday"])
    assert result.exit_code == 2
    assert "--since" in result.output
    assert "not a date" in result.output
