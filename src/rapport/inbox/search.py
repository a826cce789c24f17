"""Full-text search conditions, built from words only, so user text never reaches SQL."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.sql import Select

from rapport.store.models import Message

_WORD = re.compile(r"\w+", re.UNICODE)


def search_words(query: str) -> list[str]:
    """The words of a query (letters and digits of any script), at most 8."""
    return _WORD.findall(query)[:8]


def matching_message_ids(dialect: str, words: list[str]) -> Select[Any]:
    """SELECT of the ids of messages that contain every word (prefix match on each)."""
    if dialect == "sqlite":
        # FTS5 query: each word quoted as a string and prefix-matched, all required.
        fts_query = " ".join(f'"{w}"*' for w in words)
        return (
            select(text("rowid"))
            .select_from(text("message_fts"))
            .where(text("message_fts MATCH :fts").bindparams(fts=fts_query))
        )
    tsquery = " & ".join(f"'{w}':*" for w in words)
    condition: ColumnElement[bool] = func.to_tsvector("simple", Message.text).op("@@")(
        func.to_tsquery("simple", tsquery)
    )
    return select(Message.id).where(condition)
