"""Spike detection robust to daily and weekly cycles (pure numpy, no I/O).

Volume: a bucket is compared with the same hour of the week in the preceding weeks (three
or more of them), so the Monday 9:00 peak is expected on a Monday at 9:00. With less
history it falls back to the larger of the same-hour-of-week and same-hour-of-day medians
(never under-expecting a peak it has seen), then to the median of whatever history there
is, and with under two earlier buckets it says nothing. Counts are compared on the
Anscombe scale ``2·sqrt(x + 3/8)``, where Poisson noise has a standard deviation of one:
that is the floor under the robust spread (1.4826 times the median absolute deviation), so a
quiet hour going from 1 to 3 messages is not a spike, while a real burst is. The spread
is widened by ``sqrt(1 + 1/n)`` for a baseline of ``n`` samples (a prediction, not a mean).

Negative share: the bucket's negative readings against the baseline share of the history
(smoothed), a one-sided proportion test whose variance is inflated by the history's own
robust over-dispersion, so a noisy but ordinary share does not alarm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

DEFAULT_SENSITIVITY = 4.0  # robust standard deviations above the expected value
DEFAULT_MIN_COUNT = 10
WEEKS_FOR_WEEKLY = 3
MAD_TO_SD = 1.4826
CHI2_1_MEDIAN = 0.4549  # the median of a chi-square with one degree of freedom


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the detector made of one bucket.

    ``observed`` and ``expected`` are counts (volume) or shares (negative share); ``score``
    is how many robust standard deviations above the expectation the bucket is; ``basis``
    says what the expectation came from and ``samples`` from how many buckets."""

    observed: float
    expected: float
    score: float
    spike: bool
    basis: str
    samples: int


def _anscombe(values: NDArray[np.float64]) -> NDArray[np.float64]:
    return 2.0 * np.sqrt(np.maximum(values, 0.0) + 0.375)


def _median_and_spread(values: NDArray[np.float64]) -> tuple[float, float]:
    y = _anscombe(values)
    centre = float(np.median(y))
    return centre, MAD_TO_SD * float(np.median(np.abs(y - centre)))


def _overdispersion(history: NDArray[np.float64], week: NDArray[np.int64]) -> float:
    """How much noisier than Poisson the history is: ``c`` in var ≈ 1 + c·level on the
    Anscombe scale (a negative binomial's 1/shape), from every bucket's squared distance to
    its own hour-of-week median, robustly (medians, not means)."""
    order = np.lexsort((history, week))
    slots, values = week[order], history[order]
    starts = np.flatnonzero(np.r_[True, np.diff(slots) != 0])
    sizes = np.diff(np.r_[starts, len(slots)])
    medians = (values[starts + (sizes - 1) // 2] + values[starts + sizes // 2]) / 2.0
    levels = np.empty_like(history)
    levels[order] = np.repeat(medians, sizes)
    busy = levels >= 1.0
    if busy.sum() < 2:
        return 0.0
    squared = (_anscombe(history[busy]) - _anscombe(levels[busy])) ** 2
    return max(0.0, float(np.median((squared / CHI2_1_MEDIAN - 1.0) / levels[busy])))


def _baseline(
    history: NDArray[np.float64],
    week: NDArray[np.int64],
    day: NDArray[np.int64],
    week_now: int,
    day_now: int,
) -> tuple[NDArray[np.float64], str] | None:
    same_week = history[week == week_now]
    if len(same_week) >= WEEKS_FOR_WEEKLY:
        return same_week, "same hour of week"
    same_day = history[day == day_now]
    candidates: list[tuple[NDArray[np.float64], str]] = []
    if len(same_week):
        candidates.append((same_week, "same hour of week"))
    if len(same_day) >= 2:
        candidates.append((same_day, "same hour of day"))
    if candidates:
        # The higher expectation: a peak seen once a week ago is not a surprise today.
        return max(candidates, key=lambda c: (float(np.median(c[0])), len(c[0])))
    if len(history) >= 2:
        return history, "recent buckets"
    return None


def volume_verdict(
    counts: ArrayLike,
    week_slots: ArrayLike,
    day_slots: ArrayLike,
    *,
    sensitivity: float = DEFAULT_SENSITIVITY,
    min_count: int = DEFAULT_MIN_COUNT,
) -> Verdict:
    """Is the last of ``counts`` a volume spike, given the buckets before it?

    ``week_slots``/``day_slots`` give each bucket's place in the week and in the day (see
    ``buckets.seasonal_slots``); a spike needs at least ``min_count`` messages and a score
    of at least ``sensitivity``."""
    values = np.asarray(counts, dtype=np.float64)
    week = np.asarray(week_slots, dtype=np.int64)
    day = np.asarray(day_slots, dtype=np.int64)
    if values.ndim != 1 or len(values) == 0 or not week.shape == values.shape == day.shape:
        raise ValueError("counts, week_slots and day_slots must be equal, non-empty 1-d arrays")
    observed = float(values[-1])
    found = _baseline(values[:-1], week[:-1], day[:-1], int(week[-1]), int(day[-1]))
    if found is None:
        return Verdict(observed, 0.0, 0.0, False, "not enough history", 0)
    sample, basis = found
    centre, spread = _median_and_spread(sample)
    expected = float(np.median(sample))
    if len(sample) >= WEEKS_FOR_WEEKLY and basis == "same hour of week":
        # Enough weeks: the spread of a few samples is noisy, the history's pooled
        # over-dispersion at this level is not.
        spread = np.sqrt(1.0 + _overdispersion(values[:-1], week[:-1]) * expected)
    spread = max(spread, 1.0) * np.sqrt(1.0 + 1.0 / len(sample))
    score = (float(_anscombe(np.array([observed]))[0]) - centre) / spread
    spike = bool(observed >= min_count and observed > expected and score >= sensitivity)
    return Verdict(observed, expected, float(score), spike, basis, len(sample))


def share_verdict(
    negatives: ArrayLike,
    reads: ArrayLike,
    *,
    sensitivity: float = DEFAULT_SENSITIVITY,
    min_count: int = DEFAULT_MIN_COUNT,
) -> Verdict:
    """Did the negative share jump in the last bucket, given the buckets before it?

    ``negatives`` and ``reads`` are per bucket: negative readings and all readings. The
    bucket needs at least ``min_count`` readings to be judged."""
    neg = np.asarray(negatives, dtype=np.float64)
    read = np.asarray(reads, dtype=np.float64)
    if neg.ndim != 1 or len(neg) == 0 or neg.shape != read.shape:
        raise ValueError("negatives and reads must be equal, non-empty 1-d arrays")
    if np.any(neg > read) or np.any(neg < 0):
        raise ValueError("negatives must be between 0 and reads in every bucket")
    k, n = float(neg[-1]), float(read[-1])
    observed = k / n if n else 0.0
    past_neg, past_read = neg[:-1], read[:-1]
    judged = past_read > 0
    samples = int(judged.sum())
    if past_read.sum() < max(min_count, 1) or samples < 2:
        return Verdict(observed, 0.0, 0.0, False, "not enough history", samples)
    p0 = (float(past_neg.sum()) + 1.0) / (float(past_read.sum()) + 2.0)
    variance = p0 * (1.0 - p0)
    residuals = (past_neg[judged] - past_read[judged] * p0) ** 2 / (past_read[judged] * variance)
    dispersion = max(1.0, float(np.median(residuals)) / CHI2_1_MEDIAN)
    if n == 0:
        return Verdict(observed, p0, 0.0, False, "history share", samples)
    score = (observed - p0) / np.sqrt(dispersion * variance / n)
    spike = bool(n >= min_count and observed > p0 and score >= sensitivity)
    return Verdict(observed, p0, float(score), spike, "history share", samples)


def scan_volume(
    counts: Sequence[float] | NDArray[np.float64],
    week_slots: ArrayLike,
    day_slots: ArrayLike,
    *,
    lookback: int,
    sensitivity: float = DEFAULT_SENSITIVITY,
    min_count: int = DEFAULT_MIN_COUNT,
) -> list[Verdict]:
    """:func:`volume_verdict` of every bucket, each judged on the ``lookback`` before it."""
    values = np.asarray(counts, dtype=np.float64)
    week = np.asarray(week_slots, dtype=np.int64)
    day = np.asarray(day_slots, dtype=np.int64)
    verdicts = []
    for i in range(len(values)):
        lo = max(0, i - lookback)
        verdicts.append(
            volume_verdict(
                values[lo : i + 1],
                week[lo : i + 1],
                day[lo : i + 1],
                sensitivity=sensitivity,
                min_count=min_count,
            )
        )
    return verdicts
