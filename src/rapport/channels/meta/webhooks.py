"""Meta Graph API webhook payloads: Page feed comments and Messenger messages.

A delivery is ``{"object": "page", "entry": [...]}``; each entry is one Page (``id``) and
holds either ``changes`` (the Page ``feed`` field) or ``messaging`` (Messenger; ``standby``
when another app holds the thread). A file holds one delivery per line (JSON lines) or one
JSON document: a single delivery or a list of them.

What becomes a message:

* a feed change with ``item`` ``comment`` and ``verb`` ``add``: ``comment_id`` is its id,
  ``parent_id`` (the post for a top-level comment, the comment answered otherwise) its
  ``in_reply_to``, and the ``post_id`` a thread ref, so a post and every comment under it are
  one conversation. ``created_time`` is Unix seconds (or an ISO time). A new Page post
  (``item`` ``post`` or ``status``) is the thread's first message.
* a Messenger event with a ``message``: ``mid`` is its id, ``timestamp`` is in milliseconds,
  ``message.reply_to.mid`` its ``in_reply_to``, and every message between the Page and one
  person shares the thread ref ``messenger:<page id>:<PSID>``.

Edits, removals, reactions, deliveries, reads and postbacks are not messages and are skipped.

Direction: a comment whose ``from.id`` is the Page (the entry ``id``) is outbound, as is a
Messenger message sent by the Page (``sender.id`` is the Page, or ``message.is_echo``);
everything else is inbound.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rapport.channels.json_payloads import as_raw, iter_json_payloads
from rapport.ingest.records import InboundMessage, Record, Rejected
from rapport.store.models import Direction

MESSENGER_PREFIX = "messenger:"
_FEED_POSTS = frozenset({"post", "status"})
_MESSAGING_LISTS = ("messaging", "standby")


def messenger_thread(page_id: str, psid: str) -> str:
    """The thread ref shared by every Messenger message between a Page and one person."""
    return f"{MESSENGER_PREFIX}{page_id}:{psid}"


def _id(value: Any, field: str) -> str:
    if value is None or value == "":
        raise ValueError(f"{field}: missing")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{field}: expected an id, got {type(value).__name__}")
    return str(value)


def _object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        missing = value is None
        raise ValueError(f"{field}: missing" if missing else f"{field}: expected an object")
    return value


def _unix_time(value: Any, field: str, *, milliseconds: bool) -> datetime:
    if value is None:
        raise ValueError(f"{field}: missing")
    if isinstance(value, str) and not value.isdigit():
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{field}: not a time: {value!r}") from None
        if moment.tzinfo is None:
            raise ValueError(f"{field}: {value!r} has no time zone")
        return moment
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"{field}: expected a Unix time, got {type(value).__name__}")
    seconds = int(value) / 1000 if milliseconds else int(value)
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{field}: {value!r} is out of range") from None


def parse_feed_change(change: Any, page_id: str, location: str) -> InboundMessage | None:
    """A Page ``feed`` change as a message, ``None`` when it is not a new comment or post."""
    change = _object(change, "change")
    if change.get("field") != "feed":
        return None
    value = _object(change.get("value"), "value")
    item, verb = value.get("item"), value.get("verb")
    if verb != "add" or (item != "comment" and item not in _FEED_POSTS):
        return None
    post_id = _id(value.get("post_id"), "value.post_id")
    if item == "comment":
        external_id = _id(value.get("comment_id"), "value.comment_id")
        parent = value.get("parent_id")
        in_reply_to: str | None = _id(parent, "value.parent_id") if parent else post_id
        thread_refs: tuple[str, ...] = (post_id,)
    else:
        external_id, in_reply_to, thread_refs = post_id, None, ()
    author = _object(value.get("from"), "value.from")
    author_id = _id(author.get("id"), "value.from.id")
    name = author.get("name")
    message = value.get("message", "")
    if message is None:
        message = ""  # a comment that is only a photo or a sticker
    if not isinstance(message, str):
        raise ValueError("value.message: expected a string")
    return InboundMessage(
        external_id=external_id,
        author_id=author_id,
        author_name=name if isinstance(name, str) else None,
        text=message.replace("\x00", ""),
        sent_at=_unix_time(value.get("created_time"), "value.created_time", milliseconds=False),
        direction=Direction.OUTBOUND if author_id == page_id else Direction.INBOUND,
        in_reply_to=in_reply_to,
        thread_refs=thread_refs,
        meta={"page_id": page_id, "post_id": post_id, "item": item},
        location=location,
    )


def _message_text(message: dict[str, Any]) -> str:
    text = message.get("text")
    if isinstance(text, str):
        return text.replace("\x00", "")
    if text is not None:
        raise ValueError("message.text: expected a string")
    attachments = message.get("attachments")
    if isinstance(attachments, list):
        kinds = [str(a.get("type", "file")) for a in attachments if isinstance(a, dict)]
        return " ".join(f"[{kind}]" for kind in kinds)
    return ""


def parse_messaging_event(event: Any, page_id: str, location: str) -> InboundMessage | None:
    """A Messenger event as a message, ``None`` when it carries no message (a read receipt)."""
    event = _object(event, "event")
    if "message" not in event:
        return None
    message = _object(event["message"], "message")
    if message.get("is_deleted") is True:
        return None
    sender = _id(_object(event.get("sender"), "sender").get("id"), "sender.id")
    recipient = _id(_object(event.get("recipient"), "recipient").get("id"), "recipient.id")
    external_id = _id(message.get("mid"), "message.mid")
    sent_at = _unix_time(event.get("timestamp"), "timestamp", milliseconds=True)
    outbound = message.get("is_echo") is True or sender == page_id
    psid = recipient if outbound else sender
    reply_to = message.get("reply_to")
    in_reply_to = reply_to.get("mid") if isinstance(reply_to, dict) else None
    return InboundMessage(
        external_id=external_id,
        author_id=sender,
        author_handle=None,
        text=_message_text(message),
        sent_at=sent_at,
        direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
        in_reply_to=in_reply_to if isinstance(in_reply_to, str) and in_reply_to else None,
        thread_refs=(messenger_thread(page_id, psid),),
        meta={"page_id": page_id, "psid": psid},
        location=location,
    )


def _entry_records(entry: Any, where: str) -> Iterator[Record]:
    if not isinstance(entry, dict):
        yield Rejected(where, "entry: expected an object", as_raw(entry))
        return
    try:
        page_id = _id(entry.get("id"), "entry.id")
    except ValueError as exc:
        yield Rejected(where, str(exc), as_raw(entry))
        return
    for key in (*_MESSAGING_LISTS, "changes"):
        events = entry.get(key)
        if events is None:
            continue
        if not isinstance(events, list):
            yield Rejected(f"{where}.{key}", f"{key}: expected a list", as_raw(events))
            continue
        parse = parse_feed_change if key == "changes" else parse_messaging_event
        for number, event in enumerate(events):
            at = f"{where}.{key}[{number}]"
            try:
                record = parse(event, page_id, at)
            except ValueError as exc:
                yield Rejected(at, str(exc), as_raw(event))
                continue
            if record is not None:
                yield record


def parse_payload(payload: Any, location: str, raw: str | None = None) -> Iterator[Record]:
    """One webhook delivery as messages, and a rejection for each event that cannot be read.

    Also what a live webhook endpoint calls, after :func:`verify_signature`.
    """
    raw = as_raw(payload) if raw is None else raw
    if not isinstance(payload, dict):
        yield Rejected(location, f"expected a JSON object, got {type(payload).__name__}", raw)
        return
    kind = payload.get("object")
    if kind != "page":
        yield Rejected(location, f"object: expected 'page', got {kind!r}", raw)
        return
    entries = payload.get("entry")
    if not isinstance(entries, list):
        yield Rejected(location, "entry: expected a list", raw)
        return
    for number, entry in enumerate(entries):
        yield from _entry_records(entry, f"{location} entry[{number}]")


def read_meta(path: Path) -> Iterator[Record]:
    """Stream the messages of a file of Meta webhook deliveries, or a rejection per bad event."""
    for payload in iter_json_payloads(path):
        if isinstance(payload, Rejected):
            yield payload
        else:
            yield from parse_payload(payload.value, payload.location, payload.raw)
