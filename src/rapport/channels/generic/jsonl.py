"""Rapport's generic import format: JSON lines, one message per line.

Each line is an object::

    {"id": "m-1",                         # required, unique on the channel
     "text": "Hello",                     # required (may be "")
     "sent_at": "2026-11-20T09:15:00+01:00",  # required, ISO 8601 with a zone (Z allowed)
     "author": {"id": "u-7", "name": "Ásta", "handle": "asta", "email": "a@example.is",
                "followers": 120},        # required; a bare string is taken as the id
     "direction": "inbound",              # optional: inbound (default) or outbound
     "in_reply_to": "m-0",                # optional: id of the message this answers
     "thread": "order-1042",              # optional: every message with this key is one thread
     "subject": "Late delivery",          # optional
     "meta": {...}}                       # optional: kept as it is

Blank lines and lines starting with ``#`` are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from rapport.ingest.records import InboundMessage, Record, Rejected
from rapport.store.models import Direction


def _text_field(obj: dict[str, Any], name: str, required: bool) -> str | None:
    value = obj.get(name)
    if value is None:
        if required:
            raise ValueError(f"{name}: missing")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{name}: expected a string, got {type(value).__name__}")
    return str(value)


def _parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("sent_at: expected an ISO 8601 string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"sent_at: not an ISO 8601 time: {value!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"sent_at: {value!r} has no time zone (add Z or +hh:mm)")
    return moment


def parse_jsonl_object(obj: Any, location: str) -> InboundMessage:
    """Validate one decoded line; raise ``ValueError`` naming the bad field."""
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    external_id = _text_field(obj, "id", True)
    text = obj.get("text")
    if not isinstance(text, str):
        raise ValueError("text: missing" if text is None else "text: expected a string")
    sent_at = _parse_time(obj.get("sent_at"))
    author = obj.get("author")
    if isinstance(author, str | int) and not isinstance(author, bool):
        author = {"id": str(author)}
    if not isinstance(author, dict):
        raise ValueError("author: expected an object with an id, or an id string")
    try:
        author_id = _text_field(author, "id", True)
    except ValueError as exc:
        raise ValueError(f"author.{exc}") from None
    followers = author.get("followers")
    if followers is not None and (not isinstance(followers, int) or isinstance(followers, bool)):
        raise ValueError("author.followers: expected an integer")
    direction_name = obj.get("direction", "inbound")
    try:
        direction = Direction(direction_name)
    except ValueError:
        raise ValueError(
            f"direction: expected inbound or outbound, got {direction_name!r}"
        ) from None
    thread = _text_field(obj, "thread", False)
    meta = obj.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise ValueError("meta: expected an object")
    assert external_id is not None
    assert author_id is not None
    return InboundMessage(
        external_id=external_id,
        author_id=author_id,
        author_name=_text_field(author, "name", False),
        author_handle=_text_field(author, "handle", False),
        author_email=_text_field(author, "email", False),
        followers_count=followers,
        text=text,
        sent_at=sent_at,
        direction=direction,
        in_reply_to=_text_field(obj, "in_reply_to", False),
        thread_refs=(f"thread:{thread}",) if thread else (),
        subject=_text_field(obj, "subject", False),
        meta=meta,
        location=location,
    )


def read_jsonl(path: Path) -> Iterator[Record]:
    """Stream a JSON-lines file as inbound messages or rejections (one per bad line)."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            location = f"line {number}"
            try:
                obj = json.loads(stripped)
            except json.JSONDecodeError as exc:
                yield Rejected(
                    location, f"not valid JSON: {exc.msg} at column {exc.colno}", stripped
                )
                continue
            try:
                yield parse_jsonl_object(obj, location)
            except ValueError as exc:
                yield Rejected(location, str(exc), stripped)
