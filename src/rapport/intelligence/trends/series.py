"""Series shaped from slot counts: local buckets, empty ones filled with zeros (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from rapport.intelligence.trends.buckets import Interval, bucket_start
from rapport.intelligence.trends.store import SlotCount


@dataclass(frozen=True, slots=True)
class Bucket:
    """Inbound messages of one local hour or day.

    ``total`` counts every message; the sentiment counts only those read so far, so
    ``negative_share`` is the share of negative readings among read messages. ``mean_score``
    is the mean polarity of the read ones: +score for positive, -score for negative, 0 for
    neutral (so between -1 and 1)."""

    start: datetime
    end: datetime
    total: int = 0
    negative: int = 0
    neutral: int = 0
    positive: int = 0
    polarity: float = 0.0

    @property
    def read(self) -> int:
        return self.negative + self.neutral + self.positive

    @property
    def negative_share(self) -> float | None:
        return self.negative / self.read if self.read else None

    @property
    def mean_score(self) -> float | None:
        return self.polarity / self.read if self.read else None


@dataclass(frozen=True, slots=True)
class Series:
    """One group's buckets (``key`` None: the whole selection)."""

    key: str | None
    buckets: tuple[Bucket, ...]

    @property
    def total(self) -> int:
        return sum(b.total for b in self.buckets)


def fold(
    slots: Iterable[SlotCount],
    starts: list[datetime],
    end: datetime,
    interval: Interval,
    tz: ZoneInfo,
    *,
    grouped: bool,
) -> list[Series]:
    """Fold quarter-hour counts into the local buckets starting at ``starts`` (the last
    ending at ``end``), one series per key, every bucket present.

    Without ``grouped`` there is one series (key None), even when nothing was counted; with
    it one series per key seen, largest first (ties by key)."""
    index = {start: i for i, start in enumerate(starts)}
    sums: dict[str | None, list[list[float]]] = {}
    if not grouped:
        sums[None] = [[0, 0, 0, 0, 0.0] for _ in starts]
    for slot in slots:
        position = index.get(bucket_start(slot.slot, interval, tz))
        if position is None:
            continue
        key = slot.key if grouped else None
        rows = sums.get(key)
        if rows is None:
            rows = sums[key] = [[0, 0, 0, 0, 0.0] for _ in starts]
        row = rows[position]
        row[0] += slot.count
        if slot.sentiment == "negative":
            row[1] += slot.count
        elif slot.sentiment == "neutral":
            row[2] += slot.count
        elif slot.sentiment == "positive":
            row[3] += slot.count
        row[4] += slot.polarity
    ends = [*starts[1:], end]
    series = [
        Series(
            key,
            tuple(
                Bucket(s, e, int(r[0]), int(r[1]), int(r[2]), int(r[3]), float(r[4]))
                for s, e, r in zip(starts, ends, rows, strict=True)
            ),
        )
        for key, rows in sums.items()
    ]
    series.sort(key=lambda item: (-item.total, item.key or ""))
    return series


SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: Iterable[float]) -> str:
    """A row of block characters, one per value, scaled to the largest."""
    numbers = list(values)
    top = max(numbers, default=0)
    if top <= 0:
        return SPARK[0] * len(numbers)
    return "".join(
        SPARK[min(len(SPARK) - 1, int(v / top * (len(SPARK) - 1) + 0.5))] for v in numbers
    )
