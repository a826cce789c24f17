"""The dashboard's days in the user's zone: a Tehran day starts at 20:30 UTC, Berlin's
daylight-saving days last 23 and 25 hours, a period's days are whole local days, and the
web page's "last 7 days" start at a local midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest

from rapport.errors import InvalidInput
from rapport.intelligence.insights import MAX_DAYS, DaySentiment, fold_days, period_days
from rapport.intelligence.scope_store import MessageScope
from rapport.intelligence.trends.buckets import slot_start, time_zone
from rapport.web.insights_data import period_scope

BERLIN, TEHRAN, UTC_ZONE = time_zone("Europe/Berlin"), time_zone("Asia/Tehran"), time_zone("UTC")


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def _slots(*moments: tuple[datetime, str]) -> list[tuple[datetime, str, int]]:
    """What the store answers for one message at each moment: its quarter hour, oldest first."""
    return sorted((slot_start(at), sentiment, 1) for at, sentiment in moments)


def test_a_message_at_23_30_utc_belongs_to_the_next_day_in_tehran() -> None:
    slots = _slots(
        (_utc(2026, 11, 29, 20, 29), "negative"),  # 29 Nov 23:59 in Tehran
        (_utc(2026, 11, 29, 20, 30), "positive"),  # 30 Nov 00:00 in Tehran
        (_utc(2026, 11, 29, 23, 30), "neutral"),  # 30 Nov 03:00 in Tehran, 29 Nov in UTC
    )
    scope = MessageScope(_utc(2026, 11, 28, 20, 30), _utc(2026, 11, 30, 20, 30))  # 2 Tehran days
    volume, sentiment = fold_days(slots, period_days(scope, slots, TEHRAN), TEHRAN)
    assert volume == [("2026-11-29", 1), ("2026-11-30", 2)]
    assert sentiment == [
        DaySentiment("2026-11-29", negative=1),
        DaySentiment("2026-11-30", neutral=1, positive=1),
    ]
    utc_scope = MessageScope(_utc(2026, 11, 29), _utc(2026, 11, 30))
    in_utc, _ = fold_days(slots, period_days(utc_scope, slots, UTC_ZONE), UTC_ZONE)
    assert in_utc == [("2026-11-29", 3)]


def test_berlin_days_of_23_and_25_hours_keep_their_evening_messages() -> None:
    slots = _slots(
        (_utc(2026, 3, 28, 22, 59), "negative"),  # 28 Mar 23:59 CET
        (_utc(2026, 3, 28, 23, 0), "negative"),  # 29 Mar 00:00 CET
        (_utc(2026, 3, 29, 21, 59), "neutral"),  # 29 Mar 23:59 CEST: the 23-hour day's last minute
        (_utc(2026, 3, 29, 22, 0), "neutral"),  # 30 Mar 00:00 CEST
        (_utc(2026, 10, 25, 22, 59), "positive"),  # 25 Oct 23:59 CET: the 25-hour day's last
        (_utc(2026, 10, 25, 23, 0), "positive"),  # 26 Oct 00:00 CET
    )
    spring = MessageScope(_utc(2026, 3, 27, 23, 0), _utc(2026, 3, 30, 22, 0))  # 28-30 Mar local
    starts = period_days(spring, slots, BERLIN)
    assert [b - a for a, b in pairwise(starts)] == [
        timedelta(hours=24), timedelta(hours=23)
    ]  # fmt: skip
    volume, _ = fold_days(slots, starts, BERLIN)
    assert volume == [("2026-03-28", 1), ("2026-03-29", 2), ("2026-03-30", 1)]
    autumn = MessageScope(_utc(2026, 10, 24, 22, 0), _utc(2026, 10, 26, 23, 0))  # 25-26 Oct
    starts = period_days(autumn, slots, BERLIN)
    assert starts[1] - starts[0] == timedelta(hours=25)
    assert fold_days(slots, starts, BERLIN)[0] == [("2026-10-25", 1), ("2026-10-26", 1)]


def test_a_period_is_made_of_whole_local_days() -> None:
    slots = _slots((_utc(2026, 11, 30, 8, 0), "negative"))
    # ending at a local midnight: that day is not part of the period
    ending = MessageScope(_utc(2026, 11, 27, 20, 30), _utc(2026, 11, 30, 20, 30))
    days = [s.astimezone(TEHRAN).date() for s in period_days(ending, slots, TEHRAN)]
    assert days == [date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 30)]
    # open-ended: up to today on the local clock (already 2 December in Tehran at 21:00 UTC)
    now = _utc(2026, 12, 1, 21, 0)
    open_days = period_days(MessageScope(), slots, TEHRAN, now)
    assert [s.astimezone(TEHRAN).date() for s in open_days] == [
        date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)
    ]  # fmt: skip
    assert open_days[0].astimezone(TEHRAN).isoformat() == "2026-11-30T00:00:00+03:30"
    # a message later than today still gets its day
    future = _slots((_utc(2026, 12, 5, 23, 0), "neutral"))
    assert period_days(MessageScope(), future, TEHRAN, now)[-1] == _utc(2026, 12, 5, 20, 30)
    assert period_days(MessageScope(), [], TEHRAN, now) == []


def test_a_far_off_start_begins_at_the_first_message() -> None:
    slots = _slots((_utc(2026, 11, 30, 8, 0), "negative"))
    scope = MessageScope(since=_utc(1, 1, 1), until=_utc(2026, 12, 1))
    starts = period_days(scope, slots, time_zone("America/Anchorage"))
    assert len(starts) <= MAX_DAYS
    assert starts[0].astimezone(time_zone("America/Anchorage")).date() == date(2026, 11, 29)
    near_year_one = MessageScope(since=_utc(1, 1, 1), until=_utc(1, 1, 2))
    with pytest.raises(InvalidInput, match="since/until"):
        period_days(near_year_one, [], time_zone("America/Anchorage"))


def test_the_last_days_of_the_page_start_at_local_midnight() -> None:
    now = _utc(2026, 11, 30, 21, 0)  # 1 December 00:30 in Tehran, 30 November in Berlin
    assert period_scope("7", TEHRAN, now).since == _utc(2026, 11, 24, 20, 30)  # 25 Nov 00:00
    assert period_scope("7", BERLIN, now).since == _utc(2026, 11, 23, 23, 0)  # 24 Nov 00:00 CET
    scope = period_scope("30", TEHRAN, now)
    assert len(period_days(scope, [], TEHRAN, now)) == 30  # today and the 29 days before
    assert period_scope("all", TEHRAN, now) == MessageScope()
