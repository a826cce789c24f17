"""Routing: what happens to every new message once it is stored.

In the same transaction as the messages, so a message is never stored without its case:
a customer's message opens a case (or reopens a resolved one), a company reply counts as
the case's response, the automation rules run in their order, cases without an owner are
handed round-robin within their team, and SLA clocks are set. Every change is an event.

Messages of a batch are routed in the order they were sent, whatever order they arrived
in, so an import of history gives the same cases as the messages arriving live.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, select

from rapport.engage.actions import ActionApplier, Outbox
from rapport.engage.case_store import (
    CaseSaver,
    CaseState,
    EventRow,
    Stamp,
    load_cases_of_conversations,
)
from rapport.engage.context import EngageContext, load_context
from rapport.engage.rules import MessageFacts, RuleSet
from rapport.engage.rules.facts import Sentiment
from rapport.engage.sla import apply_policy, settle_breaches
from rapport.ingest.bulk import BulkWriter
from rapport.ingest.records import InboundMessage
from rapport.intelligence.enrichment import Enrichment
from rapport.intelligence.language import detect_language
from rapport.store.dialects import in_list
from rapport.store.engagement import CaseStatus, RuleFiring, Team
from rapport.store.models import Channel, Contact, Direction, Identity, Message

channels_table = cast(Table, Channel.__table__)
contacts_table = cast(Table, Contact.__table__)
messages_table = cast(Table, Message.__table__)
identities_table = cast(Table, Identity.__table__)
firings_table = cast(Table, RuleFiring.__table__)
teams_table = cast(Table, Team.__table__)

# Acknowledgements and notifications are only sent for messages this recent: importing
# last year's history must not write to customers or page agents about it.
LIVE_WINDOW = timedelta(hours=24)
SUBJECT_LENGTH = 120
CUSTOMER = "customer"
SYSTEM = "system"
# Messages the company sends by itself, and the activity each is in the case history.
AUTOMATIC = {"ack": "acknowledged", "csat": "csat_sent"}


@dataclass(slots=True)
class StoredMessage:
    """A message the pipeline has just stored, with what routing needs to know of it."""

    id: int
    conversation_id: int
    contact_id: int | None
    message: InboundMessage
    reading: Enrichment | None = None
    """What the analyzer read in it (language, sentiment, intent), when enrichment ran."""


@dataclass(slots=True)
class RoutingReport:
    cases_opened: int = 0
    cases_reopened: int = 0
    rules_fired: int = 0
    assigned: int = 0
    touched: list[int] = field(default_factory=list)
    deliveries: list[int] = field(default_factory=list)  # to send once committed


class Router:
    """Routes the new messages of one channel of one workspace, batch by batch."""

    def __init__(
        self,
        conn: Connection,
        workspace_id: int,
        channel_id: int,
        stamp: Stamp,
        *,
        now: datetime | None = None,
    ) -> None:
        self.workspace_id = workspace_id
        self.channel_id = channel_id
        self.stamp = stamp
        self.now = now
        channel = conn.execute(
            select(channels_table.c.name, channels_table.c.kind).where(
                channels_table.c.id == channel_id
            )
        ).one()
        self.channel_name: str = channel.name
        self.channel_kind: str = channel.kind
        self.context: EngageContext = load_context(conn, workspace_id)
        rules = self.context.rules
        self._needs_hours = rules is not None and _mentions(rules, "business_hours")
        self._needs_contacts = rules is not None and _mentions(rules, "contact")
        # Working out a message's language costs more than routing it; it is only done when
        # something uses it: a rule, or a team whose members say which languages they read.
        team_members = {m for team in self.context.teams.values() for m in team.members}
        self._needs_language = (rules is not None and _mentions(rules, "language")) or any(
            agent.languages
            for agent in self.context.assigner.agents.values()
            if agent.user_id in team_members
        )
        self._next_placeholder = -1

    def route(self, writer: BulkWriter, stored: list[StoredMessage]) -> RoutingReport:
        """Route ``stored`` (messages new in this batch) inside the writer's transaction."""
        report = RoutingReport()
        if not stored:
            return report
        conn = writer.conn
        now = self.now or datetime.now(UTC)
        links, states = load_cases_of_conversations(conn, {s.conversation_id for s in stored})
        case_of = {conversation: states[case_id] for conversation, case_id in links.items()}
        touched: dict[int, CaseState] = {}
        new_links: dict[int, CaseState] = {}
        events: list[EventRow] = []
        outbox = Outbox()
        firings: list[tuple[Any, ...]] = []
        applier = ActionApplier(
            self.context, events, outbox, now, public_acks=self.channel_kind == "twitter"
        )
        contacts = self._contact_attributes(conn, stored)

        for item in sorted(stored, key=lambda s: (s.message.sent_at, s.id)):
            m = item.message
            case = case_of.get(item.conversation_id)
            opened = False
            if m.direction == Direction.INBOUND:
                if case is None or case.status == CaseStatus.CLOSED.value:
                    case = self._open_case(item, events)
                    case_of[item.conversation_id] = new_links[item.conversation_id] = case
                    report.cases_opened += 1
                    opened = True
                elif self._customer_wrote(case, m, events):
                    report.cases_reopened += 1
            elif case is not None:
                self._company_replied(case, m, events)
            live = now - m.sent_at <= LIVE_WINDOW
            rules = self.context.rules
            if rules is not None:
                facts = self._facts(item, case, opened, contacts)
                for firing in rules.evaluate(facts):
                    report.rules_fired += 1
                    firings.append((item.id, case, firing))
                    if case is not None:
                        applier.apply(firing, case, item.conversation_id, item.id, m, live)
            if case is not None:
                touched[id(case)] = case
                # Handed out when the message comes in, so history is routed as it happened.
                if applier.assign_by_turn(case, live=live):
                    report.assigned += 1

        if new_links:
            self._earlier_replies(conn, new_links, min(s.id for s in stored), events)
        for case in touched.values():
            if case.needs_sla:
                apply_policy(case, self.context, self.channel_kind)
            settle_breaches(case, now, events, judge_waiting=False)

        saver = CaseSaver(writer, self.stamp)
        saver.save(touched.values(), new_links, events, now)
        self._save_firings(writer, firings, now)
        report.deliveries = outbox.save(writer, self.stamp, now)
        self._save_turns(writer)
        report.touched = [case.id for case in touched.values()]
        return report

    # -- what a message does to its case ------------------------------------------------------

    def _open_case(self, item: StoredMessage, events: list[EventRow]) -> CaseState:
        m = item.message
        language = (m.meta or {}).get("lang") if m.meta else None
        if not isinstance(language, str) or language in ("und", "zxx", "qme"):
            if item.reading is not None:
                language = item.reading.language if item.reading.language != "und" else None
            else:
                language = detect_language(m.text) if self._needs_language else None
        case = CaseState(
            id=self._placeholder(),
            workspace_id=self.workspace_id,
            channel_id=self.channel_id,
            opened_at=m.sent_at,
            last_inbound_at=m.sent_at,
            contact_id=item.contact_id,
            subject=_subject(m),
            language=language,
            is_new=True,
            needs_sla=True,
        )
        events.append(
            EventRow(
                case, m.sent_at, "created", CUSTOMER, attributes={"channel": self.channel_name}
            )
        )
        return case

    def _customer_wrote(self, case: CaseState, m: InboundMessage, events: list[EventRow]) -> bool:
        """Fold a customer's message into ``case``; True when it reopened the case."""
        at = m.sent_at
        case.changed = True
        if at < case.opened_at:  # history arriving out of order: the clocks start earlier
            case.opened_at = at
            case.needs_sla = True
        case.last_inbound_at = max(case.last_inbound_at, at)
        assigner = self.context.assigner
        if case.status == CaseStatus.RESOLVED.value and case.resolved_at and at > case.resolved_at:
            case.status = CaseStatus.OPEN.value if case.assignee_id else CaseStatus.NEW.value
            case.resolved_at = None
            case.resolution_breached_at = None
            if case.assignee_id:
                assigner.take(case.team_id, case.assignee_id)
            events.append(EventRow(case, at, "reopened", CUSTOMER))
            return True
        if case.status == CaseStatus.PENDING.value and at >= (case.last_outbound_at or at):
            case.status = CaseStatus.OPEN.value if case.assignee_id else CaseStatus.NEW.value
            if case.assignee_id:
                assigner.take(case.team_id, case.assignee_id)
        events.append(EventRow(case, at, "customer_replied", CUSTOMER))
        return False

    def _company_replied(self, case: CaseState, m: InboundMessage, events: list[EventRow]) -> None:
        at = m.sent_at
        case.changed = True
        meta = m.meta or {}
        automatic = AUTOMATIC.get(str(meta.get("purpose", "reply")))
        if automatic is not None:
            # An acknowledgement or a survey is not an answer: no clock stops for it.
            events.append(EventRow(case, at, automatic, SYSTEM))
            return
        case.last_outbound_at = max(case.last_outbound_at or at, at)
        if at >= case.opened_at and (
            case.first_responded_at is None or at < case.first_responded_at
        ):
            case.first_responded_at = at
        if at >= case.last_inbound_at and case.active:
            case.status = CaseStatus.PENDING.value
            self.context.assigner.release(case.assignee_id)
        # Our own replies say which agent wrote them; imported ones may ("agent").
        named = meta.get("agent_name") or meta.get("agent")
        agent = named if isinstance(named, str) else None
        resource = agent or m.author_handle or m.author_name or m.author_id
        actor = meta.get("agent_user_id")
        events.append(
            EventRow(case, at, "replied", str(resource), actor if isinstance(actor, int) else None)
        )

    def _earlier_replies(
        self,
        conn: Connection,
        opened: dict[int, CaseState],
        first_new_id: int,
        events: list[EventRow],
    ) -> None:
        """History imported out of order: the company's replies stored in earlier batches,
        before their case existed, still answer it (first response, pending, history)."""
        m = messages_table.c
        who = identities_table.c
        rows = conn.execute(
            select(
                m.conversation_id, m.sent_at, m.meta, who.handle, who.display_name, who.external_id
            )
            .join(identities_table, who.id == m.identity_id)
            .where(
                in_list(m.conversation_id, list(opened), conn.dialect.name),
                m.direction == Direction.OUTBOUND.value,
                m.id < first_new_id,
            )
            .order_by(m.sent_at)
        )
        for row in rows:
            case = opened[row.conversation_id]
            if row.sent_at < case.opened_at:
                continue  # the company spoke first: not an answer to this case
            reply = InboundMessage(
                external_id="",
                author_id=row.external_id,
                author_handle=row.handle,
                author_name=row.display_name,
                text="",
                sent_at=row.sent_at,
                direction=Direction.OUTBOUND,
                meta=row.meta,
            )
            self._company_replied(case, reply, events)

    # -- rules ----------------------------------------------------------------------------------

    def _facts(
        self,
        item: StoredMessage,
        case: CaseState | None,
        opened: bool,
        contacts: dict[int, dict[str, Any]],
    ) -> MessageFacts:
        m = item.message
        open_now = None
        if self._needs_hours:  # the calendar is only consulted when a rule asks
            calendar = self.context.calendar_for(None, case.team_id if case else None)
            open_now = calendar.is_open(m.sent_at)
        return MessageFacts(
            channel=self.channel_name,
            channel_kind=self.channel_kind,
            direction="inbound" if m.direction == Direction.INBOUND else "outbound",
            text=m.text,
            subject=m.subject,
            author_id=m.author_id,
            author_handle=m.author_handle,
            author_name=m.author_name,
            author_email=m.author_email,
            followers_count=m.followers_count,
            contact=contacts.get(item.contact_id or 0, {}),
            sent_at=m.sent_at,
            is_new_case=opened,
            business_open=open_now,
            language=case.language if case else None,
            sentiment=_sentiment(item.reading),
            intent=item.reading.intent if item.reading else None,
        )

    def _contact_attributes(
        self, conn: Connection, stored: list[StoredMessage]
    ) -> dict[int, dict[str, Any]]:
        if not self._needs_contacts:
            return {}
        ids = sorted({s.contact_id for s in stored if s.contact_id is not None})
        found: dict[int, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            rows = conn.execute(
                select(
                    contacts_table.c.id,
                    contacts_table.c.display_name,
                    contacts_table.c.email,
                    contacts_table.c.attributes,
                ).where(contacts_table.c.id.in_(ids[start : start + 500]))
            )
            for row in rows:
                attributes = dict(row.attributes or {})
                attributes.setdefault("name", row.display_name)
                attributes.setdefault("email", row.email)
                found[row.id] = attributes
        return found

    # -- saving -----------------------------------------------------------------------------------

    def _save_firings(
        self, writer: BulkWriter, firings: list[tuple[Any, ...]], now: datetime
    ) -> None:
        writer.insert(
            firings_table,
            ("workspace_id", "rule", "message_id", "case_id", "reason", "actions", "fired_at"),
            [
                (
                    self.workspace_id,
                    firing.rule,
                    message_id,
                    case.id if case is not None else None,
                    firing.reason,
                    json.dumps(firing.actions.to_data(), ensure_ascii=False),
                    self.stamp(now),
                )
                for message_id, case, firing in firings
            ],
        )

    def _save_turns(self, writer: BulkWriter) -> None:
        writer.execute_many(
            "UPDATE teams SET last_assigned_user_id = ? WHERE id = ?",
            [
                (queue.last_assigned, queue.team_id)
                for queue in self.context.assigner.teams.values()
                if queue.last_assigned is not None
            ],
        )

    def _placeholder(self) -> int:
        self._next_placeholder -= 1
        return self._next_placeholder


def _mentions(rules: RuleSet, condition: str) -> bool:
    """Whether any rule has a condition of this kind (inside any:/not: too)."""

    def walk(value: Any) -> bool:
        if isinstance(value, Mapping):
            return any(key == condition or walk(item) for key, item in value.items())
        if isinstance(value, list | tuple):
            return any(walk(item) for item in value)
        return False

    return any(walk(rule.when) for rule in rules.rules if rule.enabled)


def _subject(m: InboundMessage) -> str:
    if m.subject:
        return m.subject[:SUBJECT_LENGTH]
    flat = " ".join(m.text.split())
    return flat if len(flat) <= SUBJECT_LENGTH else flat[: SUBJECT_LENGTH - 1] + "…"


def _sentiment(reading: Enrichment | None) -> Sentiment | None:
    if reading is None or reading.sentiment not in ("negative", "neutral", "positive"):
        return None
    return cast(Sentiment, reading.sentiment)
