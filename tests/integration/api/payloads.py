"""Small builders the API tests share: request bodies and how to read answers."""

from __future__ import annotations

from datetime import datetime

PASSWORD = "correct horse battery"


def message(
    external_id: str,
    text: str,
    sent_at: str,
    author: str | dict[str, object] = "customer-1",
    **extra: object,
) -> dict[str, object]:
    """A body for POST /api/v1/messages in Rapport's generic format."""
    return {"id": external_id, "text": text, "sent_at": sent_at, "author": author, **extra}


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
