"""What every channel parser produces: normalised inbound messages, or rejections."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rapport.store.models import Direction


@dataclass(slots=True)
class InboundMessage:
    """One message as the pipeline sees it, whatever platform it came from.

    ``external_id`` is the platform's id, unique on its channel. Threading uses
    ``in_reply_to`` and ``thread_refs``: any message sharing one of those keys (or whose id is
    one of them) lands in the same conversation, whatever order the messages arrive in.
    """

    external_id: str
    author_id: str
    text: str
    sent_at: datetime
    direction: Direction
    author_name: str | None = None
    author_handle: str | None = None
    author_email: str | None = None
    followers_count: int | None = None
    in_reply_to: str | None = None
    thread_refs: tuple[str, ...] = ()
    subject: str | None = None
    meta: dict[str, Any] | None = field(default=None)
    location: str = ""  # where in the source it was read, for messages about it


@dataclass(slots=True, frozen=True)
class Rejected:
    """A record that could not be read: where it was, why, and the raw text kept for repair."""

    location: str
    reason: str
    payload: str


Record = InboundMessage | Rejected
