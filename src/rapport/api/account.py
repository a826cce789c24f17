"""``/api/v1/auth/token`` (e-mail and password → a new API token) and ``/api/v1/me``."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, status
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from rapport.accounts.service import Principal, authenticate_password, create_token
from rapport.api.auth import CurrentPrincipal, RequestSession
from rapport.api.schemas import ErrorOut, MeOut, TokenOut, TokenRequest, WorkspaceOut
from rapport.errors import InvalidInput, NotFound
from rapport.store.db import Database
from rapport.store.models import User, Workspace

router = APIRouter(tags=["account"])

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _me(session: Session, principal: Principal) -> MeOut:
    workspace = session.get(Workspace, principal.workspace_id)
    if workspace is None:  # deleted while the token was in use
        raise NotFound("your workspace no longer exists")
    return MeOut(
        user_id=principal.user_id,
        name=principal.name,
        email=principal.email,
        role=principal.role,
        workspace=WorkspaceOut(id=workspace.id, slug=workspace.slug, name=workspace.name),
    )


@router.get("/me", response_model=MeOut)
def me(principal: CurrentPrincipal, session: RequestSession) -> MeOut:
    """The user the token belongs to, their role and workspace."""
    return _me(session, principal)


async def _credentials(request: Request) -> TokenRequest:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    data: Any
    if content_type in _FORM_TYPES:
        form = await request.form()
        data = {k: v for k, v in form.items() if isinstance(v, str)}
        # OAuth2's password flow (and Swagger's "Authorize" form) calls the e-mail "username".
        if "email" not in data and "username" in data:
            data["email"] = data["username"]
    else:
        try:
            data = json.loads(await request.body() or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise InvalidInput("body: expected JSON {email, password} or a form") from None
    if not isinstance(data, dict):
        raise InvalidInput("body: expected JSON {email, password} or a form")
    try:
        return TokenRequest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise InvalidInput(f"{field}: {first['msg']}") from None


def _issue_token(db: Database, credentials: TokenRequest) -> TokenOut:
    with db.session() as session:
        principal = authenticate_password(session, credentials.email, credentials.password)
        user = session.get(User, principal.user_id)
        assert user is not None
        token, secret = create_token(session, user, credentials.name)
        return TokenOut(
            access_token=secret, name=token.name, prefix=token.prefix, user=_me(session, principal)
        )


@router.post(
    "/auth/token",
    response_model=TokenOut,
    status_code=status.HTTP_201_CREATED,
    responses={401: {"model": ErrorOut, "description": "Wrong e-mail or password."}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": TokenRequest.model_json_schema()},
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["username", "password"],
                        "properties": {
                            "username": {"type": "string", "description": "Your e-mail."},
                            "password": {"type": "string"},
                            "name": {"type": "string"},
                        },
                    }
                },
            },
        }
    },
)
async def issue_token(request: Request) -> TokenOut:
    """Log in with e-mail and password and get a new API token (shown only this once)."""
    credentials = await _credentials(request)
    db: Database = request.app.state.db
    # Password hashing (scrypt) and the database are blocking: keep them off the event loop.
    return await run_in_threadpool(_issue_token, db, credentials)
