"""X API v2 tweet objects, as the search, timeline and lookup endpoints return them.

A file is either JSON lines — one tweet object per line, or one whole response per line —
or one JSON document: a response ``{"data": [...] | {...}, "includes": {"users": [...]}}``,
or a list of responses. Each tweet needs ``id``, ``text``, ``created_at`` and
``author_id`` (request ``tweet.fields=created_at,author_id,conversation_id,referenced_tweets``
and ``expansions=author_id`` with ``user.fields=public_metrics``). A tweet's author name,
username and follower count come from the ``includes.users`` of the same response (or from
an embedded ``author`` object, as flattening tools write it).

Threading: ``referenced_tweets`` of type ``replied_to`` gives the tweet answered, and
``conversation_id`` joins every tweet of an X conversation through the ref
``x-conv:<conversation_id>``.

Direction: X does not say which tweets are the company's, so the file does. A payload (a
line, or the document) may carry ``"rapport": {"company_accounts": ["1234", "AcmeHelp"]}``
listing the company's user ids or usernames (case-insensitive); from there on, a tweet by one
of those accounts is outbound and every other tweet inbound. Ids always match; a username
matches only when the author's user object is in the payload.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from rapport.channels.json_payloads import JsonPayload, as_raw, iter_json_payloads
from rapport.ingest.records import InboundMessage, Record, Rejected
from rapport.store.models import Direction

CONVERSATION_PREFIX = "x-conv:"


def unescape_tweet_text(text: str) -> str:
    """Undo X's escaping of ``&``, ``<`` and ``>`` (and nothing else: ``&copy;`` stays)."""
    if "&" not in text:
        return text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _id(value: Any, field: str) -> str:
    if value is None or value == "":
        raise ValueError(f"{field}: missing")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{field}: expected an id string, got {type(value).__name__}")
    return str(value)


def _optional_id(value: Any, field: str) -> str | None:
    return None if value is None or value == "" else _id(value, field)


def _created_at(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError(
            "created_at: missing" if value is None else "created_at: expected a string"
        )
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"created_at: not an ISO 8601 time: {value!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"created_at: {value!r} has no time zone")
    return moment


def _text(tweet: dict[str, Any]) -> str:
    # A long post keeps its first 280 characters in ``text`` and the whole in note_tweet.
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("text"), str):
        return str(note["text"])
    text = tweet.get("text")
    if not isinstance(text, str):
        raise ValueError("text: missing" if text is None else "text: expected a string")
    return text


def _replied_to(tweet: dict[str, Any]) -> str | None:
    refs = tweet.get("referenced_tweets")
    if refs is None:
        return None
    if not isinstance(refs, list):
        raise ValueError("referenced_tweets: expected a list")
    for ref in refs:
        if not isinstance(ref, dict):
            raise ValueError("referenced_tweets: expected objects with type and id")
        if ref.get("type") == "replied_to":
            return _id(ref.get("id"), "referenced_tweets.id")
    return None


def _followers(user: dict[str, Any]) -> int | None:
    metrics = user.get("public_metrics")
    if not isinstance(metrics, dict):
        return None
    count = metrics.get("followers_count")
    return count if isinstance(count, int) and not isinstance(count, bool) else None


def parse_tweet(
    tweet: Any, users: dict[str, dict[str, Any]], company: set[str], location: str
) -> InboundMessage:
    """One v2 tweet object as a message; raise ``ValueError`` naming the bad field."""
    if not isinstance(tweet, dict):
        raise ValueError(f"expected a tweet object, got {type(tweet).__name__}")
    external_id = _id(tweet.get("id"), "id")
    text = unescape_tweet_text(_text(tweet)).replace("\x00", "")
    sent_at = _created_at(tweet.get("created_at"))
    embedded = tweet.get("author")
    embedded_id = embedded.get("id") if isinstance(embedded, dict) else None
    author_id = _id(tweet.get("author_id") or embedded_id, "author_id")
    user = users.get(author_id) or (embedded if isinstance(embedded, dict) else {})
    name = user.get("name") if isinstance(user.get("name"), str) else None
    username = user.get("username") if isinstance(user.get("username"), str) else None
    outbound = author_id in company or (username is not None and username.lower() in company)
    conversation = _optional_id(tweet.get("conversation_id"), "conversation_id")
    meta = {
        key: tweet[key]
        for key in ("conversation_id", "in_reply_to_user_id", "lang")
        if isinstance(tweet.get(key), str)
    }
    return InboundMessage(
        external_id=external_id,
        author_id=author_id,
        author_name=name,
        author_handle=username,
        followers_count=_followers(user),
        text=text,
        sent_at=sent_at,
        direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
        in_reply_to=_replied_to(tweet),
        thread_refs=(CONVERSATION_PREFIX + conversation,) if conversation else (),
        meta=meta or None,
        location=location,
    )


def _company_accounts(settings: Any) -> set[str]:
    accounts = settings.get("company_accounts") if isinstance(settings, dict) else None
    if not isinstance(accounts, list) or not all(
        isinstance(a, str | int) and not isinstance(a, bool) for a in accounts
    ):
        raise ValueError("rapport.company_accounts: expected a list of user ids or usernames")
    return {str(a).lstrip("@").lower() for a in accounts}


def _included_users(response: dict[str, Any]) -> dict[str, dict[str, Any]]:
    includes = response.get("includes")
    listed = includes.get("users") if isinstance(includes, dict) else None
    if not isinstance(listed, list):
        return {}
    return {str(u["id"]): u for u in listed if isinstance(u, dict) and "id" in u}


def _read_payload(payload: JsonPayload, company: set[str]) -> Iterator[Record]:
    value, location = payload.value, payload.location
    if not isinstance(value, dict):
        yield Rejected(location, f"expected a JSON object, got {type(value).__name__}", payload.raw)
        return
    if "rapport" in value:
        try:
            company.update(_company_accounts(value["rapport"]))
        except ValueError as exc:
            yield Rejected(location, str(exc), payload.raw)
            return
    if "data" in value:
        data, users = value["data"], _included_users(value)
        tweets = [("", data)] if isinstance(data, dict) else None
        if isinstance(data, list):
            tweets = [(f" data[{i}]", t) for i, t in enumerate(data)]
        if tweets is None:
            yield Rejected(location, "data: expected a tweet object or a list", payload.raw)
            return
        for suffix, tweet in tweets:
            try:
                yield parse_tweet(tweet, users, company, location + suffix)
            except ValueError as exc:
                raw = as_raw(tweet) if suffix else payload.raw
                yield Rejected(location + suffix, str(exc), raw)
    elif "id" in value or "text" in value:
        try:
            yield parse_tweet(value, {}, company, location)
        except ValueError as exc:
            yield Rejected(location, str(exc), payload.raw)
    elif not ({"rapport", "meta", "errors"} & value.keys()):
        # An empty page ({"meta": {"result_count": 0}}) or a settings line is not an error.
        yield Rejected(
            location, "expected a tweet object (id, text) or a response with data", payload.raw
        )


def read_xv2(path: Path) -> Iterator[Record]:
    """Stream the tweets of an X API v2 file as messages, or a rejection per bad tweet."""
    company: set[str] = set()
    for payload in iter_json_payloads(path):
        if isinstance(payload, Rejected):
            yield payload
        else:
            yield from _read_payload(payload, company)
