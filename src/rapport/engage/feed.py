"""The activity feed: what happens across a workspace's cases, newest first.

By default the feed shows the moments a team lead follows: ``created``, ``assigned``,
``escalated``, ``sla_warning``, ``sla_breached``, ``resolved``, ``reopened``, ``closed`` and
``merged``. Any other activity of the case history (``note_added``, ``tagged``,
``csat_answered``...) can be asked for by name.

The feed reads the case events through the ``ix_case_events_feed (workspace_id, at)`` index
backwards and stops after one page, so it costs the same with a million events as with a
hundred. Pages are keyed, not counted: the next page starts before the last event shown
(``before_id``), so events arriving meanwhile never shift a page into gaps or repeats.
An event's team is the case's team when it happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, or_, select
from sqlalchemy.orm import Session

from rapport.errors import InvalidInput
from rapport.inbox.queries import MAX_LIMIT
from rapport.store.engagement import Case, CaseEvent, Team

events = cast(Table, CaseEvent.__table__)
cases = cast(Table, Case.__table__)
teams = cast(Table, Team.__table__)

DEFAULT_ACTIVITIES = frozenset(
    {
        "created",
        "assigned",
        "escalated",
        "sla_warning",
        "sla_breached",
        "resolved",
        "reopened",
        "closed",
        "merged",
    }
)
ACTIVITY_LENGTH = 40  # the column's size


@dataclass(frozen=True, slots=True)
class ActivityItem:
    """One moment of the feed: what happened to which case, when, by whom."""

    id: int
    at: datetime
    activity: str
    resource: str
    case_id: int
    case_subject: str
    team: str | None
    attributes: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ActivityPage:
    """One page of the feed; ``next_before_id`` asks for the next one (None at the end)."""

    items: list[ActivityItem]
    next_before_id: int | None


def _team_id(session: Session, workspace_id: int, name: str) -> int:
    found: dict[str, int] = {
        row.name.casefold(): row.id
        for row in session.execute(
            select(teams.c.id, teams.c.name).where(teams.c.workspace_id == workspace_id)
        )
    }
    team_id = found.get(name.strip().casefold())
    if team_id is None:
        raise InvalidInput(f"team: no team named {name!r} in this workspace")
    return team_id


def _activities(wanted: Iterable[str] | None) -> list[str]:
    if wanted is None:
        return sorted(DEFAULT_ACTIVITIES)
    chosen = sorted({a.strip() for a in wanted if a.strip()})
    if not chosen:
        raise InvalidInput("activities: choose at least one activity, or leave it out")
    too_long = [a for a in chosen if len(a) > ACTIVITY_LENGTH]
    if too_long:
        raise InvalidInput(f"activities: {too_long[0]!r} is not an activity")
    return chosen


def list_activity(
    session: Session,
    workspace_id: int,
    *,
    team: str | None = None,
    activities: set[str] | None = None,
    since: datetime | None = None,
    limit: int = 50,
    before_id: int | None = None,
) -> ActivityPage:
    """The workspace's case events, newest first.

    ``team``: only events of cases in that team (by name; InvalidInput when there is no
    such team). ``activities``: which activities to show (DEFAULT_ACTIVITIES when None).
    ``since``: only events at or after that instant. ``before_id``: the previous page's
    ``next_before_id``.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit: must be between 1 and {MAX_LIMIT}, not {limit}")
    if since is not None and since.tzinfo is None:
        raise InvalidInput("since: give a time with its time zone")
    e = events.c
    where = [e.workspace_id == workspace_id, e.activity.in_(_activities(activities))]
    if team is not None:
        where.append(e.team_id == _team_id(session, workspace_id, team))
    if since is not None:
        where.append(e.at >= since)
    if before_id is not None:
        cursor = session.execute(
            select(e.at).where(e.id == before_id, e.workspace_id == workspace_id)
        ).scalar()
        if cursor is None:
            raise InvalidInput(
                f"before_id: event {before_id} is not in this workspace's feed; "
                "start again from the newest page"
            )
        # (at, id) < (cursor's at, before_id), spelled so the (workspace_id, at) index
        # bounds the scan.
        where.append(e.at <= cursor)
        where.append(or_(e.at < cursor, and_(e.at == cursor, e.id < before_id)))
    rows = session.execute(
        select(
            e.id,
            e.at,
            e.activity,
            e.resource,
            e.case_id,
            cases.c.subject,
            teams.c.name,
            e.attributes,
        )
        .join(cases, cases.c.id == e.case_id)
        .outerjoin(teams, teams.c.id == e.team_id)
        .where(*where)
        .order_by(e.at.desc(), e.id.desc())
        .limit(limit + 1)
    ).all()
    items = [
        ActivityItem(
            id=row.id,
            at=row.at,
            activity=row.activity,
            resource=row.resource,
            case_id=row.case_id,
            case_subject=row.subject,
            team=row.name,
            attributes=dict(row.attributes or {}),
        )
        for row in rows[:limit]
    ]
    more = len(rows) > limit
    return ActivityPage(items, items[-1].id if more and items else None)
