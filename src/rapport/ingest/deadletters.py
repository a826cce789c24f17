"""Reading the dead-letter store: records that could not be imported, and why."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rapport.inbox.queries import Page, check_paging
from rapport.store.models import DeadLetter


def list_dead_letters(
    session: Session,
    workspace_id: int,
    *,
    source: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[DeadLetter]:
    check_paging(limit, offset)
    conditions = [DeadLetter.workspace_id == workspace_id]
    if source:
        conditions.append(DeadLetter.source.contains(source, autoescape=True))
    rows = list(
        session.scalars(
            select(DeadLetter)
            .where(*conditions)
            .order_by(DeadLetter.id)
            .limit(limit)
            .offset(offset)
        )
    )
    total = session.execute(
        select(func.count()).select_from(DeadLetter).where(*conditions)
    ).scalar_one()
    return Page(rows, total, limit, offset)
