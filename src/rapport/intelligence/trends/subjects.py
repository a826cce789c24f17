"""What a trend or an alert rule watches: a small protocol, so new kinds plug in.

Built in: ``all`` (every inbound message) and one value of a field — ``channel`` (by name),
``intent``, ``language``, ``sentiment``. A kind registered later (a named listening query)
only has to count its messages per quarter hour and pick the posts behind a window.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from rapport.errors import InvalidInput
from rapport.intelligence.trends import store
from rapport.intelligence.trends.buckets import slot_start
from rapport.intelligence.trends.store import SlotCount

SUBJECT_KINDS = ("all", "channel", "intent", "language", "sentiment", "query")
VALUE_LENGTH = 200


class Subject(Protocol):
    """A selection of inbound messages that can be counted over time."""

    @property
    def label(self) -> str:
        """How people read it: ``all messages``, ``channel support@acme``..."""
        ...

    def slot_counts(
        self, session: Session, workspace_id: int, *, since: datetime, until: datetime
    ) -> list[SlotCount]:
        """Its messages of ``[since, until)`` per UTC quarter hour and sentiment."""
        ...

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
        """Ids of up to ``limit`` of its messages of the window, most negative, then newest."""
        ...


@dataclass(frozen=True, slots=True)
class FieldSubject:
    """Every inbound message (``field`` None), or those whose ``field`` is ``value``."""

    field: str | None = None
    value: str | None = None

    @property
    def label(self) -> str:
        return "all messages" if self.field is None else f"{self.field} {self.value}"

    @property
    def _filters(self) -> dict[str, str]:
        if self.field is None or self.value is None:
            return {}
        return {self.field: self.value}

    def slot_counts(
        self, session: Session, workspace_id: int, *, since: datetime, until: datetime
    ) -> list[SlotCount]:
        return store.slot_counts(
            session.connection(), workspace_id, since=since, until=until, filters=self._filters
        )

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
        return store.sample_ids(
            session.connection(),
            workspace_id,
            since=since,
            until=until,
            filters=self._filters,
            negative_only=negative_only,
            limit=limit,
        )


def count_slots(items: Iterable[tuple[datetime, str | None]]) -> list[SlotCount]:
    """Quarter-hour counts of ``(received_at, sentiment)`` pairs, for a subject whose
    messages come from elsewhere than ``store.slot_counts`` (a listening query's matches).
    No score travels with them, so their polarity is 0."""
    counts: Counter[tuple[datetime, str | None]] = Counter(
        (slot_start(at), sentiment) for at, sentiment in items
    )
    return [
        SlotCount(slot, None, sentiment, count, 0.0)
        for (slot, sentiment), count in sorted(counts.items(), key=lambda kv: kv[0][0])
    ]


SubjectFactory = Callable[[str | None], Subject]


def _field(field: str) -> SubjectFactory:
    def make(value: str | None) -> Subject:
        if not value or not value.strip():
            raise InvalidInput(f"subject_value: a {field} alert needs the {field} to watch")
        return FieldSubject(field, value.strip())

    return make


def _all(value: str | None) -> Subject:
    return FieldSubject()


_FACTORIES: dict[str, SubjectFactory] = {
    "all": _all,
    **{field: _field(field) for field in store.FIELDS},
}


def register_subject_kind(kind: str, factory: SubjectFactory) -> None:
    """Make ``kind`` (one of :data:`SUBJECT_KINDS`) watchable, e.g. ``query`` once named
    listening queries exist: ``factory(value)`` returns its :class:`Subject`."""
    if kind not in SUBJECT_KINDS:
        raise ValueError(f"unknown subject kind {kind!r}")
    _FACTORIES[kind] = factory


def make_subject(kind: str, value: str | None) -> Subject:
    """The subject ``kind`` / ``value`` names; an :class:`InvalidInput` when it cannot be."""
    if kind not in SUBJECT_KINDS:
        raise InvalidInput(f"subject_kind: must be one of {', '.join(SUBJECT_KINDS)}, not {kind!r}")
    if value is not None and (len(value) > VALUE_LENGTH or "\x00" in value):
        raise InvalidInput(f"subject_value: at most {VALUE_LENGTH} characters, no NUL")
    factory = _FACTORIES.get(kind)
    if factory is None:
        raise InvalidInput(f"subject_kind: {kind!r} alerts are not available in this version")
    return factory(value)
