"""Posting replies on Facebook Pages and Messenger through the Graph API.

Three calls, chosen by the reply's kind and visibility:

* a public Facebook reply is a comment on the comment answered:
  ``POST /{version}/{comment-id}/comments`` with ``message``; Graph answers ``{"id"}``;
* a private Facebook reply is a Messenger message to the comment's author, through the
  Send API with ``recipient={"comment_id": ...}`` (Private Replies: one per comment,
  within 7 days of it);
* a Messenger reply goes to the person's page-scoped id (PSID) through the Send API,
  ``POST /{version}/{page-id}/messages`` with ``recipient={"id": PSID}``,
  ``messaging_type=RESPONSE`` and ``message={"text": ...}``; Graph answers
  ``{"recipient_id", "message_id"}``. The page id is the one the message came in on
  (``reply_meta["page_id"]``), else ``me``: the Page that owns the token.

Parameters travel form-encoded in the POST body, as in Meta's own examples, with the Page
access token as ``access_token`` and, when an app secret is configured, ``appsecret_proof``
(HMAC-SHA256 of the token keyed by the app secret): the token never appears in a URL, so
it cannot leak into an error message or a proxy log.

Failures, read from the Graph error object (``{"error": {"message", "type", "code",
"error_subcode", "is_transient", "fbtrace_id"}}``) before the HTTP status:

* rate limits (codes 4, 17, 32, 613, 80001 Pages, 80006 Messenger) and transient errors
  (``is_transient``, code 2, Send API code 1200), or no connection: nothing was applied,
  :class:`RetryLater` (after ``X-Business-Use-Case-Usage``'s time to regain access, or
  ``Retry-After``);
* a timeout or dropped connection after sending, code 1 ("unknown error"; with subcode
  1357046 Meta documents that the messages went out although an error came back), or a
  5xx without a Graph error other than 503: :class:`DeliveryUncertain`;
* everything else (190 bad token, 100 bad parameter, 1/99 missing permission, 10900
  already replied, 551 person unavailable, 10 outside the messaging window):
  :class:`DeliveryError` with Graph's message, e.g. ``(#100) ...``.

Settings: ``page_access_token`` (required), ``app_secret``, ``graph_base`` (default
``https://graph.facebook.com``), ``graph_version`` (default ``v21.0``), ``timeout`` in
seconds (default 30).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
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
from rapport.store.models import ChannelKind

DEFAULT_GRAPH_BASE = "https://graph.facebook.com"
DEFAULT_GRAPH_VERSION = "v21.0"
DEFAULT_TIMEOUT = 30.0

_RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80001, 80006})
_TRANSIENT_CODES = frozenset({2, 1200})
# Code 1 is "unknown error": with subcode 99 a missing permission (nothing sent); with
# subcode 1357046 Meta documents that the messages went out although an error came back.
_UNKNOWN_CODE = 1
_MISSING_PERMISSION = 99
_SENT_DESPITE_ERROR = 1357046
_GRAPH_ID = re.compile(r"[A-Za-z0-9_.:-]+", re.ASCII)
# Failures before any byte of the request reached Meta, and requests that could not be built.


def appsecret_proof(access_token: str, app_secret: str) -> str:
    """The ``appsecret_proof`` Graph expects: hex HMAC-SHA256 of the token, keyed by the
    app secret."""
    digest = hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256)
    return digest.hexdigest()


def _regain_access_seconds(headers: httpx.Headers) -> float | None:
    """The longest ``estimated_time_to_regain_access`` (minutes) in
    ``X-Business-Use-Case-Usage``, in seconds."""
    raw = headers.get("x-business-use-case-usage")
    try:
        usage = json.loads(raw) if raw else None
    except ValueError:
        return None
    minutes = [
        entry.get("estimated_time_to_regain_access")
        for entries in (usage.values() if isinstance(usage, dict) else ())
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
    ]
    waits = [m for m in minutes if isinstance(m, int | float) and not isinstance(m, bool)]
    return max(waits) * 60.0 if waits and max(waits) > 0 else None


def _retry_after(headers: httpx.Headers) -> float | None:
    regain = _regain_access_seconds(headers)
    if regain is not None:
        return regain
    return retry_after_header(headers, time.time())


def _graph_error(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


def _describe(error: dict[str, Any]) -> str:
    message = error.get("message")
    text = message if isinstance(message, str) and message else "no message"
    codes = [f"code {error.get('code')}"]
    if error.get("error_subcode") is not None:
        codes.append(f"subcode {error.get('error_subcode')}")
    if error.get("fbtrace_id"):
        codes.append(f"fbtrace_id {error.get('fbtrace_id')}")
    return f"{text} ({', '.join(codes)})"


def _graph_failure(error: dict[str, Any], response: httpx.Response) -> DeliveryError:
    code, subcode = error.get("code"), error.get("error_subcode")
    described = _describe(error)
    maybe_sent = (
        f"Meta reported an error it may have made after sending: {described}; "
        "the reply may have been sent, so it is not sent again automatically"
    )
    if code == _UNKNOWN_CODE and subcode == _SENT_DESPITE_ERROR:
        return DeliveryUncertain(maybe_sent)
    if code in _RATE_LIMIT_CODES:
        return RetryLater(
            f"Meta rate limit reached, nothing was sent: {described}",
            retry_after=_retry_after(response.headers),
        )
    if error.get("is_transient") is True or code in _TRANSIENT_CODES:
        return RetryLater(
            f"Meta had a temporary failure, nothing was sent: {described}",
            retry_after=_retry_after(response.headers),
        )
    if code == _UNKNOWN_CODE and subcode != _MISSING_PERMISSION:
        return DeliveryUncertain(maybe_sent)
    return DeliveryError(f"Meta refused the reply ({response.status_code}): {described}")


@dataclass(frozen=True, slots=True)
class MetaReplySender:
    """Posts replies as the Facebook Page that owns ``page_access_token``."""

    page_access_token: str = field(repr=False)
    app_secret: str | None = field(default=None, repr=False)
    graph_base: str = DEFAULT_GRAPH_BASE
    graph_version: str = DEFAULT_GRAPH_VERSION
    timeout: float = DEFAULT_TIMEOUT

    def send(self, reply: OutboundReply) -> Delivered:
        """Post ``reply`` as a comment reply, a private reply or a Messenger message."""
        if not reply.text.strip():
            raise DeliveryError("Meta: the reply is empty")
        if reply.kind is ChannelKind.FACEBOOK and reply.public:
            comment = self._required(reply.in_reply_to, "the comment answered (in_reply_to)")
            answer = self._post(f"{comment}/comments", {"message": reply.text})
            return Delivered(external_id=self._field(answer, "id"))
        if reply.kind is ChannelKind.FACEBOOK:
            comment = self._required(reply.in_reply_to, "the comment answered (in_reply_to)")
            return self._send_message(reply, {"comment_id": comment})
        if reply.kind is ChannelKind.MESSENGER:
            psid = reply.recipient or reply.reply_meta.get("psid")
            psid = self._required(psid, "the person's Messenger id (recipient or psid)")
            return self._send_message(reply, {"id": psid})
        raise DeliveryError(f"Meta cannot send replies of kind {reply.kind.value!r}")

    @staticmethod
    def _required(value: Any, what: str) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not _GRAPH_ID.fullmatch(value.strip()):
            raise DeliveryError(f"Meta: the reply names no valid {what}: {value!r}")
        return value.strip()

    def _send_message(self, reply: OutboundReply, recipient: dict[str, str]) -> Delivered:
        page = reply.reply_meta.get("page_id") or "me"
        page = self._required(page, "Page (reply_meta page_id)")
        params = {
            "recipient": json.dumps(recipient),
            "messaging_type": "RESPONSE",
            "message": json.dumps({"text": reply.text}, ensure_ascii=False),
        }
        answer = self._post(f"{page}/messages", params)
        return Delivered(external_id=self._field(answer, "message_id"))

    def _post(self, path: str, params: dict[str, str]) -> httpx.Response:
        url = f"{self.graph_base.rstrip('/')}/{self.graph_version}/{path}"
        form = {**params, "access_token": self.page_access_token}
        if self.app_secret:
            form["appsecret_proof"] = appsecret_proof(self.page_access_token, self.app_secret)
        try:
            with httpx.Client(timeout=self.timeout) as client:
                response = client.post(url, data=form)
        except httpx.RequestError as exc:
            raise transport_failure(exc, "Meta", self._secrets, "[secret]") from None
        if 200 <= response.status_code < 300:
            return response
        raise self._failure(response)

    @property
    def _secrets(self) -> tuple[str, ...]:
        return (self.page_access_token, self.app_secret or "")

    def _failure(self, response: httpx.Response) -> DeliveryError:
        status = response.status_code
        error = _graph_error(response)
        if error is not None:
            failure = _graph_failure(error, response)
        elif status == 429 or status == 503:
            failure = RetryLater(
                f"Meta is unavailable ({status} {response.reason_phrase}), nothing was sent",
                retry_after=_retry_after(response.headers),
            )
        elif status >= 500:
            failure = DeliveryUncertain(
                f"Meta failed while handling the reply ({status} {response.reason_phrase}); "
                "it may have been posted, so it is not sent again automatically"
            )
        else:
            failure = DeliveryError(f"Meta refused the reply ({status} {response.reason_phrase})")
        scrubbed = scrub(str(failure), self._secrets, "[secret]")
        if isinstance(failure, RetryLater):
            return RetryLater(scrubbed, retry_after=failure.retry_after)
        return type(failure)(scrubbed)

    @staticmethod
    def _field(response: httpx.Response, key: str) -> str:
        try:
            body = response.json()
        except ValueError:
            body = None
        value = body.get(key) if isinstance(body, dict) else None
        if not isinstance(value, str) or not value:
            raise DeliveryUncertain(
                f"Meta answered {response.status_code} without the new {key}; "
                "the reply may have been posted"
            )
        return value


def _setting(settings: Mapping[str, Any], key: str, default: str) -> str:
    value = settings.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise DeliveryError(f"Meta settings: {key} must be a non-empty string, got {value!r}")
    return value.strip()


def make_sender(settings: Mapping[str, Any]) -> ReplySender:
    """A Facebook Page / Messenger reply sender from a channel's settings (see the module
    docstring)."""
    token = settings.get("page_access_token")
    if not isinstance(token, str) or not token.strip():
        raise DeliveryError("Meta settings: page_access_token is missing")
    secret = settings.get("app_secret")
    if secret is not None and not isinstance(secret, str):
        raise DeliveryError("Meta settings: app_secret must be a string")
    secret = secret.strip() if secret else None
    graph_base = _setting(settings, "graph_base", DEFAULT_GRAPH_BASE)
    if not graph_base.startswith(("http://", "https://")):
        raise DeliveryError(f"Meta settings: graph_base must be an http(s) URL: {graph_base!r}")
    version = _setting(settings, "graph_version", DEFAULT_GRAPH_VERSION)
    if not version.startswith("v") or "/" in version:
        raise DeliveryError(f"Meta settings: graph_version looks like v21.0, got {version!r}")
    timeout = settings.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise DeliveryError(f"Meta settings: timeout must be a positive number: {timeout!r}")
    return MetaReplySender(
        page_access_token=token.strip(),
        app_secret=secret or None,
        graph_base=graph_base,
        graph_version=version,
        timeout=float(timeout),
    )
