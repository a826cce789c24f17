"""Customer satisfaction: asked after resolution, answered once, reported per team and agent."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.integration.engage.desk import open_case

from rapport.accounts.service import create_user, get_or_create_workspace
from rapport.engage.case_queries import case_of_conversation
from rapport.engage.cases import Actor, CaseEditor
from rapport.engage.csat import answer_csat, csat_report, request_csat
from rapport.engage.setup import apply_setup, read_setup
from rapport.errors import Conflict, InvalidInput, NotFound
from rapport.ingest.records import InboundMessage
from rapport.ingest.service import ingest_messages
from rapport.store.db import Database
from rapport.store.engagement import CaseEvent, CsatSurvey, Delivery
from rapport.store.models import ChannelKind, Direction, Message, Role, User, Workspace


@pytest.fixture
def crew(db: Database, workspace_id: int) -> dict[str, User]:
    """alice leads; carol works in Billing."""
    with db.session() as session:
        workspace = session.get_one(Workspace, workspace_id)
        people = {
            name: create_user(
                session,
                workspace,
                email=f"{name}@{workspace.slug}.example",
                name=name.title(),
                role=Role.AGENT,
                password="correct horse battery",
            )
            for name in ("alice", "carol")
        }
        setup = read_setup(
            f"teams:\n  - name: Billing\n    members: [{people['carol'].email}]\n"
            "canned_replies:\n"
            "  - name: CSAT\n    language: fa\n"
            "    body: '{customer_name} عزیز، لطفاً به ما نمره دهید: {csat_link}'\n"
        )
        apply_setup(session, workspace_id, setup, source="test")
    return people


def lead(crew: dict[str, User]) -> Actor:
    return Actor(crew["alice"].id, "Alice")


def resolve(
    db: Database,
    workspace_id: int,
    case_id: int,
    crew: dict[str, User],
    *,
    team: str | None = None,
    assignee: User | None = None,
) -> None:
    with db.session() as session:
        editor = CaseEditor(session, workspace_id, lead(crew))
        if team:
            editor.set_team(case_id, team)
        if assignee:
            editor.assign(case_id, assignee.id)
        editor.set_status(case_id, "resolved")
        editor.save()


def delivery_of(session: Session, case_id: int) -> Delivery:
    return session.scalars(
        select(Delivery).where(Delivery.case_id == case_id, Delivery.purpose == "csat")
    ).one()


def test_csat_is_asked_only_after_resolution_and_once_at_a_time(
    db: Database, workspace_id: int, crew: dict[str, User]
) -> None:
    case_id = open_case(db, workspace_id, "The app crashes on start")
    with db.session() as session, pytest.raises(Conflict, match=f"case {case_id} is new"):
        request_csat(session, workspace_id, case_id, lead(crew))
    resolve(db, workspace_id, case_id, crew)
    with db.session() as session:
        survey = request_csat(session, workspace_id, case_id, lead(crew))
        token = survey.token
    with db.session() as session:
        delivery = delivery_of(session, case_id)
        message = session.scalars(select(Message).where(Message.workspace_id == workspace_id)).one()
        assert delivery.status == "queued"
        assert not delivery.public  # the link is its key: never posted publicly
        assert (delivery.conversation_id, delivery.reply_to_message_id) == (
            message.conversation_id,
            message.id,
        )
        assert delivery.text.startswith(f"How did we do with your case #{case_id}?")
        assert delivery.text.endswith(f"/csat/{token}")
        assert len(token) >= 32
        event = session.scalars(
            select(CaseEvent).where(
                CaseEvent.case_id == case_id, CaseEvent.activity == "csat_requested"
            )
        ).one()
        assert (event.resource, event.attributes["delivery_id"]) == ("Alice", delivery.id)
    with db.session() as session, pytest.raises(Conflict, match="already has a satisfaction"):
        request_csat(session, workspace_id, case_id, lead(crew))


def test_the_request_speaks_the_customers_language_when_the_workspace_has_that_text(
    db: Database, workspace_id: int, crew: dict[str, User]
) -> None:
    persian = open_case(db, workspace_id, "برنامه هنگام شروع بسته می‌شود", language="fa")
    german = open_case(db, workspace_id, "Die App stürzt ab", language="de")
    for case_id in (persian, german):
        resolve(db, workspace_id, case_id, crew)
        with db.session() as session:
            request_csat(session, workspace_id, case_id, lead(crew))
    with db.session() as session:
        fa = delivery_of(session, persian).text
        de = delivery_of(session, german).text
    assert fa.startswith("Cyrus عزیز، لطفاً به ما نمره دهید: http")
    assert "/csat/" in fa
    assert "{" not in fa
    assert de.startswith("How did we do")  # no German text: the built-in English one


def test_the_first_answer_is_recorded_and_kept(
    db: Database, workspace_id: int, crew: dict[str, User]
) -> None:
    case_id = open_case(db, workspace_id, "Refund please")
    resolve(db, workspace_id, case_id, crew)
    with db.session() as session:
        token = request_csat(session, workspace_id, case_id, lead(crew)).token

    bad: list[tuple[Any, str | None, type[Exception], str]] = [
        (0, None, InvalidInput, "from 1 to 5"),
        (6, None, InvalidInput, "from 1 to 5"),
        (True, None, InvalidInput, "from 1 to 5"),
        (4, "x" * 2001, InvalidInput, "at most 2,000 characters"),
    ]
    for score, comment, error, message in bad:
        with db.session() as session, pytest.raises(error, match=message):
            answer_csat(session, token, score, comment)
    with db.session() as session, pytest.raises(NotFound, match="link is wrong"):
        answer_csat(session, token[:-1] + "#", 5, None)

    with db.session() as session:
        answer_csat(session, token, 5, "  Quick and kind, merci! 🙏 ")
    with db.session() as session, pytest.raises(Conflict, match="already answered"):
        answer_csat(session, token, 1, "changed my mind")
    with db.session() as session:
        survey = session.scalars(select(CsatSurvey).where(CsatSurvey.case_id == case_id)).one()
        assert (survey.score, survey.comment) == (5, "Quick and kind, merci! 🙏")
        assert survey.answered_at is not None
        answered = session.scalars(
            select(CaseEvent).where(
                CaseEvent.case_id == case_id, CaseEvent.activity == "csat_answered"
            )
        ).one()
        assert (answered.resource, answered.attributes["score"]) == ("customer", 5)


def test_the_report_gives_response_rate_average_and_share_of_happy_customers(
    db: Database, workspace_id: int, crew: dict[str, User]
) -> None:
    carol = crew["carol"]
    happy, unhappy, silent = (
        open_case(db, workspace_id, f"Report case {name}")
        for name in ("happy", "unhappy", "silent")
    )
    resolve(db, workspace_id, happy, crew, team="Billing", assignee=carol)
    resolve(db, workspace_id, unhappy, crew, team="Billing", assignee=carol)
    resolve(db, workspace_id, silent, crew)
    tokens = {}
    with db.session() as session:
        for case_id in (happy, unhappy, silent):
            tokens[case_id] = request_csat(session, workspace_id, case_id, lead(crew)).token
    with db.session() as session:
        answer_csat(session, tokens[happy], 5, None)
        answer_csat(session, tokens[unhappy], 2, "slow")
    with db.session() as session:
        report = csat_report(session, workspace_id)
        last_week = csat_report(
            session,
            workspace_id,
            since=datetime.now(UTC) - timedelta(days=7),
            until=datetime.now(UTC) - timedelta(days=1),
        )
    overall = {k: report[k] for k in ("sent", "answered", "response_rate", "average_score")}
    assert overall == {"sent": 3, "answered": 2, "response_rate": 0.6667, "average_score": 3.5}
    assert report["csat_percent"] == 50.0
    billing, no_team = report["by_team"]
    assert (billing["team"], billing["sent"], billing["answered"]) == ("Billing", 2, 2)
    assert (billing["average_score"], billing["csat_percent"]) == (3.5, 50.0)
    assert (no_team["team"], no_team["sent"], no_team["response_rate"]) == (None, 1, 0.0)
    assert no_team["average_score"] is None
    agents = {row["agent"]: (row["sent"], row["average_score"]) for row in report["by_agent"]}
    assert agents == {"Carol": (2, 3.5), None: (1, None)}
    assert (last_week["sent"], last_week["response_rate"], last_week["by_team"]) == (0, None, [])


def test_another_workspaces_case_is_not_found(
    db: Database, workspace_id: int, crew: dict[str, User]
) -> None:
    case_id = open_case(db, workspace_id, "Mine, resolved")
    resolve(db, workspace_id, case_id, crew)
    with db.session() as session:
        other = get_or_create_workspace(session, f"ws-{uuid.uuid4().hex[:12]}").id
    with db.session() as session, pytest.raises(NotFound, match=f"case {case_id}"):
        request_csat(session, other, case_id, lead(crew))
    with db.session() as session:
        assert session.scalar(select(func.count()).where(CsatSurvey.case_id == case_id)) == 0
        assert csat_report(session, other)["sent"] == 0


def test_a_survey_link_is_never_posted_publicly_on_x(
    db: Database, workspace_id: int, crew: dict[str, User]
) -> None:
    ingest_messages(
        db,
        workspace_id=workspace_id,
        channel_name="x",
        kind=ChannelKind.TWITTER,
        messages=[
            InboundMessage(
                external_id="t-csat-1",
                author_id="cust",
                text="@fjordandpine my order is late",
                sent_at=datetime.now(UTC),
                direction=Direction.INBOUND,
            )
        ],
    )
    with db.session() as session:
        conversation = session.scalars(
            select(Message.conversation_id).where(Message.external_id == "t-csat-1")
        ).one()
        case_id = case_of_conversation(session, conversation)
    assert case_id is not None
    resolve(db, workspace_id, case_id, crew)
    with db.session() as session, pytest.raises(Conflict, match="private channel"):
        request_csat(session, workspace_id, case_id, lead(crew))
    with db.session() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(CsatSurvey).where(CsatSurvey.case_id == case_id)
            )
            == 0
        )
