"""Fast bulk writes for the ingest path, on the driver's own executemany.

SQLAlchemy's per-row parameter processing costs more than SQLite's insert itself, so the
import path hands plain tuples to the DBAPI cursor. Statements are built from the ORM's
own table and column names (never from input); values always travel as bound parameters.
Ids are allocated up front — under SQLite's write lock, or from PostgreSQL's sequences —
so rows can be linked without reading them back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table


class BulkWriter:
    """Writes many rows at once through one connection inside the caller's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self._placeholder = "?" if self.sqlite else "%s"
        self._next_ids: dict[str, int] = {}
        if self.sqlite and not _in_transaction(conn):
            # Take SQLite's write lock now, so ids read below stay ours until commit.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    def allocate_ids(self, table: Table, count: int) -> list[int]:
        """``count`` fresh primary keys for ``table``, in ascending order."""
        if count == 0:
            return []
        name = table.name
        if self.sqlite:
            start = self._next_ids.get(name)
            if start is None:
                start = self.conn.exec_driver_sql(
                    f"SELECT coalesce(max(id), 0) + 1 FROM {name}"
                ).scalar_one()
            self._next_ids[name] = start + count
            return list(range(start, start + count))
        rows = self.conn.exec_driver_sql(
            f"SELECT nextval(pg_get_serial_sequence('{name}', 'id')) FROM generate_series(1, %s)",
            (count,),
        ).scalars()
        return sorted(rows)

    def insert(
        self,
        table: Table,
        columns: Sequence[str],
        rows: list[tuple[Any, ...]],
        *,
        ignore_conflicts: bool = False,
    ) -> None:
        """INSERT ``rows`` (tuples in ``columns`` order) with one executemany."""
        if not rows:
            return
        for column in columns:
            if column not in table.c:
                raise ValueError(f"{table.name} has no column {column!r}")
        placeholders = ", ".join([self._placeholder] * len(columns))
        statement = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({placeholders})"
        if ignore_conflicts:
            statement += " ON CONFLICT DO NOTHING"
        self.conn.exec_driver_sql(statement, rows)

    def execute_many(self, statement: str, rows: list[tuple[Any, ...]]) -> None:
        """Run a fixed statement written with ``?`` placeholders for every row."""
        if rows:
            if not self.sqlite:
                statement = statement.replace("?", "%s")
            self.conn.exec_driver_sql(statement, rows)


def _in_transaction(conn: Connection) -> bool:
    raw = conn.connection.dbapi_connection
    return bool(getattr(raw, "in_transaction", False))
