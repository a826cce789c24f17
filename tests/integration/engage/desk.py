"""What the collaboration tests share: people in a workspace, and cases opened the way they
are in life, by a customer's message going through the pipeline."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from rapport.accounts.service import create_user
from rapport.engage.case_queries import CaseSort, list_cases
from rapport.ingest.records import InboundMessage
from rapport.ingest.service import ingest_messages
from rapport.store.db import Database
from rapport.store.models import ChannelKind, Direction, Role, User, Workspace


def open_case(db: Database, workspace_id: int, text: str, language: str | None = None) -> int:
    """A customer writes in; routing opens a case for the message."""
    ingest_messages(
        db,
        workspace_id=workspace_id,
        channel_name="web",
        kind=ChannelKind.API,
        messages=[
            InboundMessage(
                external_id=uuid.uuid4().hex,
                author_id=f"customer-{uuid.uuid4().hex[:6]}",
                author_name="Cyrus",
                text=text,
                sent_at=datetime.now(UTC),
                direction=Direction.INBOUND,
                meta={"lang": language} if language else None,
            )
        ],
    )
    with db.session() as session:
        cases = list_cases(session, workspace_id, sort=CaseSort.OPENED).items
    return next(case.id for case in cases if case.subject == text)


def add_people(
    session: Session, workspace_id: int, *names: str, role: Role = Role.AGENT
) -> dict[str, User]:
    """Users ``name@<workspace>.example`` (their handle is the name)."""
    workspace = session.get_one(Workspace, workspace_id)
    return {
        name: create_user(
            session,
            workspace,
            email=f"{name}@{workspace.slug}.example",
            name=name.title(),
            role=role,
            password="correct horse battery",
        )
        for name in names
    }
