"""The demo workspace the engagement browser tests run on: loaded as ``make demo`` does,
with its e-mail channel sending to a real local SMTP server (aiosmtpd), and helpers."""

from __future__ import annotations

import email
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select
from tests.e2e.conftest import add_messages, rapport_command

from rapport.ingest.records import InboundMessage
from rapport.store.db import Database
from rapport.store.models import Channel, ChannelKind, Direction, Message, User, Workspace

MAILBOX = "support@fjordandpine.example"
HOSTILE = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">Hi!'


@dataclass
class Mailbox:
    """A real SMTP server's handler: keeps every message it accepts."""

    answer: str = "250 2.0.0 Ok: queued"
    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.answer.startswith("2"):
            self.envelopes.append(envelope)
        return self.answer

    def messages(self) -> list[EmailMessage]:
        return [
            cast(
                EmailMessage,
                email.message_from_bytes(cast(bytes, e.original_content), policy=policy.default),
            )
            for e in self.envelopes
        ]


@dataclass(frozen=True, slots=True)
class Demo:
    db: Database
    workspace_id: int
    mailbox: Mailbox
    hostile_conversation: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def demo_workspace(work: Path) -> Iterator[Demo]:
    """``rapport demo load`` (no twcs) in ``work``, its e-mail channel sending to a real
    SMTP server on 127.0.0.1, and a post full of markup."""
    url = f"sqlite:///{work / 'demo.db'}"
    loaded = subprocess.run(
        [*rapport_command(), "demo", "load", "--no-twcs", "--quiet"],
        env={"RAPPORT_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    db = Database(url)
    with db.session() as session:
        workspace_id = session.scalars(select(Workspace.id)).one()
        channel = session.scalars(
            select(Channel).where(Channel.workspace_id == workspace_id, Channel.kind == "email")
        ).one()
        channel.settings = {
            "smtp_host": "127.0.0.1",
            "smtp_port": controller.port,
            "from_address": MAILBOX,
            "from_name": "Fjord & Pine",
            "timeout": 5,
        }
    add_messages(
        db,
        workspace_id,
        [
            InboundMessage(
                external_id="hostile-1",
                author_id="mallory",
                author_name="Mallory <b>M</b>",
                author_handle="mallory",
                text=HOSTILE,
                sent_at=datetime.now(UTC) - timedelta(minutes=1),
                direction=Direction.INBOUND,
            )
        ],
        channel="twitter",
        kind=ChannelKind.TWITTER,
    )
    with db.session() as session:
        hostile = session.scalars(
            select(Message.conversation_id).where(Message.external_id == "hostile-1")
        ).one()
    yield Demo(db, workspace_id, mailbox, hostile)
    controller.stop()
    db.dispose()


def choose(tab: Any, testid: str, option: str) -> None:
    """Pick ``option`` in the Quasar select ``testid``."""
    tab.get_by_test_id(testid).click()
    tab.locator(".q-menu .q-item", has_text=option).first.click()


def user_id(db: Database, address: str) -> int:
    with db.session() as session:
        return session.scalars(select(User.id).where(User.email == address)).one()
