"""Business-hours calendars: when an SLA clock runs, and how much of it has run.

A calendar is an IANA time zone, weekly opening hours in local wall-clock time and a set of
holidays. An instant is open when its local wall-clock time falls inside an opening interval of
its local date, so a DST gap shortens and a fold lengthens an interval that spans it. Instants
are handled as integer microseconds since the Unix epoch, so business time is real elapsed time
and sums of it are exact.

Assumes a zone changes its UTC offset at most once a day, as tzdata has since 1970.
``add_business_seconds`` also assumes the local date never runs backwards, which only a few
zones did before 2011 (Newfoundland fell back from 00:01 to 23:01); a deadline inside such a
fold may be off by up to its length.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rapport.errors import InvalidInput

Interval = tuple[time, time]

END_OF_DAY = time(0)
"""As an interval's end, midnight means 24:00: no interval can end where its own day starts."""

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_FIELDS = ("name", "timezone", "hours", "holidays")
_RANGE = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

_US = timedelta(microseconds=1)
_SECOND = 1_000_000
_DAY_US = 86_400 * _SECOND
_FOREVER = 1 << 62
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = _EPOCH.date().toordinal()
_ONE_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)

Span = tuple[int, int]  # [start, end) in microseconds: since midnight, or since the epoch


class CalendarMapping(TypedDict):
    """A calendar as plain data, the way YAML or JSON config writes it."""

    name: str
    timezone: str
    hours: dict[str, list[str]]
    holidays: list[str]


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Opening hours in one time zone, minus holidays: the clock SLA deadlines run on.

    ``hours[i]`` holds the opening intervals of weekday ``i`` (0 is Monday, as in
    ``date.weekday()``) as local wall-clock ``(start, end)`` pairs, whole minutes, sorted and
    not overlapping; an end of ``END_OF_DAY`` means 24:00. A holiday closes its whole local
    date. Invalid values raise ``InvalidInput`` naming the field.
    """

    name: str
    timezone: str
    hours: tuple[tuple[Interval, ...], ...]
    holidays: frozenset[date] = frozenset()
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _spans: tuple[tuple[Span, ...], ...] = field(init=False, repr=False, compare=False)
    _weekly: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        zone = _load_zone(self.timezone, "calendar.timezone")
        if len(self.hours) != 7:
            raise InvalidInput(f"calendar.hours: expected 7 weekdays, got {len(self.hours)}")
        hours = tuple(
            _check_day(day, f"calendar.hours.{key}")
            for key, day in zip(DAY_KEYS, self.hours, strict=True)
        )
        holidays = frozenset(self.holidays)
        for day in holidays:
            if not isinstance(day, date) or isinstance(day, datetime):
                raise InvalidInput(f"calendar.holidays: expected dates, got {day!r}")
        spans = tuple(tuple(_span(interval) for interval in day) for day in hours)
        # Frozen, so normalised values go in through object.__setattr__.
        object.__setattr__(self, "hours", hours)
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "_zone", zone)
        object.__setattr__(self, "_spans", spans)
        object.__setattr__(self, "_weekly", sum(end - start for day in spans for start, end in day))

    @classmethod
    def always_open(cls) -> BusinessCalendar:
        """A 24x7 calendar in UTC: business time is simply elapsed time."""
        return cls(name="24x7", timezone="UTC", hours=(((time(0), END_OF_DAY),),) * 7)

    @classmethod
    def from_mapping(cls, data: object, *, where: str = "calendar") -> BusinessCalendar:
        """Build a calendar from config data; errors name the field under ``where``.

        ``{"name": "Oslo office", "timezone": "Europe/Oslo",
        "hours": {"mon-fri": ["08:00-12:00", "13:00-16:00"], "sat": ["10:00-14:00"]},
        "holidays": ["2026-12-25"]}``. Day keys are ``mon``..``sun``, ranges such as
        ``mon-fri`` or ``sat-wed`` (wrapping past Sunday) and comma lists of both; a day may
        appear once, days not given are closed. Ranges end at 24:00 at the latest.
        """
        if not isinstance(data, Mapping):
            raise InvalidInput(f"{where}: expected a mapping of {', '.join(_FIELDS)}")
        for key in data:
            if key not in _FIELDS:
                raise InvalidInput(f"{where}.{key}: unknown field; expected {', '.join(_FIELDS)}")
        name = data.get("name", "")
        if not isinstance(name, str):
            raise InvalidInput(f"{where}.name: expected text, got {_show(name)}")
        if "timezone" not in data:
            raise InvalidInput(f'{where}.timezone: required, an IANA time zone like "Europe/Oslo"')
        timezone = data["timezone"]
        _load_zone(timezone, f"{where}.timezone")
        week: list[tuple[Interval, ...]] = [()] * 7
        given: dict[int, str] = {}
        for key, ranges in _hours_items(data.get("hours"), f"{where}.hours"):
            path = f"{where}.hours.{key}"
            intervals = _parse_ranges(ranges, path)
            for day in _parse_days(key, path):
                if day in given:
                    raise InvalidInput(
                        f'{path}: {_DAY_NAMES[day]} is already given by "{given[day]}"; '
                        "list each day once"
                    )
                given[day] = key
                week[day] = intervals
        holidays = _parse_holidays(data.get("holidays", []), f"{where}.holidays")
        return cls(name=name, timezone=timezone, hours=tuple(week), holidays=holidays)

    def to_mapping(self) -> CalendarMapping:
        """The calendar as config data; ``from_mapping`` turns it back into an equal calendar."""
        hours: dict[str, list[str]] = {}
        for first, count in _runs(self.hours):
            if self.hours[first]:
                last = DAY_KEYS[(first + count - 1) % 7]
                key = DAY_KEYS[first] if count == 1 else f"{DAY_KEYS[first]}-{last}"
                hours[key] = [_format_range(interval) for interval in self.hours[first]]
        return {
            "name": self.name,
            "timezone": self.timezone,
            "hours": hours,
            "holidays": [day.isoformat() for day in sorted(self.holidays)],
        }

    def is_open(self, at: datetime) -> bool:
        """Whether the instant ``at`` (time-zone aware) falls in opening hours."""
        now = _to_us(at, "at")
        return any(lo <= now < hi for lo, hi in self._day_spans(self._local_date(at)))

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """The UTC instant by which ``seconds`` of business time have passed since ``start``.

        This is the deadline of an SLA clock started at ``start``; outside opening hours the
        clock starts at the next opening (so 0 seconds gives that opening). A deadline that
        lands on a closing time is that closing time, not the next opening.
        """
        now = _to_us(start, "start")
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"seconds must be a finite number >= 0, got {seconds!r}")
        if not self._weekly:
            raise InvalidInput(f'calendar "{self.name}" has no opening hours; its clock never runs')
        remaining = round(seconds * _SECOND)
        first = day = self._local_date(start)
        while True:
            # Skip whole ordinary weeks at once, so a months-long SLA costs weeks, not days.
            skip = day > first and day.weekday() == 0 and remaining > self._weekly
            if skip and self._is_plain_week(day):
                remaining -= self._weekly
                day += _WEEK
                continue
            for lo, hi in self._day_spans(day):
                lo = max(lo, now)
                if lo < hi:
                    if remaining <= hi - lo:
                        return _from_us(lo + remaining)
                    remaining -= hi - lo
            day += _ONE_DAY

    def business_seconds_between(self, start: datetime, end: datetime) -> float:
        """Business time, in seconds, that passes from ``start`` to ``end`` (0 if not after)."""
        lo, hi = _to_us(start, "start"), _to_us(end, "end")
        if hi <= lo:
            return 0.0
        # One day of margin each side: a fold can show a date's last hour again after midnight.
        first = self._local_date(start) - _ONE_DAY
        last = self._local_date(end) + _ONE_DAY
        total = 0
        day = first
        while day <= last:
            # Two days of margin keep every instant of a skipped week inside [start, end).
            inside = first + 3 * _ONE_DAY <= day and day + 9 * _ONE_DAY <= last
            if inside and day.weekday() == 0 and self._is_plain_week(day):
                total += self._weekly
                day += _WEEK
                continue
            total += sum(max(0, min(b, hi) - max(a, lo)) for a, b in self._day_spans(day))
            day += _ONE_DAY
        return total / _SECOND

    def _local_date(self, at: datetime) -> date:
        return at.astimezone(self._zone).date()

    def _wall_offset(self, wall: datetime) -> int:
        return _offset_us(self._zone.utcoffset(wall))

    def _offset_at(self, instant: int) -> int:
        return _offset_us(_from_us(instant).astimezone(self._zone).utcoffset())

    def _is_plain_week(self, monday: date) -> bool:
        """Whether the week has its ordinary hours: no holiday and one UTC offset throughout."""
        if any(monday + timedelta(days=i) in self.holidays for i in range(7)):
            return False
        start = datetime.combine(monday, time(0))
        return len(self._midnight_offsets(start) | self._midnight_offsets(start + _WEEK)) == 1

    def _midnight_offsets(self, midnight: datetime) -> set[int]:
        # Both folds: they differ when an offset change touches this midnight.
        return {self._wall_offset(midnight), self._wall_offset(midnight.replace(fold=1))}

    def _day_spans(self, day: date) -> list[Span]:
        """The open stretches of a local date, in epoch microseconds, in order."""
        spans = self._spans[day.weekday()]
        if not spans or day in self.holidays:
            return []
        base = (day.toordinal() - _EPOCH_ORDINAL) * _DAY_US  # local midnight, read as UTC
        midnight = datetime.combine(day, time(0))
        offsets = self._midnight_offsets(midnight) | self._midnight_offsets(midnight + _ONE_DAY)
        if len(offsets) == 1:
            (offset,) = offsets
            return [(base + lo - offset, base + hi - offset) for lo, hi in spans]
        # The offset changes on this date. Find the instant it does, then map each interval
        # with the offset in force on each side of it: wall times in a gap fall away, and those
        # in a fold count twice.
        earliest, latest = base - max(offsets), base + _DAY_US - min(offsets)
        before, after = self._offset_at(earliest), self._offset_at(latest)
        switch = self._find_switch(earliest, latest, before) if before != after else _FOREVER
        pieces = [(before, -_FOREVER, switch), (after, switch, _FOREVER)]
        result = []
        for lo, hi in spans:
            for offset, piece_lo, piece_hi in pieces:
                a, b = max(base + lo - offset, piece_lo), min(base + hi - offset, piece_hi)
                if a < b:
                    result.append((a, b))
        return sorted(result)

    def _find_switch(self, lo: int, hi: int, before: int) -> int:
        """The first instant in (lo, hi] off ``before``; tzdata changes on whole seconds."""
        while hi - lo > _SECOND:
            mid = lo + (hi - lo) // (2 * _SECOND) * _SECOND
            if self._offset_at(mid) == before:
                lo = mid
            else:
                hi = mid
        return hi


def _to_us(at: datetime, what: str) -> int:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} must be a time-zone aware datetime, got naive {at.isoformat()}")
    return (at - _EPOCH) // _US


def _from_us(instant: int) -> datetime:
    return _EPOCH + timedelta(microseconds=instant)


def _offset_us(offset: timedelta | None) -> int:
    return 0 if offset is None else offset // _US  # a ZoneInfo always knows its offset


def _span(interval: Interval) -> Span:
    start, end = interval
    lo = (start.hour * 60 + start.minute) * 60 * _SECOND
    hi = (end.hour * 60 + end.minute) * 60 * _SECOND
    return lo, hi or _DAY_US


def _format_range(interval: Interval) -> str:
    start, end = interval
    return f"{start:%H:%M}-{'24:00' if end == END_OF_DAY else format(end, '%H:%M')}"


def _show(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _load_zone(name: object, path: str) -> ZoneInfo:
    if not isinstance(name, str):
        raise InvalidInput(f'{path}: expected an IANA time zone like "Europe/Oslo", got {name!r}')
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput(f'{path}: "{name}" is not a known IANA time zone name') from None


def _check_day(
    intervals: Sequence[Interval], path: str, labels: Sequence[str] = ()
) -> tuple[Interval, ...]:
    """Check one day's intervals and return them sorted; errors point at the original index."""
    for i, (start, end) in enumerate(intervals):
        if start.tzinfo is not None or end.tzinfo is not None:
            raise InvalidInput(f"{path}[{i}]: opening hours are local wall-clock times, no tzinfo")
        if any(t.second or t.microsecond for t in (start, end)):
            raise InvalidInput(f"{path}[{i}]: opening hours are whole minutes, got {start}-{end}")
    labels = labels or [_format_range(interval) for interval in intervals]
    spans = [_span(interval) for interval in intervals]
    for i, (lo, hi) in enumerate(spans):
        if hi == lo:
            raise InvalidInput(f'{path}[{i}]: "{labels[i]}" is empty')
        if hi < lo:
            raise InvalidInput(
                f'{path}[{i}]: "{labels[i]}" ends before it starts; split hours past midnight '
                'into "22:00-24:00" and the next day\'s "00:00-06:00"'
            )
    order = sorted(range(len(spans)), key=spans.__getitem__)
    for prev, cur in pairwise(order):
        if spans[cur][0] < spans[prev][1]:
            raise InvalidInput(f'{path}[{cur}]: "{labels[cur]}" overlaps "{labels[prev]}"')
    return tuple(intervals[i] for i in order)


def _hours_items(value: object, path: str) -> list[tuple[str, object]]:
    if value is None:
        raise InvalidInput(f'{path}: required, e.g. {{"mon-fri": ["08:00-16:00"]}}')
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{path}: expected a mapping of days to time ranges, got {_show(value)}")
    for key in value:
        if not isinstance(key, str):
            raise InvalidInput(f'{path}: day keys are text like "mon" or "mon-fri", got {key!r}')
    return list(value.items())


def _parse_days(key: str, path: str) -> list[int]:
    days: list[int] = []
    for part in key.split(","):
        first, dash, last = part.partition("-")
        ends = []
        for name in (first, last) if dash else (first,):
            name = name.strip().lower()
            if name not in DAY_KEYS:
                raise InvalidInput(f'{path}: "{name}" is not a day; use {", ".join(DAY_KEYS)}')
            ends.append(DAY_KEYS.index(name))
        # A range may wrap past Sunday: "sat-wed" is Saturday to Wednesday.
        days.extend((ends[0] + i) % 7 for i in range((ends[-1] - ends[0]) % 7 + 1))
    return days


def _parse_ranges(value: object, path: str) -> tuple[Interval, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidInput(f'{path}: expected a list of time ranges like ["08:00-16:00"]')
    intervals = [_parse_range(text, f"{path}[{i}]") for i, text in enumerate(value)]
    return _check_day(intervals, path, [str(text).strip() for text in value])


def _parse_range(text: object, path: str) -> Interval:
    match = _RANGE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidInput(f"{path}: {_show(text)} is not a time range HH:MM-HH:MM")
    start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
    for hour, minute in ((start_h, start_m), (end_h, end_m)):
        if hour > 24 or minute > 59 or (hour == 24 and minute):
            raise InvalidInput(
                f'{path}: "{text}" is not a time range HH:MM-HH:MM '
                f"({hour:02}:{minute:02} is not a time of day)"
            )
    if start_h == 24:
        raise InvalidInput(f'{path}: "{text}" starts at 24:00, the end of the day')
    # 24:00 and a closing 00:00 both mean the end of the day.
    return time(start_h, start_m), time(end_h % 24, end_m)


def _parse_holidays(value: object, path: str) -> frozenset[date]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidInput(f'{path}: expected a list of dates like ["2026-12-25"]')
    days = set()
    for i, item in enumerate(value):
        # YAML reads a bare 2026-12-25 as a date already.
        if isinstance(item, date) and not isinstance(item, datetime):
            days.add(item)
            continue
        try:
            if not (isinstance(item, str) and _DATE.fullmatch(item)):
                raise ValueError(item)
            days.add(date.fromisoformat(item))
        except ValueError:
            raise InvalidInput(f"{path}[{i}]: {_show(item)} is not a date YYYY-MM-DD") from None
    return frozenset(days)


def _runs(week: Sequence[object]) -> list[tuple[int, int]]:
    """Runs of equal consecutive days as (first day, length), wrapping past Sunday."""
    breaks = [i for i in range(7) if week[i] != week[i - 1]]
    if not breaks:
        return [(0, 7)]
    return [(b, (nxt - b) % 7) for b, nxt in zip(breaks, breaks[1:] + breaks[:1], strict=True)]
