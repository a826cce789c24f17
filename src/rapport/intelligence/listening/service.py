"""Share of voice over the store: pick the queries, match them, count."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from rapport.errors import InvalidInput
from rapport.intelligence.listening.matching import matches_of_many
from rapport.intelligence.listening.queries import compiled, get_query, list_queries
from rapport.intelligence.listening.share import ShareOfVoice, share_of_voice
from rapport.store.listening import QueryKind


def voice_of_queries(
    session: Session,
    workspace_id: int,
    *,
    names: Sequence[str] = (),
    kind: str = QueryKind.BRAND.value,
    since: datetime | None = None,
    until: datetime | None = None,
    channel: str | None = None,
) -> ShareOfVoice:
    """Share of voice between the named queries, or (no names) every query of ``kind``."""
    if names:
        chosen = [compiled(get_query(session, workspace_id, name)) for name in names]
    else:
        chosen = [compiled(q) for q in list_queries(session, workspace_id, kind)]
    if not chosen:
        raise InvalidInput(
            f"kind: no {kind} queries in this workspace; add one with `rapport listen add`"
            if not names
            else "query: name at least one query"
        )
    found = matches_of_many(session, workspace_id, chosen, since, until, channel)
    return share_of_voice(found, since, until)
