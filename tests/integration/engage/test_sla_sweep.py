"""The SLA sweep on a controllable clock: a warning before the due time, a breach after
it, nothing for answered or resolved cases, silent pending cases resolved after 72 hours;
and a due time across a daylight-saving change."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from rapport.accounts.service import create_user, get_or_create_workspace
from rapport.engage.case_queries import CaseFilter, get_case, iter_all_cases
from rapport.engage.rule_store import save_rules
from rapport.engage.setup import apply_setup, read_setup
from rapport.engage.sla import sweep
from rapport.ingest.records import InboundMessage
from rapport.ingest.service import ingest_messages
from rapport.store.db import Database
from rapport.store.engagement import Notification
from rapport.store.models import ChannelKind, Direction, Role, Workspace

OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def desk(db: Database) -> int:
    tag = uuid.uuid4().hex[:8]
    with db.session() as session:
        ws = get_or_create_workspace(session, f"sweep-{tag}")
        workspace = session.get_one(Workspace, ws.id)
        email = f"kari-{tag}@fjord.example"
        create_user(
            session,
            workspace,
            email=email,
            name="Kari",
            role=Role.AGENT,
            password="correct horse battery",
        )
        setup = read_setup(
            f"""
teams:
  - name: Desk
    calendar: {{timezone: Europe/Oslo, hours: {{mon-fri: ["09:00-17:00"]}}}}
    members: [{email}]
sla_policies:
  - {{name: Standard, first_response: 2h, resolution: 8h, warn_before: 30m}}
""",
            source="setup.yaml",
        )
        apply_setup(session, ws.id, setup, source="setup.yaml")
        save_rules(
            session,
            ws.id,
            "rules:\n  - name: Desk\n    when: {new_case: true}\n"
            "    then: {assign: {team: Desk}}\n",
            source="rules",
            user_id=None,
        )
        return ws.id


def _say(
    db: Database,
    ws: int,
    ext: str,
    at: datetime,
    *,
    outbound: bool = False,
    reply_to: str | None = None,
) -> None:
    ingest_messages(
        db,
        workspace_id=ws,
        channel_name="mail",
        kind=ChannelKind.EMAIL,
        messages=[
            InboundMessage(
                external_id=ext,
                author_id="desk@fjord.example" if outbound else "ola@example.com",
                author_name="Fjord & Pine" if outbound else "Ola Nordmann",
                text="Hei, hvor er pakken min?" if not outbound else "Den kommer i morgen.",
                sent_at=at.astimezone(UTC),
                direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
                in_reply_to=reply_to,
            )
        ],
    )


def _case(db: Database, ws: int):  # type: ignore[no-untyped-def]
    with db.session() as session:
        [case] = list(iter_all_cases(session, ws, CaseFilter()))
        return case


def _run(db: Database, ws: int, now: datetime):  # type: ignore[no-untyped-def]
    with db.session() as session:
        return sweep(session.connection(), ws, now.astimezone(UTC))


def test_a_warning_comes_before_the_due_time_and_a_breach_after(db: Database, desk: int) -> None:
    # Tuesday 10:00 (CET): first response due 12:00, warned from 11:30.
    asked = datetime(2026, 11, 24, 10, 0, tzinfo=OSLO)
    _say(db, desk, "m1", asked)
    case = _case(db, desk)
    assert case.first_response_due == datetime(2026, 11, 24, 12, 0, tzinfo=OSLO)

    assert _run(db, desk, asked + timedelta(minutes=80)).warned == []
    report = _run(db, desk, asked + timedelta(minutes=95))
    assert report.warned == [case.id]
    assert _run(db, desk, asked + timedelta(minutes=100)).warned == []  # once only
    with db.session() as session:
        texts = session.scalars(select(Notification.kind).where(Notification.case_id == case.id))
        assert "sla_warning" in list(texts)

    assert _run(db, desk, asked + timedelta(minutes=119)).breached == []
    assert _run(db, desk, asked + timedelta(minutes=121)).breached == [case.id]
    case = _case(db, desk)
    assert case.first_response_breached
    with db.session() as session:
        history = [(e.activity, e.at) for e in get_case(session, desk, case.id).events]
    assert ("sla_breached", datetime(2026, 11, 24, 11, 0, tzinfo=UTC)) in history


def test_an_answered_case_is_not_breached_and_a_silent_one_is_resolved(
    db: Database, desk: int
) -> None:
    asked = datetime(2026, 11, 24, 10, 0, tzinfo=OSLO)
    _say(db, desk, "a1", asked)
    _say(db, desk, "a2", asked + timedelta(minutes=30), outbound=True, reply_to="a1")
    assert _run(db, desk, asked + timedelta(hours=5)).breached == []
    case = _case(db, desk)
    assert case.status == "pending"
    assert _run(db, desk, asked + timedelta(hours=60)).resolved == []
    assert _run(db, desk, asked + timedelta(hours=73)).resolved == [case.id]
    case = _case(db, desk)
    assert case.status == "resolved"
    assert case.resolved_at == (asked + timedelta(minutes=30)).astimezone(UTC)


def test_the_clock_runs_on_local_hours_across_the_daylight_saving_change(
    db: Database, desk: int
) -> None:
    # Friday 16:00 CET before the spring change (clocks go forward on Sunday 29 March):
    # one business hour on Friday, one on Monday from 09:00 CEST (07:00 UTC).
    asked = datetime(2026, 3, 27, 16, 0, tzinfo=OSLO)
    _say(db, desk, "d1", asked)
    case = _case(db, desk)
    assert case.first_response_due == datetime(2026, 3, 30, 10, 0, tzinfo=OSLO)
    assert case.first_response_due == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
