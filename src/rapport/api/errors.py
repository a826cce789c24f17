"""One JSON shape for every error: ``{"error": {"type", "message", "field"?}}``.

A client never sees a stack trace: typed Rapport errors keep their status and message,
validation errors name the input that was wrong, anything unexpected is a terse 500.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from rapport.api.params import NO_NUL
from rapport.errors import AuthenticationFailed, RapportError

log = logging.getLogger(__name__)

# Rapport's messages start with the input they are about: "limit: must be between ...".
_FIELD_PREFIX = re.compile(r"^([A-Za-z_][\w.]*): ")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_HTTP_TYPES = {
    401: "authentication_failed",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid_input",
}
# Where a bad value came from is in the first element of pydantic's location; users care
# about the parameter's name, not that it was in the query string.
_LOCATION_KINDS = {"query", "path", "body", "header", "cookie"}


def error_body(kind: str, message: str, **extra: Any) -> dict[str, Any]:
    detail: dict[str, Any] = {"type": kind, "message": message}
    match = _FIELD_PREFIX.match(message)
    if match:
        detail["field"] = match.group(1)
    detail.update({k: v for k, v in extra.items() if v is not None})
    return {"error": detail}


def error_type(exc: RapportError) -> str:
    """``NotFound`` → ``not_found``: the class name is the machine-readable kind."""
    return _CAMEL.sub("_", type(exc).__name__).lower()


def _auth_headers(status: int) -> dict[str, str] | None:
    return {"WWW-Authenticate": "Bearer"} if status == 401 else None


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in _LOCATION_KINDS:
        parts = parts[1:]
    return ".".join(parts) or "body"


async def _rapport_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RapportError)
    status = 401 if isinstance(exc, AuthenticationFailed) else exc.status_code
    return JSONResponse(
        error_body(error_type(exc), str(exc)), status_code=status, headers=_auth_headers(status)
    )


def _problem(error: Any) -> str:
    if error.get("type") == "string_pattern_mismatch" and (
        error.get("ctx", {}).get("pattern") == NO_NUL
    ):
        return "must not contain a NUL character"
    return str(error["msg"])


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [{"field": _field_name(tuple(e["loc"])), "message": _problem(e)} for e in exc.errors()]
    message = "; ".join(f"{f['field']}: {f['message']}" for f in fields) or "invalid request"
    return JSONResponse(error_body("invalid_input", message, fields=fields), status_code=422)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    kind = _HTTP_TYPES.get(exc.status_code, "http_error")
    headers = dict(exc.headers or {}) or _auth_headers(exc.status_code)
    return JSONResponse(
        error_body(kind, str(exc.detail)), status_code=exc.status_code, headers=headers
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(
        error_body("internal_error", "something went wrong on the server; its log has the details"),
        status_code=500,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through the JSON error shape."""
    app.add_exception_handler(RapportError, _rapport_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
