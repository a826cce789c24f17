"""Filters on a log before its map is drawn: time window, attribute value, variants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from rapport.discovery.log import ACTIVITY, CASE, TIMESTAMP, EventLog, EventLogError


@dataclass(frozen=True)
class MapFilters:
    """The process map's options: edges seen fewer than ``min_count`` times are hidden;
    the others keep only some cases (``where`` holds ``KEY=VALUE`` conditions, all must hold;
    ``variant`` is one variant's activities)."""

    min_count: int = 1
    since: datetime | None = None
    until: datetime | None = None
    where: tuple[str, ...] = ()
    top_variants: int | None = None
    variant: tuple[str, ...] | None = None


def apply_filters(log: EventLog, filters: MapFilters) -> EventLog:
    """The log with only the cases ``filters`` keep (time window, attributes, variants)."""
    log = filter_time(log, filters.since, filters.until)
    for condition in filters.where:
        log = filter_attribute(log, condition)
    variant = list(filters.variant) if filters.variant else None
    return filter_variants(log, top=filters.top_variants, variant=variant)


def filter_time(log: EventLog, since: datetime | None, until: datetime | None) -> EventLog:
    """Keep the cases that started in [since, until)."""
    if since is None and until is None:
        return log
    start = pl.col(TIMESTAMP).min().over(CASE)
    keep = pl.lit(True)
    if since is not None:
        keep = keep & (start >= _utc(since))
    if until is not None:
        keep = keep & (start < _utc(until))
    return log.with_frame(log.frame.filter(keep))


def filter_attribute(log: EventLog, condition: str) -> EventLog:
    """``KEY=VALUE``: keep the cases with at least one event whose attribute has that value."""
    key, sep, value = condition.partition("=")
    if not sep:
        raise EventLogError(f"--where {condition!r}: expected KEY=VALUE")
    column = log.column(key.strip())
    hit = (pl.col(column).cast(pl.String) == value.strip()).fill_null(False).any().over(CASE)
    return log.with_frame(log.frame.filter(hit))


def filter_variants(
    log: EventLog, *, top: int | None = None, variant: list[str] | None = None
) -> EventLog:
    """Keep the cases of the ``top`` most frequent variants, or of one given variant."""
    if top is None and variant is None:
        return log
    keys = log.frame.group_by(CASE, maintain_order=True).agg(
        pl.col(ACTIVITY).str.join("\x1f").alias("_v")
    )
    if variant is not None:
        wanted = {"\x1f".join(variant)}
    else:
        ranked = keys.group_by("_v").len().sort(["len", "_v"], descending=[True, False])
        wanted = set(ranked["_v"].head(top or 0).to_list())
    cases = keys.filter(pl.col("_v").is_in(list(wanted)))[CASE]
    return log.with_frame(log.frame.filter(pl.col(CASE).is_in(cases.implode())))


def _utc(moment: datetime) -> datetime:
    from datetime import UTC

    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
