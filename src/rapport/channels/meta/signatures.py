"""Checking that a webhook delivery really comes from Meta (``X-Hub-Signature-256``)."""

from __future__ import annotations

import hashlib
import hmac

_PREFIX = "sha256="


def sign_body(body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends for ``body``: ``sha256=<hex HMAC>``."""
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return _PREFIX + digest


def verify_signature(body: bytes, header: str, app_secret: str) -> bool:
    """True when ``header`` is the HMAC-SHA256 of the raw request ``body`` under the app secret.

    The body must be the bytes as received (before any JSON decoding: Meta signs the escaped
    unicode form). The comparison takes constant time, so a forger learns nothing from
    timing; a missing secret or a header in another form is never valid.
    """
    if not app_secret or not header:
        return False
    prefix, _, given = header.strip().partition("=")
    if prefix.lower() != "sha256" or not given:
        return False
    expected = sign_body(body, app_secret)[len(_PREFIX) :]
    return hmac.compare_digest(expected.encode("ascii"), given.lower().encode("ascii", "replace"))
