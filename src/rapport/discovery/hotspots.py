"""Hot spots: the activities, people or departments where rework, delays and rare paths meet.

For each value of an attribute (an activity, a resource, an ``org:group``...) the cases it
takes part in are checked for three exceptions: rework (an activity done twice or more),
delay (an event of that value waited longer than the log's 90th percentile since the case's
previous event) and a rare variant, and for their overlap (two or more in one case). Each
share is divided by the baseline, the same share over every value's cases together; the
score is the mean of the four ratios, so 1.0 is "as usual" and 2.0 "twice as often".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import polars as pl

from rapport.discovery.exceptions import RARE_BELOW, rare_cases, rework_cases
from rapport.discovery.log import CASE, TIMESTAMP, EventLog

SIGNALS = ("rework", "delay", "rare", "overlap")
_WHY = {
    "rework": "rework",
    "delay": "waits above the log's p90",
    "rare": "rare variants",
    "overlap": "two or more of these at once",
}


@dataclass(frozen=True)
class HotSpot:
    value: str
    cases: int
    events: int
    shares: dict[str, float]  # signal -> share of this value's cases
    lifts: dict[str, float | None]  # signal -> share / the log's share
    score: float
    reasons: list[str]


@dataclass(frozen=True)
class HotSpots:
    attribute: str
    cases: int
    delay_seconds: float | None  # the log's p90 wait between consecutive events
    baseline: dict[str, float]  # signal -> share over every value's cases together
    items: list[HotSpot]

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def find_hotspots(
    log: EventLog,
    by: str = "activity",
    *,
    top: int = 10,
    min_cases: int = 5,
    rare_below: float = RARE_BELOW,
    reason_lift: float = 1.5,
) -> HotSpots:
    """Values of ``by`` ranked by score (highest first); values seen in fewer than
    ``min_cases`` cases are left out, and a reason is listed where a signal's ratio to the
    baseline reaches ``reason_lift``."""
    column = log.column(by)
    frame = log.frame
    wait = (pl.col(TIMESTAMP) - pl.col(TIMESTAMP).shift(1).over(CASE)).dt.total_microseconds()
    events = frame.select(pl.col(CASE), pl.col(column).cast(pl.String).alias("value"), wait / 1e6)
    events = events.rename({events.columns[-1]: "wait"})
    p90 = events["wait"].drop_nulls().quantile(0.9, interpolation="linear")
    delayed = pl.col("wait") > p90 if p90 is not None else pl.lit(False)
    events = events.with_columns(delayed.fill_null(False).alias("delayed"))

    flags = pl.DataFrame({CASE: frame[CASE].unique()}).with_columns(
        pl.col(CASE).is_in(rework_cases(log).implode()).alias("rework"),
        pl.col(CASE).is_in(rare_cases(log, rare_below).implode()).alias("rare"),
    )
    # One row per (value, case): the case's flags, and whether this value's own event waited.
    per_case = (
        events.filter(pl.col("value").is_not_null())
        .group_by("value", CASE)
        .agg(pl.len().alias("events"), pl.col("delayed").any().alias("delay"))
        .join(flags, on=CASE)
        .with_columns(
            (
                pl.col("rework").cast(pl.Int8)
                + pl.col("delay").cast(pl.Int8)
                + pl.col("rare").cast(pl.Int8)
                >= 2
            ).alias("overlap")
        )
    )
    pairs = max(per_case.height, 1)
    baseline = {s: float(per_case[s].sum()) / pairs for s in SIGNALS}
    grouped = (
        per_case.group_by("value")
        .agg(
            pl.len().alias("cases"),
            pl.col("events").sum(),
            *(pl.col(s).mean().alias(s) for s in SIGNALS),
        )
        .filter(pl.col("cases") >= min_cases)
    )
    items = [_item(row, baseline, reason_lift) for row in grouped.iter_rows(named=True)]
    items.sort(key=lambda h: (-h.score, -h.cases, h.value))
    return HotSpots(
        attribute=by,
        cases=log.cases,
        delay_seconds=p90,
        baseline=baseline,
        items=items[:top],
    )


def _item(row: dict[str, object], baseline: dict[str, float], reason_lift: float) -> HotSpot:
    shares = {s: float(row[s]) for s in SIGNALS}  # type: ignore[arg-type]
    lifts: dict[str, float | None] = {
        s: (shares[s] / baseline[s] if baseline[s] else None) for s in SIGNALS
    }
    known = [lift for lift in lifts.values() if lift is not None]
    score = sum(known) / len(known) if known else 0.0
    reasons = [
        f"{_WHY[s]} in {shares[s]:.0%} of its cases (all: {baseline[s]:.0%})"
        for s in SIGNALS
        if (lift := lifts[s]) is not None and lift >= reason_lift
    ]
    return HotSpot(
        value=str(row["value"]),
        cases=int(row["cases"]),  # type: ignore[call-overload]
        events=int(row["events"]),  # type: ignore[call-overload]
        shares=shares,
        lifts=lifts,
        score=score,
        reasons=reasons,
    )
