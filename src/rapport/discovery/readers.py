"""Read event logs from files and databases into an EventLog; the format from the extension."""

from __future__ import annotations

import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from rapport.discovery.log import (
    ACTIVITY,
    CASE,
    RESOURCE,
    TIMESTAMP,
    EventLog,
    EventLogError,
    build_log,
)

FORMATS = (".xes", ".xes.gz", ".csv", ".jsonocel", ".xmlocel", ".sqlite")
_XES_COLUMNS = {
    "case:concept:name": CASE,
    "concept:name": ACTIVITY,
    "time:timestamp": TIMESTAMP,
    "org:resource": RESOURCE,
}


@dataclass(frozen=True)
class ColumnMapping:
    """Which source columns hold the case, activity, timestamp and resource."""

    case: str = "case:concept:name"
    activity: str = "concept:name"
    timestamp: str = "time:timestamp"
    resource: str | None = "org:resource"


def log_format(path: Path) -> str:
    name = path.name.lower()
    for suffix in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    raise EventLogError(f"{path}: unknown log format; expected one of {', '.join(FORMATS)}")


def read_log(
    path: Path,
    *,
    mapping: ColumnMapping | None = None,
    object_type: str | None = None,
) -> EventLog:
    """Read the log at ``path``.

    CSV uses ``mapping``; OCEL logs are flattened on ``object_type``.
    """
    fmt = log_format(path)
    if not path.is_file():
        raise EventLogError(f"{path}: no such file")
    if fmt in (".xes", ".xes.gz"):
        return read_xes(path)
    if fmt == ".csv":
        return read_csv(path, mapping or ColumnMapping())
    from rapport.discovery import ocel

    if object_type is None:
        raise EventLogError(
            f"{path}: an OCEL log needs --object-type (one of: "
            f"{', '.join(ocel.object_types(path))})"
        )
    return ocel.read_ocel(path, object_type)


def read_xes(path: Path) -> EventLog:
    """XES or gzipped XES; trace attributes come as ``case:*``.

    Flat files take the vectorised fast path (``xes_fast``); any other through rustxes.
    """
    import rustxes

    from rapport.discovery.xes_fast import read_xes_fast

    try:
        fast = read_xes_fast(path)
    except (OSError, EOFError, zlib.error) as exc:  # a truncated or damaged gzip file
        raise EventLogError(f"{path}: not a readable XES log ({_first_line(exc)})") from None
    if fast is not None:
        return xes_log(fast, path)
    try:
        with _rust_panics_silenced():
            frame, _meta = rustxes.import_xes(str(path))
    except BaseException as exc:  # rustxes raises PanicException (a BaseException) on bad XML
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise EventLogError(f"{path}: not a readable XES log ({_first_line(exc)})") from None
    return xes_log(frame, path)


def xes_log(frame: pl.DataFrame, path: Path) -> EventLog:
    """The EventLog of an XES reader's frame (pm4py's column names)."""
    if "case:concept:name" not in frame.columns and frame.height:
        raise EventLogError(f"{path}: the traces have no concept:name (case id)")
    return build_log(
        frame.rename({k: v for k, v in _XES_COLUMNS.items() if k in frame.columns}), str(path)
    )


def read_csv(path: Path, mapping: ColumnMapping) -> EventLog:
    """A CSV file with a header row; ``mapping`` names the core columns."""
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        raise EventLogError(f"{path}: not a readable CSV file ({_first_line(exc)})") from None
    return frame_to_log(frame, mapping, str(path))


def read_sql(database: Path | str, query: str, mapping: ColumnMapping) -> EventLog:
    """The rows of a SQL query (SQLite file or SQLAlchemy URL) as an event log."""
    text = str(database)
    try:
        if "://" in text:
            import sqlalchemy

            engine = sqlalchemy.create_engine(text)
            with engine.connect() as conn:
                result = conn.execute(sqlalchemy.text(query))
                columns = list(result.keys())
                rows = [tuple(r) for r in result]
            engine.dispose()
        else:
            if not Path(text).is_file():
                raise EventLogError(f"{text}: no such database file")
            with sqlite3.connect(f"file:{text}?mode=ro", uri=True) as conn:
                cursor = conn.execute(query)
                columns = [d[0] for d in cursor.description or ()]
                rows = cursor.fetchall()
    except EventLogError:
        raise
    except Exception as exc:  # any driver's error: say what the database answered
        raise EventLogError(f"{text}: the query failed: {_first_line(exc)}") from None
    return rows_to_log(columns, rows, mapping, f"{text} (query)")


def rows_to_log(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], mapping: ColumnMapping, source: str
) -> EventLog:
    """Records (tuples in the order of ``columns``) as an event log: a query's rows, or
    events exported from Rapport's own database."""
    records = list(rows)
    frame = pl.DataFrame(
        {name: [row[i] for row in records] for i, name in enumerate(columns)},
        strict=False,
    )
    return frame_to_log(frame, mapping, source)


def frame_to_log(frame: pl.DataFrame, mapping: ColumnMapping, source: str) -> EventLog:
    """Rename the mapped columns to the core names and build the log."""
    wanted = {CASE: mapping.case, ACTIVITY: mapping.activity, TIMESTAMP: mapping.timestamp}
    for role, name in wanted.items():
        if name not in frame.columns:
            raise EventLogError(
                f"{source}: no column {name!r} for the {role} "
                f"(columns: {', '.join(frame.columns)}); use --{role} NAME"
            )
    renames = {v: k for k, v in wanted.items()}
    if mapping.resource is not None and mapping.resource in frame.columns:
        renames[mapping.resource] = RESOURCE
    clashes = [
        c
        for c in (CASE, ACTIVITY, TIMESTAMP, RESOURCE)
        if c in frame.columns and c not in renames and c not in renames.values()
    ]
    frame = frame.drop(clashes).rename(renames)
    if frame.schema[TIMESTAMP] == pl.String:
        frame = frame.with_columns(parse_timestamps(frame[TIMESTAMP], source, mapping.timestamp))
    return build_log(frame, source)


_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M%:z")


def parse_timestamps(values: pl.Series, source: str, field: str | None = None) -> pl.Series:
    """ISO 8601 text (any offset, or none: taken as UTC; a date alone is midnight UTC).

    A value that is present but unreadable is an error naming its row, never a silent null.
    """
    text = values.cast(pl.String).str.strip_chars().replace("", None)
    frame = (
        pl.DataFrame({"n": text})
        .with_columns(
            pl.when(pl.col("n").str.contains(r"^\d{4}-\d\d-\d\d$"))
            .then(pl.col("n") + "T00:00:00")
            .otherwise(pl.col("n").str.replace(" ", "T"))
            .alias("n")
        )
        .with_columns(
            pl.when(pl.col("n").str.contains(r"(Z|[+-]\d\d:?\d\d)$"))
            .then(pl.col("n").str.replace(r"Z$", "+00:00"))
            .otherwise(pl.col("n") + "+00:00")
            .alias("n")
        )
    )
    parsed = frame.select(
        pl.coalesce(
            pl.col("n").str.to_datetime(f, time_unit="us", time_zone="UTC", strict=False)
            for f in _FORMATS
        ).alias(TIMESTAMP)
    )[TIMESTAMP]
    bad = (parsed.is_null() & text.is_not_null()).arg_true()
    if bad.len():
        row = int(bad[0])
        raise EventLogError(
            f"{source}: row {row + 2}, field {field or values.name!r}: {text[row]!r} is not a "
            f"timestamp (expected ISO 8601, e.g. 2024-05-01T09:30:00+02:00); "
            f"{bad.len():,} such rows"
        )
    return parsed


@contextmanager
def _rust_panics_silenced() -> Iterator[None]:
    """Keep a Rust panic's message and backtrace (written to fd 2) off the user's terminal;
    the panic still reaches Python as an exception, which becomes a one-line error."""
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr: nothing to protect
        yield
        return
    try:
        with open(os.devnull, "wb") as sink:
            os.dup2(sink.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
