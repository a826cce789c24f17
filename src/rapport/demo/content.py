"""Read the demo conversations shipped in this package into inbound messages.

Each file is Rapport's generic JSON lines (``rapport.channels.generic.jsonl``) with two demo-only
keys: ``offset_minutes`` (minutes before load time) instead of ``sent_at``, and, on the last
message of a finished conversation, ``demo_state`` (``pending`` or ``closed``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources

from rapport.channels.generic.jsonl import parse_jsonl_object
from rapport.ingest.records import InboundMessage
from rapport.store.models import ChannelKind, ConversationStatus


@dataclass(frozen=True, slots=True)
class DemoChannel:
    """One channel of the demo company and the file its conversations are kept in."""

    name: str
    kind: ChannelKind
    filename: str
    description: str


DEMO_CHANNELS = (
    DemoChannel("twitter", ChannelKind.TWITTER, "twitter.jsonl", "the X account @fjordandpine"),
    DemoChannel(
        "facebook", ChannelKind.FACEBOOK, "facebook.jsonl", "Page comments and Messenger chats"
    ),
    DemoChannel("email", ChannelKind.EMAIL, "email.jsonl", "the support mailbox"),
    DemoChannel(
        "api", ChannelKind.API, "api.jsonl", "web chat, feedback page and app, via the API"
    ),
)


def _lines(channel: DemoChannel) -> list[tuple[int, str]]:
    text = resources.files("rapport.demo").joinpath("data", channel.filename).read_text("utf-8")
    return [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def count_demo_messages() -> int:
    """How many messages the demo holds, over every channel (for a progress bar's total)."""
    return sum(len(_lines(channel)) for channel in DEMO_CHANNELS)


@dataclass(slots=True)
class DemoBatch:
    """One channel's demo messages, and the state finished conversations are left in
    (keyed by the external id of their last message)."""

    messages: list[InboundMessage] = field(default_factory=list)
    states: dict[str, ConversationStatus] = field(default_factory=dict)


def read_demo_channel(channel: DemoChannel, now: datetime) -> DemoBatch:
    """The messages of one demo channel, timed relative to ``now`` (an aware datetime).

    Each line goes through the generic format's own validation, so the demo is real input;
    a bad line is a bug in the shipped data and raises ``ValueError`` naming the line.
    """
    if now.tzinfo is None:
        raise ValueError("now: expected an aware datetime")
    batch = DemoBatch()
    for number, line in _lines(channel):
        location = f"{channel.filename} line {number}"
        obj = json.loads(line)
        offset = obj.pop("offset_minutes", None)
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise ValueError(f"{location}: offset_minutes: expected a whole number >= 0")
        obj["sent_at"] = (now - timedelta(minutes=offset)).isoformat()
        state = obj.pop("demo_state", None)
        try:
            message = parse_jsonl_object(obj, location)
            if state is not None:
                batch.states[message.external_id] = ConversationStatus(state)
        except ValueError as exc:
            raise ValueError(f"{location}: {exc}") from None
        batch.messages.append(message)
    return batch
