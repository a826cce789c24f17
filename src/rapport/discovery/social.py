"""People and departments: handover and working-together networks, and the water coolers.

A water cooler is a pair of departments that hand work to each other far more often than
the formal flow explains. "Explained" is an independence model on the process map: each
directly-follows edge ``a → b`` with ``n`` handovers is spread over the pairs (X, Y) in
proportion to X's share of the events of ``a`` and Y's share of the events of ``b``; the
sum over all edges is the count a pair is expected to have if departments only met where
the process sends work from one activity to the next. The observed count over the expected
one is the lift; the Poisson tail P(N ≥ observed | expected) says how surprising it is.
"""

from __future__ import annotations

import math
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


@dataclass(frozen=True)
class WaterCooler:
    source: str
    target: str
    observed: int
    expected: float
    lift: float
    p_value: float


def _values(log: EventLog, column: str) -> pl.DataFrame:
    return log.frame.select(pl.col(CASE), pl.col(column).cast(pl.String).alias("value")).filter(
        pl.col("value").is_not_null()
    )


def _nodes(log: EventLog, column: str) -> list[dict[str, Any]]:
    sizes = (
        _values(log, column)
        .group_by("value")
        .agg(pl.col(CASE).n_unique().alias("cases"), pl.len().alias("events"))
        .sort(["cases", "value"], descending=[True, False])
    )
    return [
        {"id": r["value"], "cases": r["cases"], "events": r["events"]}
        for r in sizes.iter_rows(named=True)
    ]


def _handover_pairs(log: EventLog, column: str) -> pl.LazyFrame:
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
        _handover_pairs(log, column)
        .filter(pl.col("source") != pl.col("target"))
        .group_by("source", "target")
        .agg(pl.len().alias("weight"))
        .filter(pl.col("weight") >= min_count)
        .sort(["weight", "source", "target"], descending=[True, False, False])
        .collect()
    )
    return Network(by, "handover", _nodes(log, column), counted.to_dicts())


def together_network(log: EventLog, by: str = "org:resource", min_count: int = 1) -> Network:
    """Who works on the same cases: an undirected edge per pair, weighted by shared cases."""
    column = log.column(by)
    pairs = _values(log, column).unique()
    joined = (
        pairs.join(pairs, on=CASE, suffix="_b")
        .filter(pl.col("value") < pl.col("value_b"))
        .group_by(pl.col("value").alias("source"), pl.col("value_b").alias("target"))
        .agg(pl.len().alias("weight"))
        .filter(pl.col("weight") >= min_count)
        .sort(["weight", "source", "target"], descending=[True, False, False])
    )
    return Network(by, "together", _nodes(log, column), joined.to_dicts())


def expected_handovers(log: EventLog, by: str) -> pl.DataFrame:
    """``source, target, observed, expected`` for every pair of values (also X = X) that
    the independence model or the log has."""
    column = log.column(by)
    pairs = _handover_pairs(log, column).collect()
    edges = pairs.group_by("a", "b").agg(pl.len().alias("n"))
    # Each activity's split over the values, counted on the events the edges use.
    ends = pl.concat(
        [
            pairs.select(pl.col("a").alias("activity"), pl.col("source").alias("value")),
            pairs.select(pl.col("b").alias("activity"), pl.col("target").alias("value")),
        ]
    ).unique(maintain_order=True)
    shares = _shares(log, column).join(ends, on=["activity", "value"], how="semi")
    shares = shares.with_columns(pl.col("share") / pl.col("share").sum().over("activity"))
    expected = (
        edges.join(shares.rename({"activity": "a", "value": "source", "share": "p_a"}), on="a")
        .join(shares.rename({"activity": "b", "value": "target", "share": "p_b"}), on="b")
        .group_by("source", "target")
        .agg((pl.col("n") * pl.col("p_a") * pl.col("p_b")).sum().alias("expected"))
    )
    observed = pairs.group_by("source", "target").agg(pl.len().alias("observed"))
    return observed.join(expected, on=["source", "target"], how="full", coalesce=True).fill_null(0)


def _shares(log: EventLog, column: str) -> pl.DataFrame:
    """Per activity, the share of its events done by each value of the attribute."""
    counted = (
        log.frame.select(pl.col(ACTIVITY), pl.col(column).cast(pl.String).alias("value"))
        .filter(pl.col("value").is_not_null())
        .group_by(ACTIVITY, "value")
        .len()
    )
    return counted.select(
        pl.col(ACTIVITY), pl.col("value"), (pl.col("len") / pl.col("len").sum().over(ACTIVITY))
    ).rename({"len": "share"})


def find_water_coolers(
    log: EventLog,
    by: str = "org:group",
    *,
    min_count: int = 10,
    min_lift: float = 2.0,
    max_p: float = 0.01,
) -> list[WaterCooler]:
    """Pairs X → Y (X ≠ Y) with at least ``min_count`` handovers, ``min_lift`` times the
    expected count and a Poisson tail below ``max_p``; the highest lift first."""
    from scipy.stats import poisson

    table = expected_handovers(log, by).filter(
        (pl.col("source") != pl.col("target")) & (pl.col("observed") >= min_count)
    )
    observed = table["observed"].cast(pl.Int64).to_numpy()
    expected = table["expected"].to_numpy()
    # P(N >= observed | expected); a pair the model never expects is infinitely surprising
    tails = poisson.sf(observed - 1, expected)
    found: list[WaterCooler] = []
    for row, tail in zip(table.iter_rows(named=True), tails, strict=True):
        count, mean = int(row["observed"]), float(row["expected"])
        lift = count / mean if mean > 0 else math.inf
        p_value = float(tail) if mean > 0 else 0.0
        if lift >= min_lift and p_value <= max_p:
            found.append(WaterCooler(row["source"], row["target"], count, mean, lift, p_value))
    found.sort(key=lambda w: (-w.lift, -w.observed, w.source, w.target))
    return found


def water_coolers_json(log: EventLog, by: str, found: list[WaterCooler]) -> dict[str, Any]:
    """The pairs, and the network of their values to draw (edge weight: observed count)."""
    names = {w.source for w in found} | {w.target for w in found}
    nodes = [n for n in _nodes(log, log.column(by)) if n["id"] in names]
    pairs = [{**asdict(w), "lift": w.lift if math.isfinite(w.lift) else None} for w in found]
    edges = [
        {"source": w.source, "target": w.target, "weight": w.observed, "lift": p["lift"]}
        for w, p in zip(found, pairs, strict=True)
    ]
    return {
        "attribute": by,
        "pairs": pairs,
        "network": {"directed": True, "nodes": nodes, "edges": edges},
    }
