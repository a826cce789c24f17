"""The job bodies, the same whichever dispatcher runs them. Each is idempotent: run twice,
or on two workers at once, it does its work once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from rapport.engage.delivery import SenderFactory, deliver_due, recover_stuck
from rapport.engage.sla import sweep
from rapport.intelligence.alerts.check import check_alerts
from rapport.intelligence.alerts.delivery import deliver_pending
from rapport.store.db import Database
from rapport.store.models import Workspace


def deliver_due_replies(
    db: Database, now: datetime | None = None, *, senders: SenderFactory | None = None
) -> dict[str, int]:
    """Give up on deliveries whose worker died mid-send, then send every due one."""
    at = now or datetime.now(UTC)
    recovered = recover_stuck(db, at)
    outcomes = deliver_due(db, now, senders=senders)
    if recovered:
        outcomes["recovered_uncertain"] = len(recovered)
    return outcomes


def sweep_all_workspaces(db: Database, now: datetime | None = None) -> int:
    """Run the SLA sweep (warnings, breaches, auto-resolve) for every workspace, each in a
    transaction of its own; returns how many cases it changed."""
    with db.session() as session:
        workspace_ids = list(session.scalars(select(Workspace.id).order_by(Workspace.id)))
    changed = 0
    for workspace_id in workspace_ids:
        with db.session() as session:
            report = sweep(session.connection(), workspace_id, now)
        changed += len({*report.warned, *report.breached, *report.resolved})
    return changed


def check_all_alerts(db: Database, now: datetime | None = None) -> int:
    """Check every workspace's alert rules, each workspace in a transaction of its own, then
    send the e-mails and webhooks of what fired (after those commits); returns how many
    alerts fired."""
    with db.session() as session:
        workspace_ids = list(session.scalars(select(Workspace.id).order_by(Workspace.id)))
    fired = 0
    for workspace_id in workspace_ids:
        with db.session() as session:
            fired += len(check_alerts(session, workspace_id, now))
    deliver_pending(db)
    return fired
