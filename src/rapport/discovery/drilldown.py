"""The cases behind a piece of the process map: an edge, an activity or a variant.

"Behind an edge A → B" means the cases in which an event of A is directly followed by an
event of B (the pairs the map counts), so the edge's count is the number of such pairs and
the case list can be shorter when a case repeats the step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl

from rapport.discovery.analysis import Edge, discover_variants, successions
from rapport.discovery.log import ACTIVITY, CASE, TIMESTAMP, EventLog, EventLogError

SORTS = ("start", "duration", "events", "case")


@dataclass(frozen=True)
class CaseRow:
    """One case: first and last event time, seconds between them, number of events."""

    case: str
    start: datetime | None
    end: datetime | None
    seconds: float | None
    events: int


@dataclass(frozen=True)
class CasePage:
    """A page of cases and how many there are in all."""

    total: int
    offset: int
    limit: int
    rows: list[CaseRow]


def edge_cases(log: EventLog, source: str, target: str) -> pl.Series:
    """The ids of the cases where ``source`` is directly followed by ``target``."""
    pairs = (
        successions(log)
        .filter((pl.col("source") == source) & (pl.col("target") == target))
        .select(pl.col(CASE).unique(maintain_order=True))
        .collect()
    )
    return pairs[CASE]


def activity_cases(log: EventLog, activity: str) -> pl.Series:
    """The ids of the cases with at least one event of ``activity``."""
    frame = log.frame.filter(pl.col(ACTIVITY) == activity)
    return frame[CASE].unique(maintain_order=True)


def variant_cases(log: EventLog, variant: tuple[str, ...]) -> pl.Series:
    """The ids of the cases whose activities, in order, are exactly ``variant``."""
    paths = log.frame.group_by(CASE, maintain_order=True).agg(
        pl.col(ACTIVITY).str.join("\x1f").alias("_v"),
        pl.len().alias("_n"),
    )
    # the length check keeps an activity whose name holds the separator from matching
    wanted = paths.filter((pl.col("_v") == "\x1f".join(variant)) & (pl.col("_n") == len(variant)))
    return wanted[CASE]


def variant_at(log: EventLog, rank: int) -> tuple[str, ...]:
    """The activities of the ``rank``-th most frequent variant (1 is the most frequent)."""
    variants = discover_variants(log)
    if not 1 <= rank <= len(variants):
        raise EventLogError(f"variant {rank}: the log has {len(variants):,} variants (1 to N)")
    return variants[rank - 1].variant


def edge_times(log: EventLog, source: str, target: str) -> Edge:
    """The edge's count and the mean, median and 90th percentile seconds between its events."""
    seconds = (
        successions(log)
        .filter((pl.col("source") == source) & (pl.col("target") == target))
        .select("seconds")
        .collect()["seconds"]
    )
    return Edge(
        source=source,
        target=target,
        count=seconds.len(),
        mean_seconds=_number(seconds.mean()),
        median_seconds=_number(seconds.median()),
        p90_seconds=_number(seconds.quantile(0.9, interpolation="linear")),
    )


def case_page(
    log: EventLog,
    cases: pl.Series,
    *,
    sort: str = "start",
    descending: bool = False,
    offset: int = 0,
    limit: int = 25,
) -> CasePage:
    """One page of ``cases`` with their start, end, duration and number of events.

    ``sort`` is one of ``SORTS``; cases without times sort last either way; ties by case id.
    """
    if sort not in SORTS:
        raise EventLogError(f"sort {sort!r}: expected one of {', '.join(SORTS)}")
    column = {"start": "start", "duration": "seconds", "events": "events", "case": CASE}[sort]
    summary = (
        log.frame.lazy()
        .filter(pl.col(CASE).is_in(cases.implode()))
        .group_by(CASE)
        .agg(
            pl.col(TIMESTAMP).min().alias("start"),
            pl.col(TIMESTAMP).max().alias("end"),
            pl.len().alias("events"),
        )
        .with_columns(
            ((pl.col("end") - pl.col("start")).dt.total_microseconds() / 1e6).alias("seconds")
        )
        .sort([column, CASE], descending=[descending, False], nulls_last=True)
    )
    total = int(summary.select(pl.len()).collect().item())
    rows = summary.slice(offset, limit).collect()
    return CasePage(
        total=total,
        offset=offset,
        limit=limit,
        rows=[
            CaseRow(
                case=row[CASE],
                start=row["start"],
                end=row["end"],
                seconds=row["seconds"],
                events=row["events"],
            )
            for row in rows.iter_rows(named=True)
        ],
    )


def case_page_json(page: CasePage, edge: Edge | None = None) -> dict[str, Any]:
    """``{"total", "offset", "limit", "cases": [{"case", "start", "end", "duration_seconds",
    "events"}], "edge"?}`` with times in ISO 8601 UTC: ``rapport discover cases-of --json``."""
    body: dict[str, Any] = {
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "cases": [
            {
                "case": row.case,
                "start": row.start.isoformat() if row.start else None,
                "end": row.end.isoformat() if row.end else None,
                "duration_seconds": row.seconds,
                "events": row.events,
            }
            for row in page.rows
        ],
    }
    if edge is not None:
        body["edge"] = edge.__dict__
    return body


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def value_cases(log: EventLog, attribute: str, value: str) -> pl.Series:
    """The ids of the cases with at least one event whose ``attribute`` is ``value``."""
    column = log.column(attribute)
    frame = log.frame.filter(pl.col(column).cast(pl.String) == value)
    return frame[CASE].unique(maintain_order=True)
