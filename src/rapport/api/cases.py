"""``/api/v1/cases``: the team's work — list, one case with its history, changes, notes,
replies and satisfaction requests."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from rapport.accounts.service import Principal
from rapport.api.auth import CurrentPrincipal, RequestSession, Writer
from rapport.api.params import MAX_ID, ConversationId, PagingDep, text_query
from rapport.api.schemas import PageOut
from rapport.engage import case_queries, notes, replies
from rapport.engage.case_queries import CaseFilter, CaseSort
from rapport.engage.cases import Actor, CaseEditor
from rapport.engage.csat import request_csat
from rapport.engage.schemas import CaseDetailOut, CaseOut
from rapport.errors import InvalidInput
from rapport.jobs.dispatch import submit_deliveries
from rapport.store.engagement import CaseStatus, Priority

router = APIRouter(prefix="/cases", tags=["cases"])
CaseId = Annotated[int, Path(ge=1, le=MAX_ID)]


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.name)


class CasePatch(BaseModel):
    """Fields to change; those left out stay as they are. ``assignee`` is an e-mail, or
    an empty string to unassign; ``team`` a team name, or empty for none."""

    status: CaseStatus | None = None
    priority: Priority | None = None
    assignee: str | None = Field(default=None, max_length=320)
    team: str | None = Field(default=None, max_length=100)
    add_tags: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=20
    )
    remove_tags: list[Annotated[str, Field(max_length=50)]] = Field(
        default_factory=list, max_length=20
    )


class EscalateIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)
    team: str | None = Field(default=None, max_length=100)


class LinkIn(BaseModel):
    conversation_id: int = Field(ge=1, le=MAX_ID)


class NoteIn(BaseModel):
    body: str = Field(min_length=1, max_length=10_000)


class NoteSavedOut(BaseModel):
    id: int
    mentioned: list[str]
    notified: int
    unknown: list[str]


class ReplyIn(BaseModel):
    """An agent's reply. ``public`` must be said where the channel offers both (a Facebook
    comment); ``canned`` names a canned reply to send instead of ``text``."""

    text: str = Field(default="", max_length=20_000)
    public: bool | None = None
    canned: str | None = Field(default=None, max_length=100)
    reply_to_message_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class DeliveryOut(BaseModel):
    id: int
    conversation_id: int
    case_id: int | None
    purpose: str
    public: bool
    text: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    external_id: str | None
    created_at: datetime
    sent_at: datetime | None

    model_config = {"from_attributes": True}


def _detail(session: Session, principal: Principal, case_id: int) -> CaseDetailOut:
    detail = case_queries.get_case(session, principal.workspace_id, case_id)
    return CaseDetailOut.model_validate(detail)


@router.get("", response_model=PageOut[CaseOut])
def list_cases(
    principal: CurrentPrincipal,
    session: RequestSession,
    paging: PagingDep,
    status: Annotated[
        str | None, text_query("new, open, pending, resolved, closed, or active.", 20)
    ] = None,
    priority: Priority | None = None,
    team: Annotated[str | None, text_query("Team name.", 100)] = None,
    assignee: Annotated[str | None, text_query("Agent e-mail, 'me', or 'none'.", 320)] = None,
    tag: Annotated[str | None, text_query("A tag.", 50)] = None,
    channel: Annotated[str | None, text_query("Channel name.", 100)] = None,
    escalated: bool | None = None,
    sort: CaseSort = CaseSort.UPDATED,
) -> PageOut[CaseOut]:
    """Cases, most recently changed first, filtered."""
    flt = CaseFilter(
        status=status,
        priority=priority.value if priority else None,
        team=team,
        assignee=principal.email if assignee == "me" else assignee,
        tag=tag,
        channel=channel,
        escalated=escalated,
    )
    page = case_queries.list_cases(
        session, principal.workspace_id, flt, sort=sort, limit=paging.limit, offset=paging.offset
    )
    return PageOut[CaseOut].model_validate(page, from_attributes=True)


@router.get("/{case_id}", response_model=CaseDetailOut)
def get_case(case_id: CaseId, principal: CurrentPrincipal, session: RequestSession) -> Any:
    """A case with its conversations, history (every change, by whom) and notes."""
    return _detail(session, principal, case_id)


@router.patch("/{case_id}", response_model=CaseDetailOut)
def change_case(
    case_id: CaseId, patch: CasePatch, principal: Writer, session: RequestSession
) -> Any:
    """Change status, priority, assignee, team or tags; each change is recorded."""
    editor = CaseEditor(session, principal.workspace_id, actor_of(principal))
    if patch.team is not None:
        editor.set_team(case_id, patch.team or None)
    if patch.assignee is not None:
        user_id = None
        if patch.assignee:
            user_id = editor.context.user_with_email(patch.assignee)
            if user_id is None:
                raise InvalidInput(f"assignee: no user {patch.assignee!r} in this workspace")
        editor.assign(case_id, user_id)
    if patch.priority is not None:
        editor.set_priority(case_id, patch.priority.value)
    if patch.add_tags or patch.remove_tags:
        editor.tag(case_id, patch.add_tags, patch.remove_tags)
    if patch.status is not None:
        editor.set_status(case_id, patch.status.value)
    editor.case(case_id)  # a case that does not exist is a 404 even for an empty patch
    editor.save()
    session.flush()
    return _detail(session, principal, case_id)


@router.post("/{case_id}/escalate", response_model=CaseDetailOut)
def escalate(case_id: CaseId, body: EscalateIn, principal: Writer, session: RequestSession) -> Any:
    """Escalate: priority at least high, optionally to another team; the team is told."""
    editor = CaseEditor(session, principal.workspace_id, actor_of(principal))
    editor.escalate(case_id, body.reason, body.team)
    editor.save()
    return _detail(session, principal, case_id)


@router.post("/{case_id}/conversations", response_model=CaseDetailOut)
def link_conversation(
    case_id: CaseId, body: LinkIn, principal: Writer, session: RequestSession
) -> Any:
    """Gather another conversation of the same customer into this case."""
    editor = CaseEditor(session, principal.workspace_id, actor_of(principal))
    editor.link_conversation(case_id, body.conversation_id)
    editor.save()
    return _detail(session, principal, case_id)


@router.post("/{case_id}/notes", response_model=NoteSavedOut, status_code=201)
def add_note(case_id: CaseId, body: NoteIn, principal: Writer, session: RequestSession) -> Any:
    """An internal note; ``@mentions`` of colleagues or teams notify them. Never sent to the
    customer."""
    saved = notes.add_note(session, principal.workspace_id, case_id, actor_of(principal), body.body)
    return NoteSavedOut(
        id=saved.note.id,
        mentioned=list(saved.mentions),
        notified=len(saved.notified),
        unknown=list(saved.unknown),
    )


@router.post("/{case_id}/csat", status_code=201)
def ask_satisfaction(case_id: CaseId, principal: Writer, session: RequestSession) -> Any:
    """Send the customer a satisfaction request (resolved or closed cases only)."""
    survey = request_csat(session, principal.workspace_id, case_id, actor_of(principal))
    return {"survey_id": survey.id, "sent_at": survey.sent_at}


@router.get("/{case_id}/deliveries", response_model=list[DeliveryOut])
def case_deliveries(case_id: CaseId, principal: CurrentPrincipal, session: RequestSession) -> Any:
    """The case's outgoing replies and where each stands (queued, sent, failed...)."""
    case_queries.get_case(session, principal.workspace_id, case_id)
    return replies.list_deliveries(session, principal.workspace_id, case_id=case_id)


conversation_router = APIRouter(prefix="/conversations", tags=["replies"])


@conversation_router.post("/{conversation_id}/replies", response_model=DeliveryOut, status_code=202)
def reply(
    conversation_id: ConversationId,
    body: ReplyIn,
    principal: Writer,
    session: RequestSession,
    background: BackgroundTasks,
) -> Any:
    """Reply to the customer through the conversation's channel, as yourself. The reply is
    queued and sent in the background; its delivery says how that went."""
    delivery = replies.queue_reply(
        session,
        principal.workspace_id,
        conversation_id=conversation_id,
        author=actor_of(principal),
        text=body.text,
        public=body.public,
        reply_to_message_id=body.reply_to_message_id,
        canned=body.canned,
    )
    session.flush()
    # Runs after the response, so after the request's transaction has committed.
    background.add_task(submit_deliveries, [delivery.id])
    return delivery


@conversation_router.post("/{conversation_id}/case", response_model=CaseDetailOut, status_code=201)
def open_case(conversation_id: ConversationId, principal: Writer, session: RequestSession) -> Any:
    """Make a case of a conversation by hand."""
    editor = CaseEditor(session, principal.workspace_id, actor_of(principal))
    state = editor.open_case(conversation_id)
    editor.save()
    return _detail(session, principal, state.id)


delivery_router = APIRouter(prefix="/deliveries", tags=["replies"])
DeliveryId = Annotated[int, Path(ge=1, le=MAX_ID)]


@delivery_router.get("", response_model=list[DeliveryOut])
def list_deliveries(
    principal: CurrentPrincipal,
    session: RequestSession,
    status: Annotated[list[str] | None, Query(description="Only these statuses.")] = None,
) -> Any:
    """Outgoing replies, newest first: filter by ``status=failed&status=uncertain`` to see
    what needs an agent."""
    return replies.list_deliveries(session, principal.workspace_id, status=status)


@delivery_router.post("/{delivery_id}/retry", response_model=DeliveryOut)
def retry(
    delivery_id: DeliveryId,
    principal: Writer,
    session: RequestSession,
    background: BackgroundTasks,
) -> Any:
    """Send a failed or uncertain reply again (the agent's explicit decision)."""
    delivery = replies.retry_delivery(
        session, principal.workspace_id, delivery_id, actor_of(principal)
    )
    background.add_task(submit_deliveries, [delivery.id])
    return delivery


@delivery_router.post("/{delivery_id}/cancel", response_model=DeliveryOut)
def cancel(delivery_id: DeliveryId, principal: Writer, session: RequestSession) -> Any:
    """Stop a reply that has not gone out."""
    return replies.cancel_delivery(
        session, principal.workspace_id, delivery_id, actor_of(principal)
    )
