"""Routing as a team sees it: messages open and reopen cases, rules route them, agents get
them in turn, SLA clocks run in business hours, and every step is in the case history."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from rapport.accounts.service import create_user, get_or_create_workspace
from rapport.engage.case_queries import CaseFilter, get_case, iter_all_cases
from rapport.engage.cases import Actor, CaseEditor
from rapport.engage.rule_store import save_rules
from rapport.engage.rules import RulesError
from rapport.engage.setup import apply_setup, read_setup
from rapport.ingest.records import InboundMessage
from rapport.ingest.service import ingest_messages
from rapport.store.db import Database
from rapport.store.engagement import Case, CaseEvent, Delivery, RuleFiring
from rapport.store.models import ChannelKind, Direction, Role, Workspace

OSLO = ZoneInfo("Europe/Oslo")
# A Friday afternoon in Oslo, and the Monday after.
FRIDAY_1530 = datetime(2026, 11, 20, 15, 30, tzinfo=OSLO)


@pytest.fixture
def team(db: Database) -> dict[str, object]:
    """A workspace with three agents in one team (Oslo hours), and rules."""
    tag = uuid.uuid4().hex[:8]
    emails = {name: f"{name}-{tag}@fjord.example" for name in ("anna", "bjorn", "parisa")}
    with db.session() as session:
        ws = get_or_create_workspace(session, f"routing-{tag}")
        workspace = session.get_one(Workspace, ws.id)
        for name, email in emails.items():
            create_user(
                session,
                workspace,
                email=email,
                name=name.title(),
                role=Role.AGENT,
                password="correct horse battery",
            )
        setup = read_setup(
            f"""
teams:
  - name: Care
    calendar: {{timezone: Europe/Oslo, hours: {{mon-fri: ["08:00-16:00"]}}}}
    members: [{emails["anna"]}, {emails["bjorn"]}, {emails["parisa"]}]
agents:
  - {{email: {emails["anna"]}, capacity: 2, languages: [en, is]}}
  - {{email: {emails["bjorn"]}, capacity: 2, languages: [en, "no"]}}
  - {{email: {emails["parisa"]}, capacity: 2, languages: [fa, en]}}
sla_policies:
  - {{name: Standard, first_response: 4h, resolution: 16h}}
  - {{name: Urgent, priority: urgent, first_response: 30m}}
""",
            source="setup.yaml",
        )
        apply_setup(session, ws.id, setup, source="setup.yaml")
        save_rules(
            session,
            ws.id,
            """
rules:
  - name: Big accounts are urgent
    when: {followers: {at_least: 10000}}
    then: {priority: urgent, tag: vip}
  - name: Everyone to Care
    when: {new_case: true}
    then: {assign: {team: Care}}
""",
            source="rules.yaml",
            user_id=None,
        )
        return {"workspace_id": ws.id, "emails": emails}


def _say(
    db: Database,
    ws: int,
    ext: str,
    text: str,
    at: datetime,
    *,
    author: str = "cust-1",
    outbound: bool = False,
    reply_to: str | None = None,
    followers: int | None = None,
) -> None:
    message = InboundMessage(
        external_id=ext,
        author_id="brand" if outbound else author,
        author_name="Fjord & Pine" if outbound else f"Customer {author}",
        text=text,
        sent_at=at.astimezone(UTC),
        direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
        in_reply_to=reply_to,
        followers_count=followers,
        meta={"agent_name": "Anna"} if outbound else None,
    )
    ingest_messages(
        db, workspace_id=ws, channel_name="x", kind=ChannelKind.TWITTER, messages=[message]
    )


def _cases(db: Database, ws: int) -> list:  # type: ignore[type-arg]
    with db.session() as session:
        return list(iter_all_cases(session, ws, CaseFilter()))


def _history(db: Database, ws: int, case_id: int) -> list[tuple[str, str]]:
    with db.session() as session:
        return [(e.activity, e.resource) for e in get_case(session, ws, case_id).events]


def test_a_customer_message_opens_a_case_that_the_reply_answers(db: Database, team: dict) -> None:
    ws = team["workspace_id"]
    asked = datetime(2026, 11, 23, 9, 0, tzinfo=OSLO)  # Monday, open
    _say(db, ws, "t1", "Where is my order?", asked)
    [case] = _cases(db, ws)
    assert case.status == "open"  # assigned at once, so someone has it
    assert case.team == "Care"
    assert case.assignee is not None
    assert case.first_response_due == (asked + timedelta(hours=4)).astimezone(UTC)

    _say(
        db, ws, "t2", "It ships today!", asked + timedelta(minutes=20), outbound=True, reply_to="t1"
    )
    [case] = _cases(db, ws)
    assert case.status == "pending"
    assert case.first_responded_at == (asked + timedelta(minutes=20)).astimezone(UTC)
    assert not case.first_response_breached

    _say(
        db,
        ws,
        "t3",
        "Thanks, and can I change the address?",
        asked + timedelta(hours=1),
        reply_to="t2",
    )
    [case] = _cases(db, ws)
    assert case.status == "open"
    activities = [activity for activity, _ in _history(db, ws, case.id)]
    assert activities == ["created", "team_changed", "assigned", "replied", "customer_replied"]
    assert ("replied", "Anna") in _history(db, ws, case.id)


def test_the_sla_clock_stops_for_the_weekend(db: Database, team: dict) -> None:
    ws = team["workspace_id"]
    _say(db, ws, "w1", "My tent pole snapped", FRIDAY_1530)
    [case] = _cases(db, ws)
    # Half an hour on Friday, three and a half on Monday from 08:00.
    monday = datetime(2026, 11, 23, 11, 30, tzinfo=OSLO)
    assert case.first_response_due == monday.astimezone(UTC)


def test_a_late_answer_is_recorded_as_a_breach(db: Database, team: dict) -> None:
    ws = team["workspace_id"]
    asked = datetime(2026, 11, 24, 9, 0, tzinfo=OSLO)
    _say(db, ws, "b1", "Hello?", asked)
    _say(
        db, ws, "b2", "Sorry for the wait", asked + timedelta(hours=6), outbound=True, reply_to="b1"
    )
    [case] = _cases(db, ws)
    assert case.first_response_breached
    assert ("sla_breached", "system") in _history(db, ws, case.id)


def test_rules_raise_priority_and_tag_with_a_logged_reason(db: Database, team: dict) -> None:
    ws = team["workspace_id"]
    _say(
        db,
        ws,
        "v1",
        "My order is late",
        datetime(2026, 11, 24, 9, 0, tzinfo=OSLO),
        followers=25_000,
    )
    [case] = _cases(db, ws)
    assert case.priority == "urgent"
    assert case.tags == ["vip"]
    assert case.sla_policy == "Urgent"
    with db.session() as session:
        reasons = dict(
            session.execute(
                select(RuleFiring.rule, RuleFiring.reason).where(RuleFiring.workspace_id == ws)
            ).all()
        )
    assert reasons["Big accounts are urgent"] == "followers 25,000 ≥ 10,000"
    assert "Everyone to Care" in reasons


def test_round_robin_respects_capacity_presence_and_language(db: Database, team: dict) -> None:
    ws = team["workspace_id"]
    emails = team["emails"]
    start = datetime(2026, 11, 24, 9, 0, tzinfo=OSLO)
    for n in range(4):
        _say(
            db,
            ws,
            f"rr{n}",
            f"Question number {n} about my jacket order",
            start + timedelta(minutes=n),
            author=f"c{n}",
        )
    owners = [c.assignee_email for c in sorted(_cases(db, ws), key=lambda c: c.id)]
    # English: anna and bjorn speak it, and so does parisa; turns go round the team.
    assert len(set(owners)) == 3
    persian = "سلام، سفارش من هنوز نرسیده است. لطفا کمک کنید"
    _say(db, ws, "fa1", persian, start + timedelta(minutes=10), author="c-fa")
    fa_case = next(c for c in _cases(db, ws) if c.language == "fa")
    assert fa_case.assignee_email == emails["parisa"]
    # Everyone is now at or near capacity 2: six more cases cannot all be handed out.
    for n in range(6):
        _say(
            db,
            ws,
            f"more{n}",
            f"Another question {n} about sizes of the boots",
            start + timedelta(minutes=20 + n),
            author=f"m{n}",
        )
    per_agent: dict[str | None, int] = {}
    for case in _cases(db, ws):
        per_agent[case.assignee_email] = per_agent.get(case.assignee_email, 0) + 1
    assert all(count <= 2 for email, count in per_agent.items() if email is not None)
    assert per_agent.get(None, 0) == 11 - 6  # the rest wait in the team's queue


def test_away_agents_get_nothing(db: Database, team: dict) -> None:
    ws = team["workspace_id"]
    emails = team["emails"]
    with db.session() as session:
        setup = read_setup(
            f"agents:\n  - {{email: {emails['anna']}, presence: away}}\n"
            f"  - {{email: {emails['bjorn']}, presence: away}}\n",
            source="away.yaml",
        )
        apply_setup(session, ws, setup, source="away.yaml")
    for n in range(2):
        _say(
            db,
            ws,
            f"aw{n}",
            f"Do you have the Vind jacket in size {n}?",
            datetime(2026, 11, 24, 9, n, tzinfo=OSLO),
            author=f"a{n}",
        )
    assert {c.assignee_email for c in _cases(db, ws)} == {emails["parisa"]}


def test_a_resolved_case_reopens_and_a_closed_one_starts_over(db: Database, team: dict) -> None:
    ws = team["workspace_id"]
    start = datetime(2026, 11, 24, 9, 0, tzinfo=OSLO)
    _say(db, ws, "r1", "Broken zip", start)
    [case] = _cases(db, ws)
    with db.session() as session:
        editor = CaseEditor(session, ws, Actor(None, "Anna"))
        editor.set_status(case.id, "resolved", at=start + timedelta(hours=1))
        editor.save()
    _say(db, ws, "r2", "The zip broke again", start + timedelta(hours=2), reply_to="r1")
    [case] = _cases(db, ws)
    assert case.status == "open"
    assert [a for a, _ in _history(db, ws, case.id)][-2:] == ["resolved", "reopened"]

    with db.session() as session:
        editor = CaseEditor(session, ws, Actor(None, "Anna"))
        editor.set_status(case.id, "closed", at=start + timedelta(hours=3))
        editor.save()
    _say(db, ws, "r3", "Still broken, third time", start + timedelta(hours=4), reply_to="r2")
    cases = sorted(_cases(db, ws), key=lambda c: c.id)
    assert [c.status for c in cases] == ["closed", "open"]


def test_importing_the_same_messages_twice_changes_no_case(db: Database, team: dict) -> None:
    ws = team["workspace_id"]
    at = datetime(2026, 11, 24, 10, 0, tzinfo=OSLO)
    for _ in range(2):
        _say(db, ws, "same1", "Is the store open on Sunday?", at)
    with db.session() as session:
        cases = session.scalar(
            select(func.count()).select_from(Case).where(Case.workspace_id == ws)
        )
        events = session.scalar(
            select(func.count()).select_from(CaseEvent).where(CaseEvent.workspace_id == ws)
        )
    assert (cases, events) == (1, 3)  # created, team_changed, assigned


def test_rules_naming_a_missing_team_are_refused(db: Database, team: dict) -> None:
    with db.session() as session, pytest.raises(RulesError, match="no team named 'Sales'"):
        save_rules(
            session,
            team["workspace_id"],
            "rules:\n  - name: To sales\n    then: {assign: {team: Sales}}\n",
            source="rules.yaml",
            user_id=None,
        )


def test_an_automatic_acknowledgement_is_not_an_answer(db: Database, team: dict) -> None:
    ws = team["workspace_id"]
    asked = datetime(2026, 11, 24, 9, 0, tzinfo=OSLO)
    _say(db, ws, "k1", "My boots fell apart after two walks", asked)
    ack = InboundMessage(
        external_id="k2",
        author_id="brand",
        text="Thanks, your case number is 12; a person will answer soon.",
        sent_at=(asked + timedelta(seconds=5)).astimezone(UTC),
        direction=Direction.OUTBOUND,
        in_reply_to="k1",
        meta={"purpose": "ack"},
    )
    ingest_messages(db, workspace_id=ws, channel_name="x", kind=ChannelKind.TWITTER, messages=[ack])
    [case] = _cases(db, ws)
    assert case.first_responded_at is None
    assert case.status == "open"  # still the team's turn
    assert ("acknowledged", "system") in _history(db, ws, case.id)


def test_a_reply_imported_before_its_question_still_answers_the_case(
    db: Database, team: dict
) -> None:
    ws = team["workspace_id"]
    asked = datetime(2026, 11, 24, 9, 0, tzinfo=OSLO)
    # History out of order, in two batches: the company's answer arrives first.
    _say(
        db, ws, "o2", "It ships today!", asked + timedelta(minutes=40), outbound=True, reply_to="o1"
    )
    assert _cases(db, ws) == []  # nothing to answer yet
    _say(db, ws, "o1", "Where is my order?", asked)
    [case] = _cases(db, ws)
    assert case.first_responded_at == (asked + timedelta(minutes=40)).astimezone(UTC)
    assert case.status == "pending"
    assert not case.first_response_breached
    assert ("replied", "Anna") in _history(db, ws, case.id)


@pytest.mark.parametrize(("kind", "public"), [("facebook", False), ("twitter", True)])
def test_an_automatic_acknowledgement_is_private_where_the_channel_allows(
    db: Database, team: dict, kind: str, public: bool
) -> None:
    ws = team["workspace_id"]
    with db.session() as session:
        setup = read_setup(
            "canned_replies:\n  - {name: thanks, language: en, "
            "body: 'Thanks {customer_name}, case {case_number} is with us.'}\n",
            source="canned.yaml",
        )
        apply_setup(session, ws, setup, source="canned.yaml")
        save_rules(
            session,
            ws,
            "rules:\n  - name: Say thanks\n    when: {new_case: true}\n"
            "    then: {acknowledge: thanks}\n",
            source="rules.yaml",
            user_id=None,
        )
    comment = InboundMessage(
        external_id=f"{kind}-c1",
        author_id="cust-9",
        author_name="Ingrid",
        text="Is the Fell 45 back in stock?",
        sent_at=datetime.now(UTC) - timedelta(minutes=2),  # live: acknowledged
        direction=Direction.INBOUND,
    )
    ingest_messages(
        db, workspace_id=ws, channel_name=kind, kind=ChannelKind(kind), messages=[comment]
    )
    with db.session() as session:
        [ack] = session.scalars(select(Delivery).where(Delivery.workspace_id == ws)).all()
    assert ack.purpose == "ack"
    assert ack.public is public
    assert ack.text.startswith("Thanks Ingrid, case ")
