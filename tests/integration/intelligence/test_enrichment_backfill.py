"""The enrichment backfill on a real database: every message read once, resumable, per model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from tests.integration.intelligence.fakes import ShoutingAnalyzer
from tests.integration.test_ingest_pipeline import ingestor, msg

from rapport.accounts.service import get_or_create_workspace
from rapport.intelligence.enrichment import enrich_messages
from rapport.intelligence.enrichment_store import enrichment_of
from rapport.store.db import Database
from rapport.store.models import Message

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _store(db: Database, workspace_id: int, count: int, name: str = "x") -> list[int]:
    thread = [
        msg(f"{name}{n}", f"user{n}", n * 60, text=f"message {n}{'!' if n % 2 else ''}")
        for n in range(count)
    ]
    ingestor(db, workspace_id, name=name).run(thread)
    with db.session() as session:
        rows = session.scalars(
            select(Message.id).where(Message.workspace_id == workspace_id).order_by(Message.id)
        )
        return list(rows)


def _readings(db: Database, ids: list[int]) -> dict[int, str]:
    with db.engine.connect() as conn:
        return {key: row.sentiment for key, row in enrichment_of(conn, ids).items()}


def test_backfill_reads_every_message_once(db: Database, workspace_id: int) -> None:
    ids = _store(db, workspace_id, 25)
    analyzer = ShoutingAnalyzer()
    totals: list[int] = []
    steps: list[int] = []
    report = enrich_messages(
        db, workspace_id, analyzer, batch_size=10, on_total=totals.append, progress=steps.append
    )
    assert report.enriched == 25
    assert totals == [25]
    assert steps == [10, 10, 5]
    readings = _readings(db, ids)
    assert len(readings) == 25
    assert readings[ids[1]] == "negative"
    assert readings[ids[0]] == "neutral"
    # A second run has nothing left to read.
    again = enrich_messages(db, workspace_id, analyzer)
    assert again.enriched == 0
    assert len(analyzer.seen) == 25


def test_new_models_read_everything_again(db: Database, workspace_id: int) -> None:
    ids = _store(db, workspace_id, 6)
    enrich_messages(db, workspace_id, ShoutingAnalyzer("test-1"))
    newer = ShoutingAnalyzer("test-2")
    assert enrich_messages(db, workspace_id, newer).enriched == 6
    with db.engine.connect() as conn:
        assert {row.models for row in enrichment_of(conn, ids).values()} == {"test-2"}
    assert enrich_messages(db, workspace_id, newer, redo=True).enriched == 6


def test_a_stopped_backfill_keeps_its_batches_and_resumes(db: Database, workspace_id: int) -> None:
    ids = _store(db, workspace_id, 30)
    with pytest.raises(RuntimeError, match="model crashed"):
        enrich_messages(db, workspace_id, ShoutingAnalyzer(fail_after=20), batch_size=10)
    assert len(_readings(db, ids)) == 20
    resumed = ShoutingAnalyzer()
    assert enrich_messages(db, workspace_id, resumed, batch_size=10).enriched == 10
    assert resumed.seen == [f"message {n}{'!' if n % 2 else ''}" for n in range(20, 30)]


def test_since_and_workspaces_limit_the_backfill(db: Database, workspace_id: int) -> None:
    ids = _store(db, workspace_id, 10)
    with db.session() as session:
        other = get_or_create_workspace(session, f"other-{workspace_id}").id
    other_ids = _store(db, other, 3, name="o")
    since = T0 + timedelta(minutes=5 * 60)
    assert enrich_messages(db, workspace_id, ShoutingAnalyzer(), since=since).enriched == 5
    assert sorted(_readings(db, ids)) == ids[5:]
    assert _readings(db, other_ids) == {}
