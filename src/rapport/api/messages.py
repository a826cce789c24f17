"""``/api/v1/messages``: search messages, and accept new inbound ones.

A posted message is validated by the same parser as ``rapport import --format jsonl`` and
stored through the same ingest pipeline, so it is deduplicated and threaded exactly like an
imported one. Posting the same id again is harmless: the answer says it was a duplicate.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response, status
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rapport.api.auth import CurrentPrincipal, DatabaseDep, RequestSession, Writer
from rapport.api.params import MAX_ID, PagingDep, text_query
from rapport.api.schemas import MESSAGE_IN_SCHEMA, ErrorOut, MessageAccepted, PageOut
from rapport.channels.generic.jsonl import parse_jsonl_object
from rapport.errors import InvalidInput
from rapport.inbox import queries
from rapport.inbox.schemas import MessageOut
from rapport.ingest.pipeline import ImportReport
from rapport.ingest.records import InboundMessage
from rapport.ingest.service import ingest_messages
from rapport.intelligence.analyzer import analyzer_from_settings
from rapport.jobs.dispatch import submit_deliveries
from rapport.store.db import Database
from rapport.store.models import Channel, ChannelKind, Direction, Message

router = APIRouter(prefix="/messages", tags=["messages"])
DEFAULT_CHANNEL = "api"


@router.get("", response_model=PageOut[MessageOut])
def list_messages(
    principal: CurrentPrincipal,
    session: RequestSession,
    paging: PagingDep,
    q: Annotated[str | None, text_query("Words in the text.")] = None,
    conversation_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    direction: Direction | None = None,
) -> PageOut[MessageOut]:
    """Messages, newest first (oldest first within one conversation)."""
    page = queries.list_messages(
        session,
        principal.workspace_id,
        conversation_id=conversation_id,
        search=q,
        direction=direction.value if direction else None,
        limit=paging.limit,
        offset=paging.offset,
    )
    return PageOut[MessageOut].model_validate(page, from_attributes=True)


def _channel_name(payload: dict[str, Any]) -> str:
    name = payload.get("channel", DEFAULT_CHANNEL)
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("channel: expected a non-empty channel name")
    if len(name) > 100 or "\x00" in name:
        raise InvalidInput("channel: at most 100 characters, and no NUL")
    return name.strip()


# What the store can hold, by the generic format's field names (see store/models.py).
_LIMITS = {
    "id": 500,
    "in_reply_to": 500,
    "subject": 500,
    "thread": 490,
    "author.id": 320,
    "author.name": 300,
    "author.handle": 320,
    "author.email": 320,
}


def _check_storable(message: InboundMessage) -> None:
    """Refuse what the database would refuse, as a 422 naming the field, not a 500."""
    values = {
        "id": message.external_id,
        "text": message.text,
        "in_reply_to": message.in_reply_to,
        "subject": message.subject,
        "thread": message.thread_refs[0].removeprefix("thread:") if message.thread_refs else None,
        "author.id": message.author_id,
        "author.name": message.author_name,
        "author.handle": message.author_handle,
        "author.email": message.author_email,
    }
    for field, value in values.items():
        if value is None:
            continue
        if "\x00" in value:
            raise InvalidInput(f"{field}: contains a NUL character")
        limit = _LIMITS.get(field)
        if limit is not None and len(value) > limit:
            raise InvalidInput(f"{field}: at most {limit} characters, got {len(value)}")
    if not message.external_id.strip():
        raise InvalidInput("id: must not be empty")
    if not message.author_id.strip():
        raise InvalidInput("author.id: must not be empty")


def _channel_kind(db: Database, workspace_id: int, name: str) -> ChannelKind:
    # An existing channel keeps its kind (a bridge may post into an X channel); a new one
    # is an API channel.
    with db.session() as session:
        kind = session.scalars(
            select(Channel.kind).where(Channel.workspace_id == workspace_id, Channel.name == name)
        ).one_or_none()
    return ChannelKind(kind) if kind else ChannelKind.API


# Each unique row the pipeline creates (channel, identity, contact, message) can be raced
# once by a concurrent request with the same data; after that the row exists and is found.
_ATTEMPTS = 4


def _ingest_one(
    db: Database, workspace_id: int, channel: str, kind: ChannelKind, message: InboundMessage
) -> ImportReport:
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            return ingest_messages(
                db,
                workspace_id=workspace_id,
                channel_name=channel,
                kind=kind,
                messages=[message],
                analyzer=analyzer_from_settings(),
            )
        except IntegrityError:
            # The same message (or author, or channel) posted at the same moment by another
            # request, which stored it first; running again finds it.
            if attempt == _ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _stored(session: Session, workspace_id: int, channel: str, external_id: str) -> Message:
    found = session.scalars(
        select(Message)
        .join(Channel, Channel.id == Message.channel_id)
        .where(
            Channel.workspace_id == workspace_id,
            Channel.name == channel,
            Message.external_id == external_id,
        )
    ).one()
    return found


@router.post(
    "",
    response_model=MessageAccepted,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": MessageAccepted, "description": "Already stored (duplicate id)."},
        422: {"model": ErrorOut, "description": "The body is invalid; `field` names the input."},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": MESSAGE_IN_SCHEMA}},
        }
    },
)
def post_message(
    payload: Annotated[dict[str, Any], Body()],
    principal: Writer,
    db: DatabaseDep,
    response: Response,
) -> MessageAccepted:
    """Accept one message in Rapport's generic format (201; 200 if it was already stored)."""
    channel = _channel_name(payload)
    try:
        message = parse_jsonl_object(payload, "request body")
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    _check_storable(message)
    kind = _channel_kind(db, principal.workspace_id, channel)
    report = _ingest_one(db, principal.workspace_id, channel, kind, message)
    submit_deliveries(report.deliveries)  # automatic acknowledgements the rules queued
    duplicate = report.imported == 0
    if duplicate:
        response.status_code = status.HTTP_200_OK
    with db.session() as session:
        stored = _stored(session, principal.workspace_id, channel, message.external_id)
        return MessageAccepted(
            message_id=stored.id,
            conversation_id=stored.conversation_id,
            channel=channel,
            external_id=stored.external_id,
            duplicate=duplicate,
        )
