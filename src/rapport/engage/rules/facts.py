"""What the rules engine knows about one message: plain, immutable facts gathered by the caller."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Literal

Direction = Literal["inbound", "outbound"]
Sentiment = Literal["negative", "neutral", "positive"]

_NO_ATTRIBUTES: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageFacts:
    """One message as the rules see it.

    ``text``, ``subject`` and the author fields come from the public internet: the engine only
    ever matches them against compiled patterns, never evaluates or formats them into code.
    ``business_open`` is computed by the caller from the team's calendar at ``sent_at``.
    ``language``, ``sentiment`` and ``intent`` stay ``None`` until language analysis has run;
    a condition on a fact that is ``None`` does not match.
    """

    channel: str
    """The channel's name, as the admin configured it (``"twitter-support"``)."""
    channel_kind: str
    """The platform: ``"twitter"``, ``"email"``, ``"facebook"``, ``"messenger"``, ``"api"``…"""
    text: str
    author_id: str
    sent_at: datetime
    """Timezone-aware instant the message was sent."""
    direction: Direction = "inbound"
    subject: str | None = None
    author_handle: str | None = None
    author_name: str | None = None
    author_email: str | None = None
    followers_count: int | None = None
    contact: Mapping[str, Any] = field(default_factory=lambda: _NO_ATTRIBUTES)
    """The contact's attributes, including ``"name"`` and ``"email"``."""
    is_new_case: bool = False
    business_open: bool | None = None
    language: str | None = None
    """BCP 47 code such as ``"nb"`` or ``"pt-BR"``."""
    sentiment: Sentiment | None = None
    intent: str | None = None

    def __post_init__(self) -> None:
        if self.sent_at.tzinfo is None or self.sent_at.utcoffset() is None:
            raise ValueError("MessageFacts.sent_at must be timezone-aware")
        if self.direction not in ("inbound", "outbound"):
            raise ValueError(
                f"MessageFacts.direction must be inbound or outbound, not {self.direction!r}"
            )
