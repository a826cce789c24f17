"""SLA clocks: the due times of a case, warnings before them, breaches after them, and the
report of how well the team keeps them.

Due times run in business time of the policy's calendar (or the team's, or around the
clock). Response and resolution times in the report are plain elapsed time, as the
customer lived them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, or_, select

from rapport.engage.actions import Outbox, PendingNotification
from rapport.engage.case_store import CaseSaver, CaseState, EventRow, load_cases
from rapport.engage.context import EngageContext, Policy, choose_policy, load_context
from rapport.ingest.bulk import BulkWriter
from rapport.ingest.prepare import stamp_for
from rapport.store.engagement import Case, CaseStatus, Team
from rapport.store.models import Channel, User

cases_table = cast(Table, Case.__table__)
teams_table = cast(Table, Team.__table__)
users_table = cast(Table, User.__table__)
channels_table = cast(Table, Channel.__table__)

SYSTEM = "system"
# A case answered and waiting on the customer is resolved when they stay silent this long.
AUTO_RESOLVE_AFTER = timedelta(hours=72)
SWEEP_CHUNK = 2000


def apply_policy(case: CaseState, context: EngageContext, channel_kind: str) -> None:
    """Choose the case's SLA policy and set its due times from when it was opened."""
    case.needs_sla = False
    case.changed = True
    policy = choose_policy(context.policies, case.priority, channel_kind)
    if policy is None:
        case.sla_policy = None
        case.first_response_due = case.resolution_due = None
        return
    calendar = context.calendar_for(policy, case.team_id)
    case.sla_policy = policy.name
    case.first_response_due = calendar.add_business_seconds(
        case.opened_at, policy.first_response_seconds
    )
    case.resolution_due = (
        calendar.add_business_seconds(case.opened_at, policy.resolution_seconds)
        if policy.resolution_seconds
        else None
    )


def settle_breaches(
    case: CaseState, now: datetime, events: list[EventRow], *, judge_waiting: bool = True
) -> bool:
    """Record the breaches that have happened by ``now``; True when one was recorded.

    A target missed because the answer came late is certain as soon as the answer is
    stored. One missed because nothing came yet is only judged when ``judge_waiting``:
    routing leaves it to the sweep, because history may still bring the answer."""
    if case.merged_into_id is not None:
        return False
    breached = False
    due = case.first_response_due
    if due is not None and case.first_response_breached_at is None:
        answered = case.first_responded_at
        done = case.resolved_at or case.closed_at
        settled_in_time = done is not None and done <= due  # closed before it was due
        waited_out = judge_waiting and answered is None and now > due and not settled_in_time
        if (answered is not None and answered > due) or waited_out:
            case.first_response_breached_at = due
            events.append(_breach_event(case, due, "first_response"))
            breached = True
    due = case.resolution_due
    if due is not None and case.resolution_breached_at is None:
        # While the case waits on the customer (pending) its resolution is not judged: it
        # is judged when it is resolved, or when it is back with the team past its due time.
        done = case.resolved_at or case.closed_at
        waited_out = judge_waiting and done is None and case.active and now > due
        if (done is not None and done > due) or waited_out:
            case.resolution_breached_at = due
            events.append(_breach_event(case, due, "resolution"))
            breached = True
    if breached:
        case.changed = True
    return breached


def _breach_event(case: CaseState, due: datetime, target: str) -> EventRow:
    return EventRow(
        case, due, "sla_breached", SYSTEM, attributes={"target": target, "policy": case.sla_policy}
    )


@dataclass(slots=True)
class SweepReport:
    warned: list[int] = field(default_factory=list)
    breached: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)


def sweep(conn: Connection, workspace_id: int, now: datetime | None = None) -> SweepReport:
    """Warn before due times, record breaches, and resolve answered cases the customer left
    silent for :data:`AUTO_RESOLVE_AFTER`, in the caller's transaction."""
    now = now or datetime.now(UTC)
    context = load_context(conn, workspace_id)
    warn_ahead = max((p.warn_before_seconds for p in context.policies), default=0)
    active = [CaseStatus.NEW.value, CaseStatus.OPEN.value]
    c = cases_table.c
    due_soon = and_(
        c.status.in_(active),
        c.first_responded_at.is_(None),
        or_(
            and_(
                c.sla_warned_at.is_(None),
                c.first_response_due <= now + timedelta(seconds=warn_ahead),
            ),
            and_(c.first_response_breached_at.is_(None), c.first_response_due < now),
        ),
    )
    overdue = and_(
        c.resolution_breached_at.is_(None),
        c.resolved_at.is_(None),
        c.closed_at.is_(None),
        c.resolution_due < now,
    )
    silent = and_(
        c.status == CaseStatus.PENDING.value,
        c.last_outbound_at < now - AUTO_RESOLVE_AFTER,
    )
    ids = list(
        conn.execute(
            select(c.id).where(
                c.workspace_id == workspace_id,
                c.merged_into_id.is_(None),
                or_(due_soon, overdue, silent),
            )
        ).scalars()
    )
    report = SweepReport()
    policies = {p.name: p for p in context.policies}
    writer = BulkWriter(conn)
    stamp = stamp_for(conn.dialect.name)
    # In chunks, so sweeping a large imported history keeps memory flat.
    for start in range(0, len(ids), SWEEP_CHUNK):
        outbox = Outbox()
        events: list[EventRow] = []
        states = load_cases(conn, ids[start : start + SWEEP_CHUNK])
        for case in states.values():
            _sweep_case(case, now, policies, context, events, outbox, report)
        changed = [case for case in states.values() if case.changed]
        if changed:
            CaseSaver(writer, stamp).save(changed, {}, events, now)
            outbox.save(writer, stamp, now)
    return report


def _sweep_case(
    case: CaseState,
    now: datetime,
    policies: dict[str, Policy],
    context: EngageContext,
    events: list[EventRow],
    outbox: Outbox,
    report: SweepReport,
) -> None:
    if (
        case.status == CaseStatus.PENDING.value
        and case.last_outbound_at is not None
        and case.last_outbound_at < now - AUTO_RESOLVE_AFTER
        and case.last_inbound_at <= case.last_outbound_at
    ):
        case.status = CaseStatus.RESOLVED.value
        case.resolved_at = case.last_outbound_at
        case.changed = True
        events.append(
            EventRow(
                case,
                case.last_outbound_at,
                "resolved",
                SYSTEM,
                attributes={"reason": "no answer from the customer in 72 hours"},
            )
        )
        report.resolved.append(case.id)
    policy = policies.get(case.sla_policy or "")
    due = case.first_response_due
    if (
        policy is not None
        and due is not None
        and case.active
        and case.first_responded_at is None
        and case.sla_warned_at is None
        and due - timedelta(seconds=policy.warn_before_seconds) <= now < due
    ):
        case.sla_warned_at = now
        case.changed = True
        events.append(
            EventRow(case, now, "sla_warning", SYSTEM, attributes={"due": due.isoformat()})
        )
        report.warned.append(case.id)
        _tell(outbox, context, case, "sla_warning", f"Case #{{case}} is due at {due:%H:%M} UTC")
    if settle_breaches(case, now, events):
        report.breached.append(case.id)
        _tell(outbox, context, case, "sla_breached", "Case #{case} missed its SLA")


def _tell(outbox: Outbox, context: EngageContext, case: CaseState, kind: str, text: str) -> None:
    """Tell the case's agent, or its whole team when nobody has it."""
    if case.assignee_id is not None:
        people = [case.assignee_id]
    elif case.team_id is not None and case.team_id in context.teams:
        people = context.teams[case.team_id].members
    else:
        people = []
    for user_id in people:
        outbox.notifications.append(PendingNotification(user_id, kind, case, text))


# -- the report ---------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float | None:
    """The ``share`` percentile (0..1) with linear interpolation between ranks."""
    if not values:
        return None
    ordered = sorted(values)
    rank = share * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(slots=True)
class _Tally:
    cases: int = 0
    settled: int = 0
    within: int = 0
    breaches: int = 0
    first_response: list[float] = field(default_factory=list)
    resolution: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "within_sla_ratio": round(self.within / self.settled, 4) if self.settled else None,
            "breaches": self.breaches,
            "first_response_seconds_median": _round(percentile(self.first_response, 0.5)),
            "first_response_seconds_p90": _round(percentile(self.first_response, 0.9)),
            "resolution_seconds_median": _round(percentile(self.resolution, 0.5)),
            "resolution_seconds_p90": _round(percentile(self.resolution, 0.9)),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def sla_report(
    conn: Connection,
    workspace_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """Share of cases within SLA and response/resolution times, overall and per team,
    agent and channel, for cases opened in [since, until)."""
    c = cases_table.c
    query = (
        select(
            c.opened_at,
            c.first_responded_at,
            c.resolved_at,
            c.first_response_due,
            c.resolution_due,
            c.first_response_breached_at,
            c.resolution_breached_at,
            teams_table.c.name.label("team"),
            users_table.c.name.label("agent"),
            channels_table.c.name.label("channel"),
        )
        .outerjoin(teams_table, teams_table.c.id == c.team_id)
        .outerjoin(users_table, users_table.c.id == c.assignee_id)
        .join(channels_table, channels_table.c.id == c.channel_id)
        .where(c.workspace_id == workspace_id, c.merged_into_id.is_(None))
    )
    if since is not None:
        query = query.where(c.opened_at >= since)
    if until is not None:
        query = query.where(c.opened_at < until)
    overall = _Tally()
    groups: dict[str, dict[str, _Tally]] = {
        "team": defaultdict(_Tally),
        "agent": defaultdict(_Tally),
        "channel": defaultdict(_Tally),
    }
    for row in conn.execute(query):
        tallies: Iterable[_Tally] = (
            overall,
            groups["team"][row.team or "(no team)"],
            groups["agent"][row.agent or "(unassigned)"],
            groups["channel"][row.channel],
        )
        breaches = (row.first_response_breached_at is not None) + (
            row.resolution_breached_at is not None
        )
        settled = breaches > 0 or (
            (row.first_response_due is not None and row.first_responded_at is not None)
            or (row.resolution_due is not None and row.resolved_at is not None)
        )
        response = (
            (row.first_responded_at - row.opened_at).total_seconds()
            if row.first_responded_at
            else None
        )
        resolution = (row.resolved_at - row.opened_at).total_seconds() if row.resolved_at else None
        for tally in tallies:
            tally.cases += 1
            tally.breaches += breaches
            if settled:
                tally.settled += 1
                tally.within += breaches == 0
            if response is not None:
                tally.first_response.append(response)
            if resolution is not None:
                tally.resolution.append(resolution)
    report = overall.summary()
    report["since"] = since.isoformat() if since else None
    report["until"] = until.isoformat() if until else None
    for name, group in groups.items():
        report[f"by_{name}"] = [
            {name: key, **tally.summary()} for key, tally in sorted(group.items())
        ]
    return report
