"""People and departments: handover and working-together networks to draw.

The water coolers (``coolers.py``) are found on the same pairs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from rapport.discovery.log import ACTIVITY, CASE, EventLog


@dataclass(frozen=True)
class Network:
    """Nodes with sizes and edges with weights, ready to draw."""

    attribute: str
    kind: str  # "handover" (directed) or "together" (undirected)
    nodes: list[dict[str, Any]]  # id, cases, events
    edges: list[dict[str, Any]]  # source, target, weight

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "directed": self.kind == "handover"}


def value_events(log: EventLog, column: str) -> pl.DataFrame:
    """``case, value`` for each event that has a value of the attribute."""
    return log.frame.select(pl.col(CASE), pl.col(column).cast(pl.String).alias("value")).filter(
        pl.col("value").is_not_null()
    )


def network_nodes(log: EventLog, column: str) -> list[dict[str, Any]]:
    """Each value with the number of its cases and events, the most cases first."""
    sizes = (
        value_events(log, column)
        .group_by("value")
        .agg(pl.col(CASE).n_unique().alias("cases"), pl.len().alias("events"))
        .sort(["cases", "value"], descending=[True, False])
    )
    return [
        {"id": r["value"], "cases": r["cases"], "events": r["events"]}
        for r in sizes.iter_rows(named=True)
    ]


def handover_pairs(log: EventLog, column: str) -> pl.LazyFrame:
    """Consecutive events of a case where both have a value: activities and values."""
    frame = log.frame.lazy().with_columns(pl.col(column).cast(pl.String).alias("_value"))
    pairs = frame.select(
        pl.col(CASE),
        pl.col(ACTIVITY).alias("a"),
        pl.col(ACTIVITY).shift(-1).alias("b"),
        pl.col("_value").alias("source"),
        pl.col("_value").shift(-1).alias("target"),
        pl.col(CASE).shift(-1).alias("_next"),
    )
    return pairs.filter(
        (pl.col(CASE) == pl.col("_next"))
        & pl.col("source").is_not_null()
        & pl.col("target").is_not_null()
    ).drop("_next")


def handover_network(log: EventLog, by: str = "org:resource", min_count: int = 1) -> Network:
    """Who passes work to whom: an edge X → Y per case event by X followed by one by Y."""
    column = log.column(by)
    counted = (
        handover_pairs(log, column)
        .filter(pl.col("source") != pl.col("target"))
        .group_by("source", "target")
        .agg(pl.len().alias("weight"))
        .filter(pl.col("weight") >= min_count)
        .sort(["weight", "source", "target"], descending=[True, False, False])
        .collect()
    )
    return Network(by, "handover", network_nodes(log, column), counted.to_dicts())


def together_network(log: EventLog, by: str = "org:resource", min_count: int = 1) -> Network:
    """Who works on the same cases: an undirected edge per pair, weighted by shared cases."""
    column = log.column(by)
    pairs = value_events(log, column).unique()
    joined = (
        pairs.join(pairs, on=CASE, suffix="_b")
        .filter(pl.col("value") < pl.col("value_b"))
        .group_by(pl.col("value").alias("source"), pl.col("value_b").alias("target"))
        .agg(pl.len().alias("weight"))
        .filter(pl.col("weight") >= min_count)
        .sort(["weight", "source", "target"], descending=[True, False, False])
    )
    return Network(by, "together", network_nodes(log, column), joined.to_dicts())
