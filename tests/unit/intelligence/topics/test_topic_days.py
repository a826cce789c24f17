"""A topic's quarter-hour tallies folded into local days: midnights of the user's zone,
daylight-saving days of 23 and 25 hours, half-hour offsets, and every day present."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from rapport.intelligence.topics.days import day_starts, topic_days
from rapport.intelligence.topics.summary import SlotTally, Topic
from rapport.intelligence.trends.buckets import slot_start


def _tally(*moments: tuple[datetime, str | None]) -> SlotTally:
    return Counter((slot_start(at), sentiment) for at, sentiment in moments)


def _topic(slots: SlotTally) -> Topic:
    return Topic("t", (), sum(slots.values()), 1.0, {}, [], [], slots=slots)


def test_days_follow_the_local_clock_across_a_fall_back_night() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # 25 October 2026 has 25 hours in Berlin: it runs from 24 Oct 22:00 to 25 Oct 23:00 UTC
    slots = _tally(
        (datetime(2026, 10, 24, 21, 59, tzinfo=UTC), "negative"),  # 24 Oct 23:59 local
        (datetime(2026, 10, 24, 22, 0, tzinfo=UTC), "negative"),  # 25 Oct 00:00 local
        (datetime(2026, 10, 25, 22, 59, tzinfo=UTC), None),  # 25 Oct 23:59 local
        (datetime(2026, 10, 25, 23, 0, tzinfo=UTC), "neutral"),  # 26 Oct 00:00 local
    )
    since = datetime(2026, 10, 23, 22, 0, tzinfo=UTC)  # 24 Oct local midnight
    starts = day_starts([_topic(slots)], since, since + timedelta(days=4), berlin)
    days = topic_days(slots, starts, berlin)
    assert [(d.day, d.messages, d.negative) for d in days] == [
        (date(2026, 10, 24), 1, 1),
        (date(2026, 10, 25), 2, 1),
        (date(2026, 10, 26), 1, 0),
        (date(2026, 10, 27), 0, 0),
    ]
    assert days[2].start - days[1].start == timedelta(hours=25)


def test_an_open_period_runs_from_the_first_to_the_last_message_of_any_topic() -> None:
    tehran = ZoneInfo("Asia/Tehran")
    early = _tally((datetime(2026, 11, 28, 20, 29, tzinfo=UTC), None))  # 28 Nov 23:59 local
    late = _tally((datetime(2026, 11, 30, 20, 30, tzinfo=UTC), None))  # 1 Dec 00:00 local
    starts = day_starts([_topic(early), _topic(late)], None, None, tehran)
    assert [s.astimezone(tehran).date() for s in starts] == [
        date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 30), date(2026, 12, 1)
    ]  # fmt: skip
    assert [d.messages for d in topic_days(late, starts, tehran)] == [0, 0, 0, 1]
    assert day_starts([], None, None, tehran) == []
