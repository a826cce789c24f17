"""The demo workspace: what `make demo` shows a first-time user, loaded through the pipeline."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.conftest import shared_data
from typer.testing import CliRunner

from rapport.accounts.service import authenticate_password, get_or_create_workspace
from rapport.cli import app
from rapport.config import get_settings
from rapport.demo.content import DEMO_CHANNELS, count_demo_messages
from rapport.demo.service import (
    DEMO_PASSWORD,
    DEMO_USERS,
    TWCS_CHANNEL,
    DemoReport,
    load_demo,
)
from rapport.inbox.queries import (
    ConversationDetail,
    ConversationFilter,
    get_conversation,
    iter_all_conversations,
    set_status,
)
from rapport.ingest.records import InboundMessage
from rapport.ingest.service import ingest_messages
from rapport.store.db import Database
from rapport.store.models import ChannelKind, Direction, Message, Role

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PERSIAN = re.compile(r"[\u0600-\u06FF]")
LANGUAGES = {
    "Persian": PERSIAN,
    "Icelandic": re.compile(r"[þðÞÐ]"),
    "Hungarian": re.compile(r"[őűŐŰ]"),
    "Italian": re.compile(r"\b(grazie|ciao|buongiorno|salve)\b", re.IGNORECASE),
    "German": re.compile(r"\b(danke|hallo|guten)\b", re.IGNORECASE),
    "Spanish": re.compile(r"[¿¡]"),
    "English": re.compile(r"\b(thanks|thank you|hi|hello)\b", re.IGNORECASE),
}
# An agent signs every company reply on its last line: "— Sigrún", "— Jonas, Fjord & Pine ...".
SIGNATURE = re.compile(r"—\s*\w+")


def _slug() -> str:
    return f"demo-{uuid.uuid4().hex[:10]}"


def _load(db: Database, slug: str, **kwargs: object) -> DemoReport:
    return load_demo(db, slug, now=NOW, **kwargs)  # type: ignore[arg-type]


def _conversations(db: Database, workspace_id: int) -> list[ConversationDetail]:
    with db.session() as session:
        return [
            get_conversation(session, workspace_id, summary.id)
            for summary in iter_all_conversations(session, workspace_id, ConversationFilter())
        ]


def _message_count(db: Database, workspace_id: int) -> int:
    with db.session() as session:
        return session.execute(
            select(func.count()).select_from(Message).where(Message.workspace_id == workspace_id)
        ).scalar_one()


def _signature(text: str) -> str | None:
    """The agent named on a reply's last line ("— Sigrún"), or None when it is unsigned."""
    found = SIGNATURE.search(text.strip().splitlines()[-1])
    return found.group().lstrip("—").strip() if found else None


def _all_text(detail: ConversationDetail) -> str:
    return "\n".join(m.text for m in detail.messages)


def test_demo_fills_every_channel_in_every_language(db: Database) -> None:
    report = _load(db, _slug())
    conversations = _conversations(db, report.workspace_id)

    assert report.imported == count_demo_messages() == _message_count(db, report.workspace_id)
    assert 40 <= len(conversations) <= 60
    by_channel = {
        channel.name: [d for d in conversations if d.conversation.channel == channel.name]
        for channel in DEMO_CHANNELS
    }
    assert set(by_channel) == {"twitter", "facebook", "email", "api"}
    assert all(len(found) >= 8 for found in by_channel.values()), {
        name: len(found) for name, found in by_channel.items()
    }
    kinds = {d.conversation.channel: d.conversation.channel_kind for d in conversations}
    assert kinds == {
        "twitter": ChannelKind.TWITTER.value,
        "facebook": ChannelKind.FACEBOOK.value,
        "email": ChannelKind.EMAIL.value,
        "api": ChannelKind.API.value,
    }
    for language, pattern in LANGUAGES.items():
        written_in = [d for d in conversations if pattern.search(_all_text(d))]
        assert len(written_in) >= 4, f"only {len(written_in)} {language} conversations"
    # Every message is within the last three weeks, and the newest only minutes old.
    times = [m.sent_at for d in conversations for m in d.messages]
    assert min(times) >= NOW - timedelta(days=21)
    assert NOW - timedelta(hours=1) <= max(times) <= NOW


def test_a_persian_conversation_reads_in_order_with_signed_replies(db: Database) -> None:
    report = _load(db, _slug())
    persian = [d for d in _conversations(db, report.workspace_id) if PERSIAN.search(_all_text(d))]
    assert {d.conversation.channel for d in persian} >= {"twitter", "facebook", "email"}
    thread = max(persian, key=lambda d: len(d.messages))
    assert len(thread.messages) >= 4
    times = [m.sent_at for m in thread.messages]
    assert times == sorted(times)
    assert thread.messages[0].direction == Direction.INBOUND.value
    assert {m.direction for m in thread.messages} == {"inbound", "outbound"}
    assert thread.contact is not None
    assert thread.contact.display_name == thread.messages[0].author
    replies = [m for m in thread.messages if m.direction == Direction.OUTBOUND.value]
    assert all(m.author_is_company and "پریسا" in m.text for m in replies)


def test_company_replies_are_signed_by_named_agents(db: Database) -> None:
    report = _load(db, _slug())
    replies = [
        m
        for d in _conversations(db, report.workspace_id)
        for m in d.messages
        if m.direction == Direction.OUTBOUND.value
    ]
    assert len(replies) >= 50
    signatures = {m.text: _signature(m.text) for m in replies}
    assert [text for text, agent in signatures.items() if agent is None] == []
    assert len(set(signatures.values())) >= 6
    assert all(m.author_is_company for m in replies)


def test_demo_tells_the_stories_it_promises(db: Database) -> None:
    report = _load(db, _slug())
    conversations = _conversations(db, report.workspace_id)
    # An angry customer with many followers, whose complaint escalates over several messages.
    loud = [
        d
        for d in conversations
        if d.contact
        and any((i.followers_count or 0) >= 10_000 for i in d.contact.identities)
        and sum(m.direction == Direction.INBOUND.value for m in d.messages) >= 3
    ]
    assert loud, "no escalating complaint from a customer with 10k+ followers"
    # A customer who writes back days later, in the same conversation.
    gaps = [
        max(b.sent_at - a.sent_at for a, b in zip(d.messages, d.messages[1:], strict=False))
        for d in conversations
        if len(d.messages) > 1
    ]
    assert max(gaps) >= timedelta(days=7)
    # A refund and a delivery problem.
    text = "\n".join(_all_text(d) for d in conversations).lower()
    assert "refund" in text
    assert "delivery" in text or "delivered" in text
    # Finished conversations are left read and closed or pending; unanswered ones wait, unread.
    unanswered = [d for d in conversations if all(m.direction == "inbound" for m in d.messages)]
    assert unanswered
    assert all(d.conversation.status == "open" and d.conversation.unread for d in unanswered)
    closed = [d for d in conversations if d.conversation.status == "closed"]
    assert closed
    assert not any(d.conversation.unread for d in closed)


def test_loading_twice_with_reset_gives_the_same_inbox(db: Database) -> None:
    slug = _slug()
    first = _load(db, slug)
    before = _conversations(db, first.workspace_id)
    second = _load(db, slug, reset=True)
    after = _conversations(db, second.workspace_id)

    assert second.workspace_id == first.workspace_id
    assert second.cleared_messages == first.imported
    assert second.imported == first.imported
    assert len(after) == len(before)
    assert sorted((d.conversation.channel, len(d.messages)) for d in after) == sorted(
        (d.conversation.channel, len(d.messages)) for d in before
    )
    assert _message_count(db, first.workspace_id) == first.imported


def test_loading_twice_without_reset_adds_nothing_and_keeps_changes(db: Database) -> None:
    slug = _slug()
    first = _load(db, slug)
    conversations = _conversations(db, first.workspace_id)
    reopened = next(d for d in conversations if d.conversation.status == "closed")
    with db.session() as session:
        set_status(session, first.workspace_id, reopened.conversation.id, "open")

    second = load_demo(db, slug, now=NOW + timedelta(days=1))

    assert second.imported == 0
    assert second.duplicates == first.imported
    assert second.conversations_created == 0
    assert len(_conversations(db, first.workspace_id)) == len(conversations)
    with db.session() as session:
        again = get_conversation(session, first.workspace_id, reopened.conversation.id)
    assert again.conversation.status == "open"


def test_reset_leaves_other_workspaces_alone(db: Database) -> None:
    with db.session() as session:
        other = get_or_create_workspace(session, _slug()).id
    ingest_messages(
        db,
        workspace_id=other,
        channel_name="twitter",
        kind=ChannelKind.TWITTER,
        messages=[
            InboundMessage(
                external_id="x0101",  # the same id as a demo tweet, on another workspace
                author_id="someone",
                text="Where is my parcel?",
                sent_at=NOW,
                direction=Direction.INBOUND,
            )
        ],
    )
    slug = _slug()
    _load(db, slug)
    report = _load(db, slug, reset=True)

    assert report.imported == count_demo_messages()
    assert _message_count(db, other) == 1
    assert [d.messages[0].text for d in _conversations(db, other)] == ["Where is my parcel?"]


def test_demo_users_can_log_in_with_their_roles(db: Database) -> None:
    report = _load(db, _slug())
    assert sorted(report.users_created + report.users_existing) == sorted(
        u.email for u in DEMO_USERS
    )
    with db.session() as session:
        roles = {
            u.email: authenticate_password(session, u.email, DEMO_PASSWORD).role for u in DEMO_USERS
        }
    assert roles["demo@rapport.example"] == Role.ADMIN
    assert roles["analyst@rapport.example"] == Role.ANALYST
    agents = {email for email, role in roles.items() if role == Role.AGENT}
    assert {"agent@rapport.example", "tom@rapport.example", "parisa@rapport.example"} <= agents
    assert len(agents) == len(DEMO_USERS) - 2


def test_demo_imports_the_real_twcs_sample_into_its_own_channel(db: Database) -> None:
    sample = shared_data("twcs/twcs_sample.csv")
    report = _load(db, _slug(), twcs_path=sample)

    assert report.twcs is not None
    assert report.twcs.imported > 500
    assert report.twcs.rejected == 0
    with db.session() as session:
        archive = list(
            iter_all_conversations(
                session, report.workspace_id, ConversationFilter(channel=TWCS_CHANNEL)
            )
        )
    assert len(archive) == report.twcs.conversations_created > 100
    assert sum(c.message_count for c in archive) == report.twcs.imported


def test_missing_twcs_sample_is_reported_and_the_demo_still_loads(
    db: Database, tmp_path: Path
) -> None:
    report = _load(db, _slug(), twcs_path=tmp_path / "twcs" / "twcs_sample.csv")

    assert report.twcs is None
    assert report.twcs_missing == tmp_path / "twcs" / "twcs_sample.csv"
    assert report.imported == count_demo_messages()


@pytest.fixture
def demo_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The CLI's settings pointed at a fresh SQLite file and an empty data folder."""
    path = tmp_path / "demo.db"
    monkeypatch.setenv("RAPPORT_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("RAPPORT_DATA_DIR", str(tmp_path / "no-data"))
    monkeypatch.setenv("RAPPORT_WORKSPACE", "default")
    monkeypatch.setenv("PORT", "8765")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def test_cli_demo_load_prints_a_summary_the_url_and_the_login(demo_env: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "load", "--quiet"])
    assert first.exit_code == 0, first.output
    assert f"imported={count_demo_messages()}" in first.output
    assert "twcs sample    not found at" in first.output
    last_lines = first.output.strip().splitlines()[-2:]
    assert last_lines[0].startswith("Rapport demo:  http://127.0.0.1:8765")
    assert last_lines[1] == f"demo login:    demo@rapport.example / {DEMO_PASSWORD}"

    again = runner.invoke(app, ["demo", "load", "--quiet", "--reset", "--no-twcs"])
    assert again.exit_code == 0, again.output
    assert f"removed {count_demo_messages()} messages" in again.output
    assert "twcs sample" not in again.output
    assert "created user" not in again.output

    db = Database(f"sqlite:///{demo_env}")
    try:
        with db.session() as session:
            principal = authenticate_password(session, "demo@rapport.example", DEMO_PASSWORD)
            workspace = get_or_create_workspace(session, "default")
            assert principal.workspace_id == workspace.id
            assert workspace.name == "Rapport demo"
        assert _message_count(db, workspace.id) == count_demo_messages()
    finally:
        db.dispose()
