"""The in-memory event log: one polars DataFrame, events ordered within each case."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from rapport.errors import InvalidInput

CASE = "case"
ACTIVITY = "activity"
TIMESTAMP = "timestamp"
RESOURCE = "resource"
CORE = (CASE, ACTIVITY, TIMESTAMP, RESOURCE)
# pm4py's names for the same columns, so a user may say --by org:resource.
ALIASES = {
    "case:concept:name": CASE,
    "concept:name": ACTIVITY,
    "time:timestamp": TIMESTAMP,
    "org:resource": RESOURCE,
}


class EventLogError(InvalidInput):
    """A log that cannot be read; the message names the file and the line or field."""


@dataclass(frozen=True)
class Missing:
    """What the import had to leave out or leave empty, so the user can be told."""

    no_case: int = 0
    no_activity: int = 0
    no_timestamp: int = 0
    no_resource: int = 0

    def lines(self) -> list[str]:
        parts = [
            (self.no_case, "events without a case id were left out"),
            (self.no_activity, "events without an activity were left out"),
            (self.no_timestamp, "events have no timestamp (ordered last in their case)"),
            (self.no_resource, "events have no resource"),
        ]
        return [f"{count:,} {text}" for count, text in parts if count]


@dataclass(frozen=True)
class EventLog:
    """Events sorted by case, then timestamp (stable; events without a time last).

    That is the order pm4py's ``discover_dfg`` uses, so counts agree with it.
    """

    frame: pl.DataFrame
    source: str = ""
    missing: Missing = field(default_factory=Missing)

    @property
    def events(self) -> int:
        return self.frame.height

    @property
    def cases(self) -> int:
        return int(self.frame[CASE].n_unique()) if self.frame.height else 0

    def column(self, name: str) -> str:
        """The frame's column for an attribute name (pm4py's names are accepted too)."""
        name = ALIASES.get(name, name)
        if name not in self.frame.columns:
            known = ", ".join(c for c in self.frame.columns if not c.startswith("_"))
            raise EventLogError(f"{self.source}: no attribute {name!r} (there are: {known})")
        return name

    def with_frame(self, frame: pl.DataFrame) -> EventLog:
        return EventLog(frame=frame, source=self.source, missing=self.missing)


def build_log(frame: pl.DataFrame, source: str) -> EventLog:
    """Normalise a frame that has the four core columns into a sorted EventLog.

    Case ids and activities become strings; timestamps become UTC; events without a case
    or an activity are dropped and counted, missing timestamps and resources are counted.
    """
    for name in CORE:
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    frame = frame.with_columns(
        pl.col(CASE).cast(pl.String),
        pl.col(ACTIVITY).cast(pl.String),
        pl.col(RESOURCE).cast(pl.String),
        _utc(frame.schema[TIMESTAMP]),
    )
    counts = frame.select(
        pl.col(CASE).null_count().alias("c"),
        pl.col(ACTIVITY).null_count().alias("a"),
        pl.col(TIMESTAMP).null_count().alias("t"),
        pl.col(RESOURCE).null_count().alias("r"),
    ).row(0)
    if counts[0] or counts[1]:
        frame = frame.filter(pl.col(CASE).is_not_null() & pl.col(ACTIVITY).is_not_null())
    frame = frame.with_row_index("_order").sort(
        [CASE, TIMESTAMP, "_order"], nulls_last=True, maintain_order=True
    )
    ordered = [*CORE, *(c for c in frame.columns if c not in CORE and c != "_order")]
    missing = Missing(
        no_case=counts[0], no_activity=counts[1], no_timestamp=counts[2], no_resource=counts[3]
    )
    return EventLog(frame=frame.select(ordered), source=source, missing=missing)


def _utc(dtype: pl.DataType) -> pl.Expr:
    column = pl.col(TIMESTAMP)
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            return column.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
        return column.dt.convert_time_zone("UTC").cast(pl.Datetime("us", "UTC"))
    if dtype == pl.Date:
        return column.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    if dtype == pl.Null:
        return column.cast(pl.Datetime("us", "UTC"))
    return column.cast(pl.String).str.to_datetime(time_unit="us", time_zone="UTC", strict=False)
