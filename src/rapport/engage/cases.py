"""Changing cases by hand: open one for a conversation, link conversations, assign,
change team, status or priority, tag, escalate. Each change is an event with its actor.

Functions take the caller's session and never commit: the request or the command owns
the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from rapport.engage.actions import ActionApplier, Outbox
from rapport.engage.case_store import CaseSaver, CaseState, EventRow, load_cases
from rapport.engage.context import EngageContext, load_context
from rapport.engage.sla import apply_policy, settle_breaches
from rapport.errors import Conflict, InvalidInput, NotFound
from rapport.ingest.bulk import BulkWriter
from rapport.ingest.prepare import stamp_for
from rapport.store.engagement import CaseConversation, CaseStatus, Priority
from rapport.store.models import Channel, Conversation, Message

links_table = cast(Table, CaseConversation.__table__)
conversations_table = cast(Table, Conversation.__table__)
messages_table = cast(Table, Message.__table__)
channels_table = cast(Table, Channel.__table__)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change: a user (id and name), or the system."""

    user_id: int | None
    name: str


class CaseEditor:
    """Loads one workspace's cases, changes them and saves them with their events."""

    def __init__(self, session: Session, workspace_id: int, actor: Actor) -> None:
        self.session = session
        self.conn = session.connection()
        self.workspace_id = workspace_id
        self.actor = actor
        self.now = datetime.now(UTC)
        self.events: list[EventRow] = []
        self.outbox = Outbox()
        self.context: EngageContext = load_context(self.conn, workspace_id)
        self._applier = ActionApplier(self.context, self.events, self.outbox, self.now)
        self._cases: dict[int, CaseState] = {}
        self._new_link: tuple[int, CaseState] | None = None

    def case(self, case_id: int) -> CaseState:
        if case_id not in self._cases:
            found = load_cases(self.conn, [case_id]).get(case_id)
            if found is None or found.workspace_id != self.workspace_id:
                raise NotFound(f"case {case_id} not found")
            self._cases[case_id] = found
        return self._cases[case_id]

    def _event(self, case: CaseState, activity: str, **attributes: object) -> None:
        case.changed = True
        self.events.append(
            EventRow(
                case, self.now, activity, self.actor.name, self.actor.user_id, dict(attributes)
            )
        )

    # -- changes ----------------------------------------------------------------------------------

    def assign(self, case_id: int, user_id: int | None) -> CaseState:
        case = self.case(case_id)
        if user_id is None:
            if case.assignee_id is not None:
                if case.active:
                    self.context.assigner.release(case.assignee_id)
                case.assignee_id = None
                if case.status == CaseStatus.OPEN.value:
                    case.status = CaseStatus.NEW.value
                self._event(case, "unassigned")
            return case
        if user_id not in self.context.user_names:
            raise InvalidInput(f"assignee: no active user with id {user_id} in this workspace")
        if user_id != case.assignee_id:
            self._applier.assign(case, user_id, self.now, self.actor.name, live=True)
            self.events[-1].actor_id = self.actor.user_id
        return case

    def set_team(self, case_id: int, team: str | None) -> CaseState:
        case = self.case(case_id)
        if team is None:
            if case.team_id is not None:
                case.team_id = None
                case.needs_sla = True
                self._event(case, "team_changed", team=None)
            return case
        team_id = self.context.team_named(team)
        if team_id is None:
            raise InvalidInput(f"team: no team named {team!r}")
        if team_id != case.team_id:
            self._applier.set_team(case, team_id, self.now, self.actor.name)
        return case

    def set_priority(self, case_id: int, priority: str) -> CaseState:
        if priority not in {p.value for p in Priority}:
            raise InvalidInput(
                f"priority: must be one of low, normal, high, urgent, not {priority!r}"
            )
        case = self.case(case_id)
        if priority != case.priority:
            self._event(case, "priority_changed", **{"from": case.priority, "to": priority})
            case.priority = priority
            case.needs_sla = True
        return case

    def set_status(self, case_id: int, status: str, *, at: datetime | None = None) -> CaseState:
        """Change the status; ``at`` backdates it (history being recorded), default now."""
        if status not in {s.value for s in CaseStatus}:
            known = ", ".join(s.value for s in CaseStatus)
            raise InvalidInput(f"status: must be one of {known}, not {status!r}")
        case = self.case(case_id)
        if case.merged_into_id is not None:
            raise Conflict(f"case {case_id} was merged into case {case.merged_into_id}")
        if status == case.status:
            return case
        was_active = case.active
        previous = case.status
        case.status = status
        when = at or self.now
        if status == CaseStatus.RESOLVED.value:
            case.resolved_at = when
            activity = "resolved"
        elif status == CaseStatus.CLOSED.value:
            case.closed_at = when
            case.resolved_at = case.resolved_at or when
            activity = "closed"
        elif previous in (CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value):
            case.resolved_at = case.closed_at = None
            case.resolution_breached_at = None
            activity = "reopened"
        else:
            activity = "status_changed"
        assigner = self.context.assigner
        if was_active and not case.active:
            assigner.release(case.assignee_id)
        elif case.active and not was_active and case.assignee_id is not None:
            assigner.take(case.team_id, case.assignee_id)
        self._event(case, activity, **{"from": previous, "to": status})
        self.events[-1].at = when
        return case

    def tag(self, case_id: int, add: Iterable[str] = (), remove: Iterable[str] = ()) -> CaseState:
        case = self.case(case_id)
        added = [t.strip() for t in add if t.strip() and t.strip() not in case.tags]
        removed = [t for t in remove if t in case.tags]
        if any(len(t) > 50 for t in added):
            raise InvalidInput("tags: a tag is at most 50 characters")
        if added or removed:
            case.tags = [t for t in case.tags if t not in removed] + added
            self._event(case, "tagged", added=added, removed=removed)
        return case

    def escalate(self, case_id: int, reason: str, team: str | None = None) -> CaseState:
        case = self.case(case_id)
        if team is not None and self.context.team_named(team) is None:
            raise InvalidInput(f"team: no team named {team!r}")
        self._applier.escalate(case, team, reason, self.now, self.actor.name, live=True)
        return case

    def link_conversation(self, case_id: int, conversation_id: int) -> CaseState:
        """Gather another conversation of the same customer into this case."""
        case = self.case(case_id)
        conversation = self.conn.execute(
            select(conversations_table.c.workspace_id, conversations_table.c.contact_id).where(
                conversations_table.c.id == conversation_id
            )
        ).first()
        if conversation is None or conversation.workspace_id != self.workspace_id:
            raise NotFound(f"conversation {conversation_id} not found")
        if (
            case.contact_id is not None
            and conversation.contact_id is not None
            and conversation.contact_id != case.contact_id
        ):
            raise Conflict(
                f"conversation {conversation_id} is with another customer than case {case_id}"
            )
        previous = self.conn.execute(
            select(links_table.c.case_id).where(links_table.c.conversation_id == conversation_id)
        ).scalar()
        if previous == case_id:
            return case
        self.conn.execute(
            links_table.delete().where(links_table.c.conversation_id == conversation_id)
        )
        self.conn.execute(
            links_table.insert().values(conversation_id=conversation_id, case_id=case_id)
        )
        self._event(case, "conversation_linked", conversation=conversation_id)
        if previous is not None:
            left = self.conn.execute(
                select(func.count()).where(links_table.c.case_id == previous)
            ).scalar_one()
            if left == 0:
                old = self.case(previous)
                old.status = CaseStatus.CLOSED.value
                old.closed_at = self.now
                old.merged_into_id = case_id
                self._event(old, "merged", into=case_id)
                self._event(case, "merged", **{"from": previous})
        return case

    def open_case(self, conversation_id: int) -> CaseState:
        """Make a case of a conversation by hand (one the rules did not open)."""
        row = self.conn.execute(
            select(
                conversations_table.c.workspace_id,
                conversations_table.c.channel_id,
                conversations_table.c.contact_id,
                conversations_table.c.first_message_at,
                conversations_table.c.last_message_at,
                conversations_table.c.last_message_preview,
                conversations_table.c.subject,
            ).where(conversations_table.c.id == conversation_id)
        ).first()
        if row is None or row.workspace_id != self.workspace_id:
            raise NotFound(f"conversation {conversation_id} not found")
        existing = self.conn.execute(
            select(links_table.c.case_id).where(links_table.c.conversation_id == conversation_id)
        ).scalar()
        if existing is not None and self.case(existing).status != CaseStatus.CLOSED.value:
            raise Conflict(f"conversation {conversation_id} already has case {existing}")
        case = CaseState(
            id=-1,
            workspace_id=self.workspace_id,
            channel_id=row.channel_id,
            opened_at=self.now,
            last_inbound_at=row.last_message_at,
            contact_id=row.contact_id,
            subject=(row.subject or row.last_message_preview or "")[:120],
            is_new=True,
            needs_sla=True,
        )
        self._cases[-1] = case
        self._event(case, "created", conversation=conversation_id)
        self._new_link = (conversation_id, case)
        return case

    # -- saving -----------------------------------------------------------------------------------

    def save(self) -> list[int]:
        """Write the changed cases and their events; returns deliveries to send after commit."""
        writer = BulkWriter(self.conn)
        stamp = stamp_for(self.conn.dialect.name)
        kinds = dict(
            self.conn.execute(
                select(channels_table.c.id, channels_table.c.kind).where(
                    channels_table.c.workspace_id == self.workspace_id
                )
            ).all()
        )
        for case in self._cases.values():
            if case.needs_sla:
                apply_policy(case, self.context, kinds.get(case.channel_id, ""))
            settle_breaches(case, self.now, self.events)
        links = dict([self._new_link]) if self._new_link else {}
        CaseSaver(writer, stamp).save(self._cases.values(), links, self.events, self.now)
        self.events.clear()
        return self.outbox.save(writer, stamp, self.now)
