"""What a reply must be before it is queued: its channel's way of answering (public or
private), its length, its signature, and canned replies in the customer's language.

Each check raises :class:`~rapport.errors.InvalidInput` saying what to change.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rapport.engage.actions import render_template
from rapport.errors import InvalidInput
from rapport.store.engagement import CannedReply
from rapport.store.models import ChannelKind

# Graph API limits: a Messenger message holds 2,000 characters, a Page comment 8,000.
MESSENGER_LIMIT = 2000
COMMENT_LIMIT = 8000
# Meta allows one private reply per comment, within 7 days of it.
PRIVATE_REPLY_WINDOW = timedelta(days=7)


def reply_kind(channel_kind: str, answered_meta: Mapping[str, Any] | None) -> ChannelKind:
    """How a reply is sent: as its channel's kind, except that a Messenger message imported
    on a Facebook channel (it has a ``psid``) is answered on Messenger."""
    kind = ChannelKind(channel_kind)
    if kind is ChannelKind.FACEBOOK and (answered_meta or {}).get("psid"):
        return ChannelKind.MESSENGER
    return kind


def render_canned(
    session: Session,
    workspace_id: int,
    name: str,
    *,
    language: str | None,
    values: Mapping[str, str],
    fallback_language: str | None = None,
) -> str:
    """The canned reply ``name`` in ``language`` (else ``fallback_language``, else English,
    else any), its placeholders filled from ``values``; fills an agent's editor too."""
    versions = {
        row.language: row.body
        for row in session.scalars(
            select(CannedReply).where(CannedReply.workspace_id == workspace_id)
        )
        if row.name.casefold() == name.strip().casefold()
    }
    if not versions:
        raise InvalidInput(f"canned: there is no canned reply named {name!r}")
    body = next(
        (versions[lang] for lang in (language, fallback_language) if lang and lang in versions),
        None,
    )
    if body is None:
        body = versions.get("en") or versions[min(versions)]
    if "{case_number}" in body and "case_number" not in values:
        raise InvalidInput(
            f"canned: {name!r} mentions the case number, and this conversation has no case"
        )
    return render_template(body, values).strip()


def signed(text: str, signature: str) -> str:
    """``text`` with ``signature`` under it, unless it already ends with it."""
    if " ".join(text.split()).endswith(" ".join(signature.split())):
        return text
    return f"{text.rstrip()}\n\n{signature}"


def decide_public(
    kind: ChannelKind, public: bool | None, *, answered_at: datetime, now: datetime
) -> bool:
    """Whether the reply is public, as the channel allows; a clear error otherwise."""
    if kind in (ChannelKind.EMAIL, ChannelKind.MESSENGER):
        if public:
            where = "an e-mail" if kind is ChannelKind.EMAIL else "a Messenger message"
            raise InvalidInput(
                f"public: a reply to {where} is private (it goes to the customer alone); "
                "it cannot be public"
            )
        return False
    if kind is ChannelKind.TWITTER:
        if public is False:
            raise InvalidInput(
                "public: private replies on X (direct messages) are not supported yet; "
                "send a public reply to the post"
            )
        return True
    if kind is ChannelKind.FACEBOOK:
        if public is False and now - answered_at > PRIVATE_REPLY_WINDOW:
            raise InvalidInput(
                "public: a private reply to a Facebook comment must be sent within 7 days "
                "of the comment; answer it publicly instead"
            )
        return public is not False
    raise InvalidInput(f"channels of kind {kind.value!r} cannot send replies")


def check_length(kind: ChannelKind, public: bool, text: str, settings: Mapping[str, Any]) -> None:
    """Refuse now a text the platform would refuse for its length."""
    if kind is ChannelKind.TWITTER:
        from rapport.channels.twitter.client import DEFAULT_MAX_LENGTH, weighted_length

        limit = settings.get("max_length", DEFAULT_MAX_LENGTH)
        length = weighted_length(text)
        if isinstance(limit, int | float) and not isinstance(limit, bool) and length > limit:
            raise InvalidInput(
                f"text: the reply with your signature is {length} characters as X counts "
                f"them; the limit is {int(limit)}"
            )
        return
    limit = None
    if kind is ChannelKind.MESSENGER or (kind is ChannelKind.FACEBOOK and not public):
        limit = MESSENGER_LIMIT
    elif kind is ChannelKind.FACEBOOK:
        limit = COMMENT_LIMIT
    if limit is not None and len(text) > limit:
        raise InvalidInput(
            f"text: the reply with your signature is {len(text)} characters; "
            f"{'Messenger' if limit == MESSENGER_LIMIT else 'a comment'} takes {limit}"
        )
