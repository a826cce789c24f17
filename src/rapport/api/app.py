"""The FastAPI application: API routers, error handling, health check and (optionally) the UI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from starlette.routing import compile_path

import rapport
from rapport.api import (
    account,
    alerts,
    cases,
    channels,
    contacts,
    conversations,
    csat_page,
    deadletters,
    discovery,
    discovery_drilldown,
    engage,
    health,
    insights,
    listening,
    messages,
    topics,
    trends,
)
from rapport.api.auth import current_principal
from rapport.api.errors import install_error_handlers
from rapport.api.schemas import ErrorOut
from rapport.errors import NotFound
from rapport.intelligence.listening.expression import InvalidQuery
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
    api.include_router(engage.public_router)  # a survey answer carries its own secret
    protected = APIRouter(dependencies=[Depends(current_principal)])
    for module in (
        conversations,
        messages,
        contacts,
        deadletters,
        channels,
        discovery,
        trends,
        alerts,
    ):
        protected.include_router(module.router)
    protected.include_router(discovery_drilldown.router)
    for module in (topics, insights):  # listening intelligence
        protected.include_router(module.router)
    protected.include_router(listening.router)
    for router in (
        cases.router,
        cases.conversation_router,
        cases.delivery_router,
        engage.router,
    ):
        protected.include_router(router)
    api.include_router(protected)
    return api


def _unknown_api_route(request: Request, path: str) -> None:
    # Registered last, before the UI is mounted at "/": an API client asking for a route
    # that does not exist gets the JSON error shape, not the web app's HTML page.
    allowed = sorted(
        method.upper()
        for template, operations in request.app.openapi()["paths"].items()
        if compile_path(template)[0].match(request.url.path)
        for method in operations
    )
    if allowed:
        raise HTTPException(
            405,
            f"{request.method} is not allowed on {request.url.path}; use {', '.join(allowed)}",
            headers={"Allow": ", ".join(allowed)},
        )
    raise NotFound(f"no API route {API_PREFIX}/{path}; see /docs")


def create_app(
    database_url: str | Database | None = None,
    *,
    with_ui: bool = True,
    run_jobs: bool = False,
) -> FastAPI:
    """Build the application on one database (a URL, an open ``Database``, or the settings').

    The schema is migrated first. A ``Database`` passed in stays the caller's to dispose;
    one made here is disposed when the application shuts down. With ``run_jobs`` (the
    server) the job runner starts with the application: replies are sent and SLA clocks
    swept in this process, or handed to Celery workers when ``RAPPORT_JOBS=celery``.
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
        dispatcher = None
        if run_jobs:
            from rapport.config import get_settings
            from rapport.jobs.dispatch import make_dispatcher, set_active

            dispatcher = make_dispatcher(db, get_settings())
            dispatcher.start()
            set_active(dispatcher)
        yield
        if dispatcher is not None:
            set_active(None)
            dispatcher.stop()
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
    app.add_exception_handler(InvalidQuery, listening.invalid_query_error)
    app.include_router(health.router)
    app.include_router(csat_page.router)  # the customer's survey page: no login
    app.include_router(_api_router())
    app.add_api_route(
        f"{API_PREFIX}/{{path:path}}",
        _unknown_api_route,
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    if with_ui:
        from rapport.web import mount_ui

        mount_ui(app, db)
    return app
