"""What the conversation page reads beyond the inbox queries: where a reply would go (and
how it is labelled), and which agent wrote each reply the company sent. Read-only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rapport.channels.outbound import DeliveryError, get_sender
from rapport.engage.reply_checks import reply_kind
from rapport.store.models import Channel, ChannelKind, Conversation, Direction, Identity, Message


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    """How a reply in this conversation is sent.

    ``choose_public``: the agent must pick public or private (a Facebook comment);
    ``label``: what the reply is, in words ("E-mail to ..."); ``problem``: why it cannot
    be sent now (no customer message, or the channel lacks settings), else None.
    """

    kind: str
    choose_public: bool
    label: str
    customer: str
    problem: str | None = None


def _who(identity: Identity | None) -> tuple[str, str | None]:
    if identity is None:
        return "the customer", None
    return identity.display_name or identity.handle or identity.external_id, identity.handle


def reply_target(session: Session, workspace_id: int, conversation_id: int) -> ReplyTarget | None:
    """Where a reply to the customer's latest message goes; None for an unknown conversation."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.workspace_id != workspace_id:
        return None
    channel = session.get(Channel, conversation.channel_id)
    if channel is None:  # pragma: no cover - a conversation's channel cannot vanish
        return None
    answered = session.scalars(
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.direction == Direction.INBOUND.value,
        )
        .order_by(Message.sent_at.desc(), Message.id.desc())
        .limit(1)
    ).first()
    if answered is None:
        return ReplyTarget(
            channel.kind,
            False,
            "No message from the customer to answer yet",
            "",
            "nothing to answer",
        )
    identity = session.get(Identity, answered.identity_id)
    name, handle = _who(identity)
    try:
        kind = reply_kind(channel.kind, answered.meta)
    except ValueError:
        return ReplyTarget(channel.kind, False, f"{channel.name} cannot send replies", name, "")
    problem = None
    try:
        get_sender(kind, channel.settings or {})
    except DeliveryError as exc:
        problem = f"channel {channel.name!r} cannot send replies yet: {exc}"
    if kind is ChannelKind.EMAIL:
        address = (
            next((v for v in (identity.external_id, identity.handle) if v and "@" in v), None)
            if identity is not None
            else None
        )
        label = f"E-mail to {name} <{address}>" if address else f"E-mail to {name}"
        return ReplyTarget(kind.value, False, label, name, problem)
    if kind is ChannelKind.TWITTER:
        at = f"@{handle.lstrip('@')}" if handle else name
        return ReplyTarget(kind.value, False, f"Public reply on X to {at}", name, problem)
    if kind is ChannelKind.MESSENGER:
        return ReplyTarget(
            kind.value, False, f"Private message on Messenger to {name}", name, problem
        )
    if kind is ChannelKind.FACEBOOK:
        return ReplyTarget(
            kind.value, True, f"Reply to {name}'s comment on Facebook", name, problem
        )
    return ReplyTarget(
        kind.value, False, f"{channel.name} cannot send replies", name, problem or "no sender"
    )


def reply_authors(session: Session, conversation_id: int) -> dict[int, str]:
    """The agent who wrote each reply the company sent in the conversation, by message id."""
    rows = session.execute(
        select(Message.id, Message.meta).where(
            Message.conversation_id == conversation_id,
            Message.direction == Direction.OUTBOUND.value,
        )
    )
    authors: dict[int, str] = {}
    for message_id, meta in rows:
        agent = (meta or {}).get("agent_name")
        if isinstance(agent, str) and agent.strip():
            authors[message_id] = agent.strip()
    return authors
