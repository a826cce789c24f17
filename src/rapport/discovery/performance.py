"""Performance of a process: case durations, waiting and service times per activity,
bottleneck edges, rework and rare variants."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import polars as pl

from rapport.discovery.activity_times import activity_times
from rapport.discovery.analysis import case_table, discover_map, discover_variants
from rapport.discovery.log import ACTIVITY, CASE, EventLog


@dataclass(frozen=True)
class Performance:
    cases: int
    events: int
    case_seconds: dict[str, float | None]  # mean, median, p90, max
    bottlenecks: list[dict[str, object]]  # edges by total waiting time
    rework: list[dict[str, object]]  # activities repeated within a case
    rare_variants: dict[str, float | int]  # variants seen once, and their share of cases
    # per activity: the wait before it and (where the log records starts) its service time
    activities: list[dict[str, object]]
    service_times_known: bool

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def measure_performance(log: EventLog, *, top: int = 10) -> Performance:
    """The figures of ``rapport discover performance``; ``top`` rows per list."""
    seconds = case_table(log)["seconds"]
    process_map = discover_map(log)
    slowest = sorted(
        process_map.edges,
        key=lambda e: (-(e.mean_seconds or 0.0) * e.count, e.source, e.target),
    )[:top]
    bottlenecks: list[dict[str, object]] = [
        {
            "source": e.source,
            "target": e.target,
            "count": e.count,
            "median_seconds": e.median_seconds,
            "total_seconds": (e.mean_seconds or 0.0) * e.count,
        }
        for e in slowest
    ]
    repeated = (
        log.frame.group_by(CASE, ACTIVITY)
        .len()
        .filter(pl.col("len") > 1)
        .group_by(ACTIVITY)
        .agg(pl.len().alias("cases"), (pl.col("len") - 1).sum().alias("repeats"))
        .sort(["cases", ACTIVITY], descending=[True, False])
        .head(top)
    )
    variants = discover_variants(log)
    once = [v for v in variants if v.count == 1]
    total = max(log.cases, 1)
    times, starts_known = activity_times(log)
    return Performance(
        cases=log.cases,
        events=log.events,
        case_seconds={
            "mean": seconds.mean(),  # type: ignore[dict-item]
            "median": seconds.median(),  # type: ignore[dict-item]
            "p90": seconds.quantile(0.9, interpolation="linear"),
            "max": seconds.max(),  # type: ignore[dict-item]
        },
        bottlenecks=bottlenecks,
        rework=[
            {
                "activity": r[ACTIVITY],
                "cases": r["cases"],
                "share": r["cases"] / total,
                "repeats": r["repeats"],
            }
            for r in repeated.iter_rows(named=True)
        ],
        rare_variants={
            "variants": len(variants),
            "seen_once": len(once),
            "share_of_cases": len(once) / total,
        },
        activities=times[:top],
        service_times_known=starts_known,
    )
