"""The page a customer reaches from a satisfaction request: no login, one click per score,
the answer recorded once, and nothing on it executable."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from rapport.accounts.service import get_or_create_workspace
from rapport.api.app import create_app
from rapport.ingest.records import InboundMessage
from rapport.ingest.service import ingest_messages
from rapport.store.db import Database
from rapport.store.engagement import Case, CaseEvent, CsatSurvey
from rapport.store.models import ChannelKind, Direction, Workspace


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db, with_ui=False)) as test_client:
        yield test_client


@pytest.fixture
def survey(db: Database) -> str:
    with db.session() as session:
        ws = get_or_create_workspace(session, f"csat-{uuid.uuid4().hex[:8]}")
        session.get_one(Workspace, ws.id).name = "Fjord <script>alert(1)</script> Pine"
        ws_id = ws.id
    ingest_messages(
        db,
        workspace_id=ws_id,
        channel_name="web",
        kind=ChannelKind.API,
        messages=[
            InboundMessage(
                external_id="q1",
                author_id="c1",
                text="Where is my order?",
                sent_at=datetime.now(UTC),
                direction=Direction.INBOUND,
            )
        ],
    )
    token = uuid.uuid4().hex
    with db.session() as session:
        case_id = session.scalars(select(Case.id).where(Case.workspace_id == ws_id)).one()
        session.add(CsatSurvey(workspace_id=ws_id, case_id=case_id, token=token))
    return token


def test_the_customer_answers_with_one_click_and_only_once(
    client: TestClient, db: Database, survey: str
) -> None:
    page = client.get(f"/csat/{survey}")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text  # the company name is escaped
    assert "&lt;script&gt;" in page.text
    assert page.text.count('name="score"') == 5

    answer = client.post(f"/csat/{survey}", data={"score": "4", "comment": "Quick & kind"})
    assert answer.status_code == 200
    assert "You gave us 4 of 5" in answer.text
    with db.session() as session:
        stored = session.scalars(select(CsatSurvey).where(CsatSurvey.token == survey)).one()
        assert (stored.score, stored.comment) == (4, "Quick & kind")
        activities = session.scalars(
            select(CaseEvent.activity).where(CaseEvent.case_id == stored.case_id)
        ).all()
    assert "csat_answered" in activities

    again = client.post(f"/csat/{survey}", data={"score": "1"})
    assert again.status_code == 409
    assert "first answer counts" in again.text
    assert "you answered 4 of 5" in client.get(f"/csat/{survey}").text


def test_a_wrong_link_says_so(client: TestClient) -> None:
    page = client.get("/csat/not-a-real-token-123")
    assert page.status_code == 404
    assert "does not work" in page.text
