"""Business-hours calendars: SLA deadlines and elapsed business time, as an agent would see them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rapport.engage.calendar import END_OF_DAY, BusinessCalendar
from rapport.errors import InvalidInput

OSLO = ZoneInfo("Europe/Oslo")
NEW_YORK = ZoneInfo("America/New_York")
TEHRAN = ZoneInfo("Asia/Tehran")
HOUR = 3600.0

OFFICE = BusinessCalendar.from_mapping(
    {
        "name": "Oslo office",
        "timezone": "Europe/Oslo",
        "hours": {"mon-fri": ["08:00-16:00"]},
        "holidays": ["2026-12-25", "2026-12-26"],
    }
)
LUNCH = BusinessCalendar.from_mapping(
    {
        "name": "Oslo support",
        "timezone": "Europe/Oslo",
        "hours": {
            "mon-fri": ["08:00-12:00", "13:00-17:00"],
            "sat": ["10:00-14:00"],
            # Night hours that a DST change cuts into (March) or stretches (October).
            "sun": ["02:30-08:00"],
        },
        "holidays": ["2026-04-02", "2026-04-03", "2026-10-29"],
    }
)
IRAN = BusinessCalendar.from_mapping(
    {
        "name": "Tehran office",
        "timezone": "Asia/Tehran",
        "hours": {"sat-wed": ["08:00-16:00"], "thu": ["08:00-12:00"]},
    }
)
NYC = BusinessCalendar.from_mapping(
    {"name": "NYC", "timezone": "America/New_York", "hours": {"mon-fri": ["09:00-17:00"]}}
)
OSLO_24X7 = BusinessCalendar.from_mapping(
    {"name": "Oslo 24x7", "timezone": "Europe/Oslo", "hours": {"mon-sun": ["00:00-24:00"]}}
)


def oslo(day: int, month: int, hour: int = 0, minute: int = 0, *, fold: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=OSLO, fold=fold)


def local(at: datetime, zone: ZoneInfo = OSLO) -> str:
    return at.astimezone(zone).strftime("%a %Y-%m-%d %H:%M %Z")


def test_a_friday_afternoon_ticket_is_due_on_monday_morning() -> None:
    due = OFFICE.add_business_seconds(oslo(6, 3, 15, 30), 4 * HOUR)
    assert local(due) == "Mon 2026-03-09 11:30 CET"
    assert due.tzinfo is UTC
    assert OFFICE.business_seconds_between(oslo(6, 3, 15, 30), due) == 4 * HOUR


def test_holidays_are_closed_all_day() -> None:
    # Christmas Eve is a Thursday; Christmas Day and Boxing Day are holidays, then the weekend.
    due = OFFICE.add_business_seconds(oslo(24, 12, 15), 4 * HOUR)
    assert local(due) == "Mon 2026-12-28 11:00 CET"
    assert not OFFICE.is_open(oslo(25, 12, 10))
    assert OFFICE.is_open(oslo(28, 12, 10))


def test_lunch_break_does_not_count() -> None:
    assert (
        local(LUNCH.add_business_seconds(oslo(10, 3, 11), 2 * HOUR)) == "Tue 2026-03-10 14:00 CET"
    )
    assert not LUNCH.is_open(oslo(10, 3, 12, 30))
    assert LUNCH.is_open(oslo(10, 3, 13))
    assert LUNCH.business_seconds_between(oslo(10, 3, 11), oslo(10, 3, 14)) == 2 * HOUR


def test_a_ticket_arriving_outside_hours_starts_its_clock_at_the_next_opening() -> None:
    assert (
        local(OFFICE.add_business_seconds(oslo(10, 3, 6, 10), HOUR)) == "Tue 2026-03-10 09:00 CET"
    )
    assert local(OFFICE.add_business_seconds(oslo(10, 3, 20), HOUR)) == "Wed 2026-03-11 09:00 CET"
    assert local(OFFICE.add_business_seconds(oslo(14, 3, 9), 0)) == "Mon 2026-03-16 08:00 CET"
    assert OFFICE.business_seconds_between(oslo(10, 3, 18), oslo(11, 3, 7)) == 0


def test_a_deadline_at_closing_time_is_not_pushed_to_the_next_morning() -> None:
    assert (
        local(OFFICE.add_business_seconds(oslo(10, 3, 12), 4 * HOUR)) == "Tue 2026-03-10 16:00 CET"
    )


def test_office_hours_across_the_oslo_spring_forward_weekend() -> None:
    due = OFFICE.add_business_seconds(oslo(27, 3, 15, 30), 4 * HOUR)
    assert local(due) == "Mon 2026-03-30 11:30 CEST"
    assert OFFICE.business_seconds_between(oslo(27, 3, 15), oslo(30, 3, 9)) == 2 * HOUR
    assert OFFICE.business_seconds_between(oslo(30, 3, 8), oslo(30, 3, 16)) == 8 * HOUR


def test_real_elapsed_time_across_oslo_dst_changes() -> None:
    # 2026-03-29 has 23 hours and 2026-10-25 has 25: a 24x7 clock counts what really passed.
    assert OSLO_24X7.business_seconds_between(oslo(28, 3), oslo(30, 3)) == 47 * HOUR
    assert OSLO_24X7.business_seconds_between(oslo(24, 10), oslo(26, 10)) == 49 * HOUR
    assert (
        local(OSLO_24X7.add_business_seconds(oslo(29, 3), 3 * HOUR)) == "Sun 2026-03-29 04:00 CEST"
    )
    assert (
        local(OSLO_24X7.add_business_seconds(oslo(25, 10), 3 * HOUR)) == "Sun 2026-10-25 02:00 CET"
    )


def test_opening_inside_the_spring_forward_gap_starts_when_the_clock_jumps() -> None:
    # Sunday 02:30-08:00 on 2026-03-29: 02:30 never happens, the clocks go from 02:00 to 03:00.
    assert local(LUNCH.add_business_seconds(oslo(28, 3, 20), 0)) == "Sun 2026-03-29 03:00 CEST"
    assert LUNCH.business_seconds_between(oslo(29, 3), oslo(29, 3, 12)) == 5 * HOUR


def test_opening_inside_the_fall_back_fold_counts_real_time() -> None:
    # Sunday 02:30-08:00 on 2026-10-25: 02:30-03:00 summer time, then 02:00-03:00 again in
    # winter time, of which 02:30-03:00 is inside the hours: 6 real hours in all.
    assert LUNCH.business_seconds_between(oslo(25, 10), oslo(25, 10, 12)) == 6 * HOUR
    assert LUNCH.is_open(oslo(25, 10, 2, 45, fold=0))
    assert LUNCH.is_open(oslo(25, 10, 2, 45, fold=1))
    assert not LUNCH.is_open(oslo(25, 10, 2, 15, fold=1))
    # Half an hour before the clocks go back, half an hour after 02:30 comes round again.
    due = LUNCH.add_business_seconds(oslo(25, 10, 2, 30), HOUR)
    assert local(due) == "Sun 2026-10-25 03:00 CET"


def test_new_york_across_both_dst_changes() -> None:
    friday = datetime(2026, 3, 6, 15, tzinfo=NEW_YORK)
    assert local(NYC.add_business_seconds(friday, 4 * HOUR), NEW_YORK) == "Mon 2026-03-09 11:00 EDT"
    friday = datetime(2026, 10, 30, 16, tzinfo=NEW_YORK)
    due = NYC.add_business_seconds(friday, 2 * HOUR)
    assert local(due, NEW_YORK) == "Mon 2026-11-02 10:00 EST"
    assert due == datetime(2026, 11, 2, 15, tzinfo=UTC)


def test_tehran_has_a_friday_weekend_and_a_short_thursday() -> None:
    wednesday = datetime(2026, 3, 4, 15, tzinfo=TEHRAN)
    assert (
        local(IRAN.add_business_seconds(wednesday, 3 * HOUR), TEHRAN)
        == "Thu 2026-03-05 10:00 +0330"
    )
    thursday = datetime(2026, 3, 5, 11, tzinfo=TEHRAN)
    assert (
        local(IRAN.add_business_seconds(thursday, 2 * HOUR), TEHRAN) == "Sat 2026-03-07 09:00 +0330"
    )
    assert not IRAN.is_open(datetime(2026, 3, 6, 10, tzinfo=TEHRAN))
    assert IRAN.is_open(datetime(2026, 3, 8, 10, tzinfo=TEHRAN))  # Sunday is a working day


def test_a_day_the_time_zone_skipped_has_no_business_hours() -> None:
    # Samoa moved across the date line: Friday 2011-12-30 never happened in Pacific/Apia.
    apia = ZoneInfo("Pacific/Apia")
    office = BusinessCalendar.from_mapping(
        {"timezone": "Pacific/Apia", "hours": {"mon-fri": ["09:00-17:00"]}}
    )
    thursday = datetime(2011, 12, 29, 15, tzinfo=apia)
    assert (
        local(office.add_business_seconds(thursday, 4 * HOUR), apia) == "Mon 2012-01-02 11:00 +14"
    )
    assert (
        office.business_seconds_between(thursday, datetime(2012, 1, 2, 9, tzinfo=apia)) == 2 * HOUR
    )


def test_always_open_runs_around_the_clock() -> None:
    always = BusinessCalendar.always_open()
    start = datetime(2026, 3, 28, 22, 15, tzinfo=UTC)
    assert always.add_business_seconds(start, 30 * HOUR) == start + timedelta(hours=30)
    assert always.business_seconds_between(start, start + timedelta(days=9)) == 9 * 24 * HOUR
    assert always.to_mapping()["hours"] == {"mon-sun": ["00:00-24:00"]}


def test_half_a_year_of_an_sla_report_counts_every_working_hour() -> None:
    office = BusinessCalendar.from_mapping(
        {
            "timezone": "Europe/Oslo",
            "hours": {"mon-fri": ["08:00-16:00"], "sat": ["10:00-14:00"]},
            "holidays": ["2026-04-02", "2026-04-03", "2026-05-01", "2026-05-14", "2026-05-25"],
        }
    )
    # 26 weeks: 130 weekdays less 5 holidays at 8 hours, and 26 Saturdays at 4.
    assert office.business_seconds_between(oslo(5, 1), datetime(2026, 7, 6, tzinfo=OSLO)) == (
        1104 * HOUR
    )


def minute_by_minute(calendar: BusinessCalendar, start: datetime, end: datetime) -> float:
    """An independent count: step each minute and read the local wall clock."""
    zone = ZoneInfo(calendar.timezone)
    seconds, at = 0.0, start.astimezone(UTC)
    while at < end:
        wall = at.astimezone(zone)
        if wall.date() not in calendar.holidays:
            for opens, closes in calendar.hours[wall.weekday()]:
                if opens <= wall.time() and (closes == END_OF_DAY or wall.time() < closes):
                    seconds += 60
        at += timedelta(minutes=1)
    return seconds


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (oslo(20, 3, 9, 7), oslo(14, 4, 16, 53)),  # spring forward, Easter, a plain week
        (oslo(28, 3, 1, 1), oslo(29, 3, 7, 31)),  # through the gap
        (oslo(5, 10, 11, 11), oslo(2, 11, 12, 29)),  # fall back and a holiday
        (oslo(25, 10, 2, 40, fold=0), oslo(25, 10, 2, 50, fold=1)),  # inside the fold
    ],
)
def test_business_time_matches_a_minute_by_minute_count(start: datetime, end: datetime) -> None:
    assert LUNCH.business_seconds_between(start, end) == minute_by_minute(LUNCH, start, end)


CALENDARS = st.sampled_from([LUNCH, IRAN, NYC, OSLO_24X7, OFFICE])
STARTS = st.datetimes(datetime(2025, 1, 1), datetime(2028, 12, 31), timezones=st.just(UTC))
DURATIONS = st.floats(min_value=0, max_value=4_000 * HOUR, allow_nan=False)


@settings(deadline=None)
@given(calendar=CALENDARS, start=STARTS, seconds=DURATIONS)
def test_elapsed_business_time_undoes_a_deadline(
    calendar: BusinessCalendar, start: datetime, seconds: float
) -> None:
    due = calendar.add_business_seconds(start, seconds)
    assert calendar.business_seconds_between(start, due) == pytest.approx(seconds, abs=1e-6)
    assert due >= start


@settings(deadline=None)
@given(
    calendar=CALENDARS,
    start=STARTS,
    seconds=DURATIONS,
    more=DURATIONS,
    later=st.timedeltas(timedelta(0), timedelta(days=200)),
)
def test_deadlines_and_elapsed_time_never_go_backwards(
    calendar: BusinessCalendar, start: datetime, seconds: float, more: float, later: timedelta
) -> None:
    due = calendar.add_business_seconds(start, seconds)
    assert calendar.add_business_seconds(start, seconds + more) >= due
    assert calendar.add_business_seconds(start + later, seconds) >= due
    elapsed = calendar.business_seconds_between(start, start + later)
    assert 0 <= elapsed <= later.total_seconds()
    assert calendar.business_seconds_between(start, start + 2 * later) >= elapsed
    if elapsed:  # asking for exactly the time that elapsed gives a deadline no later than the end
        assert calendar.add_business_seconds(start, elapsed) <= start + later


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="start must be a time-zone aware datetime"):
        OFFICE.add_business_seconds(datetime(2026, 3, 10, 9), HOUR)
    with pytest.raises(ValueError, match="at must be a time-zone aware datetime"):
        OFFICE.is_open(datetime(2026, 3, 10, 9))
    with pytest.raises(ValueError, match="end must be a time-zone aware datetime"):
        OFFICE.business_seconds_between(oslo(10, 3), datetime(2026, 3, 10, 9))


def test_a_calendar_without_opening_hours_says_so_instead_of_looping() -> None:
    closed = BusinessCalendar.from_mapping({"name": "Closed", "timezone": "UTC", "hours": {}})
    with pytest.raises(InvalidInput, match='calendar "Closed" has no opening hours'):
        closed.add_business_seconds(oslo(10, 3), HOUR)
    assert closed.business_seconds_between(oslo(1, 1), oslo(1, 12)) == 0


def test_negative_durations_are_refused() -> None:
    with pytest.raises(ValueError, match="seconds must be a finite number >= 0"):
        OFFICE.add_business_seconds(oslo(10, 3), -1)


def with_fields(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {"timezone": "Europe/Oslo", "hours": {"mon-fri": ["08:00-16:00"]}}
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            with_fields(hours={"mon-fri": ["25:00-16:00"]}),
            'calendar.hours.mon-fri[0]: "25:00-16:00" is not a time range HH:MM-HH:MM '
            "(25:00 is not a time of day)",
        ),
        (
            with_fields(hours={"mon-fri": ["08:00-16:00", "9 to 5"]}),
            'calendar.hours.mon-fri[1]: "9 to 5" is not a time range HH:MM-HH:MM',
        ),
        (
            with_fields(hours={"sat": [800]}),
            "calendar.hours.sat[0]: 800 is not a time range HH:MM-HH:MM",
        ),
        (
            with_fields(hours={"mon": ["16:00-08:00"]}),
            'calendar.hours.mon[0]: "16:00-08:00" ends before it starts',
        ),
        (
            with_fields(hours={"mon-fri": ["08:00-12:00", "11:00-14:00"]}),
            'calendar.hours.mon-fri[1]: "11:00-14:00" overlaps "08:00-12:00"',
        ),
        (
            with_fields(hours={"mon": ["08:00-08:00"]}),
            'calendar.hours.mon[0]: "08:00-08:00" is empty',
        ),
        (with_fields(hours={"mon": "08:00-16:00"}), "calendar.hours.mon: expected a list"),
        (
            with_fields(hours={"mon-fir": ["08:00-16:00"]}),
            'calendar.hours.mon-fir: "fir" is not a day',
        ),
        (
            with_fields(hours={"mon-fri": ["08:00-16:00"], "fri": ["08:00-12:00"]}),
            'calendar.hours.fri: Friday is already given by "mon-fri"',
        ),
        (with_fields(hours=["08:00-16:00"]), "calendar.hours: expected a mapping of days"),
        (
            with_fields(timezone="Europe/Olso"),
            'calendar.timezone: "Europe/Olso" is not a known IANA',
        ),
        (with_fields(timezone="Europe"), 'calendar.timezone: "Europe" is not a known IANA'),
        (with_fields(timezone=1), "calendar.timezone: expected an IANA time zone"),
        ({"hours": {}}, "calendar.timezone: required"),
        ({"timezone": "UTC"}, "calendar.hours: required"),
        (with_fields(holidays=["2026-13-01"]), 'calendar.holidays[0]: "2026-13-01" is not a date'),
        (with_fields(holidays="2026-12-25"), "calendar.holidays: expected a list of dates"),
        (with_fields(name=5), "calendar.name: expected text, got 5"),
        (with_fields(holiday=["2026-12-25"]), "calendar.holiday: unknown field"),
        (["08:00-16:00"], "calendar: expected a mapping"),
    ],
)
def test_bad_config_says_which_field_is_wrong_and_why(data: object, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        BusinessCalendar.from_mapping(data)
    assert str(caught.value).startswith(message)


def test_errors_are_located_under_the_callers_path() -> None:
    data = with_fields(hours={"mon": ["8"]})
    with pytest.raises(InvalidInput, match=r"^sla\.calendars\[2\]\.hours\.mon\[0\]: "):
        BusinessCalendar.from_mapping(data, where="sla.calendars[2]")


def test_calendars_built_in_code_are_checked_too() -> None:
    monday = ((time(8), END_OF_DAY), (time(12), END_OF_DAY))
    with pytest.raises(InvalidInput, match=r"calendar\.hours\.mon\[1\]: .* overlaps"):
        BusinessCalendar(name="x", timezone="UTC", hours=(monday, (), (), (), (), (), ()))


@pytest.mark.parametrize(
    ("hours", "canonical"),
    [
        ({"mon-fri": ["08:00-16:00"], "sat": ["10:00-14:00"]}, None),
        (
            {"sat-wed": ["08:00-16:00"], "thu": ["08:00-12:00"]},
            {
                "thu": ["08:00-12:00"],
                "sat-wed": ["08:00-16:00"],
            },
        ),
        (
            {"mon,wed, fri": ["13:00-17:00", "08:00-12:00"], "sun": ["22:00-00:00"], "tue": []},
            {
                "mon": ["08:00-12:00", "13:00-17:00"],
                "wed": ["08:00-12:00", "13:00-17:00"],
                "fri": ["08:00-12:00", "13:00-17:00"],
                "sun": ["22:00-24:00"],
            },
        ),
        ({"fri-mon": ["00:00-24:00"]}, {"fri-mon": ["00:00-24:00"]}),
    ],
)
def test_config_round_trips(
    hours: dict[str, list[str]], canonical: dict[str, list[str]] | None
) -> None:
    data = {"name": "Desk", "timezone": "Asia/Tehran", "hours": hours, "holidays": ["2026-03-21"]}
    calendar = BusinessCalendar.from_mapping(data)
    written = calendar.to_mapping()
    assert written == {**data, "hours": canonical or hours}
    assert BusinessCalendar.from_mapping(written) == calendar


def test_yaml_dates_are_accepted_as_holidays() -> None:
    calendar = BusinessCalendar.from_mapping(with_fields(holidays=[date(2026, 5, 17)]))
    assert calendar.to_mapping()["holidays"] == ["2026-05-17"]
