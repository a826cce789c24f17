"""The spike detector on synthetic series with strong daily and weekly cycles."""

from __future__ import annotations

import numpy as np
import pytest
from tests.unit.intelligence.trends.synthetic import HOURS_PER_WEEK, counts, hourly_rate, slots

from rapport.intelligence.trends.detect import scan_volume, share_verdict, volume_verdict

WEEKS = 5
HISTORY = 4 * HOURS_PER_WEEK


def _series(seed: int) -> np.ndarray:
    return counts(hourly_rate(WEEKS), np.random.default_rng(seed))


def test_no_alarm_on_the_monday_morning_rush() -> None:
    week, day = slots(WEEKS)
    monday_nine = HISTORY + 9
    for seed in range(20):
        c = _series(seed)[: monday_nine + 1]
        verdict = volume_verdict(c, week[: monday_nine + 1], day[: monday_nine + 1])
        assert not verdict.spike, (seed, verdict)
        assert verdict.basis == "same hour of week"
        assert verdict.expected > 40


def test_few_false_alarms_over_ordinary_weeks() -> None:
    week, day = slots(WEEKS)
    alarms = sum(
        v.spike
        for seed in range(10)
        for v in scan_volume(_series(seed), week, day, lookback=HISTORY)[HISTORY:]
    )
    assert alarms <= 3  # of 1,680 ordinary hours


@pytest.mark.parametrize("hour", [10, 14, 2 * 24 + 11, 4 * 24 + 16])  # busy weekday hours
def test_detects_a_tripled_hour(hour: int) -> None:
    week, day = slots(WEEKS)
    at = HISTORY + hour
    rate = hourly_rate(WEEKS)
    for seed in range(5):
        c = _series(seed)[: at + 1].copy()
        c[at] += 2 * rate[at] + 10
        verdict = volume_verdict(c, week[: at + 1], day[: at + 1])
        assert verdict.spike, (seed, verdict)
        assert verdict.observed > 2 * verdict.expected


def test_quiet_on_an_all_zero_series() -> None:
    week, day = slots(WEEKS)
    verdicts = scan_volume(np.zeros(WEEKS * HOURS_PER_WEEK), week, day, lookback=HISTORY)
    assert not any(v.spike for v in verdicts)
    assert not share_verdict(np.zeros(50), np.zeros(50)).spike


def test_two_days_of_history_use_the_same_hour_of_day() -> None:
    week, day = slots(1)
    c = np.full(49, 5.0)
    c[-1] = 40
    verdict = volume_verdict(c, week[:49], day[:49])
    assert verdict.spike
    assert verdict.basis == "same hour of day"
    assert verdict.samples == 2
    c[-1] = 8  # an ordinary wobble
    assert not volume_verdict(c, week[:49], day[:49]).spike


def test_under_two_buckets_of_history_says_nothing() -> None:
    verdict = volume_verdict([0, 500], [0, 1], [0, 1])
    assert verdict.basis == "recent buckets" or not verdict.spike
    assert volume_verdict([500], [0], [0]).basis == "not enough history"


def test_a_spike_in_the_history_does_not_hide_the_next_one() -> None:
    week, day = slots(WEEKS)
    c = _series(3)
    at = HISTORY + 10
    c[at - HOURS_PER_WEEK] += 300  # a burst last week at the same hour
    c[at] += 300
    assert volume_verdict(c[: at + 1], week[: at + 1], day[: at + 1]).spike


def test_negative_share_jump_and_ordinary_noise() -> None:
    rng = np.random.default_rng(7)
    reads = rng.poisson(40, 200).astype(float)
    negatives = rng.binomial(reads.astype(int), 0.15).astype(float)
    ordinary = [share_verdict(negatives[: i + 1], reads[: i + 1]).spike for i in range(20, 200)]
    assert sum(ordinary) == 0
    negatives[-1], reads[-1] = 30, 40  # 75% negative against 15%
    verdict = share_verdict(negatives, reads)
    assert verdict.spike
    assert verdict.expected == pytest.approx(0.15, abs=0.02)
    negatives[-1], reads[-1] = 5, 5  # too few readings to judge
    assert not share_verdict(negatives, reads).spike
