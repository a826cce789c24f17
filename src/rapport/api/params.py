"""Parameters several routes share: paging, ids, and text that is safe to pass to a database.

Bounds are checked here so a bad value is a 422 naming the parameter, never a database error:
ids fit a 64-bit integer, text holds no NUL character (PostgreSQL cannot store one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Query

from rapport.inbox.queries import MAX_LIMIT

MAX_ID = 2**63 - 1
NO_NUL = r"^[^\x00]*$"


@dataclass(frozen=True, slots=True)
class Paging:
    limit: int
    offset: int


def _paging(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="Items to skip.")] = 0,
) -> Paging:
    return Paging(limit, offset)


PagingDep = Annotated[Paging, Depends(_paging)]
ConversationId = Annotated[int, Path(ge=1, le=MAX_ID)]
ContactId = Annotated[int, Path(ge=1, le=MAX_ID)]


def text_query(description: str, max_length: int = 500) -> Any:
    """A free-text query parameter: bounded length, no NUL."""
    return Query(max_length=max_length, pattern=NO_NUL, description=description)
