"""The workspace's automation rules as saved versions: save, read, list and restore.

Every save is a new version (the newest is in force), so a change can be seen and undone.
Saving the same text again adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rapport.engage.context import newest_rules
from rapport.engage.rules import Problem, RulesError, RuleSet, load_rules
from rapport.errors import NotFound
from rapport.store.engagement import CannedReply, RuleFiring, RuleSetVersion, Team
from rapport.store.models import User


@dataclass(frozen=True, slots=True)
class RulesVersion:
    id: int
    created_at: datetime
    created_by: str | None
    rules: int


@dataclass(frozen=True, slots=True)
class SavedRules:
    version: int | None
    source: str
    ruleset: RuleSet


def current_rules(session: Session, workspace_id: int) -> SavedRules:
    """The rules in force (an empty set when none were ever saved)."""
    saved = newest_rules(session.connection(), workspace_id)
    if saved is None:
        return SavedRules(None, "", RuleSet())
    version, source = saved
    return SavedRules(version, source, load_rules(source, source="saved rules"))


def save_rules(
    session: Session, workspace_id: int, text: str, *, source: str, user_id: int | None
) -> SavedRules:
    """Check ``text`` and make it the rules in force; raises ``RulesError`` (with line and
    field of every problem) and changes nothing when it is not valid."""
    ruleset = load_rules(text, source=source)
    _check_names(session, workspace_id, ruleset, source)
    current = current_rules(session, workspace_id)
    if current.version is not None and current.source == text:
        return current
    version = RuleSetVersion(workspace_id=workspace_id, source=text, created_by=user_id)
    session.add(version)
    session.flush()
    return SavedRules(version.id, text, ruleset)


def _check_names(session: Session, workspace_id: int, ruleset: RuleSet, source: str) -> None:
    """Teams, agents and canned replies the rules name must exist in the workspace."""
    teams = {
        n.casefold()
        for n in session.scalars(select(Team.name).where(Team.workspace_id == workspace_id))
    }
    users = {
        e.casefold()
        for e in session.scalars(select(User.email).where(User.workspace_id == workspace_id))
    }
    canned = {
        n.casefold()
        for n in session.scalars(
            select(CannedReply.name).where(CannedReply.workspace_id == workspace_id)
        )
    }
    problems: list[Problem] = []
    for index, rule in enumerate(ruleset.rules):
        then = rule.then
        path = f"rules[{index}] ({rule.name}).then"
        named = [
            ("assign.team", then.assign.team if then.assign else None, teams, "team"),
            ("assign.agent", then.assign.agent if then.assign else None, users, "user"),
            ("escalate.team", then.escalate.team if then.escalate else None, teams, "team"),
            ("acknowledge", then.acknowledge, canned, "canned reply"),
            *[
                (
                    "notify",
                    target.removeprefix("@"),
                    teams if target.startswith("@") else users,
                    "team" if target.startswith("@") else "user",
                )
                for target in then.notify
            ],
        ]
        for field, value, known, what in named:
            if value is not None and value.casefold() not in known:
                problems.append(
                    Problem(None, f"{path}.{field}", f"no {what} named {value!r} in this workspace")
                )
    if problems:
        raise RulesError(source, problems)


def rule_history(session: Session, workspace_id: int, limit: int = 50) -> list[RulesVersion]:
    rows = session.execute(
        select(RuleSetVersion.id, RuleSetVersion.created_at, User.name, RuleSetVersion.source)
        .outerjoin(User, User.id == RuleSetVersion.created_by)
        .where(RuleSetVersion.workspace_id == workspace_id)
        .order_by(RuleSetVersion.id.desc())
        .limit(limit)
    )
    return [
        RulesVersion(r.id, r.created_at, r.name, len(load_rules(r.source, source="saved").rules))
        for r in rows
    ]


def restore_rules(
    session: Session, workspace_id: int, version_id: int, *, user_id: int | None
) -> SavedRules:
    """Put an earlier version back in force (as a new version, so the undo is audited too)."""
    source = session.execute(
        select(RuleSetVersion.source).where(
            RuleSetVersion.id == version_id, RuleSetVersion.workspace_id == workspace_id
        )
    ).scalar()
    if source is None:
        raise NotFound(f"rules version {version_id} not found")
    return save_rules(
        session, workspace_id, source, source=f"version {version_id}", user_id=user_id
    )


@dataclass(frozen=True, slots=True)
class FiringView:
    rule: str
    case_id: int | None
    message_id: int
    reason: str
    fired_at: datetime


def recent_firings(
    session: Session, workspace_id: int, *, rule: str | None = None, limit: int = 50
) -> list[FiringView]:
    query = (
        select(
            RuleFiring.rule,
            RuleFiring.case_id,
            RuleFiring.message_id,
            RuleFiring.reason,
            RuleFiring.fired_at,
        )
        .where(RuleFiring.workspace_id == workspace_id)
        .order_by(RuleFiring.id.desc())
        .limit(limit)
    )
    if rule is not None:
        query = query.where(RuleFiring.rule == rule)
    return [FiringView(*row) for row in session.execute(query)]


def firing_counts(session: Session, workspace_id: int) -> dict[str, int]:
    """How often each rule has fired."""
    rows = session.execute(
        select(RuleFiring.rule, func.count())
        .where(RuleFiring.workspace_id == workspace_id)
        .group_by(RuleFiring.rule)
    )
    return {name: count for name, count in rows}
