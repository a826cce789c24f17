"""``/api/v1/conversations``: the inbox, one conversation, read state and status."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from rapport.api.auth import CurrentPrincipal, RequestSession, Writer
from rapport.api.params import ConversationId, PagingDep, text_query
from rapport.api.schemas import ConversationPatch, PageOut
from rapport.inbox import queries
from rapport.inbox.queries import ConversationFilter, ConversationSort
from rapport.inbox.schemas import ConversationDetailOut, ConversationOut
from rapport.store.models import ConversationStatus

router = APIRouter(prefix="/conversations", tags=["conversations"])


def _aware(moment: datetime | None) -> datetime | None:
    # A time without a zone is read as UTC, the zone Rapport stores.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@router.get("", response_model=PageOut[ConversationOut])
def list_conversations(
    principal: CurrentPrincipal,
    session: RequestSession,
    paging: PagingDep,
    channel: Annotated[str | None, text_query("Channel name.", 100)] = None,
    status: ConversationStatus | None = None,
    unread: bool | None = None,
    q: Annotated[str | None, text_query("Words in any message (prefix match).")] = None,
    since: Annotated[
        datetime | None, Query(description="Last activity at or after (ISO 8601; UTC if no zone).")
    ] = None,
    until: Annotated[datetime | None, Query(description="Last activity before.")] = None,
    sentiment: Annotated[
        Literal["negative", "neutral", "positive"] | None,
        Query(description="A customer message read with this sentiment."),
    ] = None,
    intent: Annotated[
        str | None, text_query("A customer message read with this intent (e.g. complaint).", 64)
    ] = None,
    language: Annotated[
        str | None, text_query("A customer message in this language (ISO 639-1).", 16)
    ] = None,
    sort: ConversationSort = ConversationSort.NEWEST,
) -> PageOut[ConversationOut]:
    """The inbox: conversations with newest activity first, filtered and searched."""
    flt = ConversationFilter(
        channel=channel,
        status=status.value if status else None,
        search=q,
        unread=unread,
        since=_aware(since),
        until=_aware(until),
        sentiment=sentiment,
        intent=intent,
        language=language,
    )
    page = queries.list_conversations(
        session, principal.workspace_id, flt, limit=paging.limit, offset=paging.offset, sort=sort
    )
    return PageOut[ConversationOut].model_validate(page, from_attributes=True)


@router.get("/{conversation_id}", response_model=ConversationDetailOut)
def get_conversation(
    conversation_id: ConversationId, principal: CurrentPrincipal, session: RequestSession
) -> ConversationDetailOut:
    """A conversation with its messages, oldest first, and its customer."""
    detail = queries.get_conversation(session, principal.workspace_id, conversation_id)
    return ConversationDetailOut.model_validate(detail)


def _summary(session: Session, workspace_id: int, conversation_id: int) -> ConversationOut:
    detail = queries.get_conversation(session, workspace_id, conversation_id)
    return ConversationOut.model_validate(detail.conversation)


@router.post("/{conversation_id}/read", response_model=ConversationOut)
def mark_read(
    conversation_id: ConversationId, principal: Writer, session: RequestSession
) -> ConversationOut:
    """Mark a conversation as read."""
    queries.mark_read(session, principal.workspace_id, conversation_id, read=True)
    return _summary(session, principal.workspace_id, conversation_id)


@router.post("/{conversation_id}/unread", response_model=ConversationOut)
def mark_unread(
    conversation_id: ConversationId, principal: Writer, session: RequestSession
) -> ConversationOut:
    """Mark a conversation as unread again."""
    queries.mark_read(session, principal.workspace_id, conversation_id, read=False)
    return _summary(session, principal.workspace_id, conversation_id)


@router.patch("/{conversation_id}", response_model=ConversationOut)
def update_conversation(
    conversation_id: ConversationId,
    change: ConversationPatch,
    principal: Writer,
    session: RequestSession,
) -> ConversationOut:
    """Change a conversation's status (open, pending, closed) or its unread state."""
    if change.status is not None:
        queries.set_status(session, principal.workspace_id, conversation_id, change.status.value)
    if change.unread is not None:
        queries.mark_read(session, principal.workspace_id, conversation_id, read=not change.unread)
    return _summary(session, principal.workspace_id, conversation_id)
