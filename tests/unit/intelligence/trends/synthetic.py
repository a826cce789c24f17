"""Synthetic hourly message counts with strong daily and weekly cycles, for the detector's
tests and for ``benchmarks/trends.py``: office hours busy, nights and weekends quiet, and
every Monday at 9:00 a peak three times the usual morning."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

HOURS_PER_WEEK = 168


def hourly_rate(weeks: int, base: float = 20.0) -> NDArray[np.float64]:
    """The expected count of each hour, Monday 00:00 first."""
    hours = np.arange(weeks * HOURS_PER_WEEK)
    hour, weekday = hours % 24, (hours // 24) % 7
    daily = 0.1 + np.exp(-0.5 * ((hour - 11.0) / 3.0) ** 2)  # a day peaking before noon
    weekly = np.where(weekday >= 5, 0.25, 1.0)  # weekends quiet
    rate = base * daily * weekly
    rate[(weekday == 0) & (hour == 9)] *= 3.0  # the Monday morning rush
    return np.asarray(rate, dtype=np.float64)


def slots(weeks: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each hour's place in the week and in the day."""
    hours = np.arange(weeks * HOURS_PER_WEEK, dtype=np.int64)
    return hours % HOURS_PER_WEEK, hours % 24


def counts(
    rate: NDArray[np.float64], rng: np.random.Generator, dispersion: float = 20.0
) -> NDArray[np.float64]:
    """Over-dispersed counts around ``rate`` (negative binomial, shape ``dispersion``)."""
    gamma = rng.gamma(dispersion, rate / dispersion)
    return rng.poisson(gamma).astype(np.float64)
