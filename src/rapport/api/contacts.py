"""``/api/v1/contacts``: customers, their identities on each channel, their conversations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from rapport.api.auth import CurrentPrincipal, RequestSession
from rapport.api.params import ContactId, PagingDep, text_query
from rapport.api.schemas import PageOut
from rapport.inbox import queries
from rapport.inbox.queries import ConversationFilter, ConversationSort
from rapport.inbox.schemas import ContactOut, ConversationOut

router = APIRouter(prefix="/contacts", tags=["contacts"])


@router.get("", response_model=PageOut[ContactOut])
def list_contacts(
    principal: CurrentPrincipal,
    session: RequestSession,
    paging: PagingDep,
    q: Annotated[str | None, text_query("Start of a name or e-mail address.", 300)] = None,
) -> PageOut[ContactOut]:
    """Contacts by name."""
    page = queries.list_contacts(
        session, principal.workspace_id, search=q, limit=paging.limit, offset=paging.offset
    )
    return PageOut[ContactOut].model_validate(page, from_attributes=True)


@router.get("/{contact_id}", response_model=ContactOut)
def get_contact(
    contact_id: ContactId, principal: CurrentPrincipal, session: RequestSession
) -> ContactOut:
    """A contact with their identities and how many conversations they have."""
    return ContactOut.model_validate(
        queries.get_contact(session, principal.workspace_id, contact_id)
    )


@router.get("/{contact_id}/conversations", response_model=PageOut[ConversationOut])
def contact_conversations(
    contact_id: ContactId,
    principal: CurrentPrincipal,
    session: RequestSession,
    paging: PagingDep,
    sort: ConversationSort = ConversationSort.NEWEST,
) -> PageOut[ConversationOut]:
    """A contact's conversations, newest activity first."""
    queries.get_contact(session, principal.workspace_id, contact_id)  # 404 if not ours
    page = queries.list_conversations(
        session,
        principal.workspace_id,
        ConversationFilter(contact_id=contact_id),
        limit=paging.limit,
        offset=paging.offset,
        sort=sort,
    )
    return PageOut[ConversationOut].model_validate(page, from_attributes=True)
