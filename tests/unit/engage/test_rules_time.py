"""The time condition: local weekdays and clock ranges, across timezones and midnight."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from rapport.engage.rules import MessageFacts, RulesError, rules_from_data


def fires(time: dict[str, Any], sent_at: datetime) -> str | None:
    ruleset = rules_from_data(
        {"rules": [{"name": "r", "when": {"time": time}, "then": {"tag": "t"}}]}
    )
    facts = MessageFacts(
        channel="mail", channel_kind="email", text="hi", author_id="a", sent_at=sent_at
    )
    firings = ruleset.evaluate(facts)
    return firings[0].reason if firings else None


OFFICE = {"timezone": "Europe/Oslo", "days": "mon-fri", "between": "09:00-17:00"}


def test_office_hours_are_local_to_the_rules_timezone():
    # 08:30 UTC on Wednesday 6 March 2024 is 09:30 in Oslo (CET, UTC+1)
    assert fires(OFFICE, datetime(2024, 3, 6, 8, 30, tzinfo=UTC)) == (
        "time Wed 09:30 Europe/Oslo is within mon-fri 09:00-17:00"
    )
    assert fires(OFFICE, datetime(2024, 3, 6, 7, 30, tzinfo=UTC)) is None  # 08:30 in Oslo
    assert fires(OFFICE, datetime(2024, 3, 6, 16, 0, tzinfo=UTC)) is None  # 17:00, end excluded
    new_york = {**OFFICE, "timezone": "America/New_York"}
    assert fires(new_york, datetime(2024, 3, 6, 8, 30, tzinfo=UTC)) is None  # 03:30 there


def test_the_messages_own_offset_does_not_matter():
    tokyo = timezone(timedelta(hours=9))
    # 17:30 in Tokyo is 09:30 in Oslo, the same instant as the first test
    assert fires(OFFICE, datetime(2024, 3, 6, 17, 30, tzinfo=tokyo)) is not None


def test_summer_time_is_followed():
    # In July Oslo is UTC+2: 07:30 UTC is 09:30 local
    assert fires(OFFICE, datetime(2024, 7, 3, 7, 30, tzinfo=UTC)) is not None
    assert fires(OFFICE, datetime(2024, 7, 3, 15, 30, tzinfo=UTC)) is None  # 17:30 local


def test_the_weekday_is_the_local_one():
    weekend = {"timezone": "Asia/Tokyo", "days": ["sat", "sun"]}
    friday_evening_utc = datetime(2024, 3, 8, 20, 0, tzinfo=UTC)  # Saturday 05:00 in Tokyo
    assert fires(weekend, friday_evening_utc) == "time Sat 05:00 Asia/Tokyo is within sat, sun"
    assert fires({**weekend, "timezone": "UTC"}, friday_evening_utc) is None


def test_overnight_ranges_span_midnight():
    nights = {"timezone": "UTC", "between": "22:00-06:00"}
    assert fires(nights, datetime(2024, 3, 6, 23, 15, tzinfo=UTC)) is not None
    assert fires(nights, datetime(2024, 3, 7, 5, 59, tzinfo=UTC)) is not None
    assert fires(nights, datetime(2024, 3, 7, 6, 0, tzinfo=UTC)) is None
    assert fires(nights, datetime(2024, 3, 7, 12, 0, tzinfo=UTC)) is None


def test_the_early_hours_of_an_overnight_range_belong_to_the_day_it_started():
    friday_night = {"timezone": "UTC", "days": "fri", "between": "22:00-06:00"}
    assert fires(friday_night, datetime(2024, 3, 8, 23, 0, tzinfo=UTC)) is not None  # Fri
    assert fires(friday_night, datetime(2024, 3, 9, 2, 0, tzinfo=UTC)) is not None  # Sat 02:00
    assert fires(friday_night, datetime(2024, 3, 8, 2, 0, tzinfo=UTC)) is None  # Thu night


def test_day_ranges_wrap_over_sunday_and_several_ranges_are_allowed():
    split = {"timezone": "UTC", "days": "fri-mon", "between": ["09:00-12:00", "13:00-17:00"]}
    assert fires(split, datetime(2024, 3, 10, 10, 0, tzinfo=UTC)) is not None  # Sunday
    assert fires(split, datetime(2024, 3, 11, 14, 0, tzinfo=UTC)) is not None  # Monday
    assert fires(split, datetime(2024, 3, 11, 12, 30, tzinfo=UTC)) is None  # lunch
    assert fires(split, datetime(2024, 3, 12, 10, 0, tzinfo=UTC)) is None  # Tuesday


def test_a_range_may_end_at_midnight():
    evening = {"timezone": "UTC", "between": "18:00-24:00"}
    assert fires(evening, datetime(2024, 3, 6, 23, 59, tzinfo=UTC)) is not None
    assert fires(evening, datetime(2024, 3, 7, 0, 0, tzinfo=UTC)) is None


@pytest.mark.parametrize(
    ("time", "message"),
    [
        ({"days": "mon"}, 'missing "timezone"'),
        ({"timezone": "Europe/Olso", "days": "mon"}, 'did you mean "Europe/Oslo"?'),
        ({"timezone": "../../etc/passwd", "days": "mon"}, "unknown timezone"),
        ({"timezone": "UTC"}, 'expected "days", "between" or both'),
        ({"timezone": "UTC", "days": "mon-fry"}, 'unknown day "fry"'),
        ({"timezone": "UTC", "between": "9-17"}, 'expected a range such as "09:00-17:00"'),
        ({"timezone": "UTC", "between": "09:00-09:00"}, "is empty"),
        ({"timezone": "UTC", "between": "09:60-10:00"}, "not a valid time range"),
        ({"timezone": "UTC", "between": "24:00-06:00"}, "not a valid time range"),
    ],
)
def test_bad_time_conditions_are_explained(time: dict[str, Any], message: str):
    with pytest.raises(RulesError) as caught:
        fires(time, datetime(2024, 3, 6, tzinfo=UTC))
    assert message in str(caught.value)
    assert "rules[0].when.time" in str(caught.value)
