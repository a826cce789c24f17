"""Importing each channel's recorded fixtures, and what a user then sees in the inbox.

Runs on SQLite and PostgreSQL (the ``db`` fixture). Each test imports into a fresh
workspace, then reads the inbox through the same queries the CLI, API and UI use.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import rapport.channels.email as email_channel
import rapport.channels.meta as meta_channel
import rapport.channels.twitter as twitter_channel
from rapport.channels.base import get_format
from rapport.cli import app
from rapport.config import get_settings
from rapport.inbox.queries import (
    ConversationDetail,
    ConversationFilter,
    get_conversation,
    list_conversations,
)
from rapport.ingest.deadletters import list_dead_letters
from rapport.ingest.pipeline import ImportReport
from rapport.ingest.service import import_file
from rapport.store.db import Database

X_FIXTURES = Path(twitter_channel.__file__).parent / "fixtures"
META_FIXTURES = Path(meta_channel.__file__).parent / "fixtures"
EMAIL_FIXTURES = Path(email_channel.__file__).parent / "fixtures"


def run_import(
    db: Database, workspace_id: int, path: Path, format_name: str, batch_size: int = 5000
) -> ImportReport:
    return import_file(
        db,
        workspace_id=workspace_id,
        path=path,
        fmt=get_format(format_name),
        batch_size=batch_size,
    )


def inbox(db: Database, workspace_id: int, channel: str) -> list[ConversationDetail]:
    """Every conversation of a channel, newest activity first, with its thread."""
    with db.session() as session:
        page = list_conversations(session, workspace_id, ConversationFilter(channel=channel))
        return [get_conversation(session, workspace_id, c.id) for c in page.items]


def thread(detail: ConversationDetail) -> list[tuple[str, str, str]]:
    return [(m.external_id, m.direction, m.author) for m in detail.messages]


def dead_letters(db: Database, workspace_id: int) -> list[tuple[str, str]]:
    with db.session() as session:
        rows = list_dead_letters(session, workspace_id, limit=100).items
        return [(row.location, row.reason) for row in rows]


def test_x_v2_response_becomes_two_conversations(db: Database, workspace_id: int) -> None:
    report = run_import(db, workspace_id, X_FIXTURES / "xv2_search_response.json", "x-v2")
    assert (report.imported, report.rejected) == (5, 1)

    persian, icelandic = inbox(db, workspace_id, "twitter")
    assert persian.conversation.customer == "سارا احمدی"
    assert persian.conversation.last_direction == "outbound"
    # The search response lists newest first; the thread still reads in time order.
    assert thread(icelandic) == [
        ("1808113000000000501", "inbound", "Guðrún Kristjánsdóttir"),
        ("1808114000000000502", "outbound", "Nordvik Air Help"),
        ("1808115000000000503", "inbound", "Guðrún Kristjánsdóttir"),
    ]
    assert icelandic.conversation.customer == "Guðrún Kristjánsdóttir"
    assert icelandic.messages[1].author_is_company
    assert "Keflavík & enginn" in icelandic.messages[0].text
    assert dead_letters(db, workspace_id) == [("document data[0]", "created_at: missing")]


def test_x_v2_json_lines_thread_a_reply_read_before_its_parent(
    db: Database, workspace_id: int
) -> None:
    # batch_size=1: every tweet is its own transaction, so threading must use stored links.
    report = run_import(db, workspace_id, X_FIXTURES / "xv2_tweets.jsonl", "x-v2", batch_size=1)
    assert (report.imported, report.rejected) == (4, 2)
    italian, hungarian = inbox(db, workspace_id, "twitter")
    assert italian.conversation.customer == "Giulia Romano"
    assert [m.external_id for m in hungarian.messages] == [
        "1808120000000000601",
        "1808120300000000602",
        "1808120500000000603",
    ]
    assert [m.direction for m in hungarian.messages] == ["inbound", "outbound", "inbound"]
    assert hungarian.conversation.customer == "Kovács Péter"


def test_meta_feed_comments_are_one_conversation_per_post(db: Database, workspace_id: int) -> None:
    report = run_import(db, workspace_id, META_FIXTURES / "feed_comments.jsonl", "meta")
    assert (report.imported, report.rejected) == (5, 2)
    (post,) = inbox(db, workspace_id, "facebook")
    assert post.conversation.customer == "Ásta Sigurðardóttir"
    assert post.conversation.channel_kind == "facebook"
    assert [(m.author, m.direction) for m in post.messages] == [
        ("Bottega Aurora", "outbound"),
        ("Ásta Sigurðardóttir", "inbound"),
        ("Bottega Aurora", "outbound"),
        ("Szabó Anna", "inbound"),
        ("Bottega Aurora", "outbound"),
    ]
    assert post.messages[2].in_reply_to == post.messages[1].external_id
    assert dead_letters(db, workspace_id) == [
        ("line 6 entry[0].changes[0]", "value.from: missing"),
        ("line 8", "object: expected 'page', got 'instagram'"),
    ]


def test_meta_messenger_threads_by_person(db: Database, workspace_id: int) -> None:
    report = run_import(db, workspace_id, META_FIXTURES / "messenger.json", "meta")
    assert (report.imported, report.rejected) == (5, 2)
    jon, maryam = inbox(db, workspace_id, "facebook")
    # The Page's echo arrived first in the file; it still sorts after the question.
    assert [(m.external_id, m.direction) for m in maryam.messages] == [
        ("m_Maryam-0001", "inbound"),
        ("m_Aurora-echo-0001", "outbound"),
        ("m_Maryam-0002", "inbound"),
    ]
    assert maryam.conversation.customer == "6120000000000001"  # Messenger gives only a PSID
    assert maryam.messages[1].author_is_company
    assert [m.text[:9] for m in jon.messages] == ["[image]", "Góðan dag"]
    assert jon.conversation.unread


def test_email_folder_threads_the_reply_chain(db: Database, workspace_id: int) -> None:
    report = run_import(db, workspace_id, EMAIL_FIXTURES / "inbox", "email")
    assert (report.imported, report.rejected) == (7, 1)
    conversations = inbox(db, workspace_id, "email")
    assert [c.conversation.customer for c in conversations] == [
        "Lucia Esposito",
        "Þórunn Jónsdóttir",
        "Szőke Gergő",
        "مريم رضايي",
        "Oliver Grant",
    ]
    english = conversations[-1]
    assert english.conversation.subject == "Order 4471 arrived damaged"
    assert [(m.author, m.direction) for m in english.messages] == [
        ("Oliver Grant", "inbound"),
        ("Chiara Bianchi", "outbound"),
        ("Oliver Grant", "inbound"),
    ]
    assert english.contact is not None
    assert english.contact.email == "oliver.grant@example.com"
    assert dead_letters(db, workspace_id) == [("file malformed-no-date.eml", "Date: missing")]


def test_email_reply_imported_before_its_question_joins_it_later(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    first = tmp_path / "first"
    first.mkdir()
    shutil.copy(EMAIL_FIXTURES / "inbox" / "en-3-followup.eml", first)
    assert run_import(db, workspace_id, first, "email").imported == 1
    report = run_import(db, workspace_id, EMAIL_FIXTURES / "inbox", "email")
    assert (report.imported, report.duplicates) == (6, 1)
    english = next(c for c in inbox(db, workspace_id, "email") if c.conversation.message_count > 1)
    assert [m.external_id for m in english.messages] == [
        "<c1.4471.oliver@mail.example.com>",
        "<r1.4471@bottegaaurora.example>",
        "<c2.4471.oliver@mail.example.com>",
    ]
    assert len(inbox(db, workspace_id, "email")) == 5


def test_email_mbox_out_of_order_thread(db: Database, workspace_id: int) -> None:
    report = run_import(db, workspace_id, EMAIL_FIXTURES / "support.mbox", "email")
    assert (report.imported, report.rejected) == (5, 1)
    conversations = inbox(db, workspace_id, "email")
    italian = next(c for c in conversations if c.conversation.customer == "Marco Ferri")
    assert italian.conversation.subject == "Tracolla mancante"
    assert [m.direction for m in italian.messages] == ["inbound", "outbound", "inbound"]
    assert italian.conversation.last_message_preview.startswith("Perfetto, grazie.")
    assert len(conversations) == 3


@pytest.mark.parametrize(
    ("path", "format_name", "count"),
    [
        (X_FIXTURES / "xv2_search_response.json", "x-v2", 5),
        (X_FIXTURES / "xv2_tweets.jsonl", "x-v2", 4),
        (META_FIXTURES / "feed_comments.jsonl", "meta", 5),
        (META_FIXTURES / "messenger.json", "meta", 5),
        (EMAIL_FIXTURES / "inbox", "email", 7),
        (EMAIL_FIXTURES / "support.mbox", "email", 5),
    ],
)
def test_reimport_adds_nothing_and_keeps_dead_letters_once(
    db: Database, workspace_id: int, path: Path, format_name: str, count: int
) -> None:
    first = run_import(db, workspace_id, path, format_name)
    letters = dead_letters(db, workspace_id)
    with db.session() as session:
        before = list_conversations(session, workspace_id).total
    second = run_import(db, workspace_id, path, format_name)
    assert (first.imported, second.imported, second.duplicates) == (count, 0, count)
    assert dead_letters(db, workspace_id) == letters
    assert letters  # every fixture holds at least one bad record
    with db.session() as session:
        assert list_conversations(session, workspace_id).total == before


# -- the command line ---------------------------------------------------------------------------


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("RAPPORT_DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("path", "format_name", "summary", "rejection"),
    [
        (
            X_FIXTURES / "xv2_search_response.json",
            "x-v2",
            "imported=5 duplicates=0 rejected=1",
            "xv2_search_response.json:document data[0]: created_at: missing",
        ),
        (
            META_FIXTURES / "messenger.json",
            "meta",
            "imported=5 duplicates=0 rejected=2",
            "messenger.json:record 5 entry[0].messaging[0]: message.mid: missing",
        ),
        (
            EMAIL_FIXTURES / "inbox",
            "email",
            "imported=7 duplicates=0 rejected=1",
            "inbox:file malformed-no-date.eml: Date: missing",
        ),
    ],
)
def test_cli_import_reports_and_exits_3_on_rejections(
    cli_database: Path, path: Path, format_name: str, summary: str, rejection: str
) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(path), "--format", format_name, "--quiet"])
    assert result.exit_code == 3, result.output
    assert summary in result.stdout
    # Rich wraps long lines at the terminal width, so compare without whitespace.
    assert "".join(rejection.split()) in "".join(result.output.split())
    again = runner.invoke(app, ["import", str(path), "--format", format_name, "--quiet"])
    assert again.exit_code == 3
    assert "imported=0" in again.stdout


def test_cli_import_with_nothing_rejected_exits_0(cli_database: Path, tmp_path: Path) -> None:
    mail = tmp_path / "one.eml"
    shutil.copy(EMAIL_FIXTURES / "inbox" / "hu-iso-8859-2.eml", mail)
    runner = CliRunner()
    result = runner.invoke(
        app, ["import", str(mail), "--format", "email", "--channel", "support", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("imported=1 duplicates=0 rejected=0")
    listed = runner.invoke(app, ["conversations", "list", "--json", "--channel", "support"])
    assert listed.exit_code == 0, listed.output
    (conversation,) = json.loads(listed.stdout)
    assert conversation["customer"] == "Szőke Gergő"


def test_cli_rejects_an_unknown_format_as_a_usage_error(cli_database: Path) -> None:
    result = CliRunner().invoke(
        app, ["import", str(EMAIL_FIXTURES / "support.mbox"), "--format", "pst"]
    )
    assert result.exit_code == 2
