"""A named listening query as something trends and alert rules watch: its matches per
quarter hour, and the posts behind a window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from rapport.errors import InvalidInput
from rapport.intelligence.listening.matching import MatchedMessage, matching_messages
from rapport.intelligence.listening.queries import get_query
from rapport.intelligence.trends.store import SlotCount
from rapport.intelligence.trends.subjects import Subject, count_slots


@dataclass(frozen=True, slots=True)
class QuerySubject:
    """The inbound messages a stored listening query (by name) matches."""

    name: str

    @property
    def label(self) -> str:
        return f"query {self.name}"

    def _matches(
        self, session: Session, workspace_id: int, since: datetime, until: datetime
    ) -> list[MatchedMessage]:
        query = get_query(session, workspace_id, self.name)
        return list(matching_messages(session, workspace_id, query, since, until))

    def slot_counts(
        self, session: Session, workspace_id: int, *, since: datetime, until: datetime
    ) -> list[SlotCount]:
        found = self._matches(session, workspace_id, since, until)
        return count_slots((m.received_at, m.sentiment) for m in found)

    def sample(
        self,
        session: Session,
        workspace_id: int,
        *,
        since: datetime,
        until: datetime,
        negative_only: bool,
        limit: int,
    ) -> list[int]:
        found = self._matches(session, workspace_id, since, until)
        if negative_only:
            found = [m for m in found if m.sentiment == "negative"]

        def order(m: MatchedMessage) -> tuple[bool, float, int]:
            at = m.received_at if m.received_at.tzinfo else m.received_at.replace(tzinfo=UTC)
            return (m.sentiment != "negative", -at.timestamp(), -m.message_id)

        return [m.message_id for m in sorted(found, key=order)[:limit]]


def query_subject(value: str | None) -> Subject:
    """The subject of a ``query`` alert rule: ``value`` is the query's name."""
    if not value or not value.strip():
        raise InvalidInput("subject_value: a query alert needs the listening query's name")
    return QuerySubject(value.strip())
