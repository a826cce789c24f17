"""The few statements whose spelling differs between SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    String,
    Table,
    any_,
    bindparam,
    cast,
    extract,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert


def insert_ignoring_conflicts(table: Table, dialect_name: str) -> Insert:
    """``INSERT ... ON CONFLICT DO NOTHING`` for the connected database."""
    if dialect_name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def in_list(
    column: Any, values: Sequence[int] | Sequence[str], dialect_name: str
) -> ColumnElement[bool]:
    """``column IN values`` with all the values bound as one parameter, however many.

    SQLite gets a JSON array read by ``json_each``, PostgreSQL an array for ``= ANY``; one
    parameter instead of thousands keeps compiling and binding cheap.
    """
    if dialect_name == "sqlite":
        encoded = bindparam("in_list", json.dumps(list(values)), type_=String(), unique=True)
        members: Select[Any] = select(literal_column("value")).select_from(func.json_each(encoded))
        return column.in_(members.scalar_subquery())  # type: ignore[no-any-return]
    element = column.type  # the array's elements compare as the column's own type
    array = bindparam("in_list", list(values), type_=postgresql.ARRAY(element), unique=True)
    return column == any_(array)  # type: ignore[no-any-return]


def epoch_seconds(column: Any, dialect_name: str) -> ColumnElement[int]:
    """Whole seconds since 1970 (UTC) of a time ``column``: SQLite keeps times as UTC text,
    PostgreSQL as ``timestamptz``."""
    if dialect_name == "sqlite":
        return cast(func.strftime("%s", column), Integer)
    return cast(func.floor(extract("epoch", column)), BigInteger)
