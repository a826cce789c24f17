"""What a delivery sends, and what stays of it once sent.

:func:`prepare_outgoing` reads a delivery and the customer message it answers into the
:class:`~rapport.channels.outbound.OutboundReply` its channel's sender takes: the threading
ids (e-mail References rebuilt from the stored chain of parents), the recipient, the
subject, the visibility. :func:`record_sent` stores the sent reply in its conversation
as the company's own message, with the agent named in its meta, through the ingest
pipeline, so it threads and counts as the case's response like any imported reply.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, select

from rapport.channels.outbound import DeliveryError, OutboundReply
from rapport.engage.reply_checks import reply_kind
from rapport.ingest.records import InboundMessage
from rapport.ingest.service import ingest_messages
from rapport.store.db import Database
from rapport.store.engagement import Delivery
from rapport.store.models import (
    Channel,
    ChannelKind,
    Conversation,
    Direction,
    Identity,
    Message,
    User,
)

log = logging.getLogger(__name__)

deliveries = cast(Table, Delivery.__table__)
messages = cast(Table, Message.__table__)
channels = cast(Table, Channel.__table__)
conversations = cast(Table, Conversation.__table__)
identities = cast(Table, Identity.__table__)
users = cast(Table, User.__table__)

REFERENCES_DEPTH = 50  # parents followed back when rebuilding an e-mail's References


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One delivery ready to send: the reply, and where and as whom it is recorded."""

    delivery_id: int
    workspace_id: int
    author_id: int | None
    purpose: str  # reply, ack, csat
    reply: OutboundReply
    channel_id: int
    channel_name: str
    channel_kind: ChannelKind
    company_id: str
    company_name: str


def prepare_outgoing(conn: Connection, delivery_id: int) -> Outgoing:
    """Delivery ``delivery_id`` as its channel's sender takes it; a :class:`DeliveryError`
    when what it answers is gone."""
    d = conn.execute(select(deliveries).where(deliveries.c.id == delivery_id)).one()
    conversation = conn.execute(
        select(conversations.c.channel_id, conversations.c.subject).where(
            conversations.c.id == d.conversation_id
        )
    ).one()
    channel = conn.execute(
        select(channels.c.name, channels.c.kind, channels.c.settings).where(
            channels.c.id == conversation.channel_id
        )
    ).one()
    m = messages.c
    answered_query = select(messages).where(m.conversation_id == d.conversation_id)
    if d.reply_to_message_id is not None:
        answered_query = answered_query.where(m.id == d.reply_to_message_id)
    else:
        answered_query = answered_query.where(m.direction == Direction.INBOUND.value)
    answered = conn.execute(answered_query.order_by(m.sent_at.desc(), m.id.desc())).first()
    if answered is None:
        raise DeliveryError("the customer's message this reply answers no longer exists")
    customer = conn.execute(
        select(identities.c.external_id, identities.c.handle, identities.c.display_name).where(
            identities.c.id == answered.identity_id
        )
    ).one()
    agent = ""
    if d.author_id is not None:
        agent = conn.execute(select(users.c.name).where(users.c.id == d.author_id)).scalar() or ""
    meta: dict[str, Any] = dict(answered.meta or {})
    settings: dict[str, Any] = dict(channel.settings or {})
    kind = reply_kind(channel.kind, meta)
    recipient: str | None = customer.external_id
    if kind is ChannelKind.EMAIL:
        recipient = next(
            (v for v in (customer.external_id, customer.handle) if v and "@" in v), None
        )
    elif kind is ChannelKind.MESSENGER:
        recipient = meta.get("psid") or customer.external_id
    references = _references(conn, conversation.channel_id, answered)
    reply = OutboundReply(
        delivery_id=delivery_id,
        kind=kind,
        settings=settings,
        text=d.text,
        agent_name=agent,
        in_reply_to=answered.external_id,
        references=references if kind is ChannelKind.EMAIL else (),
        recipient=recipient,
        recipient_name=customer.display_name,
        subject=answered.subject or conversation.subject,
        public=bool(d.public),
        reply_meta=meta,
    )
    company_id, company_name = _company(conn, kind, settings, meta, conversation.channel_id)
    return Outgoing(
        delivery_id=delivery_id,
        workspace_id=d.workspace_id,
        author_id=d.author_id,
        purpose=d.purpose,
        reply=reply,
        channel_id=conversation.channel_id,
        channel_name=channel.name,
        channel_kind=ChannelKind(channel.kind),
        company_id=company_id,
        company_name=company_name or channel.name,
    )


def _references(conn: Connection, channel_id: int, answered: Any) -> tuple[str, ...]:
    """The e-mail References before the answered message: as imported when its meta kept
    them, else its chain of parents as stored, oldest first."""
    stated = (answered.meta or {}).get("references")
    if isinstance(stated, list) and all(isinstance(ref, str) for ref in stated):
        return tuple(stated)
    chain: list[str] = []
    seen = {answered.external_id}
    parent = answered.in_reply_to
    while parent and parent not in seen and len(chain) < REFERENCES_DEPTH:
        chain.append(parent)
        seen.add(parent)
        parent = conn.execute(
            select(messages.c.in_reply_to).where(
                messages.c.channel_id == channel_id, messages.c.external_id == parent
            )
        ).scalar()
    return tuple(reversed(chain))


def _company(
    conn: Connection,
    kind: ChannelKind,
    settings: Mapping[str, Any],
    meta: Mapping[str, Any],
    channel_id: int,
) -> tuple[str, str]:
    """The company's own account on the channel, which authors the sent reply."""
    own: Any = None
    name: Any = settings.get("from_name") or settings.get("account_name")
    if kind is ChannelKind.EMAIL:
        own = str(settings.get("from_address") or "").strip().lower()
    elif kind in (ChannelKind.FACEBOOK, ChannelKind.MESSENGER):
        own = meta.get("page_id") or settings.get("page_id")
    elif kind is ChannelKind.TWITTER:
        own = settings.get("account_id")
    if not own or not isinstance(own, str | int):
        known = conn.execute(
            select(identities.c.external_id, identities.c.display_name)
            .where(identities.c.channel_id == channel_id, identities.c.is_company.is_(True))
            .order_by(identities.c.id)
            .limit(1)
        ).first()
        own, name = (known.external_id, name or known.display_name) if known else ("company", name)
    return str(own), str(name or "")


def record_sent(db: Database, job: Outgoing, external_id: str, at: datetime) -> None:
    """Store the sent reply in its conversation as the company's message and link it to
    the delivery; a failure is written on the delivery, which stays sent."""
    reply = job.reply
    meta: dict[str, Any] = {
        "agent_name": reply.agent_name,
        "agent_user_id": job.author_id,
        "delivery_id": job.delivery_id,
        "purpose": job.purpose,
    }
    meta.update(
        {k: reply.reply_meta[k] for k in ("page_id", "psid", "post_id") if k in reply.reply_meta}
    )
    email = reply.kind is ChannelKind.EMAIL
    subject = None
    if email:
        from rapport.channels.email.sender import reply_subject

        subject = reply_subject(reply.subject)
        meta["to"] = [reply.recipient] if reply.recipient else []
    message = InboundMessage(
        external_id=external_id,
        author_id=job.company_id,
        author_name=job.company_name,
        author_handle=job.company_id if email else None,
        author_email=job.company_id if email else None,
        text=reply.text,
        sent_at=at,
        direction=Direction.OUTBOUND,
        in_reply_to=reply.in_reply_to,
        thread_refs=reply.references,
        subject=subject,
        meta=meta,
    )
    c = deliveries.c
    try:
        ingest_messages(
            db,
            workspace_id=job.workspace_id,
            channel_name=job.channel_name,
            kind=job.channel_kind,
            messages=[message],
            source="delivery",
        )
        with db.session() as session:
            conn = session.connection()
            message_id = conn.execute(
                select(messages.c.id).where(
                    messages.c.channel_id == job.channel_id,
                    messages.c.external_id == external_id,
                )
            ).scalar()
            if message_id is None:
                raise DeliveryError("the pipeline did not store it")
            conn.execute(
                deliveries.update().where(c.id == job.delivery_id).values(message_id=message_id)
            )
    except Exception as exc:  # the reply went out: that must stay recorded whatever happens
        log.exception("delivery %s: sent, but not stored in its conversation", job.delivery_id)
        with db.session() as session:
            session.connection().execute(
                deliveries.update()
                .where(c.id == job.delivery_id)
                .values(last_error=f"sent, but not stored in the conversation: {exc}"[:2000])
            )
