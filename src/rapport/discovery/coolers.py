"""Water coolers: pairs of departments that meet far more often than the formal flow explains.

"Explained" is an independence model on the process: every event's department is drawn
from its activity's split, P(X | a) being X's share of the events of activity a, whoever did
the event before or after it.

- **Handovers**: each directly-follows edge ``a → b`` with ``n`` handovers gives the pair
  (X, Y) ``n · P(X | a) · P(Y | b)``; summed over the edges, the count the pair would have
  if departments only met where the process sends work from one activity to the next.
- **Shared cases**: a case whose events are e1..ek has X and Y both on it with probability
  ``1 - Π(1 - P(X|ai)) - Π(1 - P(Y|ai)) + Π(1 - P(X|ai) - P(Y|ai))``; summed over the cases.

The observed count over the expected one is the lift; the Poisson tail P(N ≥ observed |
expected) says how surprising it is.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import polars as pl

from rapport.discovery.log import ACTIVITY, CASE, EventLog, EventLogError
from rapport.discovery.social import handover_pairs, network_nodes, value_events

KINDS = ("handover", "together")


@dataclass(frozen=True)
class WaterCooler:
    source: str
    target: str
    observed: int
    expected: float
    lift: float
    p_value: float


def activity_shares(log: EventLog, column: str) -> pl.DataFrame:
    """``activity, value, share``: per activity, the share of its events each value did."""
    counted = (
        log.frame.select(pl.col(ACTIVITY), pl.col(column).cast(pl.String).alias("value"))
        .filter(pl.col("value").is_not_null())
        .group_by(ACTIVITY, "value")
        .len()
    )
    return counted.select(
        pl.col(ACTIVITY),
        pl.col("value"),
        (pl.col("len") / pl.col("len").sum().over(ACTIVITY)).alias("share"),
    )


def expected_handovers(log: EventLog, by: str) -> pl.DataFrame:
    """``source, target, observed, expected`` for every pair of values (also X = X) that
    the independence model or the log has."""
    column = log.column(by)
    pairs = handover_pairs(log, column).collect()
    edges = pairs.group_by("a", "b").agg(pl.len().alias("n"))
    # Each activity's split over the values, counted on the events the edges use, so the
    # expected counts add up to the observed ones.
    ends = pl.concat(
        [
            pairs.select(pl.col("a").alias(ACTIVITY), pl.col("source").alias("value")),
            pairs.select(pl.col("b").alias(ACTIVITY), pl.col("target").alias("value")),
        ]
    ).unique(maintain_order=True)
    shares = activity_shares(log, column).join(ends, on=[ACTIVITY, "value"], how="semi")
    shares = shares.with_columns(pl.col("share") / pl.col("share").sum().over(ACTIVITY))
    expected = (
        edges.join(shares.rename({ACTIVITY: "a", "value": "source", "share": "p_a"}), on="a")
        .join(shares.rename({ACTIVITY: "b", "value": "target", "share": "p_b"}), on="b")
        .group_by("source", "target")
        .agg((pl.col("n") * pl.col("p_a") * pl.col("p_b")).sum().alias("expected"))
    )
    observed = pairs.group_by("source", "target").agg(pl.len().alias("observed"))
    return observed.join(expected, on=["source", "target"], how="full", coalesce=True).fill_null(0)


def expected_shared_cases(log: EventLog, by: str, min_count: int = 1) -> pl.DataFrame:
    """``source, target, observed, expected`` (source < target) for the pairs that share at
    least ``min_count`` cases."""
    column = log.column(by)
    values = value_events(log, column).unique()
    observed = (
        values.join(values, on=CASE, suffix="_b")
        .filter(pl.col("value") < pl.col("value_b"))
        .group_by(pl.col("value").alias("source"), pl.col("value_b").alias("target"))
        .agg(pl.len().alias("observed"))
        .filter(pl.col("observed") >= min_count)
    )
    if observed.is_empty():
        return observed.with_columns(pl.lit(0.0).alias("expected"))
    shares = activity_shares(log, column)
    activities = sorted(log.frame[ACTIVITY].unique().to_list())
    names = sorted(shares["value"].unique().to_list())
    a_index = {a: i for i, a in enumerate(activities)}
    v_index = {v: i for i, v in enumerate(names)}
    split = np.zeros((len(activities), len(names)))
    for activity, value, share in shares.iter_rows():
        split[a_index[activity], v_index[value]] = share
    # Cases with the same activity counts have the same probabilities: one row per profile.
    per_case = (
        log.frame.group_by(CASE, ACTIVITY)
        .len()
        .sort(CASE, ACTIVITY)
        .group_by(CASE)
        .agg(pl.col(ACTIVITY), pl.col("len"))
    )
    profiles = per_case.group_by(ACTIVITY, "len").agg(pl.len().alias("weight"))
    weight = profiles["weight"].to_numpy().astype(float)
    matrix = np.zeros((profiles.height, len(activities)))
    for row, (names_of, lens) in enumerate(zip(profiles[ACTIVITY], profiles["len"], strict=True)):
        matrix[row, [a_index[a] for a in names_of]] = lens.to_numpy()
    with np.errstate(divide="ignore"):
        none = np.exp(matrix @ np.log1p(-np.minimum(split, 1.0)))  # P(value not on the case)
        x = np.array([v_index[s] for s in observed["source"]])
        y = np.array([v_index[t] for t in observed["target"]])
        neither = np.exp(matrix @ np.log1p(-np.minimum(split[:, x] + split[:, y], 1.0)))
    both = 1 - none[:, x] - none[:, y] + neither
    return observed.with_columns(pl.Series("expected", weight @ np.clip(both, 0.0, 1.0)))


def find_water_coolers(
    log: EventLog,
    by: str = "org:group",
    *,
    kind: str = "handover",
    min_count: int = 10,
    min_lift: float = 2.0,
    max_p: float = 0.01,
) -> list[WaterCooler]:
    """Pairs with at least ``min_count`` handovers X → Y (``kind="handover"``, X ≠ Y) or
    shared cases (``kind="together"``, X < Y), ``min_lift`` times the expected count and a
    Poisson tail of at most ``max_p``; the highest lift first."""
    from scipy.stats import poisson

    if kind not in KINDS:
        raise EventLogError(f"kind {kind!r}: must be one of {', '.join(KINDS)}")
    if kind == "handover":
        table = expected_handovers(log, by).filter(
            (pl.col("source") != pl.col("target")) & (pl.col("observed") >= min_count)
        )
    else:
        table = expected_shared_cases(log, by, min_count)
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


def water_coolers_json(
    log: EventLog, by: str, found: list[WaterCooler], kind: str = "handover"
) -> dict[str, Any]:
    """The pairs, and the network of their values to draw (edge weight: observed count)."""
    names = {w.source for w in found} | {w.target for w in found}
    nodes = [n for n in network_nodes(log, log.column(by)) if n["id"] in names]
    pairs = [{**asdict(w), "lift": w.lift if math.isfinite(w.lift) else None} for w in found]
    edges = [
        {"source": w.source, "target": w.target, "weight": w.observed, "lift": p["lift"]}
        for w, p in zip(found, pairs, strict=True)
    ]
    return {
        "attribute": by,
        "kind": kind,
        "pairs": pairs,
        "network": {"directed": kind == "handover", "nodes": nodes, "edges": edges},
    }
