"""Replays recorded e-mail (.eml files, a folder, an mbox) through the email reader."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import rapport.channels.email as email_channel
from rapport.channels.base import get_format
from rapport.channels.email.html_text import html_to_text
from rapport.channels.email.messages import read_email
from rapport.ingest.records import InboundMessage, Rejected
from rapport.ingest.threading import group_into_threads
from rapport.store.models import ChannelKind, Direction

FIXTURES = Path(email_channel.__file__).parent / "fixtures"
INBOX = FIXTURES / "inbox"


def read(path: Path) -> tuple[list[InboundMessage], list[Rejected]]:
    records = list(read_email(path))
    messages = [r for r in records if isinstance(r, InboundMessage)]
    rejected = [r for r in records if isinstance(r, Rejected)]
    return messages, rejected


def by_location(path: Path) -> dict[str, InboundMessage]:
    return {m.location: m for m in read(path)[0]}


def test_format_is_registered_for_email() -> None:
    fmt = get_format("email")
    assert fmt.kind is ChannelKind.EMAIL
    assert fmt.default_channel == "email"


def test_folder_is_read_in_sorted_order_and_keeps_going_past_a_bad_file() -> None:
    records = list(read_email(INBOX))
    assert [r.location for r in records] == [
        "file en-1-question.eml",
        "file en-2-reply.eml",
        "file en-3-followup.eml",
        "file fa-windows-1256.eml",
        "file hu-iso-8859-2.eml",
        "file is-utf8-base64.eml",
        "file it-html-only.eml",
        "file malformed-no-date.eml",
    ]
    bad = records[-1]
    assert isinstance(bad, Rejected)
    assert bad.reason == "Date: missing"
    assert "This message has no Date header." in bad.payload


def test_reply_chain_carries_its_ids_and_direction() -> None:
    mails = by_location(INBOX)
    question = mails["file en-1-question.eml"]
    reply = mails["file en-2-reply.eml"]
    followup = mails["file en-3-followup.eml"]
    assert question.external_id == "<c1.4471.oliver@mail.example.com>"
    assert question.author_id == "oliver.grant@example.com"  # From had capitals
    assert question.author_name == "Oliver Grant"
    assert question.author_email == "oliver.grant@example.com"
    assert question.subject == "Order 4471 arrived damaged"
    assert question.sent_at == datetime(2024, 11, 11, 8, 15, tzinfo=UTC)
    assert question.direction is Direction.INBOUND
    assert reply.direction is Direction.OUTBOUND  # bottegaaurora.example is listed
    assert reply.in_reply_to == question.external_id
    assert reply.sent_at == datetime(2024, 11, 11, 9, 2, 31, tzinfo=UTC)
    assert followup.in_reply_to == reply.external_id
    assert followup.thread_refs == (question.external_id, reply.external_id)
    assert followup.meta == {"to": ["chiara@bottegaaurora.example"]}


def test_multipart_message_reads_its_plain_part() -> None:
    reply = by_location(INBOX)["file en-2-reply.eml"]
    assert reply.text.startswith("Dear Oliver,\n\nI'm so sorry — we'll ship a new satchel")
    assert "<p>" not in reply.text


def test_persian_windows_1256_decodes() -> None:
    mail = by_location(INBOX)["file fa-windows-1256.eml"]
    assert mail.author_name == "مريم رضايي"
    assert mail.subject == "درخواست تعويض کيف"
    assert "کيف چرمي که سفارش دادم (شماره 4502)" in mail.text
    assert mail.sent_at.utcoffset() == timedelta(hours=3, minutes=30)


def test_hungarian_iso_8859_2_eight_bit_decodes() -> None:
    mail = by_location(INBOX)["file hu-iso-8859-2.eml"]
    assert mail.author_name == "Szőke Gergő"
    assert mail.subject == "Hol tart a szállítás?"
    assert "A megrendelt bőrtáskát még nem kaptam meg" in mail.text


def test_icelandic_base64_decodes() -> None:
    mail = by_location(INBOX)["file is-utf8-base64.eml"]
    assert mail.author_name == "Þórunn Jónsdóttir"
    assert "Ég pantaði veski fyrir tveimur vikum" in mail.text


def test_html_only_mail_becomes_plain_text_without_markup_or_scripts() -> None:
    mail = by_location(INBOX)["file it-html-only.eml"]
    assert mail.subject == "Disponibilità borsa Firenze"
    assert mail.text == (
        "Buongiorno,\n\nvorrei sapere se la borsa «Firenze» è disponibile anche in blu."
        "\n\nModello: Firenze\nColore: blu\n\nGrazie mille,\nLucia Esposito"
    )


def test_html_to_text_drops_head_scripts_and_tags() -> None:
    markup = (
        "<head><title>x</title><style>b{}</style></head><script>alert(1)</script>"
        "<p>a &lt;b&gt; &amp; c</p><img src=x onerror=alert(2)><div>d<br/>e</div>"
    )
    assert html_to_text(markup) == "a <b> & c\n\nd\ne"


def test_mbox_threads_out_of_order_and_unquotes_from_lines() -> None:
    messages, rejected = read(FIXTURES / "support.mbox")
    assert [m.location for m in messages] == [
        "message 1 (line 1)",
        "message 2 (line 17)",
        "message 3 (line 32)",
        "message 4 (line 45)",
        "message 6 (line 63)",
    ]
    reply, question, followup = messages[:3]
    assert reply.in_reply_to == question.external_id == "<it-q1@example.it>"
    assert reply.direction is Direction.OUTBOUND
    assert "la tracolla partirà domani" in reply.text
    assert followup.text == "Perfetto, grazie.\nFrom now on I will order only from you."
    threads = [g for g in group_into_threads(messages) if len(g) > 1]
    assert {m.external_id for m in threads[0]} == {
        "<it-r1@bottegaaurora.example>",
        "<it-q1@example.it>",
        "<it-q2@example.it>",
    }
    assert [(r.location, r.reason) for r in rejected] == [
        ("message 5 (line 54)", "Date: not an e-mail date: 'the day after tomorrow'")
    ]


def test_missing_message_id_is_generated_stably_and_said_so() -> None:
    first = read(FIXTURES / "support.mbox")[0][3]
    again = read(FIXTURES / "support.mbox")[0][3]
    assert first.author_id == "anna@example.org"
    assert first.external_id == again.external_id
    assert first.external_id.endswith("@rapport.invalid>")
    assert first.meta is not None
    assert first.meta["message_id_generated"] is True


def test_direction_header_overrides_the_domain_rule() -> None:
    giulia_at_home = read(FIXTURES / "support.mbox")[0][4]
    assert giulia_at_home.author_id == "giulia.conti.home@example.com"
    assert giulia_at_home.direction is Direction.OUTBOUND


def test_single_eml_file_uses_the_domains_listed_beside_it() -> None:
    messages, _ = read(INBOX / "en-2-reply.eml")
    assert [(m.location, m.direction) for m in messages] == [
        ("file en-2-reply.eml", Direction.OUTBOUND)
    ]


MINIMAL = (
    "From: {sender}\nTo: help@shop.example\nSubject: hi\nDate: {date}\n"
    "Message-ID: <{mid}@x.example>\n{extra}Content-Type: text/plain; charset={charset}\n\nhello\n"
)


def mail(
    sender: str = "Pat <pat@x.example>",
    date: str = "Mon, 02 Dec 2024 10:00:00 +0000",
    mid: str = "m1",
    extra: str = "",
    charset: str = "utf-8",
) -> bytes:
    text = MINIMAL.format(sender=sender, date=date, mid=mid, extra=extra, charset=charset)
    return text.encode()


def test_mbox_is_detected_by_content_and_subdomains_count_as_company(tmp_path: Path) -> None:
    (tmp_path / "company-domains.txt").write_text("# ours\nshop.example\n")
    path = tmp_path / "Sent"  # a Thunderbird folder file has no extension
    path.write_bytes(
        b"From x Mon Dec  2 10:00:00 2024\n"
        + mail(sender="Desk <desk@eu.shop.example>")
        + b"\nFrom y Mon Dec  2 11:00:00 2024\n"
        + mail(mid="m2")
    )
    messages, rejected = read(path)
    assert rejected == []
    assert [m.direction for m in messages] == [Direction.OUTBOUND, Direction.INBOUND]


def test_unknown_zone_and_unknown_charset_still_read(tmp_path: Path) -> None:
    path = tmp_path / "a.eml"
    path.write_bytes(mail(date="Mon, 02 Dec 2024 10:00:00 -0000", charset="x-no-such-charset"))
    messages, _ = read(path)
    assert messages[0].sent_at == datetime(2024, 12, 2, 10, tzinfo=UTC)
    assert messages[0].text == "hello"


def test_headers_that_cannot_be_read_are_named(tmp_path: Path) -> None:
    (tmp_path / "a.eml").write_bytes(mail(sender="undisclosed-recipients:;"))
    (tmp_path / "b.eml").write_bytes(mail(extra="X-Rapport-Direction: sideways\n"))
    (tmp_path / "c.eml").write_bytes(mail().replace(b"From: Pat <pat@x.example>\n", b""))
    _, rejected = read(tmp_path)
    assert [(r.location, r.reason) for r in rejected] == [
        ("file a.eml", "From: no e-mail address in 'undisclosed-recipients:;'"),
        ("file b.eml", "X-Rapport-Direction: expected inbound or outbound, got 'sideways'"),
        ("file c.eml", "From: missing"),
    ]


def test_folders_are_walked_recursively_in_path_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.eml").write_bytes(mail(mid="bz"))
    (tmp_path / "a.eml").write_bytes(mail(mid="a"))
    (tmp_path / "notes.txt").write_text("not mail")
    messages, _ = read(tmp_path)
    assert [m.location for m in messages] == ["file a.eml", "file b/z.eml"]
    assert [m.external_id for m in messages] == ["<a@x.example>", "<bz@x.example>"]


def test_mbox_inside_a_folder_is_named_in_each_location(tmp_path: Path) -> None:
    (tmp_path / "archive.mbox").write_bytes(b"From x Mon Dec  2 10:00:00 2024\n" + mail())
    messages, _ = read(tmp_path)
    assert [m.location for m in messages] == ["archive.mbox message 1 (line 1)"]
