"""How values look on screen: channel icons, relative and exact times in the user's zone."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True, slots=True)
class ChannelLook:
    icon: str  # a Material icon name (the font ships with NiceGUI, so it works offline)
    color: str  # a CSS colour
    label: str


_CHANNELS = {
    "twitter": ChannelLook("tag", "#0f1419", "X / Twitter"),
    "facebook": ChannelLook("thumb_up", "#1877f2", "Facebook"),
    "messenger": ChannelLook("chat", "#0084ff", "Messenger"),
    "email": ChannelLook("mail", "#b45309", "E-mail"),
    "api": ChannelLook("webhook", "#6d28d9", "API"),
}
_UNKNOWN = ChannelLook("forum", "#475569", "Other")

STATUS_COLORS = {"open": "positive", "pending": "warning", "closed": "grey-7"}


def channel_look(kind: str) -> ChannelLook:
    """Icon, colour and label of a channel kind."""
    return _CHANNELS.get(kind, _UNKNOWN)


def zone(name: str | None) -> ZoneInfo:
    """The named IANA time zone, or UTC when the name is missing or unknown."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo("UTC")


def relative_time(moment: datetime, now: datetime | None = None) -> str:
    """'just now', '5 min ago', '3 h ago', 'yesterday', '4 d ago', or a date for older times."""
    now = now or datetime.now(UTC)
    seconds = (now - _aware(moment)).total_seconds()
    if seconds < 0:
        return "in the future"
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    if days == 1:
        return "yesterday"
    if days < 30:
        return f"{days} d ago"
    if days < 365:
        return _aware(moment).strftime("%d %b")
    return _aware(moment).strftime("%d %b %Y")


def exact_time(moment: datetime, time_zone: str | None) -> str:
    """The full time in the user's zone, and in UTC when that zone is not UTC."""
    moment = _aware(moment)
    tz = zone(time_zone)
    local = moment.astimezone(tz)
    text = f"{local:%Y-%m-%d %H:%M:%S} {tz.key}"
    if tz.key not in ("UTC", "Etc/UTC"):
        text += f" · {moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return text


def short_time(moment: datetime, time_zone: str | None) -> str:
    """Date and minute in the user's zone, for message headers."""
    return f"{_aware(moment).astimezone(zone(time_zone)):%Y-%m-%d %H:%M}"


def _aware(moment: datetime) -> datetime:
    # The store returns aware UTC datetimes; a naive one can only mean UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def text_direction(text: str | None) -> str:
    """'rtl' or 'ltr' from the first letter that has a direction, else 'auto'.

    Leading @mentions and links are skipped: a Persian reply that starts with
    '@fjordandpine' is still a right-to-left text, where the browser's dir="auto" would
    see the Latin handle first and lay the whole message out left to right.
    """
    if not text:
        return "auto"
    words = text.split()
    content = [w for w in words if not w.startswith(("@", "http://", "https://", "www."))]
    for candidates in (content, words):
        for word in candidates:
            for char in word:
                kind = unicodedata.bidirectional(char)
                if kind == "L":
                    return "ltr"
                if kind in ("R", "AL"):
                    return "rtl"
    return "auto"


def dir_prop(text: str | None) -> str:
    """The ``dir`` attribute for an element that shows ``text`` (as a NiceGUI prop)."""
    return f"dir={text_direction(text)}"


def human_duration(seconds: float | None) -> str:
    """'45 s', '12 min', '3 h 20 min', '2 d 4 h' — or '—' when there is nothing to show."""
    if seconds is None:
        return "—"
    seconds = abs(seconds)
    if seconds < 60:
        return f"{int(seconds)} s"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def percent(ratio: float | None) -> str:
    """A share from 0 to 1 as '87.5 %', or '—' when there is none."""
    if ratio is None:
        return "—"
    return f"{ratio * 100:.1f} %".replace(".0 %", " %")


PRIORITY_COLORS = {"low": "blue-grey-5", "normal": "primary", "high": "orange-8", "urgent": "red"}
CASE_STATUS_COLORS = {
    "new": "purple",
    "open": "positive",
    "pending": "warning",
    "resolved": "teal",
    "closed": "grey-7",
}
