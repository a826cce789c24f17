"""Cases as the router works on them, and the SQL that loads and saves them in bulk.

A batch of messages touches many cases; they are read in one query, changed in memory as
plain :class:`CaseState` objects, and written back with one executemany per statement.
New cases carry negative placeholder ids until the batch is saved, so their events can be
recorded before their real ids are allocated.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, select

from rapport.ingest.bulk import BulkWriter
from rapport.store.dialects import in_list
from rapport.store.engagement import Case, CaseConversation, CaseEvent, CaseStatus, Priority

cases = cast(Table, Case.__table__)
case_conversations = cast(Table, CaseConversation.__table__)
case_events = cast(Table, CaseEvent.__table__)

Stamp = Callable[[datetime], Any]

# The columns the router may change, in the order of UPDATE_CASE's parameters.
MUTABLE = (
    "contact_id",
    "subject",
    "status",
    "priority",
    "assignee_id",
    "team_id",
    "tags",
    "language",
    "escalated",
    "merged_into_id",
    "opened_at",
    "last_inbound_at",
    "last_outbound_at",
    "first_response_due",
    "resolution_due",
    "first_responded_at",
    "resolved_at",
    "closed_at",
    "sla_policy",
    "sla_warned_at",
    "first_response_breached_at",
    "resolution_breached_at",
    "updated_at",
)
_TIMES = frozenset(
    {
        "opened_at",
        "last_inbound_at",
        "last_outbound_at",
        "first_response_due",
        "resolution_due",
        "first_responded_at",
        "resolved_at",
        "closed_at",
        "sla_warned_at",
        "first_response_breached_at",
        "resolution_breached_at",
        "updated_at",
        "created_at",
    }
)
UPDATE_CASE = (
    "UPDATE cases SET " + ", ".join(f"{column} = ?" for column in MUTABLE) + " WHERE id = ?"
)


@dataclass(slots=True)
class CaseState:
    """One case, in memory, while a batch or a command changes it."""

    id: int
    workspace_id: int
    channel_id: int
    opened_at: datetime
    last_inbound_at: datetime
    contact_id: int | None = None
    subject: str = ""
    status: str = CaseStatus.NEW.value
    priority: str = Priority.NORMAL.value
    assignee_id: int | None = None
    team_id: int | None = None
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    escalated: bool = False
    merged_into_id: int | None = None
    last_outbound_at: datetime | None = None
    first_response_due: datetime | None = None
    resolution_due: datetime | None = None
    first_responded_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    sla_policy: str | None = None
    sla_warned_at: datetime | None = None
    first_response_breached_at: datetime | None = None
    resolution_breached_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # Bookkeeping, not stored:
    is_new: bool = False
    changed: bool = False
    needs_sla: bool = False

    @property
    def active(self) -> bool:
        return self.status in (CaseStatus.NEW.value, CaseStatus.OPEN.value)


@dataclass(slots=True)
class EventRow:
    """An event recorded during a batch; ``case`` is resolved to its id when saved."""

    case: CaseState
    at: datetime
    activity: str
    resource: str
    actor_id: int | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


def load_cases_of_conversations(
    conn: Connection, conversation_ids: Iterable[int]
) -> tuple[dict[int, int], dict[int, CaseState]]:
    """conversation -> case id, and the states of those cases."""
    wanted = list(conversation_ids)
    if not wanted:
        return {}, {}
    dialect = conn.dialect.name
    links = {
        conversation: case
        for conversation, case in conn.execute(
            select(case_conversations.c.conversation_id, case_conversations.c.case_id).where(
                in_list(case_conversations.c.conversation_id, wanted, dialect)
            )
        )
    }
    return links, load_cases(conn, set(links.values()))


def load_cases(conn: Connection, case_ids: Iterable[int]) -> dict[int, CaseState]:
    wanted = list(case_ids)
    if not wanted:
        return {}
    rows = conn.execute(select(cases).where(in_list(cases.c.id, wanted, conn.dialect.name)))
    states: dict[int, CaseState] = {}
    for row in rows.mappings():
        values = dict(row)
        values["tags"] = list(values["tags"] or [])
        states[values["id"]] = CaseState(**values)
    return states


class CaseSaver:
    """Writes what a batch did to its cases: new cases, changed ones, links and events."""

    def __init__(self, writer: BulkWriter, stamp: Stamp) -> None:
        self.writer = writer
        self.stamp = stamp

    def _converter(self, column: str) -> Callable[[Any], Any]:
        """How one column's value is written by the bulk path."""
        if column in _TIMES:
            stamp = self.stamp
            return lambda value: None if value is None else stamp(value)
        if column == "tags":
            return lambda value: json.dumps(value, ensure_ascii=False)
        return lambda value: value

    def _rows(self, states: list[CaseState], columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
        convert = [(column, self._converter(column)) for column in columns]
        return [tuple(fn(getattr(state, column)) for column, fn in convert) for state in states]

    def save(
        self,
        states: Iterable[CaseState],
        links: dict[int, CaseState],
        events: list[EventRow],
        now: datetime,
    ) -> None:
        """Insert new cases (allocating their ids), update changed ones, link conversations
        (``links``: conversation -> case) and record ``events``."""
        states = list(states)
        fresh = [state for state in states if state.is_new]
        for state, case_id in zip(fresh, self.writer.allocate_ids(cases, len(fresh)), strict=True):
            state.id = case_id
            state.created_at = state.created_at or now
        for state in states:
            if state.changed or state.is_new:
                state.updated_at = now
        columns = ("id", "workspace_id", "channel_id", "created_at", *MUTABLE)
        self.writer.insert(cases, columns, self._rows(fresh, columns))
        changed = [state for state in states if state.changed and not state.is_new]
        self.writer.execute_many(UPDATE_CASE, self._rows(changed, (*MUTABLE, "id")))
        self.link(links)
        self.record(events)
        for state in states:
            state.is_new = state.changed = state.needs_sla = False

    def link(self, links: dict[int, CaseState]) -> None:
        if not links:
            return
        conn = self.writer.conn
        conn.execute(
            case_conversations.delete().where(
                in_list(case_conversations.c.conversation_id, list(links), conn.dialect.name)
            )
        )
        self.writer.insert(
            case_conversations,
            ("conversation_id", "case_id"),
            [(conversation, state.id) for conversation, state in links.items()],
        )

    def record(self, events: list[EventRow]) -> None:
        self.writer.insert(
            case_events,
            (
                "workspace_id",
                "case_id",
                "at",
                "activity",
                "actor_id",
                "resource",
                "team_id",
                "attributes",
            ),
            [
                (
                    e.case.workspace_id,
                    e.case.id,
                    self.stamp(e.at),
                    e.activity,
                    e.actor_id,
                    e.resource[:200],
                    e.case.team_id,
                    json.dumps(e.attributes, ensure_ascii=False),
                )
                for e in events
            ],
        )


def fold_cases(conn: Connection, target: int, others: list[int], at: datetime) -> None:
    """Conversations ``others`` are being merged into ``target``: their cases follow.

    The target conversation keeps its case (or takes the oldest of the others'); any other
    case is closed as merged into it, with an event on both, so nothing is lost.
    """
    dialect = conn.dialect.name
    links = dict(
        conn.execute(
            select(case_conversations.c.conversation_id, case_conversations.c.case_id).where(
                in_list(case_conversations.c.conversation_id, [target, *others], dialect)
            )
        ).all()
    )
    if not links:
        return
    kept = links.get(target)
    if kept is None:
        donor = min((c for c in others if c in links), key=lambda c: links[c])
        kept = links[donor]
        conn.execute(
            case_conversations.update()
            .where(case_conversations.c.conversation_id == donor)
            .values(conversation_id=target)
        )
    for case_id in sorted({links[c] for c in others if c in links} - {kept}):
        row = conn.execute(select(cases.c.workspace_id).where(cases.c.id == case_id)).one()
        conn.execute(
            cases.update()
            .where(cases.c.id == case_id)
            .values(
                status=CaseStatus.CLOSED.value,
                merged_into_id=kept,
                closed_at=at,
                updated_at=at,
            )
        )
        conn.execute(
            case_events.insert(),
            [
                {
                    "workspace_id": row.workspace_id,
                    "case_id": case_id,
                    "at": at,
                    "activity": "merged",
                    "resource": "system",
                    "attributes": {"into": kept},
                },
                {
                    "workspace_id": row.workspace_id,
                    "case_id": kept,
                    "at": at,
                    "activity": "merged",
                    "resource": "system",
                    "attributes": {"from": case_id},
                },
            ],
        )
