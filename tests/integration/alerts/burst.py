"""Messages for the trend and alert tests, stored through the real ingest path: two quiet
days (one neutral message an hour) and then a burst of angry messages in the last hour."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.integration.intelligence.fakes import ShoutingAnalyzer

from rapport.accounts.service import create_user, get_or_create_workspace
from rapport.ingest.records import InboundMessage
from rapport.ingest.service import ingest_messages
from rapport.store.db import Database
from rapport.store.models import ChannelKind, Direction, Role, Workspace

# The burst fills 2026-11-30 (a Monday) 08:00-09:00 UTC; checks run just after it.
BURST_START = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
NOW = BURST_START + timedelta(hours=1, minutes=5)
BURST = 30
ANGRY = "سفارشم کجاست! Where is my order!"  # the fake analyzer reads '!' as negative


def message(ext: str, text: str, author: str, at: datetime) -> InboundMessage:
    return InboundMessage(
        external_id=ext,
        author_id=author,
        author_name=author.title(),
        text=text,
        sent_at=at,
        direction=Direction.INBOUND,
    )


def store(db: Database, ws: int, messages: list[InboundMessage], channel: str = "x") -> None:
    ingest_messages(
        db,
        workspace_id=ws,
        channel_name=channel,
        kind=ChannelKind.TWITTER,
        messages=messages,
        analyzer=ShoutingAnalyzer(),
    )


def store_burst(db: Database, ws: int | None = None, *, channel: str = "x") -> int:
    """The quiet history and the burst in a workspace (a new one unless given)."""
    if ws is None:
        with db.session() as session:
            ws = get_or_create_workspace(session, f"alerts-{uuid.uuid4().hex[:8]}").id
    quiet = [
        message(
            f"q{hour}",
            "is the shop open today",
            f"calm{hour % 5}",
            BURST_START - timedelta(hours=hour) + timedelta(minutes=20),
        )
        for hour in range(1, 49)
    ]
    angry = [
        message(f"b{i}", f"{ANGRY} #{i}", f"angry{i}", BURST_START + timedelta(minutes=i))
        for i in range(BURST)
    ]
    store(db, ws, quiet + angry, channel)
    return ws


def make_user(db: Database, ws: int) -> int:
    with db.session() as session:
        workspace = session.get(Workspace, ws)
        assert workspace is not None
        return create_user(
            session,
            workspace,
            email=f"watcher-{uuid.uuid4().hex[:8]}@acme.example",
            name="Watcher",
            role=Role.AGENT,
            password="long-enough-password",
        ).id
