"""Waiting and service times per activity.

Waiting: how long a case sat between its previous event and this activity. Service: how
long the activity itself took, which a log can only tell when it records the activity's
start as well as its completion (XES ``lifecycle:transition`` ``start`` / ``complete``);
the k-th start of an activity in a case is paired with its k-th completion. In a log of
completions only, waiting is the whole time between two activities and service is unknown.
"""

from __future__ import annotations

import polars as pl

from rapport.discovery.log import ACTIVITY, CASE, TIMESTAMP, EventLog

LIFECYCLE = "lifecycle:transition"
START, COMPLETE = "start", "complete"


def _has_starts(frame: pl.DataFrame) -> bool:
    if LIFECYCLE not in frame.columns or frame.schema[LIFECYCLE] not in (pl.String, pl.Categorical):
        return False
    return bool(frame[LIFECYCLE].cast(pl.String).str.to_lowercase().eq(START).any())


def _seconds(column: str) -> list[pl.Expr]:
    value = pl.col(column)
    return [
        value.mean().alias(f"{column}_mean"),
        value.median().alias(f"{column}_median"),
        value.quantile(0.9, interpolation="linear").alias(f"{column}_p90"),
    ]


def activity_times(log: EventLog) -> tuple[list[dict[str, object]], bool]:
    """Per activity (most frequent first): its events, and mean / median / p90 seconds of
    the wait before it and, when the log records starts, of its service; and whether it
    does (``False``: service times are ``None``)."""
    frame = log.frame.select(CASE, ACTIVITY, TIMESTAMP, *(
        [LIFECYCLE] if LIFECYCLE in log.frame.columns else []
    ))  # fmt: skip
    starts = _has_starts(frame)
    gap = (pl.col(TIMESTAMP) - pl.col(TIMESTAMP).shift(1).over(CASE)).dt.total_seconds(
        fractional=True
    )
    frame = frame.with_columns(gap.alias("waiting"))
    if not starts:
        steps = frame.with_columns(pl.lit(None, pl.Float64).alias("service"))
    else:
        phase = pl.col(LIFECYCLE).cast(pl.String).str.to_lowercase()
        frame = frame.with_columns(phase.alias("_phase"))
        nth = pl.int_range(pl.len()).over(CASE, ACTIVITY, "_phase").alias("_nth")
        begun = frame.filter(pl.col("_phase") == START).with_columns(nth)
        done = (
            frame.filter(pl.col("_phase") == COMPLETE)
            .with_columns(nth)
            .select(CASE, ACTIVITY, "_nth", pl.col(TIMESTAMP).alias("_done"))
        )
        steps = begun.join(done, on=[CASE, ACTIVITY, "_nth"], how="left").with_columns(
            (pl.col("_done") - pl.col(TIMESTAMP)).dt.total_seconds(fractional=True).alias("service")
        )
    table = (
        steps.group_by(ACTIVITY)
        .agg(pl.len().alias("events"), *_seconds("waiting"), *_seconds("service"))
        .sort(["events", ACTIVITY], descending=[True, False])
    )
    rows: list[dict[str, object]] = [
        {
            "activity": row[ACTIVITY],
            "events": row["events"],
            "waiting_seconds": {k: row[f"waiting_{k}"] for k in ("mean", "median", "p90")},
            "service_seconds": {k: row[f"service_{k}"] for k in ("mean", "median", "p90")},
        }
        for row in table.iter_rows(named=True)
    ]
    return rows, starts
