"""``/api/v1/listening``: named keyword queries, their matches and share of voice.

Reading needs any token of the workspace; adding, changing and removing a query needs an
agent or an admin (analysts read). A bad expression is a 422 whose message and ``position``
say where it went wrong; a name in use is a 409.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from rapport.api.auth import CurrentPrincipal, RequestSession, Writer
from rapport.api.errors import error_body
from rapport.api.params import MAX_ID, PagingDep, text_query
from rapport.api.schemas import PageOut
from rapport.intelligence.listening import queries
from rapport.intelligence.listening.expression import InvalidQuery
from rapport.intelligence.listening.matching import list_matches
from rapport.intelligence.listening.schemas import (
    ChangeOut,
    MatchOut,
    QueryIn,
    QueryOut,
    QueryPatch,
    ShareOfVoiceOut,
)
from rapport.intelligence.listening.service import voice_of_queries
from rapport.store.listening import QueryKind

router = APIRouter(prefix="/listening", tags=["listening"])
QueryId = Annotated[int, Path(ge=1, le=MAX_ID, description="The query's id.")]
Since = Annotated[
    datetime | None, Query(description="Sent at or after (ISO 8601; UTC if no zone).")
]
Until = Annotated[datetime | None, Query(description="Sent before.")]


async def invalid_query_error(_request: Request, exc: Exception) -> JSONResponse:
    """A bad expression: the usual error shape, with the 1-based ``position`` of the mistake."""
    assert isinstance(exc, InvalidQuery)
    body = error_body("invalid_query", str(exc), position=exc.position, problem=exc.problem)
    return JSONResponse(body, status_code=422)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@router.get("/queries", response_model=list[QueryOut])
def list_listening_queries(
    principal: CurrentPrincipal, session: RequestSession, kind: QueryKind | None = None
) -> list[QueryOut]:
    """The workspace's listening queries by name, of one kind if asked."""
    found = queries.list_queries(session, principal.workspace_id, kind.value if kind else None)
    return [QueryOut.model_validate(q) for q in found]


@router.post("/queries", response_model=QueryOut, status_code=201)
def add_listening_query(body: QueryIn, principal: Writer, session: RequestSession) -> QueryOut:
    """Save a named query (422 with the position of a mistake; 409 if the name is taken)."""
    saved = queries.add_query(
        session,
        principal.workspace_id,
        body.name,
        body.expression,
        kind=body.kind.value,
        variants=body.variants,
        user_id=principal.user_id,
    )
    return QueryOut.model_validate(saved)


@router.get("/queries/{query_id}", response_model=QueryOut)
def get_listening_query(
    query_id: QueryId, principal: CurrentPrincipal, session: RequestSession
) -> QueryOut:
    """One query."""
    found = queries.get_query(session, principal.workspace_id, query_id)
    return QueryOut.model_validate(queries.view(found))


@router.patch("/queries/{query_id}", response_model=QueryOut)
def edit_listening_query(
    query_id: QueryId, change: QueryPatch, principal: Writer, session: RequestSession
) -> QueryOut:
    """Change a query's name, kind, expression or variants (recorded in its history)."""
    saved = queries.edit_query(
        session,
        principal.workspace_id,
        query_id,
        name=change.name,
        expression=change.expression,
        kind=change.kind.value if change.kind else None,
        variants=change.variants,
        user_id=principal.user_id,
    )
    return QueryOut.model_validate(saved)


@router.delete("/queries/{query_id}", status_code=204)
def remove_listening_query(
    query_id: QueryId, principal: Writer, session: RequestSession
) -> Response:
    """Delete a query; its history stays."""
    queries.remove_query(session, principal.workspace_id, query_id, user_id=principal.user_id)
    return Response(status_code=204)


@router.get("/queries/{query_id}/history", response_model=list[ChangeOut])
def listening_query_history(
    query_id: QueryId, principal: CurrentPrincipal, session: RequestSession
) -> list[ChangeOut]:
    """Every change of a query, oldest first: who, when, before and after."""
    changes = queries.query_history(session, principal.workspace_id, query_id)
    return [ChangeOut.model_validate(c) for c in changes]


@router.get("/queries/{query_id}/matches", response_model=PageOut[MatchOut])
def listening_query_matches(
    query_id: QueryId,
    principal: CurrentPrincipal,
    session: RequestSession,
    paging: PagingDep,
    since: Since = None,
    until: Until = None,
    channel: Annotated[str | None, text_query("Only this channel (by name).", 100)] = None,
    sort: Annotated[
        Literal["-received_at", "received_at"], Query(description="Newest or oldest first.")
    ] = "-received_at",
) -> PageOut[MatchOut]:
    """Customers' messages the query matches, newest first; ``total`` counts them all."""
    query = queries.get_query(session, principal.workspace_id, query_id)
    page = list_matches(
        session,
        principal.workspace_id,
        query,
        since=_aware(since),
        until=_aware(until),
        channel=channel,
        limit=paging.limit,
        offset=paging.offset,
        oldest_first=sort == "received_at",
    )
    items = [MatchOut.of(shown) for shown in page.items]
    return PageOut[MatchOut](
        items=items, total=page.total, limit=page.limit, offset=page.offset, total_exact=True
    )


@router.get("/share-of-voice", response_model=ShareOfVoiceOut)
def share_of_voice(
    principal: CurrentPrincipal,
    session: RequestSession,
    kind: QueryKind = QueryKind.BRAND,
    query: Annotated[
        list[str] | None, Query(description="Names of the queries to compare (repeat).")
    ] = None,
    since: Since = None,
    until: Until = None,
    channel: Annotated[str | None, text_query("Only this channel (by name).", 100)] = None,
) -> ShareOfVoiceOut:
    """Mentions, share, sentiment and channels of the named queries, or of every query of
    ``kind``. A message that matches two queries counts for both."""
    result = voice_of_queries(
        session,
        principal.workspace_id,
        names=query or (),
        kind=kind.value,
        since=_aware(since),
        until=_aware(until),
        channel=channel,
    )
    return ShareOfVoiceOut.model_validate(result)
