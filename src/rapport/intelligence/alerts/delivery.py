"""Telling the world an alert fired: an e-mail with the posts, and a signed webhook.

Runs after the transaction that recorded the event committed. Each event is claimed once
(``pending`` → ``sending``), so no e-mail or webhook goes out twice; what happened to each
channel (sent, failed and why, attempts) is written back to the event. A failure is
recorded, never raised: a dead mail server does not stop the check.

The webhook is a ``POST`` of the event's JSON document with
``X-Rapport-Signature: sha256=<hex HMAC-SHA256 of the body under the rule's secret>``;
connection failures, 429 and 5xx answers are tried again (three attempts in all).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import ssl
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import httpx

from rapport.channels.email.sender import SmtpSettings, read_settings
from rapport.channels.outbound import DeliveryError
from rapport.config import Settings, get_settings
from rapport.intelligence.alerts import store
from rapport.intelligence.alerts.check import describe
from rapport.intelligence.alerts.history import load_document
from rapport.intelligence.trends.buckets import time_zone
from rapport.store.db import Database

log = logging.getLogger(__name__)

ATTEMPTS = 3
BACKOFF_SECONDS = (0.5, 2.0)
WEBHOOK_TIMEOUT = 10.0
SIGNATURE_HEADER = "X-Rapport-Signature"
Sleep = Callable[[float], None]


def signature(secret: str, body: bytes) -> str:
    """The ``X-Rapport-Signature`` value of ``body``: ``sha256=<hex>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _plain(text: str) -> str:
    """Untrusted text for a plain-text e-mail: no control characters but line breaks."""
    return "".join(c if c == "\n" or (ord(c) >= 32 and ord(c) != 127) else " " for c in text)


def _one_line(text: str) -> str:
    return " ".join(_plain(text).split())


def compose_email(document: dict[str, Any], sender: str, recipients: list[str]) -> EmailMessage:
    """The alert as a plain-text e-mail listing the posts that caused it."""
    rule = document["rule"]
    zone = time_zone(rule["time_zone"])
    start = datetime.fromisoformat(document["window"]["start"]).astimezone(zone)
    end = datetime.fromisoformat(document["window"]["end"]).astimezone(zone)
    what = describe(rule["metric"], document["observed"], document["expected"])
    subject = rule["subject_value"] or "all messages"
    lines = [
        f"Rapport alert {_one_line(rule['name'])!s}",
        "",
        f"Watching: {rule['subject_kind']} {_one_line(subject)} "
        f"({rule['metric']}, per {rule['interval']})",
        f"Window: {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} {zone.key}",
        f"Observed: {what}; score {document['score']:.1f} ({document['basis']})",
        "",
        f"The posts behind it ({len(document['posts'])}):",
    ]
    for post in document["posts"]:
        sent = datetime.fromisoformat(post["sent_at"]).astimezone(zone)
        reading = post["sentiment"] or "not read"
        lines += [
            "",
            f"- {sent:%Y-%m-%d %H:%M} · {_one_line(post['channel'])} · "
            f"{_one_line(post['author'])} · {reading}",
            *(f"  {line}" for line in _plain(post["text"]).splitlines()),
        ]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = f"[Rapport] {_one_line(rule['name'])}: {what}"
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid("rapport.alert")
    message.set_content("\n".join(lines) + "\n", charset="utf-8")
    return message


def smtp_settings(settings: Settings) -> SmtpSettings | None:
    """The checked SMTP settings, or None when ``RAPPORT_SMTP_HOST`` is unset."""
    if not settings.smtp_host:
        return None
    return read_settings(
        {
            "smtp_host": settings.smtp_host,
            "smtp_port": settings.smtp_port,
            "smtp_security": settings.smtp_security,
            "smtp_username": settings.smtp_username,
            "smtp_password": settings.smtp_password,
            "from_address": settings.smtp_from,
            "from_name": "Rapport",
        }
    )


def _send_email(smtp: SmtpSettings, message: EmailMessage, recipients: list[str]) -> str:
    if smtp.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=smtp.timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    try:
        if smtp.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if smtp.username and smtp.password:
            client.login(smtp.username, smtp.password)
        refused = client.send_message(message, smtp.from_address.addr_spec, recipients)
    finally:
        try:
            client.quit()
        except OSError:
            client.close()
    if refused:
        return "refused " + ", ".join(sorted(refused))
    return f"accepted by {smtp.host}:{smtp.port}"


def _email(
    document: dict[str, Any], emails: list[str], settings: Settings, sleep: Sleep
) -> dict[str, Any]:
    if not emails:
        return {"status": "skipped", "detail": "no addresses"}
    try:
        smtp = smtp_settings(settings)
    except DeliveryError as exc:
        return {"status": "failed", "attempts": 0, "detail": str(exc)}
    if smtp is None:
        return {"status": "skipped", "detail": "RAPPORT_SMTP_HOST is not set"}
    message = compose_email(document, smtp.from_address.addr_spec, emails)
    detail = ""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            detail = _send_email(smtp, message, emails)
            return {"status": "sent", "attempts": attempt, "detail": detail}
        except smtplib.SMTPResponseException as exc:
            detail = f"{exc.smtp_code} {exc.smtp_error!r}"
            if exc.smtp_code >= 500:
                return {"status": "failed", "attempts": attempt, "detail": detail}
        except (smtplib.SMTPException, OSError) as exc:
            detail = f"{type(exc).__name__}: {exc}"
        if attempt < ATTEMPTS:
            sleep(BACKOFF_SECONDS[attempt - 1])
    return {"status": "failed", "attempts": ATTEMPTS, "detail": detail}


def _webhook(document: dict[str, Any], url: str, secret: str, sleep: Sleep) -> dict[str, Any]:
    body = json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: signature(secret, body),
        "X-Rapport-Event": str(document["id"]),
        "User-Agent": "Rapport-Alerts",
    }
    detail = ""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            answer = httpx.post(url, content=body, headers=headers, timeout=WEBHOOK_TIMEOUT)
        except httpx.HTTPError as exc:
            detail = f"{type(exc).__name__}: {exc}"
        else:
            detail = f"HTTP {answer.status_code}"
            if answer.is_success:
                return {"status": "sent", "attempts": attempt, "detail": detail}
            if answer.status_code != 429 and answer.status_code < 500:
                return {"status": "failed", "attempts": attempt, "detail": detail}
        if attempt < ATTEMPTS:
            sleep(BACKOFF_SECONDS[attempt - 1])
    return {"status": "failed", "attempts": ATTEMPTS, "detail": detail}


def deliver_event(
    db: Database, event_id: int, *, settings: Settings | None = None, sleep: Sleep = time.sleep
) -> dict[str, Any]:
    """Send a claimed event's e-mail and webhook; record and return how each went."""
    with db.session() as session:
        found = store.event_with_rule(session, event_id)
        if found is None:
            return {}
        event, rule = found
        document = load_document(session, event, rule)
        emails, url, secret = list(rule.emails), rule.webhook_url, rule.webhook_secret
        delivery = dict(event.delivery)
    config = settings or get_settings()
    try:
        delivery["email"] = _email(document, emails, config, sleep)
    except Exception as exc:  # an e-mail failure must never stop the webhook or the check
        log.exception("alert %s: e-mail failed", event_id)
        delivery["email"] = {"status": "failed", "detail": f"{type(exc).__name__}: {exc}"}
    if url and secret:
        try:
            delivery["webhook"] = _webhook(document, url, secret, sleep)
        except Exception as exc:
            log.exception("alert %s: webhook failed", event_id)
            delivery["webhook"] = {"status": "failed", "detail": f"{type(exc).__name__}: {exc}"}
    with db.session() as session:
        store.set_delivery(session, event_id, "done", delivery)
    return delivery


def deliver_pending(
    db: Database, *, settings: Settings | None = None, sleep: Sleep = time.sleep
) -> dict[int, dict[str, Any]]:
    """Claim every event whose e-mail and webhook have not gone out, and send them."""
    with db.session() as session:
        claimed = store.claim_pending(session)
    return {
        event_id: deliver_event(db, event_id, settings=settings, sleep=sleep)
        for event_id in claimed
    }
