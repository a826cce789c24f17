"""Sending an agent's reply as an e-mail over SMTP (``smtplib`` and ``EmailMessage``).

Settings (the e-mail channel's settings JSON): ``smtp_host`` (required); ``smtp_port``
(default 25, or 465 with ``ssl``); ``smtp_security`` ``none`` | ``starttls`` | ``ssl``
(default ``none``); ``smtp_username`` and ``smtp_password`` (both or neither; log in when
given; ASCII only, as ``smtplib`` sends them); ``from_address`` (required: the support
mailbox); ``from_name`` (the company's name, optional); ``timeout`` in seconds (default 30);
``message_id_domain`` (default: the domain of ``from_address``); ``reply_all`` (default
false: the reply goes to the customer alone; when true, the other ``To``/``Cc`` addresses of
the answered e-mail, less the mailbox itself, are copied in ``Cc``).

The message: the agent writes as herself from the company's mailbox,
``From: "Sara (Acme)" <support@acme.example>`` (just ``Sara`` without ``from_name``), with
``Reply-To: Acme <support@acme.example>``; ``To`` is the customer; the subject is the
answered one with ``Re:`` in front unless it already has a reply prefix (``Re:``, ``AW:``,
``Sv:``, ``Vá:``...); ``In-Reply-To`` is the answered Message-ID and ``References`` its chain
plus that id, trimmed to 998 characters by dropping ids after the first (RFC 5537 3.4.4).
The ``Message-ID`` is ``<rapport.delivery.{delivery_id}.{sha256(from_address)[:8]}@{domain}>``,
the same for every attempt of one delivery, and it is the returned external id, in the
``<...>`` form the e-mail importer stores ids in, so the customer's answer threads onto it.
The body is ``reply.text`` as ``text/plain`` UTF-8 in a 7-bit transfer encoding.

What a failure means for trying again (the delivery job decides when):

* no connection (refused, DNS failure, timeout), a lost connection, or a 4xx answer before
  the message is complete: nothing was sent, :class:`RetryLater`;
* a 5xx answer before the message is complete (``550`` no such user): :class:`DeliveryError`
  with the address and the server's words; also bad settings, a failed login or TLS check;
* the message went out and the connection was lost, or timed out, before the server's final
  answer: it may have been accepted, :class:`DeliveryUncertain`, never sent twice;
* a 4xx final answer is :class:`RetryLater`, a 5xx final answer :class:`DeliveryError`.

With ``reply_all``, only a refusal of the customer's address fails the reply; a copied
address the server refuses is left out and named in :attr:`Delivered.detail`.
"""

from __future__ import annotations

import base64
import hashlib
import re
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import Policy
from email.utils import format_datetime
from typing import Any, Literal

from rapport.channels.email.messages import DIRECTION_HEADER
from rapport.channels.outbound import (
    Delivered,
    DeliveryError,
    DeliveryUncertain,
    OutboundReply,
    ReplySender,
    RetryLater,
)

Security = Literal["none", "starttls", "ssl"]
SECURITY_MODES: tuple[Security, ...] = ("none", "starttls", "ssl")
DEFAULT_TIMEOUT = 30.0
NO_SUBJECT = "your message"
REFERENCES_LIMIT = 998  # characters of the unfolded header line, name included (RFC 5537)

# The wire's CRLF and a 7-bit transfer encoding: no server needs 8BITMIME or SMTPUTF8.
_POLICY = policy.SMTP.clone(cte_type="7bit")
_REPLY_PREFIX = re.compile(
    r"(?:re|aw|sv|vs|antw|odp|vá|ynt|res|rif|atb|απ|σχετ|отв|回复|回覆|答复)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*[:\uff1a]",  # \uff1a: the full-width colon of CJK mail
    re.IGNORECASE,
)
_MESSAGE_ID = re.compile(r"<?([!-;=?-~]+)>?")  # printable ASCII without < >
_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _one_line(value: str | None) -> str:
    """Text from the internet made safe for a header: no line breaks, no control characters.

    ``EmailMessage`` and ``Address`` refuse CR/LF (a customer's odd name would fail the
    delivery) where a space does no harm and can never start a new header.
    """
    return " ".join(_CONTROL.sub(" ", value or "").split())


def reply_subject(subject: str | None) -> str:
    """``Re: <subject>``, unless the subject already starts with a reply prefix."""
    text = _one_line(subject)
    if _REPLY_PREFIX.match(text):
        return text
    return f"Re: {text or NO_SUBJECT}"


def _address(value: Any, what: str, display_name: str = "") -> Address:
    """One plain ``user@domain``, its domain in ASCII (IDNA), so any server takes it."""
    text = value if isinstance(value, str) else ""
    local, _, domain = text.rpartition("@")
    if not local.isascii():
        raise DeliveryError(f"{what}: {value!r} has a non-ASCII user name (needs SMTPUTF8)")
    try:
        if not text or text != text.strip() or _CONTROL.search(text):
            raise ValueError(text)
        if not domain.isascii():
            text = f"{local}@{domain.encode('idna').decode('ascii')}"
        address = Address(display_name=_one_line(display_name), addr_spec=text)
    except (ValueError, HeaderParseError):  # UnicodeError is a ValueError
        raise DeliveryError(f"{what}: not an e-mail address: {value!r}") from None
    if not address.username or not address.domain:
        raise DeliveryError(f"{what}: not an e-mail address: {value!r}")
    return address


def _message_ids(values: Iterable[str | None]) -> list[str]:
    """The valid ids among ``values``, each once, in the ``<id>`` form, order kept."""
    found: dict[str, None] = {}
    for value in values:
        matched = _MESSAGE_ID.fullmatch((value or "").strip())
        if matched:
            found[f"<{matched.group(1)}>"] = None
    return list(found)


def _trimmed(ids: list[str], limit: int = REFERENCES_LIMIT) -> list[str]:
    """Keep the first id and as many of the last ones as fit in ``limit`` characters."""
    budget = limit - len("References: ")
    if len(" ".join(ids)) <= budget:
        return ids
    kept: list[str] = []
    room = budget - len(ids[0]) - 1
    for ref in reversed(ids[1:]):
        if len(ref) + 1 > room:
            break
        kept.insert(0, ref)
        room -= len(ref) + 1
    if not kept:  # the first id and the parent do not both fit: the parent matters more
        return ids[-1:]
    return [ids[0], *kept]


class _IdsHeader(str):
    """A header of message ids, folded between ids and never RFC 2047-encoded.

    ``policy.default`` treats ``In-Reply-To`` and ``References`` as free text and encodes
    any id longer than a line (Outlook's are), which breaks threading; a header object
    with its own ``fold`` is written as it is (see ``EmailPolicy.fold``).
    """

    name: str
    ids: tuple[str, ...]

    def __new__(cls, name: str, ids: list[str]) -> _IdsHeader:
        header = super().__new__(cls, " ".join(ids))
        header.name = name
        header.ids = tuple(ids)
        return header

    def fold(self, *, policy: Policy) -> str:
        limit = policy.max_line_length or 78
        lines: list[str] = []
        line = f"{self.name}:"
        for index, ref in enumerate(self.ids):
            if index and len(line) + 1 + len(ref) > limit:  # never between name and first id
                lines.append(line)
                line = ""
            line += f" {ref}"
        return policy.linesep.join([*lines, line]) + policy.linesep


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """An e-mail channel's sending settings, checked (see the module docstring)."""

    host: str
    port: int
    security: Security
    from_address: Address
    from_name: str
    timeout: float
    message_id_domain: str
    reply_all: bool
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def read_settings(settings: Mapping[str, Any]) -> SmtpSettings:
    """Check a channel's settings; a :class:`DeliveryError` names the key that is wrong."""

    def bad(key: str, problem: str) -> DeliveryError:
        return DeliveryError(f"e-mail settings: {key} {problem}")

    host = settings.get("smtp_host")
    if not isinstance(host, str) or not host.strip():
        raise bad("smtp_host", "is missing (the SMTP server's name)")
    if _CONTROL.search(host) or " " in host.strip():
        raise bad("smtp_host", f"is not a host name: {host!r}")
    security = str(settings.get("smtp_security") or "none").strip().lower()
    if security not in SECURITY_MODES:
        raise bad("smtp_security", f"must be one of none, starttls, ssl; got {security!r}")
    port = settings.get("smtp_port")
    if port is None or port == "":
        port = 465 if security == "ssl" else 25
    if isinstance(port, str) and port.strip().isdigit():
        port = int(port)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise bad("smtp_port", f"must be a port number (1-65535), got {port!r}")
    username, password = settings.get("smtp_username"), settings.get("smtp_password")
    for key, value in (("smtp_username", username), ("smtp_password", password)):
        if value is not None and (not isinstance(value, str) or not value.isascii()):
            raise bad(key, "must be text of ASCII characters")
    if bool(username) != bool(password):
        missing = "smtp_password" if username else "smtp_username"
        raise bad(missing, "is missing (smtp_username and smtp_password go together)")
    if "from_address" not in settings or not settings["from_address"]:
        raise bad("from_address", "is missing (the support mailbox replies are sent from)")
    from_address = _address(settings["from_address"], "e-mail settings: from_address")
    from_name = settings.get("from_name")
    if from_name is not None and not isinstance(from_name, str):
        raise bad("from_name", f"must be text, got {from_name!r}")
    timeout = settings.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise bad("timeout", f"must be a positive number of seconds, got {timeout!r}")
    domain = settings.get("message_id_domain") or from_address.domain
    if not isinstance(domain, str) or not _DOMAIN.fullmatch(domain):
        raise bad("message_id_domain", f"must be a domain name, got {domain!r}")
    reply_all = settings.get("reply_all", False)
    if not isinstance(reply_all, bool):
        raise bad("reply_all", f"must be true or false, got {reply_all!r}")
    return SmtpSettings(
        host=host.strip(),
        port=port,
        security=security,
        from_address=from_address,
        from_name=_one_line(from_name),
        timeout=float(timeout),
        message_id_domain=domain.lower(),
        reply_all=reply_all,
        username=username or None,
        password=password or None,
    )


def message_id(delivery_id: int, settings: SmtpSettings) -> str:
    """The Message-ID of a delivery, ``<...>`` included: the same for every attempt."""
    mailbox = hashlib.sha256(settings.from_address.addr_spec.lower().encode()).hexdigest()
    return f"<rapport.delivery.{delivery_id}.{mailbox[:8]}@{settings.message_id_domain}>"


def compose_reply(reply: OutboundReply, settings: SmtpSettings) -> tuple[EmailMessage, list[str]]:
    """The reply as an e-mail, and the addresses to give the server (``To`` then ``Cc``)."""
    if not reply.recipient:
        raise DeliveryError("e-mail reply: no recipient address")
    if not reply.text.strip():
        raise DeliveryError("e-mail reply: the text is empty")
    to = _address(reply.recipient, "e-mail reply: recipient", reply.recipient_name or "")
    own = settings.from_address
    copied: list[Address] = []
    if settings.reply_all:
        skip = {own.addr_spec.lower(), to.addr_spec.lower()}
        for value in [*reply.reply_meta.get("to", ()), *reply.reply_meta.get("cc", ())]:
            try:
                address = _address(value, "cc")
            except DeliveryError:  # a header we imported but cannot write back: leave it out
                continue
            if address.addr_spec.lower() not in skip:
                skip.add(address.addr_spec.lower())
                copied.append(address)
    agent = _one_line(reply.agent_name)
    shown = f"{agent} ({settings.from_name})" if agent and settings.from_name else agent
    own_id = message_id(reply.delivery_id, settings)
    parent = _message_ids([reply.in_reply_to])
    chain = [ref for ref in _message_ids([*reply.references, *parent]) if ref != own_id]

    message = EmailMessage(policy=_POLICY)
    message["From"] = Address(shown or settings.from_name, own.username, own.domain)
    message["Reply-To"] = Address(settings.from_name, own.username, own.domain)
    message["To"] = to
    if copied:
        message["Cc"] = copied
    message["Subject"] = reply_subject(reply.subject)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = own_id
    if parent and parent[0] != own_id:
        message["In-Reply-To"] = _IdsHeader("In-Reply-To", parent)
    if chain:
        message["References"] = _IdsHeader("References", _trimmed(chain))
    message[DIRECTION_HEADER] = "outbound"  # so a re-imported Sent folder reads it right
    message.set_content(reply.text, charset="utf-8")
    return message, [to.addr_spec, *(address.addr_spec for address in copied)]


def _wire(message: EmailMessage) -> bytes:
    """The message as sent after ``DATA``: CRLF lines, dots doubled, ``.`` at the end."""
    data = message.as_bytes(policy=_POLICY)
    data = re.sub(rb"\r\n|\r|\n", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


@dataclass(frozen=True, slots=True)
class SmtpSender:
    """Sends replies through one SMTP server, one connection per reply."""

    settings: SmtpSettings

    def send(self, reply: OutboundReply) -> Delivered:
        message, recipients = compose_reply(reply, self.settings)
        data = _wire(message)
        smtp = self._open()
        try:
            refused = self._envelope(smtp, self.settings.from_address.addr_spec, recipients)
            code, answer = self._transmit(smtp, data)
        finally:
            _quit(smtp)
        detail = f"{self._where}: {code} {answer}"
        if refused:
            detail += "; not copied to " + "; ".join(refused)
        return Delivered(external_id=message_id(reply.delivery_id, self.settings), detail=detail)

    @property
    def _where(self) -> str:
        return f"SMTP server {self.settings.host}:{self.settings.port}"

    def _said(self, answer: bytes | str) -> str:
        """The server's words, one line, without the password should a server echo it."""
        text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else answer
        text = _one_line(text)
        password = self.settings.password
        if password:
            user = self.settings.username or ""
            for secret in (
                password,
                base64.b64encode(password.encode()).decode(),
                base64.b64encode(f"\0{user}\0{password}".encode()).decode(),
            ):
                text = text.replace(secret, "[password]")
        return text

    def _refused(self, code: int, answer: bytes | str, what: str) -> DeliveryError:
        words = f"{self._where} refused {what}: {code} {self._said(answer)}"
        if 400 <= code < 500:
            return RetryLater(words)
        return DeliveryError(words)

    def _tls_failure(self, exc: ssl.SSLError) -> DeliveryError:
        if isinstance(exc, ssl.SSLEOFError | ssl.SSLZeroReturnError):
            return RetryLater(f"{self._where}: connection lost during TLS: {exc}")
        return DeliveryError(
            f"{self._where}: TLS failed (check smtp_security and smtp_port): {exc}"
        )

    def _open(self) -> smtplib.SMTP:
        """Connect, greet, secure and log in; every failure here sent nothing."""
        s = self.settings
        step = "the connection"
        try:
            if s.security == "ssl":
                context = ssl.create_default_context()
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        except smtplib.SMTPResponseException as exc:  # the greeting was not 220
            raise self._refused(exc.smtp_code, exc.smtp_error, step) from None
        except ssl.SSLError as exc:
            raise self._tls_failure(exc) from None
        except OSError as exc:  # refused, unreachable, unknown host, timeout
            raise RetryLater(f"cannot connect to {self._where}: {exc}") from None
        except UnicodeError as exc:  # the name cannot be looked up at all ("mail..example")
            raise DeliveryError(
                f"e-mail settings: smtp_host {s.host!r} is unusable: {exc}"
            ) from None
        try:
            step = "EHLO"
            smtp.ehlo_or_helo_if_needed()
            if s.security == "starttls":
                step = "STARTTLS"
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo_or_helo_if_needed()
            if s.username and s.password:
                step = f"the login of smtp_username {s.username!r}"
                smtp.login(s.username, s.password)
        except smtplib.SMTPServerDisconnected as exc:
            smtp.close()
            raise RetryLater(f"{self._where} closed the connection at {step}: {exc}") from None
        except smtplib.SMTPResponseException as exc:
            smtp.close()
            raise self._refused(exc.smtp_code, exc.smtp_error, step) from None
        except ssl.SSLError as exc:
            smtp.close()
            raise self._tls_failure(exc) from None
        except smtplib.SMTPException as exc:  # STARTTLS or AUTH not offered, no AUTH method
            smtp.close()
            raise DeliveryError(f"{self._where}: {step} failed: {self._said(str(exc))}") from None
        except OSError as exc:
            smtp.close()
            raise RetryLater(f"{self._where}: connection lost at {step}: {exc}") from None
        return smtp

    def _envelope(self, smtp: smtplib.SMTP, sender: str, recipients: list[str]) -> list[str]:
        """``MAIL`` and ``RCPT``; the copied addresses the server refused."""
        refused: list[str] = []
        try:
            code, answer = smtp.mail(sender)
            if code != 250:
                raise self._refused(code, answer, f"the sender {sender}")
            for index, address in enumerate(recipients):
                code, answer = smtp.rcpt(address)
                if code in (250, 251):
                    continue
                if index == 0:  # the customer: without them there is no reply
                    raise self._refused(code, answer, f"the recipient {address}")
                refused.append(f"{address} ({code} {self._said(answer)})")
        except OSError as exc:  # SMTPServerDisconnected, timeouts: no message was sent
            raise RetryLater(f"{self._where}: connection lost before the message: {exc}") from None
        return refused

    def _transmit(self, smtp: smtplib.SMTP, data: bytes) -> tuple[int, str]:
        """``DATA``, the message, and the final answer."""
        try:
            code, answer = smtp.docmd("DATA")
            if code != 354:
                raise self._refused(code, answer, "the DATA command")
            # A failure while writing means the final "." never arrived whole, and a server
            # never delivers an unfinished message: nothing was sent.
            smtp.send(data)
        except OSError as exc:
            raise RetryLater(f"{self._where}: connection lost sending the message: {exc}") from None
        try:
            code, answer = smtp.getreply()
        except OSError as exc:
            raise DeliveryUncertain(
                f"{self._where}: no answer after the message was sent ({exc}); "
                "it may have been accepted, so it is not sent again"
            ) from None
        if 200 <= code < 300:
            return code, self._said(answer)
        if 400 <= code < 600:
            raise self._refused(code, answer, "the message")
        raise DeliveryUncertain(
            f"{self._where}: unreadable answer after the message was sent ({code} "
            f"{self._said(answer)}); it may have been accepted, so it is not sent again"
        )


def _quit(smtp: smtplib.SMTP) -> None:
    """Say goodbye if the server still listens; the reply's fate is already known."""
    try:
        smtp.quit()
    except OSError:
        smtp.close()


def make_sender(settings: Mapping[str, Any]) -> ReplySender:
    """The SMTP sender of an e-mail channel; a :class:`DeliveryError` names a bad setting."""
    return SmtpSender(read_settings(settings))
