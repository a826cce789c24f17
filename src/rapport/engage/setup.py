"""A workspace's engagement setup as one YAML file: teams and their calendars, agents'
presence, capacity, languages and signatures, SLA policies, and canned replies.

``rapport setup load FILE`` reads it; every problem is reported with its line and field,
and nothing changes unless the whole file is right. Loading the same file twice changes
nothing. Teams missing from the file are kept (cases still point to them); policies and
canned replies missing from it are removed, so the file is the whole truth for those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rapport.engage.calendar import BusinessCalendar
from rapport.engage.rules.nodes import Problem, Reader, RulesError, compose, line_of, plain
from rapport.errors import InvalidInput
from rapport.store.engagement import (
    AgentProfile,
    CannedReply,
    Presence,
    Priority,
    SlaPolicy,
    Team,
    TeamMember,
)
from rapport.store.models import ChannelKind, User

_DURATION = re.compile(r"(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+)\s*s)?")
_TOP = ("teams", "agents", "sla_policies", "canned_replies")
_TEAM = ("name", "description", "calendar", "members")
_AGENT = ("email", "presence", "capacity", "languages", "topics", "signature")
_POLICY = (
    "name",
    "priority",
    "channel_kind",
    "first_response",
    "resolution",
    "warn_before",
    "calendar",
)
_CANNED = ("name", "language", "body")


@dataclass(slots=True)
class Setup:
    teams: list[dict[str, Any]] = field(default_factory=list)
    agents: list[dict[str, Any]] = field(default_factory=list)
    policies: list[dict[str, Any]] = field(default_factory=list)
    canned: list[dict[str, Any]] = field(default_factory=list)


def parse_duration(text: str) -> int | None:
    """Seconds in ``"90m"``, ``"4h"``, ``"1h30m"`` or ``"45s"`` (hours of business time)."""
    match = _DURATION.fullmatch(text.strip().lower())
    if not match or not any(match.groups()):
        return None
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


class _SetupReader(Reader):
    def duration(self, node: yaml.Node, path: str) -> int | None:
        if isinstance(node, yaml.ScalarNode) and isinstance(plain(node), int):
            return int(plain(node))
        text = self.text(node, path, what='a duration like "30m", "4h" or "1h30m"')
        seconds = None if text is None else parse_duration(text)
        if text is not None and not seconds:
            self.report(
                node, path, f'expected a duration like "30m", "4h" or "1h30m", got "{text}"'
            )
        return seconds

    def calendar(self, node: yaml.Node, path: str) -> dict[str, Any] | None:
        data = plain(node)
        try:
            return dict(BusinessCalendar.from_mapping(data, where=path).to_mapping())
        except InvalidInput as exc:
            self.problems.append(Problem(line_of(node), "", str(exc)))
            return None


def read_setup(text: str, *, source: str = "setup") -> Setup:
    """Parse and check a setup file; raises :class:`RulesError` listing every problem."""
    root = compose(text, source)
    reader = _SetupReader()
    setup = Setup()
    if root is None:
        return setup
    top = reader.mapping(root, "", _TOP) or {}
    sections = {
        "teams": (_TEAM, setup.teams),
        "agents": (_AGENT, setup.agents),
        "sla_policies": (_POLICY, setup.policies),
        "canned_replies": (_CANNED, setup.canned),
    }
    for key, (allowed, into) in sections.items():
        if key not in top:
            continue
        for index, item in enumerate(reader.sequence(top[key][1], key)):
            path = f"{key}[{index}]"
            entries = reader.mapping(item, path, allowed)
            if entries is None:
                continue
            into.append(_read_item(reader, key, entries, path, item))
    _check_unique(reader, setup)
    if reader.problems:
        raise RulesError(source, reader.problems)
    return setup


def _read_item(
    reader: _SetupReader, section: str, entries: dict[str, Any], path: str, node: yaml.Node
) -> dict[str, Any]:
    out: dict[str, Any] = {"_line": line_of(node)}
    required = {
        "teams": ("name",),
        "agents": ("email",),
        "sla_policies": ("name", "first_response"),
        "canned_replies": ("name", "language", "body"),
    }[section]
    for key in required:
        if key not in entries:
            reader.report(node, path, f'"{key}" is required')
    for key, (_, value) in entries.items():
        at = f"{path}.{key}"
        if key in ("name", "description", "email", "language", "signature"):
            out[key] = reader.text(value, at)
        elif key == "body":
            body = plain(value)
            if not isinstance(body, str) or not body.strip():
                reader.report(value, at, "expected the reply's text")
            out[key] = body
        elif key in ("members", "languages", "topics"):
            out[key] = list(reader.texts(value, at) or ())
        elif key == "calendar":
            out[key] = reader.calendar(value, at)
        elif key == "presence":
            out[key] = reader.choice(value, at, [p.value for p in Presence])
        elif key == "priority":
            out[key] = reader.choice(value, at, [p.value for p in Priority])
        elif key == "channel_kind":
            out[key] = reader.choice(value, at, [k.value for k in ChannelKind])
        elif key == "capacity":
            out[key] = reader.number(value, at, whole=True)
        elif key in ("first_response", "resolution", "warn_before"):
            out[key] = reader.duration(value, at)
    return out


def _check_unique(reader: _SetupReader, setup: Setup) -> None:
    for section, items, key in (
        ("teams", setup.teams, lambda i: i.get("name")),
        ("agents", setup.agents, lambda i: i.get("email")),
        ("sla_policies", setup.policies, lambda i: i.get("name")),
        ("canned_replies", setup.canned, lambda i: (i.get("name"), i.get("language"))),
    ):
        seen: set[Any] = set()
        for item in items:
            value = key(item)
            if value in seen:
                reader.problems.append(
                    Problem(item["_line"], section, f"{value!r} is given more than once")
                )
            seen.add(value)


@dataclass(slots=True)
class SetupReport:
    teams: int = 0
    agents: int = 0
    policies: int = 0
    canned_replies: int = 0

    def summary(self) -> str:
        return (
            f"teams={self.teams} agents={self.agents} sla_policies={self.policies} "
            f"canned_replies={self.canned_replies}"
        )


def apply_setup(
    session: Session,
    workspace_id: int,
    setup: Setup,
    *,
    source: str,
    skip_unknown_users: bool = False,
) -> SetupReport:
    """Make the workspace match ``setup`` (in the caller's transaction).

    A user the file names who is not in the workspace is an error, unless
    ``skip_unknown_users`` (the demo, loaded where some of its people live elsewhere)."""
    users = {
        u.email.casefold(): u
        for u in session.scalars(select(User).where(User.workspace_id == workspace_id))
    }
    problems = [
        Problem(item["_line"], "", f"no user with e-mail {email!r} in this workspace")
        for item in [*setup.agents, *setup.teams]
        for email in ([item["email"]] if "email" in item else item.get("members", []))
        if email and email.casefold() not in users
    ]
    if problems and not skip_unknown_users:
        raise RulesError(source, problems)
    setup = Setup(
        teams=[
            {**t, "members": [e for e in t.get("members", []) if e.casefold() in users]}
            for t in setup.teams
        ],
        agents=[a for a in setup.agents if a["email"].casefold() in users],
        policies=setup.policies,
        canned=setup.canned,
    )

    teams = {
        t.name: t for t in session.scalars(select(Team).where(Team.workspace_id == workspace_id))
    }
    for item in setup.teams:
        team = teams.get(item["name"])
        if team is None:
            team = Team(workspace_id=workspace_id, name=item["name"])
            session.add(team)
        team.description = item.get("description") or ""
        team.calendar = item.get("calendar")
        session.flush()
        wanted = {users[e.casefold()].id for e in item.get("members", [])}
        have = set(session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team.id)))
        if have - wanted:
            session.execute(
                delete(TeamMember).where(
                    TeamMember.team_id == team.id, TeamMember.user_id.in_(have - wanted)
                )
            )
        session.add_all(TeamMember(team_id=team.id, user_id=u) for u in sorted(wanted - have))

    for item in setup.agents:
        user = users[item["email"].casefold()]
        profile = session.get(AgentProfile, user.id) or AgentProfile(user_id=user.id)
        profile.presence = item.get("presence") or Presence.AVAILABLE.value
        capacity = item.get("capacity")
        profile.capacity = int(capacity) if capacity is not None else 10
        profile.languages = item.get("languages", [])
        profile.topics = item.get("topics", [])
        profile.signature = item.get("signature") or ""
        session.add(profile)

    session.execute(delete(SlaPolicy).where(SlaPolicy.workspace_id == workspace_id))
    session.add_all(
        SlaPolicy(
            workspace_id=workspace_id,
            name=item["name"],
            priority=item.get("priority"),
            channel_kind=item.get("channel_kind"),
            first_response_seconds=item["first_response"],
            resolution_seconds=item.get("resolution"),
            warn_before_seconds=item.get("warn_before") or 900,
            calendar=item.get("calendar"),
        )
        for item in setup.policies
    )
    session.execute(delete(CannedReply).where(CannedReply.workspace_id == workspace_id))
    session.add_all(
        CannedReply(
            workspace_id=workspace_id,
            name=item["name"],
            language=item["language"],
            body=item["body"],
        )
        for item in setup.canned
    )
    session.flush()
    return SetupReport(len(setup.teams), len(setup.agents), len(setup.policies), len(setup.canned))
