"""Large files are read by a second process: same result as the in-process path."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.conftest import conversation_sets, shared_data

from rapport.channels.base import get_format
from rapport.ingest import reader_process, service
from rapport.ingest.service import import_file
from rapport.intelligence.analyzer import DefaultAnalyzer
from rapport.intelligence.enrichment import Enrichment
from rapport.store.db import Database
from rapport.store.models import Conversation, Message, MessageEnrichment


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_reader_process_imports_what_the_thread_imports(
    db: Database, workspace_id: int, monkeypatch: pytest.MonkeyPatch, start: str
) -> None:
    import multiprocessing

    from rapport.accounts.service import get_or_create_workspace

    sample = shared_data("twcs/twcs_sample.csv")
    fmt = get_format("twcs")
    with db.session() as session:
        other = get_or_create_workspace(session, f"thread-{workspace_id}").id
    by_thread = import_file(db, workspace_id=other, path=sample, fmt=fmt, batch_size=300)

    monkeypatch.setattr(service, "PROCESS_THRESHOLD_BYTES", 0)
    monkeypatch.setattr(reader_process, "_context", lambda: multiprocessing.get_context(start))
    by_process = import_file(db, workspace_id=workspace_id, path=sample, fmt=fmt, batch_size=300)
    again = import_file(db, workspace_id=workspace_id, path=sample, fmt=fmt, batch_size=300)

    assert (by_process.imported, by_process.rejected) == (by_thread.imported, by_thread.rejected)
    assert (again.imported, again.duplicates) == (0, 1000)
    assert conversation_sets(db, workspace_id) == conversation_sets(db, other)
    with db.session() as session:
        counts = sorted(
            session.scalars(
                select(Conversation.message_count).where(Conversation.workspace_id == workspace_id)
            )
        )
    assert sum(counts) == 1000


def test_reader_process_errors_reach_the_user(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from rapport.accounts.service import get_or_create_workspace
    from rapport.cli import app
    from rapport.config import get_settings

    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(
        b"tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
        b"1,ann,True,Tue Oct 31 22:10:47 +0000 2017,caf\xe9,,\n"
    )
    monkeypatch.setattr(service, "PROCESS_THRESHOLD_BYTES", 0)
    monkeypatch.setenv("RAPPORT_DATABASE_URL", sqlite_db.url)
    monkeypatch.setenv("COLUMNS", "400")  # so the long temporary path is not wrapped
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["import", str(latin1), "--format", "twcs", "-q"])
    get_settings.cache_clear()
    assert result.exit_code == 1
    assert "not UTF-8 text" in result.output
    with sqlite_db.session() as session:
        workspace = get_or_create_workspace(session, "latin1").id
    with pytest.raises(UnicodeDecodeError):
        import_file(sqlite_db, workspace_id=workspace, path=latin1, fmt=get_format("twcs"))


class _CountingAnalyzer(DefaultAnalyzer):
    """The default analyzer, counting the texts it reads in this process."""

    def __init__(self) -> None:
        super().__init__()
        self.read_here = 0

    def analyze(self, texts: Sequence[str]) -> list[Enrichment]:
        self.read_here += len(texts)
        return super().analyze(texts)


def _readings(db: Database, workspace_id: int) -> dict[str, tuple[object, ...]]:
    with db.session() as session:
        rows = session.execute(
            select(
                Message.external_id,
                MessageEnrichment.language,
                MessageEnrichment.sentiment,
                MessageEnrichment.sentiment_score,
                MessageEnrichment.intent,
                MessageEnrichment.intent_score,
                MessageEnrichment.keywords,
                MessageEnrichment.models,
            )
            .join(MessageEnrichment, MessageEnrichment.message_id == Message.id)
            .where(Message.workspace_id == workspace_id)
        )
        return {row[0]: tuple(row[1:]) for row in rows}


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_a_forked_reader_enriches_as_the_writer_would(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: str
) -> None:
    import multiprocessing

    from rapport.accounts.service import get_or_create_workspace

    sample = shared_data("twcs/twcs_sample.csv")
    head = tmp_path / "head.csv"
    head.write_text("".join(sample.read_text("utf-8").splitlines(keepends=True)[:301]), "utf-8")
    fmt = get_format("twcs")
    with db.session() as session:
        by_thread, by_process = (
            get_or_create_workspace(session, f"{name}-{start}-{uuid.uuid4().hex[:8]}").id
            for name in ("thread", "process")
        )
    import_file(
        db,
        workspace_id=by_thread,
        path=sample,
        fmt=fmt,
        batch_size=300,
        route=False,
        analyzer=DefaultAnalyzer(),
    )
    # the first are stored already: the process's batches hold some stored messages
    stored = import_file(
        db, workspace_id=by_process, path=head, fmt=fmt, route=False, analyzer=DefaultAnalyzer()
    )

    monkeypatch.setattr(service, "PROCESS_THRESHOLD_BYTES", 0)
    monkeypatch.setattr(reader_process, "_context", lambda: multiprocessing.get_context(start))
    analyzer = _CountingAnalyzer()
    report = import_file(
        db,
        workspace_id=by_process,
        path=sample,
        fmt=fmt,
        batch_size=300,
        route=False,
        analyzer=analyzer,
    )

    assert stored.imported > 200
    assert (report.imported, report.duplicates) == (1000 - stored.imported, stored.imported)
    # spawned, the writer reads every new message; forked, the reader reads some batches
    if start == "spawn":
        assert analyzer.read_here == report.imported
    else:
        assert analyzer.read_here <= report.imported
    readings = _readings(db, by_process)
    assert len(readings) == 1000
    assert readings == _readings(db, by_thread)
