"""``/api/v1/deadletters``: records that could not be imported, and why (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from rapport.api.auth import Admin, RequestSession
from rapport.api.params import PagingDep, text_query
from rapport.api.schemas import PageOut
from rapport.inbox.schemas import DeadLetterOut
from rapport.ingest.deadletters import list_dead_letters

router = APIRouter(prefix="/deadletters", tags=["dead letters"])


@router.get("", response_model=PageOut[DeadLetterOut])
def list_deadletters(
    principal: Admin,
    session: RequestSession,
    paging: PagingDep,
    source: Annotated[str | None, text_query("Part of the source file's path.", 1000)] = None,
) -> PageOut[DeadLetterOut]:
    """Rejected records, oldest first, with where they came from and the raw payload."""
    page = list_dead_letters(
        session, principal.workspace_id, source=source, limit=paging.limit, offset=paging.offset
    )
    return PageOut[DeadLetterOut].model_validate(page, from_attributes=True)
