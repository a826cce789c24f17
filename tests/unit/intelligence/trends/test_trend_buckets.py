"""Local buckets: days start at local midnight, DST days have 23 and 25 hours, zones with
half-hour offsets cut hours at :30 UTC, and empty buckets are zeros."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rapport.errors import InvalidInput
from rapport.intelligence.trends.buckets import (
    bucket_start,
    bucket_starts,
    next_bucket,
    seasonal_slots,
    time_zone,
)
from rapport.intelligence.trends.series import fold
from rapport.intelligence.trends.store import SlotCount

BERLIN, TEHRAN = time_zone("Europe/Berlin"), time_zone("Asia/Tehran")


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_a_tehran_day_starts_at_local_midnight() -> None:
    start = bucket_start(_utc(2026, 11, 30, 21, 0), "day", TEHRAN)
    assert start == _utc(2026, 11, 30, 20, 30)  # 00:00 +03:30 on 1 December
    assert start.astimezone(TEHRAN).isoformat() == "2026-12-01T00:00:00+03:30"
    assert next_bucket(start, "day", TEHRAN) - start == timedelta(days=1)


def test_tehran_hours_are_cut_at_half_past_utc() -> None:
    starts = bucket_starts(_utc(2026, 11, 30, 8, 0), _utc(2026, 11, 30, 10, 0), "hour", TEHRAN)
    assert starts == [
        _utc(2026, 11, 30, 7, 30),
        _utc(2026, 11, 30, 8, 30),
        _utc(2026, 11, 30, 9, 30),
    ]


def test_berlin_spring_forward_day_has_23_hours_and_fall_back_25() -> None:
    spring = bucket_start(_utc(2026, 3, 29, 12, 0), "day", BERLIN)
    assert next_bucket(spring, "day", BERLIN) - spring == timedelta(hours=23)
    assert len(bucket_starts(spring, next_bucket(spring, "day", BERLIN), "hour", BERLIN)) == 23
    autumn = bucket_start(_utc(2026, 10, 25, 12, 0), "day", BERLIN)
    hours = bucket_starts(autumn, next_bucket(autumn, "day", BERLIN), "hour", BERLIN)
    assert len(hours) == 25
    # The repeated 02:00: two buckets, an hour apart, with their own offsets.
    local = [h.astimezone(BERLIN).isoformat() for h in hours[2:4]]
    assert local == ["2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00"]


def test_seasonal_slots_follow_the_local_clock() -> None:
    monday_nine_berlin = _utc(2026, 11, 30, 8, 0)  # 09:00 CET on a Monday
    assert seasonal_slots(monday_nine_berlin, "hour", BERLIN) == (9, 9)
    assert seasonal_slots(monday_nine_berlin, "day", BERLIN) == (0, 0)


def test_fold_fills_empty_buckets_and_counts_sentiment() -> None:
    starts = bucket_starts(_utc(2026, 11, 30, 0, 0), _utc(2026, 12, 3, 0, 0), "day", BERLIN)
    end = next_bucket(starts[-1], "day", BERLIN)
    slots = [
        SlotCount(_utc(2026, 11, 30, 23, 15), None, "negative", 3, -2.7),  # 1 Dec in Berlin
        SlotCount(_utc(2026, 11, 30, 23, 30), None, "positive", 1, 0.8),
        SlotCount(_utc(2026, 11, 30, 23, 45), None, None, 2, 0.0),  # not read yet
    ]
    [series] = fold(slots, starts, end, "day", BERLIN, grouped=False)
    assert [b.start.astimezone(BERLIN).day for b in series.buckets] == [30, 1, 2, 3]
    assert [b.total for b in series.buckets] == [0, 6, 0, 0]
    busy = series.buckets[1]
    assert busy.start.astimezone(BERLIN).day == 1
    assert busy.negative_share == 0.75
    assert busy.mean_score == pytest.approx(-0.475)
    assert series.buckets[0].negative_share is None


def test_unknown_zone_names_the_field() -> None:
    with pytest.raises(InvalidInput, match="tz: 'Mars/Olympus'"):
        time_zone("Mars/Olympus")
    with pytest.raises(InvalidInput, match="time_zone"):
        time_zone("../../etc/passwd", "time_zone")


def test_matches_from_elsewhere_fold_like_stored_counts() -> None:
    from rapport.intelligence.trends.subjects import count_slots

    matches = [
        (_utc(2026, 11, 30, 20, 29), "negative"),  # 23:59 in Tehran, 30 November
        (_utc(2026, 11, 30, 20, 31), "negative"),  # 00:01 on 1 December
        (_utc(2026, 11, 30, 20, 44), None),
    ]
    starts = bucket_starts(_utc(2026, 11, 29, 21, 0), _utc(2026, 12, 1, 12, 0), "day", TEHRAN)
    end = next_bucket(starts[-1], "day", TEHRAN)
    [series] = fold(count_slots(matches), starts, end, "day", TEHRAN, grouped=False)
    assert [(b.total, b.negative) for b in series.buckets] == [(1, 1), (2, 1)]
