"""Large files are read by a second process: same result as the in-process path."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from tests.conftest import conversation_sets, shared_data

from rapport.channels.base import get_format
from rapport.ingest import reader_process, service
from rapport.ingest.service import import_file
from rapport.store.db import Database
from rapport.store.models import Conversation


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
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["import", str(latin1), "--format", "twcs", "-q"])
    get_settings.cache_clear()
    assert result.exit_code == 1
    assert "not UTF-8 text" in result.output
    with sqlite_db.session() as session:
        workspace = get_or_create_workspace(session, "latin1").id
    with pytest.raises(UnicodeDecodeError):
        import_file(sqlite_db, workspace_id=workspace, path=latin1, fmt=get_format("twcs"))
