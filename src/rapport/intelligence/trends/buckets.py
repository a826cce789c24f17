"""Time buckets in a time zone the user gives: hours and days that start on the local
clock, correct across daylight-saving changes and in zones whose offset is not whole hours.

Counts come from the store in 15-minute UTC slots; every local hour or day boundary of the
tz database falls on a quarter hour of UTC, so folding slots into local buckets is exact
(a day in Asia/Tehran starts at 20:30 UTC, a spring-forward day in Europe/Berlin has 23
hours, a fall-back day 25).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rapport.errors import InvalidInput

Interval = Literal["hour", "day"]
INTERVALS: tuple[Interval, ...] = get_args(Interval)
SLOT_SECONDS = 900  # the store's granularity: a quarter hour
MAX_BUCKETS = 10_000


def time_zone(name: str | None, field: str = "tz") -> ZoneInfo:
    """The IANA zone ``name`` (UTC when empty); an :class:`InvalidInput` naming ``field``."""
    if not name:
        return ZoneInfo("UTC")
    try:
        if "\x00" in name or name.startswith(("/", ".")) or ".." in name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput(
            f"{field}: {name!r} is not a time zone name like Europe/Berlin or Asia/Tehran"
        ) from None


def interval_of(value: str, field: str = "interval") -> Interval:
    """``value`` as an :data:`Interval`, or an :class:`InvalidInput` naming ``field``."""
    for interval in INTERVALS:
        if value == interval:
            return interval
    raise InvalidInput(f"{field}: must be one of {', '.join(INTERVALS)}, not {value!r}")


def local_midnight(day: date, tz: tzinfo) -> datetime:
    """When the local day ``day`` starts, in UTC: the one definition of a day's bounds, so a
    day's bar and the posts listed behind it cover the same instants."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def bucket_start(moment: datetime, interval: Interval, tz: ZoneInfo) -> datetime:
    """The start (in UTC) of the local hour or day that contains ``moment``."""
    local = moment.astimezone(tz)
    if interval == "hour":
        # ``replace`` keeps ``fold``: the second 02:00 of a fall-back night is its own hour.
        return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    return local_midnight(local.date(), tz)


def next_bucket(start: datetime, interval: Interval, tz: ZoneInfo) -> datetime:
    """The start (in UTC) of the bucket after the one starting at ``start``."""
    if interval == "hour":
        return bucket_start(start + timedelta(hours=1), interval, tz)
    return local_midnight(start.astimezone(tz).date() + timedelta(days=1), tz)


def previous_bucket(start: datetime, interval: Interval, tz: ZoneInfo) -> datetime:
    """The start (in UTC) of the bucket before the one starting at ``start``."""
    return bucket_start(start - timedelta(seconds=1), interval, tz)


def bucket_starts(
    since: datetime, until: datetime, interval: Interval, tz: ZoneInfo
) -> list[datetime]:
    """Every bucket that overlaps ``[since, until)``, by its UTC start, oldest first."""
    if until <= since:
        return []
    starts: list[datetime] = []
    current = bucket_start(since, interval, tz)
    while current < until:
        starts.append(current)
        if len(starts) > MAX_BUCKETS:
            raise InvalidInput(
                f"since/until: more than {MAX_BUCKETS} {interval} buckets; "
                "choose a shorter range or a longer interval"
            )
        current = next_bucket(current, interval, tz)
    return starts


def slot_start(moment: datetime) -> datetime:
    """The UTC quarter hour containing ``moment``."""
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % SLOT_SECONDS, UTC)


def seasonal_slots(start: datetime, interval: Interval, tz: ZoneInfo) -> tuple[int, int]:
    """Where a bucket falls in the week and in the day, on the local clock.

    Hours: (hour of the week 0-167 from Monday 00:00, hour of the day); days: (weekday, 0).
    """
    local = start.astimezone(tz)
    if interval == "hour":
        return local.weekday() * 24 + local.hour, local.hour
    return local.weekday(), 0
