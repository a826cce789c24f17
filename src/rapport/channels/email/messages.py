"""One e-mail message as an inbound message, read with the standard library's ``email``.

Fields: the ``Message-ID`` is the id (when missing, a stable one is made from a hash of the
raw bytes, ``<sha256…@rapport.invalid>``, and ``meta.message_id_generated`` says so);
``In-Reply-To`` is the message answered and every id in ``References`` a thread ref, so a
reply chain is one conversation whatever order its messages arrive in. The text is the
``text/plain`` body, or the ``text/html`` body reduced to its words when there is no plain
one; the author is the ``From`` address (lower-cased, it is the author id) and name; the time
is the ``Date`` (a ``-0000`` zone is read as UTC). A message without a ``From`` address or a
readable ``Date`` is rejected, naming the header.

Direction: a header ``X-Rapport-Direction: outbound`` (or ``inbound``) decides; otherwise a
message is outbound when its ``From`` domain, or a parent domain of it, is listed in
``company-domains.txt`` beside the imported file (or in the imported folder), and inbound
otherwise.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, cast

from rapport.channels.email.html_text import html_to_text
from rapport.channels.email.sources import iter_raw_messages, read_company_domains
from rapport.ingest.records import InboundMessage, Record, Rejected
from rapport.store.models import Direction

DIRECTION_HEADER = "X-Rapport-Direction"
GENERATED_ID_DOMAIN = "rapport.invalid"
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")


class _CachingHeaderRegistry(HeaderRegistry):
    """``policy.default``'s header registry, minus the new class it builds on every fetch.

    The standard registry creates a class per header access, which was the largest single
    cost of reading a mailbox. Only the registered names (and the one default) are cached,
    so header names invented by senders cannot grow the cache.
    """

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower() if name.lower() in self.registry else ""
        cls = self._classes.get(key)
        if cls is None:
            cls = self._classes[key] = super().__getitem__(name)
        return cls


_PARSER = BytesParser(policy=policy.default.clone(header_factory=_CachingHeaderRegistry()))


def _ids(value: Any) -> list[str]:
    """The message ids in a header (``<a@b> <c@d>``), each in its ``<...>`` form."""
    if value is None:
        return []
    return [f"<{found}>" for found in _MESSAGE_ID.findall(str(value))]


def _message_id(msg: EmailMessage, data: bytes) -> tuple[str, bool]:
    header = msg.get("Message-ID")
    ids = _ids(header)
    if ids:
        return ids[0], False
    bare = str(header or "").strip()
    if bare and " " not in bare:
        return f"<{bare}>", False
    return f"<{hashlib.sha256(data).hexdigest()[:40]}@{GENERATED_ID_DOMAIN}>", True


def _sender(msg: EmailMessage) -> Address:
    header = msg.get("From")
    if header is None:
        raise ValueError("From: missing")
    addresses = cast(tuple[Address, ...], getattr(header, "addresses", ()))
    for address in addresses:
        if "@" in address.addr_spec:
            return address
    raise ValueError(f"From: no e-mail address in {str(header)!r}")


def _sent_at(msg: EmailMessage) -> datetime:
    header = msg.get("Date")
    if header is None or not str(header).strip():
        raise ValueError("Date: missing")
    moment = getattr(header, "datetime", None)
    if moment is None:
        try:
            moment = parsedate_to_datetime(str(header))
        except (TypeError, ValueError, IndexError):
            raise ValueError(f"Date: not an e-mail date: {str(header)!r}") from None
    if moment.tzinfo is None:  # "-0000": the zone of origin is unknown, the time is UTC
        moment = moment.replace(tzinfo=UTC)
    return cast(datetime, moment)


def _direction(msg: EmailMessage, sender: Address, company_domains: frozenset[str]) -> Direction:
    stated = msg.get(DIRECTION_HEADER)
    if stated is not None:
        value = str(stated).strip().lower()
        try:
            return Direction(value)
        except ValueError:
            raise ValueError(
                f"{DIRECTION_HEADER}: expected inbound or outbound, got {value!r}"
            ) from None
    domain = sender.domain.lower()
    parts = domain.split(".")
    candidates = {".".join(parts[i:]) for i in range(len(parts))}
    return Direction.OUTBOUND if candidates & company_domains else Direction.INBOUND


def _decoded(part: EmailMessage, charset: str | None) -> str:
    raw = part.get_payload(decode=True)
    data = raw if isinstance(raw, bytes) else b""
    try:
        return data.decode(charset or "utf-8", "replace")
    except LookupError:  # a charset Python does not know: most such mail is UTF-8 or ASCII
        return data.decode("utf-8", "replace")


def body_text(msg: EmailMessage) -> str:
    """The text a reader would see: the first text/plain part that is not an attachment,
    else the first such text/html part reduced to text, else nothing.

    Walks the parts itself rather than using ``get_body``: each header is parsed once,
    which makes reading a large mailbox several times faster.
    """
    html: tuple[EmailMessage, str | None] | None = None
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype_header = part.get("Content-Type")
        ctype = getattr(ctype_header, "content_type", "text/plain")
        if ctype not in ("text/plain", "text/html"):
            continue
        disposition = part.get("Content-Disposition")
        if getattr(disposition, "content_disposition", None) == "attachment":
            continue
        params = getattr(ctype_header, "params", {})
        charset = params.get("charset") if isinstance(params.get("charset"), str) else None
        if ctype == "text/plain":
            text = _decoded(part, charset)
            break
        if html is None:
            html = (part, charset)
    else:
        text = html_to_text(_decoded(*html)) if html is not None else ""
    return text.replace("\r\n", "\n").replace("\x00", "").strip()


def _recipients(msg: EmailMessage, name: str) -> list[str]:
    header = msg.get(name)
    addresses = cast(tuple[Address, ...], getattr(header, "addresses", ()))
    return [a.addr_spec.lower() for a in addresses if a.addr_spec]


def parse_email(data: bytes, location: str, company_domains: frozenset[str]) -> InboundMessage:
    """Read one raw message; raise ``ValueError`` naming the header that is wrong."""
    msg = _PARSER.parsebytes(data)
    sender = _sender(msg)
    sent_at = _sent_at(msg)
    direction = _direction(msg, sender, company_domains)
    external_id, generated = _message_id(msg, data)
    replied = _ids(msg.get("In-Reply-To"))
    references = [ref for ref in _ids(msg.get("References")) if ref != external_id]
    in_reply_to = replied[0] if replied else (references[-1] if references else None)
    subject = " ".join(str(msg.get("Subject") or "").split()) or None
    meta: dict[str, Any] = {}
    for name in ("To", "Cc"):
        if recipients := _recipients(msg, name):
            meta[name.lower()] = recipients
    if generated:
        meta["message_id_generated"] = True
    email_address = sender.addr_spec.lower()
    return InboundMessage(
        external_id=external_id,
        author_id=email_address,
        author_name=sender.display_name or None,
        author_handle=email_address,
        author_email=email_address,
        text=body_text(msg),
        sent_at=sent_at,
        direction=direction,
        in_reply_to=in_reply_to if in_reply_to != external_id else None,
        thread_refs=tuple(dict.fromkeys(references)),
        subject=subject,
        meta=meta or None,
        location=location,
    )


def read_email(path: Path) -> Iterator[Record]:
    """Stream the messages of an ``.eml`` file, a folder of them, or an mbox."""
    company_domains = read_company_domains(path)
    for raw in iter_raw_messages(path):
        try:
            yield parse_email(raw.data, raw.location, company_domains)
        except Exception as exc:  # untrusted input: whatever fails, keep it as a dead letter
            reason = str(exc) if isinstance(exc, ValueError) else f"unreadable message: {exc!r}"
            payload = raw.data.decode("utf-8", "replace").replace("\x00", "")
            yield Rejected(raw.location, reason, payload)
