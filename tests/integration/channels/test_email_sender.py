"""Replies sent by e-mail, received by a real SMTP server (aiosmtpd on 127.0.0.1).

The server records every envelope it accepts; each test reads what arrived the way a mail
client would, and checks what the customer sees and what decides "never sent twice".
"""

from __future__ import annotations

import asyncio
import email
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from rapport.channels.email.messages import parse_email
from rapport.channels.email.sender import make_sender, reply_subject
from rapport.channels.outbound import (
    Delivered,
    DeliveryError,
    DeliveryUncertain,
    OutboundReply,
    RetryLater,
)
from rapport.store.models import ChannelKind

CUSTOMER = "bob@customer.example"
MAILBOX = "support@acme.example"
PARENT = "<DM6PR11MB4123ABCDEF0123456789ABCDEF01234567@DM6PR11MB4123.namprd11.prod.outlook.com>"
CHAIN = ("<first@customer.example>", "<second@acme.example>")
TEXT = (
    "سلام باب، سفارش شما فردا ارسال می‌شود.\n"
    "Þökk fyrir þolinmæðina — árvíztűrő tükörfúrógép.\n"
    ".a line that starts with a dot\n"
    "\n"
    "-- \n"
    "Sara, Acme support\n"
)
PASSWORD = "s3cret-Pa55"


@dataclass
class Recorder:
    """An SMTP handler that keeps what it accepted and answers as a test tells it."""

    rcpt_answers: dict[str, str] = field(default_factory=dict)
    data_answer: str = "250 2.0.0 Ok: queued"
    data_delay: float = 0.0
    hang_up_after_data: bool = False
    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        answer = self.rcpt_answers.get(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.hang_up_after_data:
            assert server.transport is not None
            server.transport.close()
            return "250 never heard"
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        if self.data_answer.startswith("2"):
            self.envelopes.append(envelope)
        return self.data_answer

    def received(self) -> EmailMessage:
        """The one message that arrived, as a mail client reads it."""
        assert len(self.envelopes) == 1, f"{len(self.envelopes)} messages arrived"
        raw = cast(bytes, self.envelopes[0].original_content)
        return email.message_from_bytes(raw, policy=policy.default)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


Serve = Callable[..., tuple[Recorder, dict[str, Any]]]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start an SMTP server: ``serve(**recorder_fields)`` gives the recorder and settings."""
    controllers: list[Controller] = []

    def start(server_kwargs: dict[str, Any] | None = None, **fields: Any) -> Any:
        recorder = Recorder(**fields)
        port = _free_port()
        controller = Controller(recorder, hostname="127.0.0.1", port=port, **(server_kwargs or {}))
        controller.start()
        controllers.append(controller)
        settings = {
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "from_address": MAILBOX,
            "from_name": "Acme",
            "timeout": 5,
        }
        return recorder, settings

    yield start
    for controller in controllers:
        controller.stop()


def _reply(settings: dict[str, Any], **changes: Any) -> OutboundReply:
    fields: dict[str, Any] = {
        "delivery_id": 42,
        "kind": ChannelKind.EMAIL,
        "settings": settings,
        "text": TEXT,
        "agent_name": "Sara",
        "in_reply_to": PARENT,
        "references": CHAIN,
        "recipient": CUSTOMER,
        "recipient_name": "باب Müller",
        "subject": "Order 1234 is late",
        "public": False,
        "reply_meta": {"to": [MAILBOX], "cc": ["anna@customer.example"]},
    }
    fields.update(changes)
    return OutboundReply(**fields)


def _send(settings: dict[str, Any], **changes: Any) -> Delivered:
    return make_sender(settings).send(_reply(settings, **changes))


def test_the_reply_arrives_threaded_from_the_agent_at_the_company_mailbox(serve: Serve) -> None:
    recorder, settings = serve()

    delivered = _send(settings)

    envelope = recorder.envelopes[0]
    assert envelope.mail_from == MAILBOX
    assert envelope.rcpt_tos == [CUSTOMER]  # the customer alone: no reply_all
    message = recorder.received()
    assert message["From"].addresses[0].display_name == "Sara (Acme)"
    assert message["From"].addresses[0].addr_spec == MAILBOX
    assert str(message["Reply-To"]) == f"Acme <{MAILBOX}>"
    assert message["To"].addresses[0].display_name == "باب Müller"
    assert message["To"].addresses[0].addr_spec == CUSTOMER
    assert message["Cc"] is None
    assert message["Subject"] == "Re: Order 1234 is late"
    assert message["In-Reply-To"] == PARENT
    assert message["References"].split() == [*CHAIN, PARENT]
    assert message["Date"].datetime is not None
    assert message["Message-ID"] == delivered.external_id
    assert delivered.external_id.startswith("<rapport.delivery.42.")
    assert delivered.external_id.endswith("@acme.example>")
    body = message.get_body(("plain",))
    assert body is not None
    assert body.get_content_charset() == "utf-8"
    assert body.get_content().replace("\r\n", "\n") == TEXT
    assert "queued" in delivered.detail


def test_the_customers_answer_threads_onto_the_stored_reply_id(serve: Serve) -> None:
    recorder, settings = serve()
    delivered = _send(settings)
    raw = cast(bytes, recorder.envelopes[0].original_content)

    # Rapport reads its own reply back (a Sent folder import) with the same id it stored.
    ours = parse_email(raw, "sent.eml", frozenset())
    assert ours.external_id == delivered.external_id
    assert ours.in_reply_to == PARENT
    assert ours.direction == "outbound"
    assert ours.text == TEXT.strip()
    answer = (
        f"From: Bob <{CUSTOMER}>\r\nTo: {MAILBOX}\r\nSubject: Re: Order 1234 is late\r\n"
        f"Date: Mon, 2 Jun 2025 10:00:00 +0000\r\nMessage-ID: <answer@customer.example>\r\n"
        f"In-Reply-To: {delivered.external_id}\r\n\r\nThanks!\r\n"
    ).encode()
    assert parse_email(answer, "inbox.eml", frozenset()).in_reply_to == delivered.external_id


def test_a_resend_of_the_same_delivery_carries_the_same_message_id(serve: Serve) -> None:
    recorder, settings = serve()

    first, second = _send(settings), _send(settings)
    other = _send(settings, delivery_id=43)

    assert first.external_id == second.external_id != other.external_id
    arrived = [
        email.message_from_bytes(cast(bytes, e.original_content), policy=policy.default)
        for e in recorder.envelopes
    ]
    assert [m["Message-ID"] for m in arrived] == [first.external_id] * 2 + [other.external_id]


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: Order 1234", "Re: Order 1234"),
        ("RE: Order 1234", "RE: Order 1234"),
        ("re[2]: Order 1234", "re[2]: Order 1234"),
        ("AW: Bestellung", "AW: Bestellung"),
        ("Sv: Bestilling", "Sv: Bestilling"),
        ("Vá: Rendelés", "Vá: Rendelés"),
        ("Fwd: Order 1234", "Re: Fwd: Order 1234"),
        ("Regarding my order", "Re: Regarding my order"),
        ("سفارش من", "Re: سفارش من"),
        ("", "Re: your message"),
        (None, "Re: your message"),
    ],
)
def test_re_is_added_once(subject: str | None, expected: str) -> None:
    assert reply_subject(subject) == expected


def test_an_answered_re_subject_arrives_without_a_second_re(serve: Serve) -> None:
    recorder, settings = serve()

    _send(settings, subject="Re: Þökk fyrir")

    assert recorder.received()["Subject"] == "Re: Þökk fyrir"


def test_a_temporary_refusal_of_the_recipient_is_retried_later(serve: Serve) -> None:
    recorder, settings = serve(rcpt_answers={CUSTOMER: "451 4.3.0 Try again later"})

    with pytest.raises(RetryLater, match="451"):
        _send(settings)
    assert recorder.envelopes == []


def test_an_unknown_recipient_fails_for_good_naming_the_address(serve: Serve) -> None:
    recorder, settings = serve(rcpt_answers={CUSTOMER: "550 5.1.1 No such user here"})

    with pytest.raises(DeliveryError) as raised:
        _send(settings)

    assert not isinstance(raised.value, RetryLater | DeliveryUncertain)
    assert CUSTOMER in str(raised.value)
    assert "550 5.1.1 No such user here" in str(raised.value)
    assert recorder.envelopes == []


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("451 4.7.1 Greylisted, come back later", RetryLater), ("554 5.7.1 Spam", DeliveryError)],
)
def test_the_final_answer_to_the_message_decides(
    serve: Serve, answer: str, expected: type[DeliveryError]
) -> None:
    _, settings = serve(data_answer=answer)

    with pytest.raises(DeliveryError, match=answer.split()[0]) as raised:
        _send(settings)

    assert type(raised.value) is expected


@pytest.mark.parametrize(
    "trouble", [{"data_delay": 2.0}, {"hang_up_after_data": True}], ids=["timeout", "hang-up"]
)
def test_no_answer_after_the_message_went_out_is_uncertain(
    serve: Serve, trouble: dict[str, Any]
) -> None:
    _, settings = serve(**trouble)
    settings["timeout"] = 0.5

    with pytest.raises(DeliveryUncertain, match="may have been accepted"):
        _send(settings)


def test_a_closed_port_is_retried_later() -> None:
    settings = {"smtp_host": "127.0.0.1", "smtp_port": _free_port(), "from_address": MAILBOX}

    with pytest.raises(RetryLater, match="cannot connect"):
        _send(settings)


def test_an_unknown_host_is_retried_later() -> None:
    settings = {"smtp_host": "no-such-host.invalid", "from_address": MAILBOX, "timeout": 5}

    with pytest.raises(RetryLater, match=r"no-such-host\.invalid"):
        _send(settings)


def test_line_breaks_from_the_internet_cannot_add_headers_or_recipients(serve: Serve) -> None:
    recorder, settings = serve()
    evil = "\r\nBcc: evil@attacker.example"

    _send(
        settings,
        subject=f"Hello{evil}",
        recipient_name=f"Bob{evil}",
        agent_name="Sara\nBcc: evil@attacker.example",
    )

    assert recorder.envelopes[0].rcpt_tos == [CUSTOMER]
    message = recorder.received()
    assert message["Bcc"] is None
    assert message["Subject"] == "Re: Hello Bcc: evil@attacker.example"
    assert [a.addr_spec for a in message["To"].addresses] == [CUSTOMER]
    raw = cast(bytes, recorder.envelopes[0].original_content)
    assert not [line for line in raw.splitlines() if line.lower().startswith(b"bcc")]


@pytest.mark.parametrize(
    "recipient",
    [f"{CUSTOMER}\r\nBcc: evil@attacker.example", f"{CUSTOMER}, evil@attacker.example", "bob"],
)
def test_a_recipient_that_is_not_one_address_is_refused_before_connecting(
    serve: Serve, recipient: str
) -> None:
    recorder, settings = serve()

    with pytest.raises(DeliveryError, match="recipient: not an e-mail address"):
        _send(settings, recipient=recipient)
    assert recorder.envelopes == []


def test_an_international_domain_goes_out_in_its_ascii_form(serve: Serve) -> None:
    recorder, settings = serve()

    _send(settings, recipient="jon@dæmi.is")

    assert recorder.envelopes[0].rcpt_tos == ["jon@xn--dmi-yla.is"]
    assert recorder.received()["To"].addresses[0].addr_spec == "jon@xn--dmi-yla.is"


def test_a_non_ascii_user_name_is_refused_for_good(serve: Serve) -> None:
    recorder, settings = serve()

    with pytest.raises(DeliveryError, match="non-ASCII user name") as raised:
        _send(settings, recipient="jón@dæmi.is")

    assert not isinstance(raised.value, RetryLater)
    assert recorder.envelopes == []


def test_an_empty_reply_is_not_sent(serve: Serve) -> None:
    recorder, settings = serve()

    with pytest.raises(DeliveryError, match="text is empty"):
        _send(settings, text=" \n")
    assert recorder.envelopes == []


def test_reply_all_copies_the_other_recipients_but_not_the_mailbox(serve: Serve) -> None:
    recorder, settings = serve()
    settings["reply_all"] = True

    _send(settings, reply_meta={"to": [MAILBOX, "anna@customer.example"], "cc": [CUSTOMER]})

    assert recorder.envelopes[0].rcpt_tos == [CUSTOMER, "anna@customer.example"]
    cc = recorder.received()["Cc"]
    assert [a.addr_spec for a in cc.addresses] == ["anna@customer.example"]


def test_a_long_references_chain_keeps_the_first_and_the_latest_ids(serve: Serve) -> None:
    recorder, settings = serve()
    chain = tuple(f"<{n:03d}.{'x' * 60}@customer.example>" for n in range(40))

    _send(settings, references=chain)

    message = recorder.received()
    assert "=?" not in _raw_header(recorder, "References")  # ids are never RFC 2047-encoded
    assert "=?" not in _raw_header(recorder, "In-Reply-To")
    kept = message["References"].split()
    assert kept[0] == chain[0]
    assert kept[-2:] == [chain[-1], PARENT]
    assert kept[1:] == [*chain, PARENT][-(len(kept) - 1) :]
    assert len("References: " + " ".join(kept)) <= 998
    assert message["In-Reply-To"] == PARENT


def _raw_header(recorder: Recorder, name: str) -> str:
    """A header as it travelled, folding included."""
    head = cast(bytes, recorder.envelopes[0].original_content).split(b"\r\n\r\n")[0]
    lines = head.decode("ascii").split("\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{name}:"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:1] not in " \t"), None)
    return "\r\n".join(lines[start:end])


def _authenticator(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


AUTH_SERVER = {"authenticator": _authenticator, "auth_require_tls": False}


def test_login_with_the_right_password_sends(serve: Serve) -> None:
    recorder, settings = serve(server_kwargs=AUTH_SERVER)
    settings.update(smtp_username="support", smtp_password=PASSWORD)

    _send(settings)

    assert recorder.received()["Subject"] == "Re: Order 1234 is late"


def test_a_refused_login_fails_for_good_without_showing_the_password(serve: Serve) -> None:
    recorder, settings = serve(server_kwargs=AUTH_SERVER)
    settings.update(smtp_username="support", smtp_password="wrong-" + PASSWORD)

    with pytest.raises(DeliveryError, match="login of smtp_username 'support'") as raised:
        _send(settings)

    assert not isinstance(raised.value, RetryLater)
    assert PASSWORD not in str(raised.value)
    assert PASSWORD not in repr(make_sender(settings))
    assert recorder.envelopes == []


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"from_address": MAILBOX}, "smtp_host is missing"),
        ({"smtp_host": "mail.acme.example"}, "from_address is missing"),
        ({"smtp_host": "mail.acme.example", "from_address": "support"}, "from_address"),
        ({"smtp_host": "h", "from_address": MAILBOX, "smtp_security": "tls"}, "smtp_security"),
        ({"smtp_host": "h", "from_address": MAILBOX, "smtp_port": "smtp"}, "smtp_port"),
        ({"smtp_host": "h", "from_address": MAILBOX, "smtp_port": 70000}, "smtp_port"),
        ({"smtp_host": "h", "from_address": MAILBOX, "timeout": 0}, "timeout"),
        ({"smtp_host": "h", "from_address": MAILBOX, "reply_all": "yes"}, "reply_all"),
        ({"smtp_host": "h", "from_address": MAILBOX, "smtp_username": "u"}, "smtp_password"),
        ({"smtp_host": "h", "from_address": MAILBOX, "smtp_password": "p"}, "smtp_username"),
        ({"smtp_host": "mail..acme.example", "from_address": MAILBOX}, "smtp_host"),
    ],
)
def test_bad_settings_name_the_key(settings: dict[str, Any], named: str) -> None:
    with pytest.raises(DeliveryError, match=named) as raised:
        _send(settings)  # most are caught by make_sender, before any connection

    assert not isinstance(raised.value, RetryLater)
    assert str(raised.value).startswith("e-mail settings:")
