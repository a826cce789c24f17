"""Sending replies back out through a channel: the protocol every sender implements.

An agent's reply becomes an :class:`OutboundReply`; the channel's :class:`ReplySender` turns
it into the platform's own API call (SMTP, X API v2, Graph API) and returns the platform's id
for what it posted. Senders never retry by themselves: they say whether trying again later
is safe (:class:`RetryLater`), and the delivery job decides when. A failure after which the
message may already have gone out is :class:`DeliveryUncertain`, so it is never sent twice.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from rapport.errors import RapportError
from rapport.store.models import ChannelKind


@dataclass(frozen=True, slots=True)
class OutboundReply:
    """One reply to send, with everything the platform needs to thread it.

    ``delivery_id`` is Rapport's id for this delivery: senders use it as an idempotency key
    where the platform has one (e-mail's Message-ID is derived from it).
    ``in_reply_to`` is the platform id of the message answered (tweet id, comment id,
    e-mail Message-ID); ``references`` the e-mail References chain before it.
    ``recipient`` is the e-mail address, Messenger PSID or X user id of the customer.
    ``public`` says whether the reply is posted publicly (a tweet reply, a comment reply)
    or privately (e-mail, a Messenger message).
    ``reply_meta`` is the ``meta`` of the message answered, as it was imported
    (``page_id``, ``post_id``, ``psid``, e-mail ``to``/``cc``, ...).
    """

    delivery_id: int
    kind: ChannelKind
    settings: Mapping[str, Any]
    text: str
    agent_name: str
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    recipient: str | None = None
    recipient_name: str | None = None
    subject: str | None = None
    public: bool = True
    reply_meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Delivered:
    """What the platform answered: the id of the posted message (tweet id, comment id,
    Messenger message id, e-mail Message-ID), stored as the reply's external id."""

    external_id: str
    detail: str = ""


class DeliveryError(RapportError):
    """The platform refused the reply for good (bad token, deleted post, bad address)."""

    status_code = 502


class RetryLater(DeliveryError):
    """Nothing was posted and trying again later may work (rate limit, platform down).

    ``retry_after`` is the number of seconds the platform asked to wait, when it said.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DeliveryUncertain(DeliveryError):
    """The request may have reached the platform (a timeout after sending): the reply may
    have been posted, so it is not retried automatically."""


class ReplySender(Protocol):
    """Posts one reply on one platform."""

    def send(self, reply: OutboundReply) -> Delivered: ...


SenderFactory = Callable[[Mapping[str, Any]], ReplySender]

_SENDERS: dict[ChannelKind, str] = {
    ChannelKind.EMAIL: "rapport.channels.email.sender",
    ChannelKind.TWITTER: "rapport.channels.twitter.client",
    ChannelKind.FACEBOOK: "rapport.channels.meta.client",
    ChannelKind.MESSENGER: "rapport.channels.meta.client",
}


def get_sender(kind: ChannelKind, settings: Mapping[str, Any]) -> ReplySender:
    """The sender for a channel of ``kind`` configured with ``settings``.

    Each sender module exposes ``make_sender(settings)``; modules are imported on first use.
    """
    module_name = _SENDERS.get(kind)
    if module_name is None:
        raise DeliveryError(f"channels of kind {kind.value!r} cannot send replies")
    factory: SenderFactory = importlib.import_module(module_name).make_sender
    return factory(settings)
