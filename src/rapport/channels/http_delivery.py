"""What the HTTP senders (X, Meta) share: reading a failed exchange, the standard
``Retry-After`` header, and keeping tokens out of every message."""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import parsedate_to_datetime

import httpx

from rapport.channels.outbound import DeliveryError, DeliveryUncertain, RetryLater

# The request never left this machine: nothing can have been posted.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)
# The request could not even be formed: trying again will not help.
NOT_MADE = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)


def scrub(message: str, secrets: Iterable[str], mask: str = "[token]") -> str:
    """``message`` with every secret replaced by ``mask``."""
    for secret in secrets:
        if secret:
            message = message.replace(secret, mask)
    return message


def transport_failure(
    exc: httpx.RequestError, platform: str, secrets: Iterable[str], mask: str = "[token]"
) -> DeliveryError:
    """What a failed exchange means: nothing sent (retry), never made (give up), or the
    request left and no answer came back (maybe posted: never retried by itself)."""
    detail = scrub(f"{type(exc).__name__}: {exc}".rstrip(": "), secrets, mask)
    if isinstance(exc, NOT_SENT):
        return RetryLater(f"{platform} could not be reached, nothing was sent ({detail})")
    if isinstance(exc, NOT_MADE):
        return DeliveryError(f"{platform}: the request could not be made ({detail})")
    return DeliveryUncertain(
        f"{platform} did not answer after the reply was sent ({detail}); "
        "it may have been posted, so it is not sent again automatically"
    )


def retry_after_header(headers: httpx.Headers, now: float) -> float | None:
    """The standard ``Retry-After`` header in seconds (it may be seconds or an HTTP date)."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None
