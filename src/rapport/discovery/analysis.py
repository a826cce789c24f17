"""The process map (directly-follows graph), variants and handover of work.

Semantics follow pm4py: events are ordered by case, then timestamp (stable); an edge is a
pair of consecutive events of one case; times are the seconds between the two events.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from rapport.discovery.log import ACTIVITY, CASE, TIMESTAMP, EventLog


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    count: int
    mean_seconds: float | None
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True)
class ProcessMap:
    activities: dict[str, int]
    start: dict[str, int]
    end: dict[str, int]
    edges: list[Edge]

    def as_dict(self) -> dict[str, object]:
        return {
            "activities": self.activities,
            "start": self.start,
            "end": self.end,
            "edges": [e.__dict__ for e in self.edges],
        }


@dataclass(frozen=True)
class Variant:
    variant: tuple[str, ...]
    count: int
    coverage: float
    mean_seconds: float | None
    median_seconds: float | None

    def as_dict(self) -> dict[str, object]:
        return {**self.__dict__, "variant": list(self.variant)}


@dataclass(frozen=True)
class Handover:
    source: str
    target: str
    count: int


def successions(log: EventLog, attribute: str = ACTIVITY) -> pl.LazyFrame:
    """Each pair of consecutive events of a case: source, target and the seconds between."""
    frame = log.frame.lazy()
    return (
        frame.select(
            pl.col(CASE),
            pl.col(attribute).alias("source"),
            pl.col(attribute).shift(-1).alias("target"),
            pl.col(CASE).shift(-1).alias("_next_case"),
            ((pl.col(TIMESTAMP).shift(-1) - pl.col(TIMESTAMP)).dt.total_microseconds() / 1e6).alias(
                "seconds"
            ),
        )
        .filter(pl.col(CASE) == pl.col("_next_case"))
        .drop("_next_case")
    )


def _counts(series: pl.Series) -> dict[str, int]:
    counted = series.value_counts(sort=True, name="n")
    return dict(zip(counted[series.name].to_list(), counted["n"].to_list(), strict=True))


def discover_map(log: EventLog, *, min_count: int = 1) -> ProcessMap:
    """Activities, start and end activities, and the edges with count and times."""
    frame = log.frame
    firsts = frame.group_by(CASE, maintain_order=True).agg(
        pl.col(ACTIVITY).first().alias("start"), pl.col(ACTIVITY).last().alias("end")
    )
    edges = (
        successions(log)
        .group_by("source", "target")
        .agg(
            pl.len().alias("count"),
            pl.col("seconds").mean().alias("mean_seconds"),
            pl.col("seconds").median().alias("median_seconds"),
            pl.col("seconds").quantile(0.9, interpolation="linear").alias("p90_seconds"),
        )
        .filter(pl.col("count") >= min_count)
        .sort(["count", "source", "target"], descending=[True, False, False])
        .collect()
    )
    return ProcessMap(
        activities=_counts(frame[ACTIVITY]),
        start=_counts(firsts["start"]),
        end=_counts(firsts["end"]),
        edges=[Edge(**row) for row in edges.iter_rows(named=True)],
    )


def case_table(log: EventLog) -> pl.DataFrame:
    """One row per case: its variant (activities as a list) and its duration in seconds."""
    return log.frame.group_by(CASE, maintain_order=True).agg(
        pl.col(ACTIVITY).alias("variant"),
        ((pl.col(TIMESTAMP).max() - pl.col(TIMESTAMP).min()).dt.total_microseconds() / 1e6).alias(
            "seconds"
        ),
    )


def discover_variants(log: EventLog) -> list[Variant]:
    """The distinct paths with counts, share of cases and durations, most frequent first."""
    cases = case_table(log)
    total = max(cases.height, 1)
    grouped = (
        cases.group_by("variant")
        .agg(
            pl.len().alias("count"),
            pl.col("seconds").mean().alias("mean_seconds"),
            pl.col("seconds").median().alias("median_seconds"),
        )
        .with_columns(pl.col("variant").list.join("\x1f").alias("_key"))
        .sort(["count", "_key"], descending=[True, False])
    )
    return [
        Variant(
            variant=tuple(row["variant"]),
            count=row["count"],
            coverage=row["count"] / total,
            mean_seconds=row["mean_seconds"],
            median_seconds=row["median_seconds"],
        )
        for row in grouped.iter_rows(named=True)
    ]


def discover_handover(log: EventLog, attribute: str = "org:resource") -> list[Handover]:
    """How often work passed from an event by X to the next event of the case by Y, X ≠ Y.

    Pairs where either event has no value of the attribute are skipped, not a crash.
    """
    column = log.column(attribute)
    pairs = (
        successions(log, column)
        .filter(
            pl.col("source").is_not_null()
            & pl.col("target").is_not_null()
            & (pl.col("source") != pl.col("target"))
        )
        .group_by(pl.col("source").cast(pl.String), pl.col("target").cast(pl.String))
        .agg(pl.len().alias("count"))
        .sort(["count", "source", "target"], descending=[True, False, False])
        .collect()
    )
    return [Handover(**row) for row in pairs.iter_rows(named=True)]
