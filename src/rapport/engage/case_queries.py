"""Reading cases: the case list with filters, sorting and paging, one case with its history."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, String, Table, select
from sqlalchemy import case as sql_case
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from rapport.errors import InvalidInput, NotFound
from rapport.inbox.queries import Page, bounded_count
from rapport.store.engagement import (
    Case,
    CaseConversation,
    CaseEvent,
    CaseStatus,
    Note,
    Priority,
    Team,
)
from rapport.store.models import Channel, Contact, User

cases = cast(Table, Case.__table__)
links = cast(Table, CaseConversation.__table__)
events = cast(Table, CaseEvent.__table__)
notes = cast(Table, Note.__table__)
teams = cast(Table, Team.__table__)
users = cast(Table, User.__table__)
channels = cast(Table, Channel.__table__)
contacts = cast(Table, Contact.__table__)


class CaseSort(enum.StrEnum):
    UPDATED = "updated"  # latest change first
    DUE = "due"  # soonest first-response due first (unanswered cases)
    OPENED = "opened"  # newest first
    PRIORITY = "priority"  # urgent first


@dataclass(frozen=True, slots=True)
class CaseFilter:
    status: str | None = None  # one status, or "active" for new + open + pending
    priority: str | None = None
    team: str | None = None
    assignee: str | None = None  # e-mail, or "none" for unassigned
    tag: str | None = None
    channel: str | None = None
    escalated: bool | None = None
    contact_id: int | None = None


@dataclass(frozen=True, slots=True)
class CaseSummary:
    id: int
    status: str
    priority: str
    subject: str
    channel: str
    customer: str | None
    contact_id: int | None
    assignee: str | None
    assignee_email: str | None
    team: str | None
    tags: list[str]
    language: str | None
    escalated: bool
    opened_at: datetime
    updated_at: datetime
    first_response_due: datetime | None
    resolution_due: datetime | None
    first_responded_at: datetime | None
    resolved_at: datetime | None
    sla_policy: str | None
    first_response_breached: bool
    resolution_breached: bool
    merged_into_id: int | None


_PRIORITY_RANK = {p.value: rank for rank, p in enumerate(reversed(list(Priority)))}


def _base() -> Select[Any]:
    c = cases.c
    return (
        select(
            c.id,
            c.status,
            c.priority,
            c.subject,
            channels.c.name.label("channel"),
            contacts.c.display_name.label("customer"),
            c.contact_id,
            users.c.name.label("assignee"),
            users.c.email.label("assignee_email"),
            teams.c.name.label("team"),
            c.tags,
            c.language,
            c.escalated,
            c.opened_at,
            c.updated_at,
            c.first_response_due,
            c.resolution_due,
            c.first_responded_at,
            c.resolved_at,
            c.sla_policy,
            (c.first_response_breached_at.is_not(None)).label("first_response_breached"),
            (c.resolution_breached_at.is_not(None)).label("resolution_breached"),
            c.merged_into_id,
        )
        .join(channels, channels.c.id == c.channel_id)
        .outerjoin(contacts, contacts.c.id == c.contact_id)
        .outerjoin(users, users.c.id == c.assignee_id)
        .outerjoin(teams, teams.c.id == c.team_id)
    )


def _filtered(query: Select[Any], workspace_id: int, flt: CaseFilter) -> Select[Any]:
    c = cases.c
    query = query.where(c.workspace_id == workspace_id)
    if flt.status == "active":
        query = query.where(
            c.status.in_([CaseStatus.NEW.value, CaseStatus.OPEN.value, CaseStatus.PENDING.value])
        )
    elif flt.status:
        if flt.status not in {s.value for s in CaseStatus}:
            known = ", ".join([*(s.value for s in CaseStatus), "active"])
            raise InvalidInput(f"status: unknown status {flt.status!r}; known: {known}")
        query = query.where(c.status == flt.status)
    if flt.priority:
        if flt.priority not in _PRIORITY_RANK:
            raise InvalidInput(f"priority: unknown priority {flt.priority!r}")
        query = query.where(c.priority == flt.priority)
    if flt.team:
        query = query.where(
            c.team_id.in_(
                select(teams.c.id).where(
                    teams.c.workspace_id == workspace_id, teams.c.name == flt.team
                )
            )
        )
    if flt.assignee == "none":
        query = query.where(c.assignee_id.is_(None))
    elif flt.assignee:
        query = query.where(
            c.assignee_id.in_(
                select(users.c.id).where(
                    users.c.workspace_id == workspace_id, users.c.email == flt.assignee
                )
            )
        )
    if flt.channel:
        query = query.where(
            c.channel_id.in_(
                select(channels.c.id).where(
                    channels.c.workspace_id == workspace_id, channels.c.name == flt.channel
                )
            )
        )
    if flt.escalated is not None:
        query = query.where(c.escalated.is_(flt.escalated))
    if flt.contact_id is not None:
        query = query.where(c.contact_id == flt.contact_id)
    if flt.tag:
        # Tags are a short JSON list: narrowed in SQL with LIKE on its text (the same on
        # both databases), then checked exactly when the rows are built.
        pattern = f'%"{_like(flt.tag)}"%'
        query = query.where(sql_cast(c.tags, String).like(pattern, escape="\\"))
    return query


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace('"', "")


def _ordered(query: Select[Any], sort: CaseSort) -> Select[Any]:
    c = cases.c
    if sort is CaseSort.DUE:
        return query.order_by(c.first_response_due.is_(None), c.first_response_due, c.id)
    if sort is CaseSort.OPENED:
        return query.order_by(c.opened_at.desc(), c.id.desc())
    if sort is CaseSort.PRIORITY:
        rank = sql_case(_PRIORITY_RANK, value=c.priority, else_=0)
        return query.order_by(rank.desc(), c.updated_at.desc(), c.id.desc())
    return query.order_by(c.updated_at.desc(), c.id.desc())


def _summary(row: Any) -> CaseSummary:
    values = dict(row._mapping)
    values["tags"] = list(values["tags"] or [])
    values["first_response_breached"] = bool(values["first_response_breached"])
    values["resolution_breached"] = bool(values["resolution_breached"])
    return CaseSummary(**values)


def list_cases(
    session: Session,
    workspace_id: int,
    flt: CaseFilter | None = None,
    *,
    sort: CaseSort = CaseSort.UPDATED,
    limit: int = 50,
    offset: int = 0,
) -> Page[CaseSummary]:
    flt = flt or CaseFilter()
    query = _filtered(_base(), workspace_id, flt)
    total, exact = bounded_count(session, _filtered(select(cases.c.id), workspace_id, flt))
    rows = session.execute(_ordered(query, sort).limit(limit).offset(offset))
    items = [_summary(row) for row in rows]
    if flt.tag:
        items = [item for item in items if flt.tag in item.tags]
    return Page(items=items, total=total, limit=limit, offset=offset, total_exact=exact)


def iter_all_cases(
    session: Session, workspace_id: int, flt: CaseFilter | None = None
) -> Iterator[CaseSummary]:
    """Every matching case, oldest first, streamed."""
    flt = flt or CaseFilter()
    query = _filtered(_base(), workspace_id, flt).order_by(cases.c.id)
    for row in session.execute(query.execution_options(yield_per=2000)):
        item = _summary(row)
        if not flt.tag or flt.tag in item.tags:
            yield item


@dataclass(frozen=True, slots=True)
class CaseEventView:
    at: datetime
    activity: str
    resource: str
    attributes: dict[str, Any]


@dataclass(frozen=True, slots=True)
class NoteView:
    id: int
    author: str | None
    body: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CaseDetail:
    case: CaseSummary
    conversation_ids: list[int]
    events: list[CaseEventView]
    notes: list[NoteView]


def get_case(session: Session, workspace_id: int, case_id: int) -> CaseDetail:
    row = session.execute(
        _base().where(cases.c.id == case_id, cases.c.workspace_id == workspace_id)
    ).first()
    if row is None:
        raise NotFound(f"case {case_id} not found")
    conversation_ids = list(
        session.execute(
            select(links.c.conversation_id)
            .where(links.c.case_id == case_id)
            .order_by(links.c.conversation_id)
        ).scalars()
    )
    history = [
        CaseEventView(r.at, r.activity, r.resource, dict(r.attributes or {}))
        for r in session.execute(
            select(events.c.at, events.c.activity, events.c.resource, events.c.attributes)
            .where(events.c.case_id == case_id)
            .order_by(events.c.at, events.c.id)
        )
    ]
    case_notes = [
        NoteView(r.id, r.name, r.body, r.created_at)
        for r in session.execute(
            select(notes.c.id, users.c.name, notes.c.body, notes.c.created_at)
            .outerjoin(users, users.c.id == notes.c.author_id)
            .where(notes.c.case_id == case_id)
            .order_by(notes.c.created_at, notes.c.id)
        )
    ]
    return CaseDetail(_summary(row), conversation_ids, history, case_notes)


def case_of_conversation(session: Session, conversation_id: int) -> int | None:
    return session.execute(
        select(links.c.case_id).where(links.c.conversation_id == conversation_id)
    ).scalar()
