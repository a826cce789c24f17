"""Fixtures for the API tests: an app on the shared test database, users with tokens.

Every test runs on SQLite and on PostgreSQL (the ``db`` fixture) and works in its own fresh
workspace, so tests never see each other's data.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from tests.integration.api.payloads import PASSWORD

from rapport.accounts.service import create_token, create_user, get_or_create_workspace
from rapport.api.app import create_app
from rapport.store.db import Database
from rapport.store.models import Role, Workspace

Headers = dict[str, str]
MakeUser = Callable[..., Headers]


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    """The API (no UI) on the test database, over an in-process HTTP client."""
    with TestClient(create_app(db, with_ui=False)) as test_client:
        yield test_client


@pytest.fixture
def make_user(db: Database, workspace_id: int) -> MakeUser:
    """Make a user with a role (in the test's workspace unless told) and return auth headers."""

    def make(role: Role = Role.AGENT, *, workspace: int | None = None, email: str = "") -> Headers:
        with db.session() as session:
            ws = session.get(Workspace, workspace or workspace_id)
            assert ws is not None
            user = create_user(
                session,
                ws,
                email=email or f"{role.value}-{uuid.uuid4().hex[:10]}@example.test",
                name=f"Test {role.value}",
                role=role,
                password=PASSWORD,
            )
            _, secret = create_token(session, user, "tests")
        return {"Authorization": f"Bearer {secret}"}

    return make


@pytest.fixture
def agent(make_user: MakeUser) -> Headers:
    return make_user(Role.AGENT)


@pytest.fixture
def other_workspace(db: Database) -> int:
    """A second workspace, for isolation tests."""
    with db.session() as session:
        return get_or_create_workspace(session, f"other-{uuid.uuid4().hex[:12]}").id
