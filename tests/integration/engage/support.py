"""What reply tests share: a real SMTP server on 127.0.0.1, and a support desk made through
Rapport's own services (a workspace's channel, an agent with a signature, canned replies,
and a customer's e-mails read by the real e-mail parser and stored by the pipeline)."""

from __future__ import annotations

import asyncio
import email
import socket
import time
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select

from rapport.accounts.service import create_user, get_or_create_channel
from rapport.channels.email.messages import parse_email
from rapport.engage.cases import Actor
from rapport.engage.setup import apply_setup, read_setup
from rapport.ingest.records import InboundMessage
from rapport.ingest.service import ingest_messages
from rapport.store.db import Database
from rapport.store.engagement import Case, CaseConversation, CaseEvent, Delivery
from rapport.store.models import ChannelKind, Message, Role, Workspace

CUSTOMER = "bob@customer.example"
MAILBOX = "support@acme.example"
COMPANY_DOMAINS = frozenset({"acme.example"})


@dataclass
class SmtpRecorder:
    """An SMTP handler keeping the messages it accepted. ``data_answers`` are the next
    answers to DATA (then ``250``); with ``data_delay`` the server takes the message in,
    then is silent that many seconds before answering."""

    data_answers: deque[str] = field(default_factory=deque)
    data_delay: float = 0.0
    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        answer = self.data_answers.popleft() if self.data_answers else "250 2.0.0 Ok: queued"
        if answer.startswith("2"):
            self.envelopes.append(envelope)  # taken in, whether or not the client hears so
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        return answer

    def received(self) -> list[EmailMessage]:
        """The accepted messages, as a mail client reads them."""
        return [
            cast(
                EmailMessage,
                email.message_from_bytes(
                    cast(bytes, envelope.original_content), policy=policy.default
                ),
            )
            for envelope in self.envelopes
        ]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.envelopes) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(**fields: Any) -> Iterator[tuple[SmtpRecorder, dict[str, Any]]]:
    """A running SMTP server, and the e-mail channel settings that send through it."""
    recorder = SmtpRecorder(**fields)
    port = _free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "from_address": MAILBOX,
        "from_name": "Acme",
        "timeout": 5,
    }
    try:
        yield recorder, settings
    finally:
        controller.stop()


@dataclass(frozen=True)
class Agent:
    user_id: int
    name: str
    email: str

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.name)


def make_agent(
    db: Database, workspace_id: int, name: str, *, signature: str | None = None
) -> Agent:
    """A user of the workspace, with their signature set through the setup file."""
    address = f"agent-{uuid.uuid4().hex[:10]}@acme.example"
    with db.session() as session:
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        user = create_user(
            session, workspace, email=address, name=name, role=Role.AGENT, password="s3cret-pw"
        )
        agent = Agent(user.id, name, address)
    if signature is not None:
        setup_desk(db, workspace_id, agents=[{"email": address, "signature": signature}])
    return agent


def setup_desk(
    db: Database,
    workspace_id: int,
    *,
    agents: list[dict[str, str]] | None = None,
    canned: list[dict[str, str]] | None = None,
) -> None:
    """Apply a setup file (agents' signatures, canned replies) as ``rapport setup`` does."""
    lines: list[str] = []
    if agents:
        lines.append("agents:")
        for agent in agents:
            lines.append(f"  - email: {agent['email']}")
            lines.append(f"    signature: {_yaml_text(agent['signature'])}")
    if canned:
        lines.append("canned_replies:")
        for reply in canned:
            lines.append(f"  - name: {reply['name']}")
            lines.append(f"    language: {reply['language']}")
            lines.append(f"    body: {_yaml_text(reply['body'])}")
    with db.session() as session:
        apply_setup(session, workspace_id, read_setup("\n".join(lines)), source="test setup")


def _yaml_text(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def make_channel(
    db: Database, workspace_id: int, name: str, kind: ChannelKind, settings: dict[str, Any]
) -> int:
    with db.session() as session:
        channel = get_or_create_channel(session, workspace_id, name, kind)
        channel.settings = dict(settings)
        return channel.id


def customer_email(
    message_id: str,
    *,
    text: str,
    subject: str = "Order 1234 is late",
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
    sent_at: datetime | None = None,
    name: str = "Bob Müller",
    address: str = CUSTOMER,
) -> InboundMessage:
    """A customer's e-mail, written out and read back by Rapport's e-mail parser."""
    message = EmailMessage()
    message["From"] = Address(name, addr_spec=address)
    message["To"] = MAILBOX
    message["Subject"] = subject
    message["Date"] = format_datetime(sent_at or datetime.now(UTC) - timedelta(minutes=30))
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = " ".join(references)
    message.set_content(text)
    return parse_email(bytes(message), "test", COMPANY_DOMAINS)


def store(
    db: Database,
    workspace_id: int,
    channel: str,
    kind: ChannelKind,
    *messages: InboundMessage,
) -> int:
    """Store messages as the pipeline does; the conversation of the last one."""
    report = ingest_messages(
        db, workspace_id=workspace_id, channel_name=channel, kind=kind, messages=list(messages)
    )
    assert report.rejected == 0, report.rejections
    with db.session() as session:
        conversation_id = session.scalars(
            select(Message.conversation_id).where(
                Message.workspace_id == workspace_id,
                Message.external_id == messages[-1].external_id,
            )
        ).one()
    return int(conversation_id)


def delivery(db: Database, delivery_id: int) -> Delivery:
    with db.session() as session:
        found = session.get(Delivery, delivery_id)
        assert found is not None
        return found


def case_of(db: Database, conversation_id: int) -> Case:
    with db.session() as session:
        case = session.scalars(
            select(Case)
            .join(CaseConversation, CaseConversation.case_id == Case.id)
            .where(CaseConversation.conversation_id == conversation_id)
        ).one()
        return case


def events(db: Database, case_id: int) -> list[CaseEvent]:
    with db.session() as session:
        return list(
            session.scalars(
                select(CaseEvent)
                .where(CaseEvent.case_id == case_id)
                .order_by(CaseEvent.at, CaseEvent.id)
            )
        )
