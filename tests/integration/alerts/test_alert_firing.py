"""An alert rule watching the workspace fires once on a burst of angry messages: the user
sees it in their notifications, an SMTP server receives the e-mail with the posts, and a
webhook receiver gets the JSON document with a valid HMAC signature."""

from __future__ import annotations

import email
import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select
from tests.integration.alerts.burst import (
    ANGRY,
    BURST,
    BURST_START,
    NOW,
    make_user,
    message,
    store,
    store_burst,
)

from rapport.config import Settings
from rapport.engage.notifications import list_notifications
from rapport.intelligence.alerts.check import check_alerts
from rapport.intelligence.alerts.delivery import deliver_pending
from rapport.intelligence.alerts.history import list_events
from rapport.intelligence.alerts.rules import create_rule
from rapport.store.alerts import AlertEvent
from rapport.store.db import Database

SECRET = "s3cret-for-hmac"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mailbox:
    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox, port = Mailbox(), _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


class Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]]
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers.items()), body))
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[list[tuple[dict[str, str], bytes]], str]]:
    received: list[tuple[dict[str, str], bytes]] = []
    handler = type("Handler", (Receiver,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield received, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_a_burst_fires_once_and_reaches_the_app_the_mailbox_and_the_webhook(
    db: Database, smtp: tuple[Mailbox, int], webhook: tuple[list[Any], str]
) -> None:
    ws = store_burst(db)
    user = make_user(db, ws)
    mailbox, port = smtp
    received, url = webhook
    with db.session() as session:
        create_rule(
            session,
            ws,
            {
                "name": "Spike on X",
                "metric": "volume",
                "notify_user_ids": [user],
                "emails": ["care-lead@acme.example"],
                "webhook_url": url,
                "webhook_secret": SECRET,
            },
        )
    with db.session() as session:
        fired = check_alerts(session, ws, NOW)
    assert len(fired) == 1
    assert fired[0].observed == BURST
    assert fired[0].expected == 1
    assert fired[0].window_start.hour == 8
    # The next tick, and a forced re-check of the same window, fire nothing more.
    with db.session() as session:
        assert check_alerts(session, ws, NOW) == []
        assert check_alerts(session, ws, NOW, force=True) == []

    with db.session() as session:
        [note] = list_notifications(session, user).items
    assert note.kind == "alert"
    assert "Spike on X" in note.text
    assert "30 messages" in note.text

    settings = Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_from="alerts@acme.example")
    outcome = deliver_pending(db, settings=settings, sleep=lambda _: None)
    assert len(outcome) == 1
    # Delivered once: a second run finds nothing pending.
    assert deliver_pending(db, settings=settings, sleep=lambda _: None) == {}

    [envelope] = mailbox.envelopes
    assert envelope.rcpt_tos == ["care-lead@acme.example"]
    mail = email.message_from_bytes(cast(bytes, envelope.original_content), policy=policy.default)
    assert "Spike on X" in str(mail["Subject"])
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert text.count(ANGRY) == 20  # the sample: twenty of the thirty posts
    assert "Window: 2026-11-30 08:00 to 2026-11-30 09:00 UTC" in text

    [(headers, raw)] = received
    expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert headers["X-Rapport-Signature"] == expected
    document = json.loads(raw)
    assert document["rule"]["name"] == "Spike on X"
    assert document["observed"] == BURST
    assert document["expected"] == 1
    assert len(document["posts"]) == 20
    assert all(ANGRY in p["text"] for p in document["posts"])

    with db.session() as session:
        [event] = list_events(session, ws).items
    assert event["delivery"]["email"]["status"] == "sent"
    assert event["delivery"]["webhook"]["status"] == "sent"
    assert event["delivery"]["in_app"]["users"] == [user]


def test_negative_share_rule_fires_and_a_dead_webhook_is_recorded(db: Database) -> None:
    ws = store_burst(db)
    with db.session() as session:
        create_rule(
            session,
            ws,
            {
                "name": "Anger",
                "metric": "negative-share",
                "webhook_url": f"http://127.0.0.1:{_free_port()}/nobody-listens",
                "webhook_secret": SECRET,
            },
        )
    with db.session() as session:
        [alert] = check_alerts(session, ws, NOW)
    assert alert.observed == 1.0
    assert alert.expected < 0.05
    sleeps: list[float] = []
    [delivery] = deliver_pending(db, settings=Settings(), sleep=sleeps.append).values()
    assert delivery["webhook"]["status"] == "failed"
    assert delivery["webhook"]["attempts"] == 3
    assert len(sleeps) == 2
    assert delivery["email"]["status"] == "skipped"
    with db.session() as session:
        state = session.scalars(select(AlertEvent.delivery_state)).all()
    assert "sending" not in state


def test_quiet_history_without_a_burst_fires_nothing(db: Database) -> None:
    ws = store_burst(db)
    with db.session() as session:
        create_rule(session, ws, {"name": "Spike", "metric": "volume"})
    earlier = NOW.replace(hour=7)  # judging 06:00-07:00: an ordinary quiet hour
    with db.session() as session:
        assert check_alerts(session, ws, earlier) == []


def test_cooldown_keeps_the_next_window_quiet(db: Database) -> None:
    ws = store_burst(db)
    with db.session() as session:
        create_rule(session, ws, {"name": "Spike", "metric": "volume", "cooldown_seconds": 0})
        create_rule(session, ws, {"name": "Spike, cooled", "metric": "volume"})
    # Judge 08:00-09:00 (fires both), then 09:00-10:00 when the burst goes on.
    store_more = NOW.replace(hour=10)
    with db.session() as session:
        assert {a.rule for a in check_alerts(session, ws, NOW)} == {"Spike", "Spike, cooled"}
    later = BURST_START + timedelta(hours=1)
    store(
        db,
        ws,
        [
            message(f"l{i}", "still waiting!", f"late{i}", later + timedelta(minutes=i))
            for i in range(40)
        ],
    )
    with db.session() as session:
        assert [a.rule for a in check_alerts(session, ws, store_more)] == ["Spike"]


def test_the_periodic_job_checks_every_workspace_once_per_window(db: Database) -> None:
    from rapport.jobs.tasks import check_all_alerts

    ws = store_burst(db)
    with db.session() as session:
        create_rule(session, ws, {"name": "Spike", "metric": "volume"})
    assert check_all_alerts(db, NOW) >= 1  # other tests' workspaces share the database
    assert check_all_alerts(db, NOW) == 0
    with db.session() as session:
        assert list_events(session, ws).total == 1


def test_celery_beat_runs_the_alert_check(tmp_path: Path) -> None:
    from rapport.jobs.celery_app import ALERTS_TASK, make_celery

    celery = make_celery("memory://", f"sqlite:///{tmp_path / 'beat.db'}")
    assert ALERTS_TASK in celery.tasks
    assert celery.conf.beat_schedule["check-alerts"]["task"] == ALERTS_TASK
