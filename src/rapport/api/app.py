"""The FastAPI application: API routers, error handling, health check and (optionally) the UI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI

import rapport
from rapport.api import account, channels, contacts, conversations, deadletters, health, messages
from rapport.api.auth import current_principal
from rapport.api.errors import install_error_handlers
from rapport.api.schemas import ErrorOut
from rapport.store.db import Database

API_PREFIX = "/api/v1"

_DESCRIPTION = """\
Rapport's unified inbox over HTTP. Every `/api/v1` route needs `Authorization: Bearer rpt_...`
(make a token with `rapport tokens create` or `POST /api/v1/auth/token`) and sees only the
token's workspace. Errors are always `{"error": {"type", "message", "field"?}}`.
"""


def _api_router() -> APIRouter:
    common: dict[int | str, dict[str, Any]] = {
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
        422: {"model": ErrorOut},
    }
    api = APIRouter(prefix=API_PREFIX, responses=common)
    api.include_router(account.router)  # /auth/token needs no token; /me depends on one
    protected = APIRouter(dependencies=[Depends(current_principal)])
    for module in (conversations, messages, contacts, deadletters, channels):
        protected.include_router(module.router)
    api.include_router(protected)
    return api


def create_app(database_url: str | Database | None = None, *, with_ui: bool = True) -> FastAPI:
    """Build the application on one database (a URL, an open ``Database``, or the settings').

    The schema is migrated first. A ``Database`` passed in stays the caller's to dispose;
    one made here is disposed when the application shuts down.
    """
    if isinstance(database_url, Database):
        db, owned = database_url, False
    else:
        if database_url is None:
            from rapport.config import get_settings

            database_url = get_settings().database_url
        db, owned = Database(database_url), True
    db.migrate()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            db.dispose()

    app = FastAPI(
        title="Rapport",
        version=rapport.__version__,
        description=_DESCRIPTION,
        docs_url="/docs",
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.db = db
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(_api_router())
    if with_ui:
        from rapport.web import mount_ui

        mount_ui(app, db)
    return app
