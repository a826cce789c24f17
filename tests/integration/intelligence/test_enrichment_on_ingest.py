"""Messages are read as they are stored, and the rules route on what they say."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from tests.integration.intelligence.fakes import ShoutingAnalyzer

from rapport.accounts.service import get_or_create_workspace
from rapport.engage.case_queries import CaseFilter, iter_all_cases
from rapport.engage.rule_store import save_rules
from rapport.ingest.records import InboundMessage
from rapport.ingest.service import ingest_messages
from rapport.store.db import Database
from rapport.store.models import ChannelKind, Direction, MessageEnrichment

RULES = """
rules:
  - name: Angry complaints are urgent
    when: {all: [{sentiment: negative}, {intent: complaint}]}
    then: {priority: urgent, tag: angry}
"""


def _workspace(db: Database) -> int:
    with db.session() as session:
        ws = get_or_create_workspace(session, f"enrich-{uuid.uuid4().hex[:8]}").id
        save_rules(session, ws, RULES, source="rules.yaml", user_id=None)
    return ws


def _post(ext: str, text: str, author: str) -> InboundMessage:
    return InboundMessage(
        external_id=ext,
        author_id=author,
        author_name=author.title(),
        text=text,
        sent_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
        direction=Direction.INBOUND,
    )


def test_readings_are_stored_and_rules_see_sentiment_and_intent(db: Database) -> None:
    ws = _workspace(db)
    analyzer = ShoutingAnalyzer()
    report = ingest_messages(
        db,
        workspace_id=ws,
        channel_name="x",
        kind=ChannelKind.TWITTER,
        messages=[_post("1", "Where is my order!", "ann"), _post("2", "Lovely tent", "bo")],
        analyzer=analyzer,
    )
    assert report.imported == 2
    assert analyzer.seen == ["Where is my order!", "Lovely tent"]
    with db.session() as session:
        rows = session.scalars(
            select(MessageEnrichment)
            .where(MessageEnrichment.workspace_id == ws)
            .order_by(MessageEnrichment.message_id)
        ).all()
        assert [(r.sentiment, r.intent, r.keywords) for r in rows] == [
            ("negative", "complaint", ["Where", "is"]),
            ("neutral", "other", ["Lovely", "tent"]),
        ]
        assert {r.models for r in rows} == {"test-1"}
        cases = sorted(iter_all_cases(session, ws, CaseFilter()), key=lambda c: c.id)
    assert [(c.priority, c.tags) for c in cases] == [("urgent", ["angry"]), ("normal", [])]


def test_without_an_analyzer_nothing_is_read(db: Database) -> None:
    ws = _workspace(db)
    ingest_messages(
        db,
        workspace_id=ws,
        channel_name="x",
        kind=ChannelKind.TWITTER,
        messages=[_post("1", "Where is my order!", "ann")],
    )
    with db.session() as session:
        found = session.scalars(
            select(MessageEnrichment).where(MessageEnrichment.workspace_id == ws)
        ).all()
        [case] = iter_all_cases(session, ws, CaseFilter())
    assert found == []
    assert case.tags == []
