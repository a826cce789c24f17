"""Who and what a workspace has, for the pickers of the web app: colleagues, teams,
canned replies. Read-only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rapport.store.engagement import CannedReply, Team
from rapport.store.models import Role, User


@dataclass(frozen=True, slots=True)
class Colleague:
    """An active user of the workspace."""

    id: int
    name: str
    email: str
    role: str

    @property
    def handle(self) -> str:
        """What follows '@' to mention them: the part of the address before '@'."""
        return self.email.split("@", 1)[0]

    @property
    def takes_cases(self) -> bool:
        """Admins and agents work cases; analysts only read."""
        return self.role != Role.ANALYST.value


def colleagues(session: Session, workspace_id: int) -> list[Colleague]:
    """The workspace's active users, by name."""
    rows = session.execute(
        select(User.id, User.name, User.email, User.role)
        .where(User.workspace_id == workspace_id, User.is_active.is_(True))
        .order_by(User.name, User.id)
    )
    return [Colleague(row.id, row.name, row.email, str(row.role)) for row in rows]


def team_names(session: Session, workspace_id: int) -> list[str]:
    """The workspace's teams, by name."""
    return list(
        session.scalars(
            select(Team.name).where(Team.workspace_id == workspace_id).order_by(Team.name)
        )
    )


def canned_reply_names(session: Session, workspace_id: int) -> list[str]:
    """The names of the workspace's canned replies (one per name, whatever the languages)."""
    names = session.scalars(
        select(CannedReply.name).where(CannedReply.workspace_id == workspace_id).distinct()
    )
    return sorted(set(names), key=str.casefold)


def mention_token(name: str) -> str:
    """How to write a mention of ``name``: quoted when it has spaces (``@"Tier 2"``)."""
    return f'@"{name}"' if any(ch.isspace() for ch in name) else f"@{name}"
