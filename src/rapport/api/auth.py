"""Who is calling: bearer-token authentication, role checks, and the request's database.

Every ``/api/v1`` route depends on ``current_principal``; the principal's workspace scopes
every query, so an id from another workspace is simply not found.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from rapport.accounts.service import TOKEN_PREFIX, Principal, authenticate_token
from rapport.errors import AuthenticationFailed, PermissionDenied
from rapport.store.db import Database
from rapport.store.models import Role

# auto_error=False: a missing header must give Rapport's JSON 401, not FastAPI's 403.
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An API token `rpt_...` from `rapport tokens create` or POST /api/v1/auth/token.",
)


def get_db(request: Request) -> Database:
    """The application's database (built once by ``create_app``)."""
    db: Database = request.app.state.db
    return db


def _session(db: Annotated[Database, Depends(get_db)]) -> Iterator[Session]:
    with db.session() as session:
        yield session


# scope="function": the request's transaction commits before the response is sent, so a
# client that reads right after a write sees it.
RequestSession = Annotated[Session, Depends(_session, scope="function")]
DatabaseDep = Annotated[Database, Depends(get_db)]


def current_principal(
    db: DatabaseDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The user behind the request's ``Authorization: Bearer rpt_...`` header, or 401."""
    if credentials is None:
        raise AuthenticationFailed("send an API token: Authorization: Bearer rpt_...")
    if credentials.scheme.lower() != "bearer" or not credentials.credentials.startswith(
        TOKEN_PREFIX
    ):
        raise AuthenticationFailed(f"expected a Rapport API token ({TOKEN_PREFIX}...)")
    # Its own short transaction (it records last use), committed before any route work, so
    # a route that writes through the ingest pipeline never waits on this one's lock.
    with db.session() as session:
        return authenticate_token(session, credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def writer(principal: CurrentPrincipal) -> Principal:
    """The caller, if they may change data (admins and agents)."""
    if principal.role is Role.ANALYST:
        raise PermissionDenied(
            "analysts may read but not change anything; ask an agent or an admin"
        )
    return principal


def admin(principal: CurrentPrincipal) -> Principal:
    """The caller, if they administer the workspace."""
    if principal.role is not Role.ADMIN:
        raise PermissionDenied("only a workspace admin may do this")
    return principal


Writer = Annotated[Principal, Depends(writer)]
Admin = Annotated[Principal, Depends(admin)]
