"""The checks every message passes before it is stored, whatever channel it came from.

Ids that do not fit their columns, or hold a NUL character (PostgreSQL text cannot), make a
message unusable: it is rejected with the field named. Display fields are only tidied: a
long name or subject is shortened and NULs are dropped, so the message itself is not lost.
"""

from __future__ import annotations

from rapport.ingest.records import InboundMessage

ID_LENGTH = 500  # messages.external_id, in_reply_to, thread_links.ref
AUTHOR_ID_LENGTH = 320  # identities.external_id
_SHORTEN = (("author_name", 300), ("author_handle", 320), ("author_email", 320), ("subject", 500))


def _id_problem(field: str, value: str | None, limit: int, required: bool) -> str | None:
    if value is None or value == "":
        return f"{field}: missing" if required else None
    if len(value) > limit:
        return f"{field}: longer than {limit} characters"
    if "\x00" in value:
        return f"{field}: contains a NUL character"
    return None


def message_problem(message: InboundMessage) -> str | None:
    """Why ``message`` cannot be stored, or None; tidies its display fields in place."""
    ext, author, parent = message.external_id, message.author_id, message.in_reply_to
    # The common case, checked in one go: every message of an import passes through here.
    if (
        0 < len(ext) <= ID_LENGTH
        and 0 < len(author) <= AUTHOR_ID_LENGTH
        and (parent is None or len(parent) <= ID_LENGTH)
        and "\x00" not in ext
        and "\x00" not in author
        and (parent is None or "\x00" not in parent)
        and not message.thread_refs
        and message.sent_at.tzinfo is not None
        and "\x00" not in message.text
        and (message.author_name is None or len(message.author_name) <= 300)
        and (message.subject is None or len(message.subject) <= 500)
        and (message.author_handle is None or len(message.author_handle) <= 320)
        and (message.author_email is None or len(message.author_email) <= 320)
    ):
        return None
    return _slow_check(message)


def _slow_check(message: InboundMessage) -> str | None:
    problem = (
        _id_problem("id", message.external_id, ID_LENGTH, True)
        or _id_problem("author.id", message.author_id, AUTHOR_ID_LENGTH, True)
        or _id_problem("in_reply_to", message.in_reply_to, ID_LENGTH, False)
    )
    if problem:
        return problem
    for ref in message.thread_refs:
        problem = _id_problem("thread", ref, ID_LENGTH, True)
        if problem:
            return problem
    if message.sent_at.tzinfo is None:
        return "sent_at: has no time zone"
    if "\x00" in message.text:
        message.text = message.text.replace("\x00", "")
    for field, limit in _SHORTEN:
        value = getattr(message, field)
        if value is not None and (len(value) > limit or "\x00" in value):
            value = value.replace("\x00", "")
            setattr(message, field, value if len(value) <= limit else value[: limit - 1] + "…")
    return None
