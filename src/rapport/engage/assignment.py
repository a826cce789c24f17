"""Who gets a case: round-robin within a team, respecting presence, capacity and skills.

The assigner works on a snapshot of the team (members, presence, open-case counts) taken
once per batch and kept up to date as it hands out cases, so routing a batch of thousands
of messages asks the database once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rapport.store.engagement import Presence


@dataclass(slots=True)
class AgentLoad:
    """An agent as the assigner sees them."""

    user_id: int
    name: str
    email: str
    presence: str = Presence.AVAILABLE.value
    capacity: int = 10
    languages: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    active: int = 0  # new or open cases assigned now

    @property
    def has_room(self) -> bool:
        return self.presence == Presence.AVAILABLE.value and self.active < self.capacity


@dataclass(slots=True)
class TeamQueue:
    """A team's members in round-robin order, and whose turn it was last."""

    team_id: int
    name: str
    members: list[int] = field(default_factory=list)
    last_assigned: int | None = None


class Assigner:
    """Picks the next agent for a case, and remembers the choice for the next one."""

    def __init__(self, teams: Iterable[TeamQueue], agents: Iterable[AgentLoad]) -> None:
        self.teams = {team.team_id: team for team in teams}
        self.agents = {agent.user_id: agent for agent in agents}

    def pick(
        self, team_id: int, language: str | None = None, topics: Iterable[str] = ()
    ) -> AgentLoad | None:
        """The member of ``team_id`` whose turn it is among those who can take the case.

        Only available members below their capacity are considered. When the team has
        members who speak the case's language, the case waits for one of them rather than
        going to someone who cannot read it; a language nobody in the team lists goes to
        anyone. Among those, members who list one of the case's topics come first. Returns
        None when nobody can take it now: the case stays in the team's queue.
        """
        team = self.teams.get(team_id)
        if team is None or not team.members:
            return None
        members = [self.agents[m] for m in self._turn_order(team) if m in self.agents]
        if language and any(language in agent.languages for agent in members):
            members = [agent for agent in members if language in agent.languages]
        free = [agent for agent in members if agent.has_room]
        wanted = set(topics)
        if wanted:
            skilled = [agent for agent in free if agent.topics & wanted]
            free = skilled or free
        if not free:
            return None
        chosen = free[0]
        self.take(team_id, chosen.user_id)
        return chosen

    def take(self, team_id: int | None, user_id: int) -> None:
        """Count a case given to ``user_id`` (by turn or by hand) against their capacity."""
        agent = self.agents.get(user_id)
        if agent is not None:
            agent.active += 1
        team = self.teams.get(team_id) if team_id is not None else None
        if team is not None and user_id in team.members:
            team.last_assigned = user_id

    def release(self, user_id: int | None) -> None:
        """A case of ``user_id`` stopped being active (answered, resolved, reassigned)."""
        agent = self.agents.get(user_id) if user_id is not None else None
        if agent is not None and agent.active > 0:
            agent.active -= 1

    @staticmethod
    def _turn_order(team: TeamQueue) -> list[int]:
        members = sorted(team.members)
        if team.last_assigned is None or team.last_assigned not in members:
            return members
        after = members.index(team.last_assigned) + 1
        return members[after:] + members[:after]
