"""The ``time:`` condition: weekdays and clock ranges in a named timezone."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from rapport.engage.rules.conditions import Condition, Context

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RANGE = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")
_MINUTES_PER_DAY = 24 * 60


def load_timezone(name: str) -> ZoneInfo:
    """The IANA timezone ``name``; ``ValueError`` with a suggestion when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        close = difflib.get_close_matches(name, sorted(available_timezones()), n=1)
        hint = f' (did you mean "{close[0]}"?)' if close else ' such as "Europe/Oslo"'
        raise ValueError(f'unknown timezone "{name}"; expected an IANA name{hint}') from None


def _day(word: str) -> int:
    word = word.strip().casefold()
    if word in DAYS:
        return DAYS.index(word)
    if word in _FULL_DAYS:
        return _FULL_DAYS.index(word)
    raise ValueError(f'unknown day "{word}"; use {", ".join(DAYS)} or ranges such as "mon-fri"')


def parse_days(entries: Sequence[str]) -> frozenset[int]:
    """Weekday numbers (Monday = 0) from names and ranges; ``"fri-mon"`` wraps over Sunday."""
    days: set[int] = set()
    for entry in entries:
        first, dash, last = entry.partition("-")
        start = _day(first)
        end = _day(last) if dash else start
        days.update((start + offset) % 7 for offset in range((end - start) % 7 + 1))
    return frozenset(days)


def parse_between(text: str) -> tuple[int, int]:
    """``"09:00-17:00"`` as minutes after midnight; start included, end excluded.

    An end before the start (``"22:00-06:00"``) is a range over midnight. ``24:00`` may end a
    range.
    """
    found = _RANGE.fullmatch(text)
    if found is None:
        raise ValueError(f'expected a range such as "09:00-17:00", got "{text}"')
    h1, m1, h2, m2 = (int(part) for part in found.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if m1 > 59 or m2 > 59 or start >= _MINUTES_PER_DAY or end > _MINUTES_PER_DAY:
        raise ValueError(f'"{text}" is not a valid time range; times go from 00:00 to 24:00')
    if start == end % _MINUTES_PER_DAY:
        raise ValueError(f'"{text}" is empty; start and end must differ')
    return start, end


def _window_day(minute: int, weekday: int, start: int, end: int) -> int | None:
    """The weekday a window containing ``minute`` opened on, or ``None`` if outside it.

    The early-morning part of an overnight window belongs to the previous day, so
    ``days: fri`` with ``22:00-06:00`` covers Friday night into Saturday morning.
    """
    if start < end:
        return weekday if start <= minute < end else None
    if minute >= start:
        return weekday
    if minute < end:
        return (weekday - 1) % 7
    return None


def time_within(
    zone: ZoneInfo,
    days: frozenset[int] | None,
    ranges: Sequence[tuple[int, int]],
    written: str,
) -> Condition:
    """The message was sent, in ``zone``'s local time, on one of ``days`` within a range.

    ``written`` is how the admin put it (``mon-fri 09:00-17:00``), for display.
    """
    windows = tuple(ranges)

    def test(ctx: Context) -> bool:
        local = ctx.facts.sent_at.astimezone(zone)
        weekday = local.weekday()
        if not windows:
            return days is None or weekday in days
        minute = local.hour * 60 + local.minute
        for start, end in windows:
            day = _window_day(minute, weekday, start, end)
            if day is not None and (days is None or day in days):
                return True
        return False

    def explain(ctx: Context) -> str:
        local = ctx.facts.sent_at.astimezone(zone)
        day = DAYS[local.weekday()].title()
        return f"time {day} {local:%H:%M} {zone.key} is within {written}"

    return Condition(test, explain, f"time within {written} ({zone.key})", cost=3)
