"""Rework and exception paths: repeated activities, rare variants, loops and cancellations.

Each figure is per case, so shares add up to what a user sees when they open the cases.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import polars as pl

from rapport.discovery.analysis import discover_variants
from rapport.discovery.log import ACTIVITY, CASE, EventLog, EventLogError

# Names that mark a case as cancelled, in the languages of the shared logs (e.g. "storno").
CANCEL_PATTERN = r"cancel|abort|reject|storno|void|withdraw|declin|annul|terminat"
RARE_BELOW = 0.01


@dataclass(frozen=True)
class Exceptions:
    cases: int
    rework_cases: int  # cases with at least one activity done twice or more
    rework: list[dict[str, object]]  # per activity: cases, share, repeats
    rare_below: float
    rare_variants: list[dict[str, object]]  # variants whose share of cases is below rare_below
    rare_cases: int
    loops: list[dict[str, object]]  # edges into an activity the case already did
    loop_cases: int
    cancel_pattern: str
    cancellations: list[dict[str, object]]  # activities whose name matches cancel_pattern
    cancelled_cases: int

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        total = max(self.cases, 1)
        for name in ("rework", "rare", "loop", "cancelled"):
            data[f"{name}_share"] = data[f"{name}_cases"] / total
        return data


def repeated_activities(log: EventLog) -> pl.DataFrame:
    """``case, activity, len`` for each activity a case did more than once."""
    return log.frame.group_by(CASE, ACTIVITY).len().filter(pl.col("len") > 1)


def rework_cases(log: EventLog) -> pl.Series:
    """The ids of the cases with rework."""
    return repeated_activities(log)[CASE].unique()


def rare_cases(log: EventLog, rare_below: float = RARE_BELOW) -> pl.Series:
    """The ids of the cases whose variant covers less than ``rare_below`` of the cases."""
    keys = log.frame.group_by(CASE, maintain_order=True).agg(
        pl.col(ACTIVITY).str.join("\x1f").alias("_v")
    )
    share = pl.len().over("_v") / max(keys.height, 1)
    return keys.filter(share < rare_below)[CASE]


def find_exceptions(
    log: EventLog,
    *,
    rare_below: float = RARE_BELOW,
    cancel_pattern: str = CANCEL_PATTERN,
    top: int = 10,
) -> Exceptions:
    """Rework per activity, the rare variants, the loop-back edges and the cancellations;
    ``top`` rows per list, the case counts over the whole log."""
    try:
        cancel = re.compile(cancel_pattern, re.IGNORECASE)
    except re.error as exc:
        raise EventLogError(
            f"--cancel {cancel_pattern!r}: not a regular expression ({exc})"
        ) from None
    total = max(log.cases, 1)
    frame = log.frame
    repeated = repeated_activities(log)
    rework = (
        repeated.group_by(ACTIVITY)
        .agg(pl.len().alias("cases"), (pl.col("len") - 1).sum().alias("repeats"))
        .sort(["cases", ACTIVITY], descending=[True, False])
    )
    variants = discover_variants(log)
    rare = [v for v in variants if v.coverage < rare_below]
    loops = _loops(frame)
    names = frame[ACTIVITY].unique().to_list()
    cancel_names = sorted(n for n in names if cancel.search(n))
    cancelled = frame.filter(pl.col(ACTIVITY).is_in(cancel_names))
    by_name = (
        cancelled.group_by(ACTIVITY)
        .agg(pl.len().alias("events"), pl.col(CASE).n_unique().alias("cases"))
        .sort(["cases", ACTIVITY], descending=[True, False])
    )
    return Exceptions(
        cases=log.cases,
        rework_cases=repeated[CASE].n_unique(),
        rework=[
            {**r, "share": r["cases"] / total}
            for r in rework.head(top).select(ACTIVITY, "cases", "repeats").iter_rows(named=True)
        ],
        rare_below=rare_below,
        rare_variants=[v.as_dict() for v in rare[:top]],
        rare_cases=sum(v.count for v in rare),
        loops=[
            {**r, "share": r["cases"] / total}
            for r in loops.head(top).iter_rows(named=True)
            if r["source"] is not None
        ],
        loop_cases=int(frame.filter(_is_repeat())[CASE].n_unique()),
        cancel_pattern=cancel_pattern,
        cancellations=[{**r, "share": r["cases"] / total} for r in by_name.iter_rows(named=True)],
        cancelled_cases=cancelled[CASE].n_unique(),
    )


def _is_repeat() -> pl.Expr:
    """True on an event whose activity the case already did (its second time or later)."""
    return pl.col(ACTIVITY).cum_count().over(CASE, ACTIVITY) > 1


def _loops(frame: pl.DataFrame) -> pl.DataFrame:
    """Edges ``source → target`` whose target the case had done before: where loops close."""
    marked = frame.select(
        pl.col(CASE),
        pl.col(ACTIVITY).shift(1).over(CASE).alias("source"),
        pl.col(ACTIVITY).alias("target"),
        _is_repeat().alias("_repeat"),
    )
    return (
        marked.filter(pl.col("_repeat") & pl.col("source").is_not_null())
        .group_by("source", "target")
        .agg(pl.len().alias("count"), pl.col(CASE).n_unique().alias("cases"))
        .sort(["cases", "count", "source", "target"], descending=[True, True, False, False])
    )
