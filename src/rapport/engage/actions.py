"""What a rule's firing does to a case, and the replies and notifications it leaves behind.

Firings are applied in order; every change is an event whose resource is the rule, so the
case history says which rule did what. Automatic acknowledgements and notifications go in
an :class:`Outbox` written in the same transaction as the case, and are only made for live
messages (not for history being imported).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table

from rapport.engage.case_store import CaseState, EventRow, Stamp
from rapport.engage.context import EngageContext
from rapport.engage.rules import Firing
from rapport.ingest.bulk import BulkWriter
from rapport.ingest.records import InboundMessage
from rapport.intelligence.language import detect_language
from rapport.store.engagement import (
    CaseStatus,
    Delivery,
    DeliveryStatus,
    Notification,
    Priority,
)

deliveries_table = cast(Table, Delivery.__table__)
notifications_table = cast(Table, Notification.__table__)

_RANK = {p.value: n for n, p in enumerate(Priority)}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
ROUND_ROBIN = "round-robin"


def render_template(body: str, values: Mapping[str, str]) -> str:
    """Fill ``{name}`` placeholders; unknown ones stay as written. Values are inserted as
    plain text, never interpreted (they come from customers' profiles)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def pick_translation(versions: Mapping[str, str], language: str | None) -> str | None:
    """The version of a canned reply in ``language``, else English, else any."""
    if not versions:
        return None
    if language and language in versions:
        return versions[language]
    return versions.get("en") or next(iter(versions.values()))


@dataclass(slots=True)
class PendingReply:
    case: CaseState
    conversation_id: int
    reply_to_message_id: int
    text: str
    purpose: str
    public: bool


@dataclass(slots=True)
class PendingNotification:
    user_id: int
    kind: str
    case: CaseState
    text: str  # "{case}" stands for the case number, known once the case is saved


@dataclass(slots=True)
class Outbox:
    """Replies and notifications made while routing, saved with the batch."""

    replies: list[PendingReply] = field(default_factory=list)
    notifications: list[PendingNotification] = field(default_factory=list)

    def save(self, writer: BulkWriter, stamp: Stamp, now: datetime) -> list[int]:
        """Write them; returns the ids of the deliveries to send after the commit."""
        if self.replies:
            ids = writer.allocate_ids(deliveries_table, len(self.replies))
            writer.insert(
                deliveries_table,
                (
                    "id",
                    "workspace_id",
                    "case_id",
                    "conversation_id",
                    "reply_to_message_id",
                    "purpose",
                    "public",
                    "text",
                    "status",
                    "attempts",
                    "next_attempt_at",
                    "created_at",
                ),
                [
                    (
                        delivery_id,
                        r.case.workspace_id,
                        r.case.id,
                        r.conversation_id,
                        r.reply_to_message_id,
                        r.purpose,
                        r.public,
                        r.text.replace("{case}", str(r.case.id)),
                        DeliveryStatus.QUEUED.value,
                        0,
                        stamp(now),
                        stamp(now),
                    )
                    for delivery_id, r in zip(ids, self.replies, strict=True)
                ],
            )
        else:
            ids = []
        writer.insert(
            notifications_table,
            ("workspace_id", "user_id", "kind", "case_id", "text", "created_at"),
            [
                (
                    n.case.workspace_id,
                    n.user_id,
                    n.kind,
                    n.case.id,
                    n.text.replace("{case}", str(n.case.id))[:1000],
                    stamp(now),
                )
                for n in self.notifications
            ],
        )
        return ids


class ActionApplier:
    """Applies firings to cases during one batch of routing."""

    def __init__(
        self,
        context: EngageContext,
        events: list[EventRow],
        outbox: Outbox,
        now: datetime,
        *,
        public_acks: bool = False,
    ) -> None:
        self.context = context
        self.events = events
        self.outbox = outbox
        self.now = now
        # An acknowledgement is private wherever the channel can be private (a Facebook
        # comment gets a private reply); on X a reply to the post is the only way.
        self.public_acks = public_acks

    def apply(
        self,
        firing: Firing,
        case: CaseState,
        conversation_id: int,
        message_id: int,
        message: InboundMessage,
        live: bool,
    ) -> None:
        actions = firing.actions
        resource = f"rule: {firing.rule}"
        at = message.sent_at
        context = self.context
        if actions.assign is not None:
            if actions.assign.team:
                team_id = context.team_named(actions.assign.team)
                if team_id is not None and team_id != case.team_id:
                    self.set_team(case, team_id, at, resource)
            elif actions.assign.agent:
                user_id = context.user_with_email(actions.assign.agent)
                if user_id is not None and user_id != case.assignee_id:
                    self.assign(case, user_id, at, resource, live=live)
        if actions.priority is not None and actions.priority.value != case.priority:
            self._event(
                case,
                at,
                "priority_changed",
                resource,
                {"from": case.priority, "to": actions.priority.value},
            )
            case.priority = actions.priority.value
            case.needs_sla = True
        new_tags = [tag for tag in actions.tags if tag not in case.tags]
        if new_tags:
            case.tags = [*case.tags, *new_tags]
            case.changed = True
            self._event(case, at, "tagged", resource, {"tags": new_tags})
        if actions.escalate is not None:
            self.escalate(case, actions.escalate.team, actions.escalate.reason, at, resource, live)
        if actions.acknowledge is not None and live:
            self._acknowledge(case, actions.acknowledge, conversation_id, message_id, message)
        if actions.notify and live:
            text = f"Rule {firing.rule}: case #{{case}} — {firing.reason}"
            for user_id in self._recipients(actions.notify):
                self.outbox.notifications.append(PendingNotification(user_id, "rule", case, text))

    # -- single changes, each an event ------------------------------------------------------------

    def assign(
        self, case: CaseState, user_id: int, at: datetime, resource: str, *, live: bool
    ) -> None:
        assigner = self.context.assigner
        if case.active:
            assigner.release(case.assignee_id)
            assigner.take(case.team_id, user_id)
        case.assignee_id = user_id
        if case.status == CaseStatus.NEW.value:
            case.status = CaseStatus.OPEN.value
        case.changed = True
        self._event(
            case,
            at,
            "assigned",
            resource,
            {"assignee": self.context.user_names.get(user_id, str(user_id))},
        )
        if live:
            self.outbox.notifications.append(
                PendingNotification(user_id, "assigned", case, "Case #{case} was assigned to you")
            )

    def assign_by_turn(self, case: CaseState, *, live: bool) -> bool:
        """Give an unowned active case of a team to the member whose turn it is."""
        if case.team_id is None or case.assignee_id is not None or not case.active:
            return False
        if case.merged_into_id is not None:
            return False
        agent = self.context.assigner.pick(case.team_id, case.language, case.tags)
        if agent is None:
            return False
        case.assignee_id = agent.user_id
        case.status = CaseStatus.OPEN.value
        case.changed = True
        at = max(case.last_inbound_at, case.opened_at)
        self._event(case, at, "assigned", ROUND_ROBIN, {"assignee": agent.name})
        if live:
            self.outbox.notifications.append(
                PendingNotification(
                    agent.user_id, "assigned", case, "Case #{case} was assigned to you"
                )
            )
        return True

    def set_team(self, case: CaseState, team_id: int, at: datetime, resource: str) -> None:
        if case.assignee_id is not None:
            team = self.context.teams.get(team_id)
            if team is None or case.assignee_id not in team.members:
                if case.active:
                    self.context.assigner.release(case.assignee_id)
                case.assignee_id = None
                if case.status == CaseStatus.OPEN.value:
                    case.status = CaseStatus.NEW.value
        case.team_id = team_id
        case.changed = True
        case.needs_sla = True  # the team's calendar may differ
        self._event(case, at, "team_changed", resource, {"team": self.context.teams[team_id].name})

    def escalate(
        self,
        case: CaseState,
        team: str | None,
        reason: str | None,
        at: datetime,
        resource: str,
        live: bool,
    ) -> None:
        team_id = self.context.team_named(team) if team else None
        if team_id is not None and team_id != case.team_id:
            self.set_team(case, team_id, at, resource)
        if _RANK[case.priority] < _RANK[Priority.HIGH.value]:
            case.priority = Priority.HIGH.value
            case.needs_sla = True
        if case.escalated:
            return
        case.escalated = True
        case.changed = True
        self._event(case, at, "escalated", resource, {"reason": reason or ""})
        if live and case.team_id is not None:
            text = "Case #{case} was escalated" + (f": {reason}" if reason else "")
            for user_id in self.context.teams[case.team_id].members:
                self.outbox.notifications.append(
                    PendingNotification(user_id, "escalated", case, text)
                )

    def _acknowledge(
        self,
        case: CaseState,
        name: str,
        conversation_id: int,
        message_id: int,
        message: InboundMessage,
    ) -> None:
        if case.language is None:
            case.language = detect_language(message.text)
        body = pick_translation(self.context.canned.get(name.casefold(), {}), case.language)
        if body is None:
            return
        values = {
            "customer_name": message.author_name or message.author_handle or "",
            "case_number": "{case}",
            "agent_name": "",
        }
        self.outbox.replies.append(
            PendingReply(
                case,
                conversation_id,
                message_id,
                render_template(body, values),
                "ack",
                self.public_acks,
            )
        )

    def _recipients(self, targets: tuple[str, ...]) -> list[int]:
        found: list[int] = []
        for target in targets:
            if target.startswith("@"):
                team_id = self.context.team_named(target[1:])
                if team_id is not None:
                    found.extend(self.context.teams[team_id].members)
            else:
                user_id = self.context.user_with_email(target)
                if user_id is not None:
                    found.append(user_id)
        return list(dict.fromkeys(found))

    def _event(
        self,
        case: CaseState,
        at: datetime,
        activity: str,
        resource: str,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        case.changed = True
        self.events.append(EventRow(case, at, activity, resource, attributes=attributes or {}))
