"""Posting replies on X through the X API v2 ``POST /2/tweets`` endpoint.

The reply is a new post whose ``reply.in_reply_to_tweet_id`` is the customer's tweet, sent
with an OAuth 2.0 user-context token (``Authorization: Bearer``) that holds the
``tweet.write`` scope. X answers ``201 Created`` with ``{"data": {"id", "text"}}``.

What a failure means for trying again (the delivery job decides when):

* no connection, or ``503 Service Unavailable`` ("X is overloaded"): nothing was posted,
  :class:`RetryLater`;
* ``429 Too Many Requests``: nothing was posted, :class:`RetryLater` after the rate-limit
  window resets (``x-rate-limit-reset``, or the exhausted 24-hour window, epoch seconds);
* a timeout or a dropped connection after the request went out, or a 500, 502 or 504: X
  may have posted the reply, so :class:`DeliveryUncertain` and it is not retried;
* any other refusal (401 bad token, 403 duplicate or forbidden, 400 bad request):
  :class:`DeliveryError` with X's own words.

Settings: ``access_token`` (required), ``api_base`` (default ``https://api.x.com``),
``timeout`` in seconds (default 30), ``max_length`` in weighted characters (default 280).
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from rapport.channels.http_delivery import retry_after_header, scrub, transport_failure
from rapport.channels.outbound import (
    Delivered,
    DeliveryError,
    DeliveryUncertain,
    OutboundReply,
    ReplySender,
    RetryLater,
)

DEFAULT_API_BASE = "https://api.x.com"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_LENGTH = 280

# twitter-text configuration v3: these code points weigh 1, every other one 2.
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
# A 503 means X did not take the request; a 500, 502 or 504 may come after it was applied.
_NOT_APPLIED = frozenset({503})
# Failures before any byte of the request reached X, and requests that could not be built.
_RATE_WINDOWS = (
    ("x-rate-limit-remaining", "x-rate-limit-reset"),
    ("x-user-limit-24hour-remaining", "x-user-limit-24hour-reset"),
    ("x-app-limit-24hour-remaining", "x-app-limit-24hour-reset"),
)


def weighted_length(text: str) -> int:
    """The length X counts for ``text``: most scripts (Latin, Persian, Arabic, Cyrillic...)
    weigh 1 per character after NFC normalisation, CJK and emoji weigh 2.

    Links count as they are typed here; X counts every link as 23 and may refuse a little
    more than this says, which then comes back as a :class:`DeliveryError`.
    """
    total = 0
    for char in unicodedata.normalize("NFC", text):
        point = ord(char)
        light = any(start <= point <= end for start, end in _LIGHT_RANGES)
        total += 1 if light else 2
    return total


def _seconds_until(epoch: str | None, now: float) -> float | None:
    if epoch is None or not epoch.strip().isdigit():
        return None
    return max(0.0, int(epoch.strip()) - now)


def _retry_after(headers: httpx.Headers, now: float) -> float | None:
    """Seconds until X lets the app post again: the latest reset among exhausted windows,
    else ``x-rate-limit-reset``, else the ``Retry-After`` header."""
    exhausted = [
        _seconds_until(headers.get(reset), now)
        for remaining, reset in _RATE_WINDOWS
        if headers.get(remaining, "").strip() == "0"
    ]
    waits = [wait for wait in exhausted if wait is not None]
    if waits:
        return max(waits)
    reset = _seconds_until(headers.get("x-rate-limit-reset"), now)
    return reset if reset is not None else retry_after_header(headers, now)


def _problem(response: httpx.Response) -> str:
    """X's own description of a refusal: the problem's ``detail`` (or ``title``) and the
    first of its ``errors``, else the HTTP reason."""
    try:
        body = response.json()
    except ValueError:
        body = None
    parts: list[str] = []
    if isinstance(body, dict):
        for key in ("detail", "title"):
            if isinstance(body.get(key), str) and body[key]:
                parts.append(body[key])
                break
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0].get("message") or errors[0].get("detail")
            if isinstance(first, str) and first and first not in parts:
                parts.append(first)
    return ": ".join(parts) or response.reason_phrase or "no explanation"


def _posted_id(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    data = body.get("data") if isinstance(body, dict) else None
    post_id = data.get("id") if isinstance(data, dict) else None
    return post_id if isinstance(post_id, str) and post_id else None


@dataclass(frozen=True, slots=True)
class XReplySender:
    """Posts replies as the account that owns ``access_token``."""

    access_token: str = field(repr=False)
    api_base: str = DEFAULT_API_BASE
    timeout: float = DEFAULT_TIMEOUT
    max_length: int = DEFAULT_MAX_LENGTH

    def send(self, reply: OutboundReply) -> Delivered:
        """Post ``reply.text`` as a reply to the tweet ``reply.in_reply_to``."""
        if not reply.in_reply_to:
            raise DeliveryError("X: the reply names no tweet to answer (in_reply_to is empty)")
        if not reply.text.strip():
            raise DeliveryError("X: the reply is empty")
        length = weighted_length(reply.text)
        if length > self.max_length:
            raise DeliveryError(
                f"X: the reply is {length} characters long as X counts them; "
                f"the limit is {self.max_length}. Shorten it and send again."
            )
        body = {"text": reply.text, "reply": {"in_reply_to_tweet_id": reply.in_reply_to}}
        response = self._post(body)
        return self._read(response)

    def _post(self, body: dict[str, Any]) -> httpx.Response:
        url = f"{self.api_base.rstrip('/')}/2/tweets"
        headers = {"Authorization": f"Bearer {self.access_token}"}
        try:
            with httpx.Client(timeout=self.timeout) as client:
                return client.post(url, json=body, headers=headers)
        except httpx.RequestError as exc:
            raise transport_failure(exc, "X", [self.access_token]) from None

    def _read(self, response: httpx.Response) -> Delivered:
        status = response.status_code
        if 200 <= status < 300:
            post_id = _posted_id(response)
            if post_id is None:
                raise DeliveryUncertain(
                    f"X answered {status} without the new post's id; the reply may be posted"
                )
            return Delivered(external_id=post_id)
        problem = scrub(_problem(response), [self.access_token])
        if status == 429:
            wait = _retry_after(response.headers, time.time())
            raise RetryLater(f"X rate limit reached (429): {problem}", retry_after=wait)
        if status in _NOT_APPLIED:
            raise RetryLater(
                f"X is unavailable ({status}), nothing was posted: {problem}",
                retry_after=retry_after_header(response.headers, time.time()),
            )
        if status >= 500:
            raise DeliveryUncertain(
                f"X failed while handling the reply ({status}: {problem}); "
                "it may have been posted, so it is not sent again automatically"
            )
        raise DeliveryError(f"X refused the reply ({status}): {problem}")


def _number(settings: Mapping[str, Any], key: str, default: float) -> float:
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise DeliveryError(f"X settings: {key} must be a positive number, got {value!r}")
    return float(value)


def make_sender(settings: Mapping[str, Any]) -> ReplySender:
    """An X reply sender from a channel's settings (see the module docstring)."""
    token = settings.get("access_token")
    if not isinstance(token, str) or not token.strip():
        raise DeliveryError("X settings: access_token (an OAuth 2.0 user token) is missing")
    api_base = settings.get("api_base", DEFAULT_API_BASE)
    if not isinstance(api_base, str) or not api_base.startswith(("http://", "https://")):
        raise DeliveryError(f"X settings: api_base must be an http(s) URL, got {api_base!r}")
    max_length = _number(settings, "max_length", DEFAULT_MAX_LENGTH)
    if max_length != int(max_length):
        raise DeliveryError(f"X settings: max_length must be a whole number, got {max_length}")
    return XReplySender(
        access_token=token.strip(),
        api_base=api_base,
        timeout=_number(settings, "timeout", DEFAULT_TIMEOUT),
        max_length=int(max_length),
    )
