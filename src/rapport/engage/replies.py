"""Agents' replies: written in the conversation view, queued in the outbox, sent by the
delivery job (:mod:`rapport.engage.delivery`) once the caller has committed.

A reply answers one customer message (by default the latest one of the conversation), is
signed by its agent, and says explicitly whether it is public or private: e-mail and
Messenger are private only, an X reply is public (direct messages are not supported yet),
a Facebook comment may be answered publicly (a comment reply) or privately (a Messenger
message to its author). Everything that can be checked before sending is checked here, so
an agent learns at once that a channel has no credentials or a tweet is too long.

Functions take the caller's session and never commit: the request owns the transaction,
and hands the delivery to the job dispatcher after the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from rapport.channels.outbound import DeliveryError, get_sender
from rapport.engage.case_queries import case_of_conversation
from rapport.engage.cases import Actor
from rapport.engage.reply_checks import (
    check_length,
    decide_public,
    render_canned,
    reply_kind,
    signed,
)
from rapport.errors import Conflict, InvalidInput, NotFound
from rapport.intelligence.language import detect_language
from rapport.store.engagement import (
    AgentProfile,
    Case,
    CaseEvent,
    Delivery,
    DeliveryStatus,
)
from rapport.store.models import (
    Channel,
    ChannelKind,
    Contact,
    Conversation,
    Direction,
    Identity,
    Message,
    User,
)

deliveries_table = cast(Table, Delivery.__table__)

# What each kind of channel needs before it can send (see each sender's module docstring).
REQUIRED_SETTINGS: dict[ChannelKind, tuple[str, ...]] = {
    ChannelKind.EMAIL: ("smtp_host", "from_address"),
    ChannelKind.TWITTER: ("access_token",),
    ChannelKind.FACEBOOK: ("page_access_token",),
    ChannelKind.MESSENGER: ("page_access_token",),
}

RETRYABLE = (DeliveryStatus.FAILED.value, DeliveryStatus.UNCERTAIN.value)
CANCELLABLE = (
    DeliveryStatus.QUEUED.value,
    DeliveryStatus.RETRYING.value,
    DeliveryStatus.FAILED.value,
    DeliveryStatus.UNCERTAIN.value,
)


def queue_reply(
    session: Session,
    workspace_id: int,
    *,
    conversation_id: int,
    author: Actor,
    text: str,
    public: bool | None = None,
    reply_to_message_id: int | None = None,
    canned: str | None = None,
    language: str | None = None,
) -> Delivery:
    """Queue an agent's reply in a conversation; returns the delivery (status ``queued``).

    ``reply_to_message_id`` is the customer's message answered (default: the latest one of
    the conversation). With ``canned``, the named canned reply is the text (``text`` must
    then be empty), in the case's language, else ``language``, else English, with
    ``{customer_name}``, ``{case_number}`` and ``{agent_name}`` filled in. The agent's
    signature is added unless the text already ends with it. ``public`` must agree with
    the channel (see the module docstring); ``None`` takes the channel's only or usual way.
    Raises :class:`InvalidInput` saying what to change when the reply cannot be sent.
    """
    agent = _agent(session, workspace_id, author)
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.workspace_id != workspace_id:
        raise NotFound(f"conversation {conversation_id} not found")
    channel = session.get(Channel, conversation.channel_id)
    if channel is None:  # pragma: no cover - a conversation's channel cannot vanish
        raise NotFound(f"the channel of conversation {conversation_id} is gone")
    answered = _answered(session, conversation, reply_to_message_id)
    kind = reply_kind(channel.kind, answered.meta)
    _check_channel(channel)
    case_id = case_of_conversation(session, conversation_id)
    case = session.get(Case, case_id) if case_id is not None else None

    if canned is not None:
        if text.strip():
            raise InvalidInput("text: give either your own text or a canned reply, not both")
        # The customer's language: the case's, or the message's when routing did not need it.
        customer_language = case.language if case is not None else None
        if customer_language is None:
            customer_language = detect_language(answered.text)
            if case is not None:
                case.language = customer_language
        body = render_canned(
            session,
            workspace_id,
            canned,
            language=customer_language or language,
            fallback_language=language,
            values={
                "customer_name": _customer_name(session, conversation, answered),
                "agent_name": agent.name,
                **({"case_number": str(case.id)} if case is not None else {}),
            },
        )
    else:
        body = text.strip()
    if not body:
        raise InvalidInput("text: the reply is empty")
    body = signed(body, _signature(session, agent))
    now = datetime.now(UTC)
    visible = decide_public(kind, public, answered_at=answered.sent_at, now=now)
    check_length(kind, visible, body, channel.settings)

    delivery = Delivery(
        workspace_id=workspace_id,
        case_id=case.id if case is not None else None,
        conversation_id=conversation_id,
        reply_to_message_id=answered.id,
        author_id=agent.id,
        purpose="reply",
        public=visible,
        text=body,
        status=DeliveryStatus.QUEUED.value,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(delivery)
    session.flush()
    if case is not None:
        attributes: dict[str, Any] = {"delivery": delivery.id, "public": visible}
        if canned is not None:
            attributes["canned"] = canned
        _event(session, case, now, "reply_queued", Actor(agent.id, agent.name), attributes)
    return delivery


def retry_delivery(session: Session, workspace_id: int, delivery_id: int, actor: Actor) -> Delivery:
    """Send a failed or uncertain delivery again: the agent's explicit decision (an
    uncertain one may already have reached the customer). Recorded on the case."""
    delivery = _delivery(session, workspace_id, delivery_id)
    previous, error = delivery.status, delivery.last_error
    now = datetime.now(UTC)
    moved = _move(
        session,
        delivery_id,
        RETRYABLE,
        status=DeliveryStatus.QUEUED.value,
        attempts=0,
        next_attempt_at=now,
        last_error=None,
    )
    if not moved:
        raise Conflict(
            f"delivery {delivery_id} is {previous}: only a failed or uncertain delivery "
            "can be sent again"
        )
    delivery = _delivery(session, workspace_id, delivery_id, fresh=True)
    _record(session, delivery, now, "reply_retried", actor, previous=previous, error=error)
    return delivery


def cancel_delivery(
    session: Session, workspace_id: int, delivery_id: int, actor: Actor
) -> Delivery:
    """Give up a delivery that is not being sent nor sent: it becomes failed, "cancelled
    by" the actor. Recorded on the case."""
    delivery = _delivery(session, workspace_id, delivery_id)
    previous = delivery.status
    now = datetime.now(UTC)
    moved = _move(
        session,
        delivery_id,
        CANCELLABLE,
        status=DeliveryStatus.FAILED.value,
        last_error=f"cancelled by {actor.name}",
    )
    if not moved:
        why = "it is being sent right now" if previous == "sending" else f"it is {previous}"
        raise Conflict(f"delivery {delivery_id} cannot be cancelled: {why}")
    delivery = _delivery(session, workspace_id, delivery_id, fresh=True)
    _record(session, delivery, now, "reply_cancelled", actor, previous=previous)
    return delivery


def list_deliveries(
    session: Session,
    workspace_id: int,
    conversation_id: int | None = None,
    case_id: int | None = None,
    status: str | Sequence[str] | None = None,
    limit: int = 200,
) -> list[Delivery]:
    """A workspace's deliveries, newest first: what is pending, failed or uncertain."""
    wanted = [status] if isinstance(status, str) else list(status or ())
    known = {s.value for s in DeliveryStatus}
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise InvalidInput(f"status: {unknown[0]!r} is not one of {', '.join(sorted(known))}")
    query = select(Delivery).where(Delivery.workspace_id == workspace_id)
    if conversation_id is not None:
        query = query.where(Delivery.conversation_id == conversation_id)
    if case_id is not None:
        query = query.where(Delivery.case_id == case_id)
    if wanted:
        query = query.where(Delivery.status.in_(wanted))
    query = query.order_by(Delivery.created_at.desc(), Delivery.id.desc()).limit(limit)
    return list(session.scalars(query))


# -- the pieces -----------------------------------------------------------------------------------


def _agent(session: Session, workspace_id: int, author: Actor) -> User:
    if author.user_id is None:
        raise InvalidInput("author: a reply is written by a user, in their own name")
    user = session.get(User, author.user_id)
    if user is None or user.workspace_id != workspace_id or not user.is_active:
        raise InvalidInput(f"author: no active user with id {author.user_id} in this workspace")
    return user


def _answered(session: Session, conversation: Conversation, message_id: int | None) -> Message:
    if message_id is None:
        found = session.scalars(
            select(Message)
            .where(
                Message.conversation_id == conversation.id,
                Message.direction == Direction.INBOUND.value,
            )
            .order_by(Message.sent_at.desc(), Message.id.desc())
            .limit(1)
        ).first()
        if found is None:
            raise InvalidInput(
                f"conversation {conversation.id} has no message from the customer to answer"
            )
        return found
    message = session.get(Message, message_id)
    if message is None or message.conversation_id != conversation.id:
        raise InvalidInput(
            f"reply_to_message_id: message {message_id} is not in conversation {conversation.id}"
        )
    if message.direction != Direction.INBOUND.value:
        raise InvalidInput(
            f"reply_to_message_id: message {message_id} is the company's own; "
            "answer a message of the customer"
        )
    return message


def _check_channel(channel: Channel) -> None:
    """The channel has what sending needs (credentials, a server), else every setting it
    lacks is named; the sender then checks the values."""
    settings = channel.settings or {}
    kind = ChannelKind(channel.kind)
    missing = [key for key in REQUIRED_SETTINGS.get(kind, ()) if not settings.get(key)]
    if missing:
        raise InvalidInput(
            f"channel {channel.name!r} cannot send replies yet: its settings lack "
            f"{', '.join(missing)}. Add them to the channel's settings, then send again"
        )
    try:
        get_sender(kind, settings)
    except DeliveryError as exc:
        raise InvalidInput(
            f"channel {channel.name!r} cannot send replies yet: {exc}. "
            "Correct the channel's settings, then send again"
        ) from None


def _customer_name(session: Session, conversation: Conversation, answered: Message) -> str:
    if conversation.contact_id is not None:
        contact = session.get(Contact, conversation.contact_id)
        if contact is not None and contact.display_name:
            return contact.display_name
    identity = session.get(Identity, answered.identity_id)
    return identity.display_name if identity is not None else ""


def _signature(session: Session, agent: User) -> str:
    profile = session.get(AgentProfile, agent.id)
    if profile is not None and profile.signature.strip():
        return profile.signature.strip()
    return f"— {agent.name}"


def _delivery(
    session: Session, workspace_id: int, delivery_id: int, *, fresh: bool = False
) -> Delivery:
    delivery = session.get(Delivery, delivery_id, populate_existing=fresh)
    if delivery is None or delivery.workspace_id != workspace_id:
        raise NotFound(f"delivery {delivery_id} not found")
    return delivery


def _move(session: Session, delivery_id: int, allowed: Sequence[str], **values: Any) -> bool:
    """Change a delivery only if its status is still one of ``allowed`` (the delivery job
    may be claiming it at this very moment)."""
    c = deliveries_table.c
    result = session.connection().execute(
        deliveries_table.update()
        .where(c.id == delivery_id, c.status.in_(list(allowed)))
        .values(**values)
    )
    return result.rowcount == 1


def _record(
    session: Session,
    delivery: Delivery,
    at: datetime,
    activity: str,
    actor: Actor,
    **attributes: Any,
) -> None:
    if delivery.case_id is None:
        return
    case = session.get(Case, delivery.case_id)
    if case is not None:
        _event(session, case, at, activity, actor, {"delivery": delivery.id, **attributes})


def _event(
    session: Session,
    case: Case,
    at: datetime,
    activity: str,
    actor: Actor,
    attributes: dict[str, Any],
) -> None:
    session.add(
        CaseEvent(
            workspace_id=case.workspace_id,
            case_id=case.id,
            at=at,
            activity=activity,
            actor_id=actor.user_id,
            resource=actor.name[:200],
            team_id=case.team_id,
            attributes=attributes,
        )
    )
    session.flush()
