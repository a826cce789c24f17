"""Everything routing needs to know about a workspace, read once: rules, teams, agents,
SLA policies and canned replies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Table, func, select

from rapport.engage.assignment import AgentLoad, Assigner, TeamQueue
from rapport.engage.calendar import BusinessCalendar
from rapport.engage.rules import RuleSet, load_rules
from rapport.store.engagement import (
    AgentProfile,
    CannedReply,
    Case,
    CaseStatus,
    RuleSetVersion,
    SlaPolicy,
    Team,
    TeamMember,
)
from rapport.store.models import User

teams_table = cast(Table, Team.__table__)
members_table = cast(Table, TeamMember.__table__)
profiles_table = cast(Table, AgentProfile.__table__)
users_table = cast(Table, User.__table__)
cases_table = cast(Table, Case.__table__)
policies_table = cast(Table, SlaPolicy.__table__)
canned_table = cast(Table, CannedReply.__table__)
rules_table = cast(Table, RuleSetVersion.__table__)


@dataclass(frozen=True, slots=True)
class Policy:
    """An SLA policy ready to apply."""

    name: str
    priority: str | None
    channel_kind: str | None
    first_response_seconds: int
    resolution_seconds: int | None
    warn_before_seconds: int
    calendar: BusinessCalendar | None

    def specificity(self) -> int:
        return (2 if self.priority else 0) + (1 if self.channel_kind else 0)


def choose_policy(policies: list[Policy], priority: str, channel_kind: str) -> Policy | None:
    """The most specific policy matching a case's priority and channel kind."""
    matching = [
        p
        for p in policies
        if p.priority in (None, priority) and p.channel_kind in (None, channel_kind)
    ]
    return max(matching, key=Policy.specificity, default=None)


@dataclass(slots=True)
class TeamInfo:
    id: int
    name: str
    calendar: BusinessCalendar | None
    members: list[int] = field(default_factory=list)


@dataclass(slots=True)
class EngageContext:
    """A workspace's engagement setup as one batch of routing sees it."""

    workspace_id: int
    rules: RuleSet | None
    teams: dict[int, TeamInfo]
    team_ids: dict[str, int]  # casefolded name -> id
    users: dict[str, int]  # casefolded e-mail -> user id
    user_names: dict[int, str]
    assigner: Assigner
    policies: list[Policy]
    canned: dict[str, dict[str, str]]  # name -> language -> body

    def team_named(self, name: str) -> int | None:
        return self.team_ids.get(name.casefold())

    def user_with_email(self, email: str) -> int | None:
        return self.users.get(email.casefold())

    def calendar_for(self, policy: Policy | None, team_id: int | None) -> BusinessCalendar:
        if policy is not None and policy.calendar is not None:
            return policy.calendar
        team = self.teams.get(team_id) if team_id is not None else None
        if team is not None and team.calendar is not None:
            return team.calendar
        # Before a case has a team, the first team's hours are the company's opening hours.
        for first in sorted(self.teams.values(), key=lambda t: t.id):
            if first.calendar is not None:
                return first.calendar
        return BusinessCalendar.always_open()


def newest_rules(conn: Connection, workspace_id: int) -> tuple[int, str] | None:
    """The version and YAML of the newest saved rule set, if any."""
    row = conn.execute(
        select(rules_table.c.id, rules_table.c.source)
        .where(rules_table.c.workspace_id == workspace_id)
        .order_by(rules_table.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (row.id, row.source)


def _calendar(data: Mapping[str, Any] | None, where: str) -> BusinessCalendar | None:
    return BusinessCalendar.from_mapping(data, where=where) if data else None


def load_context(conn: Connection, workspace_id: int) -> EngageContext:
    """Read the workspace's rules, teams, agents, policies and canned replies."""
    saved = newest_rules(conn, workspace_id)
    rules = load_rules(saved[1], source="saved rules") if saved else None

    teams: dict[int, TeamInfo] = {}
    for row in conn.execute(
        select(teams_table.c.id, teams_table.c.name, teams_table.c.calendar).where(
            teams_table.c.workspace_id == workspace_id
        )
    ):
        teams[row.id] = TeamInfo(row.id, row.name, _calendar(row.calendar, f"team {row.name}"))
    last_turns = dict(
        conn.execute(
            select(teams_table.c.id, teams_table.c.last_assigned_user_id).where(
                teams_table.c.workspace_id == workspace_id
            )
        ).all()
    )
    for team_id, user_id in conn.execute(
        select(members_table.c.team_id, members_table.c.user_id)
        .join(teams_table, teams_table.c.id == members_table.c.team_id)
        .where(teams_table.c.workspace_id == workspace_id)
    ):
        teams[team_id].members.append(user_id)

    agents: list[AgentLoad] = []
    users: dict[str, int] = {}
    names: dict[int, str] = {}
    profile_rows = conn.execute(
        select(
            users_table.c.id,
            users_table.c.name,
            users_table.c.email,
            profiles_table.c.presence,
            profiles_table.c.capacity,
            profiles_table.c.languages,
            profiles_table.c.topics,
        )
        .outerjoin(profiles_table, profiles_table.c.user_id == users_table.c.id)
        .where(users_table.c.workspace_id == workspace_id, users_table.c.is_active.is_(True))
    )
    for person in profile_rows.all():
        users[person.email.casefold()] = person.id
        names[person.id] = person.name
        agent = AgentLoad(person.id, person.name, person.email)
        if person.presence is not None:
            agent.presence = person.presence
            agent.capacity = person.capacity
            agent.languages = frozenset(person.languages or ())
            agent.topics = frozenset(person.topics or ())
        agents.append(agent)
    load: dict[int, int] = dict(
        conn.execute(
            select(cases_table.c.assignee_id, func.count())
            .where(
                cases_table.c.workspace_id == workspace_id,
                cases_table.c.assignee_id.is_not(None),
                cases_table.c.status.in_([CaseStatus.NEW.value, CaseStatus.OPEN.value]),
            )
            .group_by(cases_table.c.assignee_id)
        ).all()
    )
    for agent in agents:
        agent.active = load.get(agent.user_id, 0)
    queues = [
        TeamQueue(t.id, t.name, list(t.members), last_turns.get(t.id)) for t in teams.values()
    ]

    policies = [
        Policy(
            name=row.name,
            priority=row.priority,
            channel_kind=row.channel_kind,
            first_response_seconds=row.first_response_seconds,
            resolution_seconds=row.resolution_seconds,
            warn_before_seconds=row.warn_before_seconds,
            calendar=_calendar(row.calendar, f"SLA policy {row.name}"),
        )
        for row in conn.execute(
            select(policies_table).where(policies_table.c.workspace_id == workspace_id)
        )
    ]
    canned: dict[str, dict[str, str]] = {}
    for row in conn.execute(
        select(canned_table.c.name, canned_table.c.language, canned_table.c.body).where(
            canned_table.c.workspace_id == workspace_id
        )
    ):
        canned.setdefault(row.name.casefold(), {})[row.language] = row.body
    return EngageContext(
        workspace_id=workspace_id,
        rules=rules,
        teams=teams,
        team_ids={t.name.casefold(): t.id for t in teams.values()},
        users=users,
        user_names=names,
        assigner=Assigner(queues, agents),
        policies=policies,
        canned=canned,
    )
