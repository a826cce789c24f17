"""Shared fixtures: a real SQLite and a real PostgreSQL database, and a fresh workspace each.

Integration tests take the ``db`` fixture and run once per backend. PostgreSQL is the
server on 127.0.0.1:5432 (override with RAPPORT_TEST_POSTGRES_URL); each test session
creates its own database there and drops it afterwards. Where the server is missing the
PostgreSQL runs skip with the reason, except under CI, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from rapport.accounts.service import get_or_create_workspace
from rapport.store.db import Database
from rapport.store.models import Message

POSTGRES_URL = os.environ.get(
    "RAPPORT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
IN_CI = bool(os.environ.get("CI"))


def shared_data(relative: str) -> Path:
    """A file of ../shared/data; skips the test where it is absent (fails under CI)."""
    path = SHARED_DATA / relative
    if not path.exists():
        if IN_CI:
            pytest.fail(f"{path} is missing: CI must have ../shared/data")
        pytest.skip(f"{path} is absent on this machine")
    return path


def _create_postgres_database() -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(POSTGRES_URL)
    name = f"rapport_test_{uuid.uuid4().hex[:10]}"
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url_text: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(url_text)
    admin = (
        make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A migrated database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "rapport.db"
        database = Database(f"sqlite:///{path}")
        database.migrate()
        yield database
        database.dispose()
        return
    url = _create_postgres_database()
    database = Database(url)
    database.migrate()
    yield database
    database.dispose()
    _drop_postgres_database(url)


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated SQLite database for one test."""
    database = Database(f"sqlite:///{tmp_path / 'rapport.db'}")
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def workspace_id(db: Database) -> int:
    """A new workspace per test: tests share the database but never each other's data."""
    with db.session() as session:
        return get_or_create_workspace(session, f"ws-{uuid.uuid4().hex[:12]}").id


def conversation_sets(db: Database, workspace_id: int) -> set[frozenset[str]]:
    """The partition of message ids into conversations, as a user would see it."""
    with db.session() as session:
        rows = session.execute(
            select(Message.conversation_id, Message.external_id).where(
                Message.workspace_id == workspace_id
            )
        ).all()
    groups: dict[int, set[str]] = {}
    for conversation_id, ext in rows:
        groups.setdefault(conversation_id, set()).add(ext)
    return {frozenset(g) for g in groups.values()}
