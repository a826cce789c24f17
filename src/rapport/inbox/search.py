"""Full-text search conditions, built from words only, so user text never reaches SQL."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    ColumnElement,
    func,
    select,
    text,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from rapport.store.dialects import in_list
from rapport.store.models import Message

_WORD = re.compile(r"\w+", re.UNICODE)


def search_words(query: str) -> list[str]:
    """The words of a query (letters and digits of any script), at most 8."""
    return _WORD.findall(query)[:8]


# A word found in more messages than this is searched in its newest messages only: the
# inbox shows the conversations of the newest matches, and says the total is a lower bound.
SEARCH_WINDOW = 5_000


def _sqlite_match(words: list[str]) -> str:
    # FTS5 query: each word quoted as a string and prefix-matched, all of them required.
    return " ".join(f'"{w}"*' for w in words)


def _pg_condition(words: list[str]) -> ColumnElement[bool]:
    tsquery = " & ".join(f"'{w}':*" for w in words)
    return func.to_tsvector("simple", Message.text).op("@@")(func.to_tsquery("simple", tsquery))


def matching_message_ids(
    dialect: str, words: list[str], window: int = SEARCH_WINDOW
) -> Select[Any]:
    """SELECT of the ids of the newest ``window`` messages that contain every word."""
    if dialect == "sqlite":
        return (
            select(text("rowid"))
            .select_from(text("message_fts"))
            .where(text("message_fts MATCH :fts").bindparams(fts=_sqlite_match(words)))
            .order_by(text("rowid DESC"))
            .limit(window)
        )
    return select(Message.id).where(_pg_condition(words)).order_by(Message.id.desc()).limit(window)


def newest_matches(
    session: Session, words: list[str], window: int | None = None
) -> tuple[list[int], bool]:
    """Ids of the newest ``window`` (SEARCH_WINDOW) messages containing every word, and
    whether more messages than that matched. The full-text index is asked once."""
    window = SEARCH_WINDOW if window is None else window
    dialect = session.get_bind().dialect.name
    message_ids = list(session.scalars(matching_message_ids(dialect, words, window + 1)))
    return message_ids[:window], len(message_ids) > window


def matching_conversations(
    session: Session, workspace_id: int, words: list[str], window: int | None = None
) -> tuple[list[int], bool]:
    """The ids of conversations with one of the newest matching messages, and whether the
    words matched more messages than the window holds."""
    message_ids, windowed = newest_matches(session, words, window)
    lookup = (
        select(Message.conversation_id)
        .distinct()
        .where(
            Message.workspace_id == workspace_id,
            in_list(Message.id, message_ids, session.get_bind().dialect.name),
        )
    )
    return list(session.scalars(lookup)), windowed
