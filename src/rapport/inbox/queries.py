"""Read queries of the inbox. Every query is scoped to one workspace."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.orm import Session, aliased

from rapport.errors import InvalidInput, NotFound
from rapport.inbox.readings import read_as
from rapport.inbox.search import matching_conversations, newest_matches, search_words
from rapport.store.dialects import in_list
from rapport.store.models import (
    Channel,
    Contact,
    Conversation,
    Identity,
    Message,
    MessageEnrichment,
)

T = TypeVar("T")
MAX_LIMIT = 500


class ConversationSort(enum.StrEnum):
    NEWEST = "-last_message_at"
    OLDEST = "last_message_at"
    MOST_MESSAGES = "-message_count"


# Counting every match of a filter over a million rows costs more than the page itself;
# totals are counted up to this bound and otherwise reported as "at least".
COUNT_LIMIT = 10_000
# Below this many search matches, sorting them beats scanning the inbox index for them.
FEW_CANDIDATES = 3_000


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of results. ``total`` is exact when ``total_exact``; otherwise it is a lower
    bound (the count stopped at COUNT_LIMIT, or a search word matched too many messages)."""

    items: list[T]
    total: int
    limit: int
    offset: int
    total_exact: bool = True


def bounded_count(
    session: Session, query: Select[Any], limit: int | None = None
) -> tuple[int, bool]:
    """Count the rows of ``query`` up to ``limit`` (COUNT_LIMIT); returns (count, exact)."""
    limit = COUNT_LIMIT if limit is None else limit
    found = session.execute(
        select(func.count()).select_from(query.limit(limit + 1).subquery())
    ).scalar_one()
    return (found, True) if found <= limit else (limit, False)


@dataclass(frozen=True, slots=True)
class ConversationFilter:
    channel: str | None = None
    status: str | None = None
    search: str | None = None
    contact_id: int | None = None
    unread: bool | None = None
    since: datetime | None = None
    until: datetime | None = None
    sentiment: str | None = None
    intent: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    id: int
    channel: str
    channel_kind: str
    customer: str | None
    customer_id: int | None
    subject: str | None
    status: str
    unread: bool
    message_count: int
    first_message_at: datetime
    last_message_at: datetime
    last_message_preview: str
    last_direction: str


@dataclass(frozen=True, slots=True)
class MessageView:
    id: int
    conversation_id: int
    external_id: str
    in_reply_to: str | None
    direction: str
    sent_at: datetime
    author: str
    author_handle: str | None
    author_is_company: bool
    subject: str | None
    text: str
    channel: str
    language: str | None = None
    sentiment: str | None = None
    sentiment_score: float | None = None
    intent: str | None = None
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IdentityView:
    id: int
    channel: str
    external_id: str
    handle: str | None
    display_name: str
    followers_count: int | None


@dataclass(frozen=True, slots=True)
class ContactView:
    id: int
    display_name: str
    email: str | None
    created_at: datetime
    identities: list[IdentityView] = field(default_factory=list)
    conversation_count: int = 0


@dataclass(frozen=True, slots=True)
class ChannelView:
    id: int
    name: str
    kind: str
    created_at: datetime
    conversation_count: int | None = None


@dataclass(frozen=True, slots=True)
class ConversationDetail:
    conversation: ConversationSummary
    messages: list[MessageView]
    contact: ContactView | None


def check_paging(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit: must be between 1 and {MAX_LIMIT}, got {limit}")
    if offset < 0:
        raise InvalidInput(f"offset: must be 0 or more, got {offset}")


def _summary_select() -> Select[Conversation, str, str, str]:
    return (
        select(Conversation, Channel.name, Channel.kind, Contact.display_name)
        .join(Channel, Channel.id == Conversation.channel_id)
        .outerjoin(Contact, Contact.id == Conversation.contact_id)
    )


def _summary(row: Any) -> ConversationSummary:
    conv, channel_name, channel_kind, customer = row
    return ConversationSummary(
        id=conv.id,
        channel=channel_name,
        channel_kind=channel_kind,
        customer=customer,
        customer_id=conv.contact_id,
        subject=conv.subject,
        status=conv.status,
        unread=conv.unread,
        message_count=conv.message_count,
        first_message_at=conv.first_message_at,
        last_message_at=conv.last_message_at,
        last_message_preview=conv.last_message_preview,
        last_direction=conv.last_direction,
    )


def list_conversations(
    session: Session,
    workspace_id: int,
    flt: ConversationFilter | None = None,
    *,
    limit: int = 50,
    offset: int = 0,
    sort: ConversationSort = ConversationSort.NEWEST,
    with_total: bool = True,
) -> Page[ConversationSummary]:
    """The inbox: conversations matching ``flt``, newest activity first by default."""
    check_paging(limit, offset)
    flt = flt or ConversationFilter()
    conditions: list[Any] = [Conversation.workspace_id == workspace_id]
    if flt.channel:
        channel_ids = select(Channel.id).where(
            Channel.workspace_id == workspace_id, Channel.name == flt.channel
        )
        conditions.append(Conversation.channel_id.in_(channel_ids.scalar_subquery()))
    if flt.status:
        conditions.append(Conversation.status == flt.status)
    if flt.contact_id is not None:
        conditions.append(Conversation.contact_id == flt.contact_id)
    if flt.unread is not None:
        conditions.append(Conversation.unread == flt.unread)
    if flt.since is not None:
        conditions.append(Conversation.last_message_at >= flt.since)
    if flt.until is not None:
        conditions.append(Conversation.last_message_at < flt.until)
    reading = read_as(
        workspace_id, sentiment=flt.sentiment, intent=flt.intent, language=flt.language
    )
    if reading is not None:
        conditions.append(reading)
    windowed = False
    candidates: list[int] | None = None
    if flt.search:
        words = search_words(flt.search)
        if not words:
            return Page([], 0, limit, offset)
        candidates, windowed = matching_conversations(session, workspace_id, words)
        dialect = session.get_bind().dialect.name
        conditions.append(in_list(Conversation.id, candidates, dialect))

    # Whether anything but the workspace and the search narrows the list.
    others = len(conditions) > 2
    last_at: ColumnElement[Any] = Conversation.__table__.c.last_message_at
    if candidates is not None and len(candidates) < FEW_CANDIDATES:
        # Few matches: look each one up and sort them, rather than walk the whole inbox
        # index in date order probing for them (an expression is not matched to an index).
        last_at = func.coalesce(Conversation.last_message_at, Conversation.last_message_at)
        # The candidates all belong to this workspace already; without this condition the
        # planner has nothing better than the primary key to reach them.
        conditions = conditions[1:]
    orders: dict[ConversationSort, tuple[ColumnElement[Any], ...]] = {
        ConversationSort.NEWEST: (last_at.desc(), Conversation.id.desc()),
        ConversationSort.OLDEST: (last_at.asc(), Conversation.id.asc()),
        ConversationSort.MOST_MESSAGES: (Conversation.message_count.desc(), last_at.desc()),
    }
    query = _summary_select().where(*conditions).order_by(*orders[sort]).limit(limit).offset(offset)
    items = [_summary(row) for row in session.execute(query)]
    total, exact = -1, False
    if with_total and candidates is not None and not others:
        # Searching with no other filter: the matching conversations are the candidates.
        total, exact = len(candidates), True
    elif with_total:
        total, exact = bounded_count(session, select(Conversation.id).where(*conditions))
    return Page(items, total, limit, offset, total_exact=exact and not windowed)


def iter_all_conversations(
    session: Session, workspace_id: int, flt: ConversationFilter | None = None, chunk: int = 500
) -> Any:
    """Every matching conversation, page by page (for exports and the CLI)."""
    offset = 0
    while True:
        page = list_conversations(
            session, workspace_id, flt, limit=chunk, offset=offset, with_total=False
        )
        yield from page.items
        if len(page.items) < chunk:
            return
        offset += chunk


def get_conversation(
    session: Session, workspace_id: int, conversation_id: int
) -> ConversationDetail:
    """A conversation with its messages in order, and its customer."""
    row = session.execute(
        _summary_select().where(
            Conversation.workspace_id == workspace_id, Conversation.id == conversation_id
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"conversation {conversation_id} does not exist in this workspace")
    summary = _summary(row)
    msgs = list_messages(session, workspace_id, conversation_id=conversation_id, limit=MAX_LIMIT)
    contact = (
        get_contact(session, workspace_id, summary.customer_id) if summary.customer_id else None
    )
    return ConversationDetail(summary, msgs.items, contact)


def shown_author(meta: dict[str, Any] | None, account: str) -> str:
    """Who wrote a message, as people see it: a reply sent from Rapport names the agent who
    wrote it beside the company's account ("Tom · Fjord & Pine")."""
    agent = (meta or {}).get("agent_name") if isinstance(meta, dict) else None
    if isinstance(agent, str) and agent and agent != account:
        return f"{agent} · {account}"
    return account


def list_messages(
    session: Session,
    workspace_id: int,
    *,
    conversation_id: int | None = None,
    search: str | None = None,
    direction: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[MessageView]:
    """Messages, oldest first within a conversation, newest first across the workspace."""
    check_paging(limit, offset)
    windowed = False
    author = aliased(Identity)
    conditions: list[Any] = [Message.workspace_id == workspace_id]
    if conversation_id is not None:
        conditions.append(Message.conversation_id == conversation_id)
    if direction:
        conditions.append(Message.direction == direction)
    if search:
        words = search_words(search)
        if not words:
            return Page([], 0, limit, offset)
        ids, windowed = newest_matches(session, words)
        conditions.append(in_list(Message.id, ids, session.get_bind().dialect.name))

    order = (
        (Message.sent_at.asc(), Message.id.asc())
        if conversation_id is not None
        else (Message.sent_at.desc(), Message.id.desc())
    )
    query = (
        select(
            Message,
            author.display_name,
            author.handle,
            author.is_company,
            Channel.name,
            MessageEnrichment,
        )
        .join(author, author.id == Message.identity_id)
        .join(Channel, Channel.id == Message.channel_id)
        .outerjoin(MessageEnrichment, MessageEnrichment.message_id == Message.id)
        .where(*conditions)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    items = [
        MessageView(
            id=m.id,
            conversation_id=m.conversation_id,
            external_id=m.external_id,
            in_reply_to=m.in_reply_to,
            direction=m.direction,
            sent_at=m.sent_at,
            author=shown_author(m.meta, name),
            author_handle=handle,
            author_is_company=is_company,
            subject=m.subject,
            text=m.text,
            channel=channel,
            language=reading.language if reading else None,
            sentiment=reading.sentiment if reading else None,
            sentiment_score=reading.sentiment_score if reading else None,
            intent=reading.intent if reading else None,
            keywords=tuple(reading.keywords) if reading else (),
        )
        for m, name, handle, is_company, channel, reading in session.execute(query)
    ]
    total, exact = bounded_count(session, select(Message.id).where(*conditions))
    return Page(items, total, limit, offset, total_exact=exact and not windowed)


def _identities_of(session: Session, contact_ids: list[int]) -> dict[int, list[IdentityView]]:
    found: dict[int, list[IdentityView]] = {cid: [] for cid in contact_ids}
    if not contact_ids:
        return found
    rows = session.execute(
        select(Identity, Channel.name)
        .join(Channel, Channel.id == Identity.channel_id)
        .where(Identity.contact_id.in_(contact_ids))
        .order_by(Identity.id)
    )
    for identity, channel in rows:
        assert identity.contact_id is not None
        found[identity.contact_id].append(
            IdentityView(
                id=identity.id,
                channel=channel,
                external_id=identity.external_id,
                handle=identity.handle,
                display_name=identity.display_name,
                followers_count=identity.followers_count,
            )
        )
    return found


def list_contacts(
    session: Session,
    workspace_id: int,
    *,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[ContactView]:
    """Contacts by name; ``search`` matches the start of a name or e-mail, case-insensitively."""
    check_paging(limit, offset)
    conditions: list[Any] = [Contact.workspace_id == workspace_id]
    if search:
        pattern = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            Contact.display_name.ilike(pattern, escape="\\")
            | Contact.email.ilike(pattern, escape="\\")
        )
    rows = list(
        session.scalars(
            select(Contact)
            .where(*conditions)
            .order_by(Contact.display_name, Contact.id)
            .limit(limit)
            .offset(offset)
        )
    )
    identities = _identities_of(session, [c.id for c in rows])
    counts = _conversation_counts(session, [c.id for c in rows])
    items = [
        ContactView(
            id=c.id,
            display_name=c.display_name,
            email=c.email,
            created_at=c.created_at,
            identities=identities[c.id],
            conversation_count=counts.get(c.id, 0),
        )
        for c in rows
    ]
    total = session.execute(
        select(func.count()).select_from(Contact).where(*conditions)
    ).scalar_one()
    return Page(items, total, limit, offset)


def _conversation_counts(session: Session, contact_ids: list[int]) -> dict[int, int]:
    if not contact_ids:
        return {}
    rows = session.execute(
        select(Conversation.contact_id, func.count())
        .where(Conversation.contact_id.in_(contact_ids))
        .group_by(Conversation.contact_id)
    )
    return {cid: n for cid, n in rows if cid is not None}


def get_contact(session: Session, workspace_id: int, contact_id: int) -> ContactView:
    contact = session.scalars(
        select(Contact).where(Contact.workspace_id == workspace_id, Contact.id == contact_id)
    ).one_or_none()
    if contact is None:
        raise NotFound(f"contact {contact_id} does not exist in this workspace")
    return ContactView(
        id=contact.id,
        display_name=contact.display_name,
        email=contact.email,
        created_at=contact.created_at,
        identities=_identities_of(session, [contact.id])[contact.id],
        conversation_count=_conversation_counts(session, [contact.id]).get(contact.id, 0),
    )


def mark_read(session: Session, workspace_id: int, conversation_id: int, read: bool = True) -> None:
    result = session.execute(
        update(Conversation)
        .where(Conversation.workspace_id == workspace_id, Conversation.id == conversation_id)
        .values(unread=not read)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound(f"conversation {conversation_id} does not exist in this workspace")


def set_status(session: Session, workspace_id: int, conversation_id: int, status: str) -> None:
    from rapport.store.models import ConversationStatus

    try:
        value = ConversationStatus(status).value
    except ValueError:
        raise InvalidInput(f"status: expected open, pending or closed, got {status!r}") from None
    result = session.execute(
        update(Conversation)
        .where(Conversation.workspace_id == workspace_id, Conversation.id == conversation_id)
        .values(status=value)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound(f"conversation {conversation_id} does not exist in this workspace")


def list_channels(
    session: Session, workspace_id: int, *, with_counts: bool = False
) -> list[ChannelView]:
    """The workspace's channels by name; with how many conversations each holds if asked."""
    if not with_counts:
        rows = session.scalars(
            select(Channel).where(Channel.workspace_id == workspace_id).order_by(Channel.name)
        )
        return [ChannelView(c.id, c.name, c.kind, c.created_at) for c in rows]
    counts = (
        select(Conversation.channel_id, func.count().label("n"))
        .where(Conversation.workspace_id == workspace_id)
        .group_by(Conversation.channel_id)
        .subquery()
    )
    pairs = session.execute(
        select(Channel, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.channel_id == Channel.id)
        .where(Channel.workspace_id == workspace_id)
        .order_by(Channel.name)
    )
    return [ChannelView(c.id, c.name, c.kind, c.created_at, n) for c, n in pairs]
